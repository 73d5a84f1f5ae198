-- mfakit.test.runner: the engine of `mfakit test`. Finds the test files,
-- loads them (each registers its cases with mfakit.test), runs each case as
-- its own task with a timeout, runs the fixtures' clean-up after it, checks
-- what it left behind, and hands each result to a reporter.
--   runner.discover(paths) -> files | nil, message
--   runner.load(files, filter, bin) -> loaded, planned | nil, message
--   runner.run(loaded, opts, on_case) -> files = { { file, cases = { result } } }
-- result = { file, name, status = "pass"|"fail"|"error"|"skip", seconds,
-- message, where, detail }.
local task = require "mfakit.task"
local sys = require "mfakit.sys"
local fs = require "mfakit.fs"
local secrets = require "mfakit.secrets"
local test = require "mfakit.test"
local check = require "mfakit.test.check"
local fixtures = require "mfakit.test.fixtures"
local leaks = require "mfakit.test.leaks"

local M = {}

local function quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function is_test_file(name)
    return name:match("^test_.*%.lua$") or name:match("_test%.lua$")
end

-- The test files under each path: a file as given, a directory's
-- `test_*.lua` and `*_test.lua` (at any depth), sorted.
function M.discover(paths)
    local files, seen = {}, {}
    for _, p in ipairs(paths) do
        local kind = fs.kind(p)
        if kind == "link" then kind = sys.stat(p .. "/.") and "directory" or "file" end
        if kind == "file" then
            if not seen[p] then files[#files + 1], seen[p] = p, true end
        elseif kind == "directory" then
            local found = {}
            local pipe = io.popen("find " .. quote(p) .. "/ -type f 2>/dev/null")
            for line in pipe:lines() do
                if is_test_file(line:match("[^/]+$")) then found[#found + 1] = (line:gsub("//+", "/")) end
            end
            pipe:close()
            table.sort(found)
            for _, f in ipairs(found) do
                if not seen[f] then files[#files + 1], seen[f] = f, true end
            end
        else
            return nil, "no such file or directory: " .. p
        end
    end
    return files
end

-- Every n-th file from the i-th (1-based): the shards of one run, side by side.
function M.shard(files, i, n)
    local mine = {}
    for k, f in ipairs(files) do
        if (k - 1) % n == i - 1 then mine[#mine + 1] = f end
    end
    return mine
end

local function first_line(s)
    return (tostring(s):match("^[^\n]*"))
end

-- An error raised in a case, as a result: a check's failure, a skip, or
-- an error (anything else).
local function classify(e)
    if check.is_skip(e) then return { status = "skip", message = e.reason } end
    if check.is_failure(e) then
        local rest = e.message:match("^[^\n]*\n(.*)$")
        return { status = "fail", message = first_line(e.message), where = e.where, detail = rest or e.detail }
    end
    if type(e) == "table" and (e.timed_out or e.raised) then
        return { status = "error", message = first_line(e.message), where = e.where, detail = e.detail }
    end
    return { status = "error", message = first_line(e) }
end

-- A traceback up to the runner's own frames (they say nothing of the test).
local function trimmed_traceback(msg)
    local out = {}
    for line in debug.traceback(msg, 3):gmatch("[^\n]+") do
        if line:find("mfakit[/.]test[/.]runner") or line:find("in function 'xpcall'", 1, true) then break end
        out[#out + 1] = line
    end
    return table.concat(out, "\n", 2)
end

-- The message handler of a case: keeps where the error was raised.
local function handler(e)
    if check.is_skip(e) or check.is_failure(e) or (type(e) == "table" and (e.timed_out or e.raised)) then
        return e
    end
    local msg = tostring(e)
    return { raised = true, message = msg, where = check.where(1), detail = trimmed_traceback(msg) }
end

-- The tasks of the cases running now: a trapped SIGINT/SIGTERM ends them.
local live_cases = {}
local interrupted -- "INT" | "TERM" once a signal has ended the run

local function interruption(sig)
    return { raised = true, interrupted = sig, message = "interrupted by SIG" .. sig }
end

-- The loop's signal handler (task.on_signal): the first time, ends the
-- running cases; the runner then cleans up, reports and stops.
function M.on_signal(sig)
    if interrupted then return end
    interrupted = sig
    -- pcall: when the count hook notices the signal inside a case, that
    -- case cannot cancel itself (it raises the interruption instead)
    for th in pairs(live_cases) do pcall(task.cancel, th, interruption(sig)) end
end

-- The signal that interrupted the run, if one did (also one the loop has
-- not seen yet: it came during a blocking call).
function M.interrupted()
    if not interrupted and sys.pending_signal() then M.on_signal(sys.pending_signal()) end
    return interrupted
end

-- Runs fn() as a task for at most `timeout` seconds. Returns nil when it
-- ended well, else the raised value. A task that overruns is cancelled; a
-- busy loop that never yields is stopped by a count hook; a blocking call
-- (os.execute, a C sleep) cannot be stopped, but a case that returns after
-- its time is reported as timed out all the same. A case (`is_case`) is
-- ended by a trapped signal too; hooks and clean-up are not.
local function run_timed(fn, timeout, is_case)
    local timed_out = { timed_out = true, message = string.format(
        "timed out after %g s (--case-timeout)", timeout) }
    local started = sys.monotonic()
    local deadline = started + timeout
    local th = task.spawn(function()
        debug.sethook(function()
            if sys.monotonic() > deadline then error(timed_out, 0) end
            if is_case and M.interrupted() then error(interruption(interrupted), 0) end
        end, "", 100000)
        local ok, e = xpcall(fn, handler)
        debug.sethook()
        if not ok then return e end
    end)
    if is_case then live_cases[th] = true end
    local watchdog = task.spawn(function()
        task.sleep(timeout)
        task.cancel(th, timed_out)
    end)
    local _, e = task.wait(th) -- false, timed_out when cancelled; true, e when fn raised e
    live_cases[th] = nil
    task.cancel(watchdog)
    task.wait(watchdog)
    local took = sys.monotonic() - started
    if e == nil and took > timeout then
        e = { timed_out = true, message = string.format("timed out after %g s: a blocking call held it for %.1f s",
            timeout, took) }
    end
    if e == nil and is_case and M.interrupted() then e = interruption(interrupted) end
    return e
end

-- The registrations of each file: { file, cases, hooks, load_error }.
-- Cases are kept when "file: case" matches `filter` (a Lua pattern).
-- A file's `arg` is { [0] = the file, [-1] = the mfakit binary }, as when
-- mfakit runs a script (tests start the binary they run under).
function M.load(files, filter, bin)
    local loaded, planned = {}, 0
    for _, file in ipairs(files) do
        rawset(_G, "arg", { [0] = file, [-1] = bin })
        local rec = { file = file, cases = {}, selected = {},
            hooks = { before_all = {}, after_all = {}, before_each = {}, after_each = {} } }
        local chunk, err = loadfile(file, "t")
        if chunk then
            test._collect(rec)
            local ok, e = xpcall(chunk, handler)
            test._collect(nil)
            if not ok then
                rec.load_error = classify(e)
            elseif type(e) == "function" then
                -- the shape of the harness before `mfakit test`: its cases would be lost without a word
                rec.load_error = { status = "error", message = file .. " returns a function (the old test " ..
                    "harness's shape): register cases with t.case from require \"mfakit.test\"" }
            end
        else
            rec.load_error = { status = "error", message = first_line(err), detail = err }
        end
        if rec.load_error then
            rec.load_error.status = "error"
            rec.load_error.name = "(load)"
            rec.cases = {}
        end
        for _, c in ipairs(rec.cases) do
            if not filter or (file .. ": " .. c.name):find(filter) then rec.selected[#rec.selected + 1] = c end
        end
        local n = rec.load_error and 1 or #rec.selected
        if n > 0 then
            loaded[#loaded + 1] = rec
            planned = planned + n
        end
    end
    return loaded, planned
end

local function run_hooks(list, timeout)
    for _, h in ipairs(list) do
        local e = run_timed(h, timeout)
        if e then return e end
    end
end

-- One case: before_each hooks and the case in one timed task, then each
-- after_each hook in its own (they run even when the case failed, timed
-- out or was interrupted), then the fixtures' clean-up, each timed too.
local function run_case(rec, case, opts)
    local ctx = { cleanups = {} }
    local started = sys.monotonic()
    local before = opts.leak_check and leaks.mark()
    if opts.leak_check then secrets._reset() end -- a secret held by one case must not scrub the next one's text
    local function as_case(fn)
        return function()
            fixtures._enter(coroutine.running(), ctx)
            fn()
            fixtures._leave(coroutine.running(), ctx)
        end
    end
    local raised = run_timed(as_case(function()
        for _, h in ipairs(rec.hooks.before_each) do h() end
        case.fn()
    end), opts.timeout, true)
    fixtures._leave(nil, ctx) -- a cancelled case never left itself
    for _, h in ipairs(rec.hooks.after_each) do
        local he = run_timed(as_case(h), opts.timeout)
        fixtures._leave(nil, ctx)
        raised = raised or he
    end
    local result = raised and classify(raised) or { status = "pass" }
    -- clean-up runs whatever happened, last made first gone
    for i = #ctx.cleanups, 1, -1 do
        local ce = run_timed(ctx.cleanups[i], opts.timeout)
        if ce then
            local msg = "clean-up failed: " .. first_line(classify(ce).message)
            if result.status == "pass" then
                result = { status = "error", message = msg }
            else
                result.detail = (result.detail or result.message) .. "\n" .. msg
            end
        end
    end
    if before then
        local left = leaks.since(before)
        if #left > 0 and result.status ~= "skip" then
            local msg = "the case left behind: " .. table.concat(left, "; ")
            if result.status == "pass" then
                result = { status = "fail", message = msg }
            else
                result.detail = (result.detail or result.message) .. "\n" .. msg
            end
        end
    end
    result.file, result.name, result.line = rec.file, case.name, case.line
    result.seconds = sys.monotonic() - started
    return result
end

local function error_result(rec, name, e, prefix)
    local r = classify(e)
    return { file = rec.file, name = name, status = "error", message = prefix .. (r.message or ""),
        where = r.where, detail = r.detail, seconds = 0 }
end

-- Runs the loaded files in order; within a file, up to opts.jobs cases at
-- once. on_case(result) is called for each case in the order the cases are
-- written (with --jobs a case that ends early waits for those before it),
-- except that a file's last case is held back until its after_all hooks
-- have run (a failing after_all makes it an error, so the count of cases
-- never changes). After a trapped signal the running cases end as errors,
-- their hooks and clean-up still run, and the cases not started are
-- reported as skipped ("not run: interrupted by SIGINT").
function M.run(loaded, opts, on_case)
    local out = {}
    for _, rec in ipairs(loaded) do
        local results = {}
        out[#out + 1] = { file = rec.file, cases = results }
        local function not_run(c)
            return { file = rec.file, name = c.name, line = c.line, status = "skip", seconds = 0,
                message = "not run: interrupted by SIG" .. interrupted }
        end
        if rec.load_error then
            local r = rec.load_error
            r.file, r.seconds = rec.file, 0
            results[1] = r
            on_case(r)
        elseif M.interrupted() then
            for i, c in ipairs(rec.selected) do
                results[i] = not_run(c)
                on_case(results[i])
            end
        else
            local failed_all = run_hooks(rec.hooks.before_all, opts.timeout)
            local total = #rec.selected
            local emitted = 0
            local function done(i, r)
                results[i] = r
                -- in declaration order; the last case waits for after_all
                while emitted < total - 1 and results[emitted + 1] do
                    emitted = emitted + 1
                    on_case(results[emitted])
                end
            end
            if failed_all then
                for i, c in ipairs(rec.selected) do
                    local r = error_result(rec, c.name, failed_all, "before_all failed: ")
                    r.line = c.line
                    done(i, r)
                end
            else
                local next_i = 0
                local function worker()
                    while next_i < total do
                        next_i = next_i + 1
                        local i = next_i
                        if M.interrupted() then
                            done(i, not_run(rec.selected[i]))
                        else
                            done(i, run_case(rec, rec.selected[i], opts))
                        end
                    end
                end
                local jobs = math.min(opts.jobs or 1, total)
                if jobs <= 1 then
                    worker()
                else
                    local workers = {}
                    for w = 1, jobs do workers[w] = task.spawn(worker) end
                    for _, w in ipairs(workers) do task.wait(w) end
                end
            end
            local failed_after = run_hooks(rec.hooks.after_all, opts.timeout)
            local last = results[total]
            if failed_after and last then
                local r = error_result(rec, last.name, failed_after, "after_all failed: ")
                if last.status ~= "pass" then
                    r.detail = (last.detail or last.message or "") .. "\n" .. r.message
                end
                r.seconds, r.line = last.seconds, last.line
                results[total] = r
                last = r
            end
            if last then on_case(last) end
        end
    end
    return out
end

return M
