-- tests/run.lua: the test harness, run by mfakit itself.
--   mfakit tests/run.lua [pattern]
-- Loads every tests/test_*.lua (or those whose name contains one of the
-- comma-separated words in `pattern`).
-- Each file returns function(t); t.test(name, fn) registers a case, which
-- runs as its own task (so it may do HTTP). Prints a TAP-like line per case
-- and closes with "N passed, N failed, N skipped"; exits 1 if any failed.
local task = require "mfakit.task"
local loop = require "mfakit.loop"
local sys = require "mfakit.sys"
local redact = require "mfakit.redact"
local secrets = require "mfakit.secrets"

local pattern = arg[1]

local function list_tests()
    local p = assert(io.popen("ls tests/test_*.lua 2>/dev/null"))
    local files = {}
    for line in p:lines() do
        local wanted = not pattern
        for word in (pattern or ""):gmatch("[^,]+") do
            if line:find(word, 1, true) then wanted = true end
        end
        if wanted then files[#files + 1] = line end
    end
    p:close()
    table.sort(files)
    -- MFAKIT_TEST_SHARD=i/n: only every n-th file, from the i-th (make check
    -- runs the shards side by side)
    local i, n = (os.getenv("MFAKIT_TEST_SHARD") or ""):match("^(%d+)/(%d+)$")
    if i then
        local mine = {}
        for k, f in ipairs(files) do
            if (k - 1) % tonumber(n) == tonumber(i) - 1 then mine[#mine + 1] = f end
        end
        files = mine
    end
    return files
end

local function describe(v, depth)
    depth = depth or 0
    if type(v) == "string" then return string.format("%q", redact.text(v)) end
    if type(v) ~= "table" or depth > 3 then return tostring(v) end
    local mt = getmetatable(v)
    if mt and mt.__tostring then return tostring(v) end
    local parts, keys = {}, {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(keys) do
        parts[#parts + 1] = tostring(k) .. "=" .. describe(v[k], depth + 1)
    end
    return "{" .. table.concat(parts, ", ") .. "}"
end

local function deep_equal(a, b)
    if a == b then return true end
    if type(a) ~= "table" or type(b) ~= "table" then
        return math.type(a) == "float" and math.type(b) == "float" and a ~= a and b ~= b
    end
    for k, v in pairs(a) do
        if not deep_equal(v, b[k]) then return false end
    end
    for k in pairs(b) do
        if a[k] == nil then return false end
    end
    return true
end

local SKIP = setmetatable({}, { __tostring = function() return "skip" end })

local function make_t(cases)
    local t = {}
    function t.test(name, fn) cases[#cases + 1] = { name = name, fn = fn } end
    function t.eq(got, want, what)
        if not deep_equal(got, want) then
            error(string.format("%s\n#   want %s\n#   got  %s", what or "values differ",
                describe(want), describe(got)), 2)
        end
    end
    function t.ok(v, what)
        if not v then error(what or "expected a true value", 2) end
        return v
    end
    -- Asserts that fn(...) raises an error whose text contains `needle`.
    function t.raises(needle, fn, ...)
        local ok, err = pcall(fn, ...)
        if ok then error("expected an error containing '" .. needle .. "'", 2) end
        if not tostring(err):find(needle, 1, true) then
            error("error did not contain '" .. needle .. "': " .. tostring(err), 2)
        end
    end
    -- Asserts that a call returned nil, err with err.code == code.
    function t.fails(code, v, err)
        if v ~= nil then error("expected failure " .. code .. ", got " .. describe(v), 2) end
        if type(err) ~= "table" or err.code ~= code then
            error("expected failure " .. code .. ", got " .. describe(err), 2)
        end
        return err
    end
    function t.skip(reason) error(setmetatable({ reason = reason }, getmetatable(SKIP)), 2) end
    t.env = os.getenv
    return t
end

-- The child processes of this process still alive (zombies included).
local function children()
    local me, out = tostring(sys.getpid()), {}
    local p = io.popen("cat /proc/[0-9]*/stat 2>/dev/null")
    if not p then return out end
    for line in p:lines() do
        -- pid (comm) state ppid ...: comm may hold spaces and parentheses
        local pid, comm, ppid = line:match("^(%d+) %((.*)%) %a (%d+) ")
        if ppid == me and comm ~= "cat" and comm ~= "sh" then out[#out + 1] = pid .. " " .. comm end
    end
    p:close()
    return out
end

-- What a case left behind: tasks still running, transfers in flight, child
-- processes. A case must end what it started.
local function leftovers(tasks_before, kids_before)
    local left = {}
    if task.live() > tasks_before then left[#left + 1] = (task.live() - tasks_before) .. " task(s) still running" end
    if loop.running() > 0 then left[#left + 1] = loop.running() .. " HTTP transfer(s) in flight" end
    local kids = {}
    for _, k in ipairs(children()) do
        if not kids_before[k] then kids[#kids + 1] = k end
    end
    if #kids > 0 then left[#left + 1] = "child process(es) " .. table.concat(kids, ", ") end
    return left
end

local passed, failed, skipped, n = 0, 0, 0, 0
for _, file in ipairs(list_tests()) do
    local cases = {}
    local chunk = assert(loadfile(file))
    chunk()(make_t(cases))
    local short = file:match("test_(.-)%.lua$")
    for _, case in ipairs(cases) do
        n = n + 1
        local started = os.clock()
        secrets._reset() -- a secret held by one case must not scrub the next one's text
        local tasks_before, kids_before = task.live(), {}
        for _, k in ipairs(children()) do kids_before[k] = true end
        local th = task.spawn(function() return xpcall(case.fn, function(e)
            if getmetatable(e) == getmetatable(SKIP) then return e end
            return debug.traceback(tostring(e), 2)
        end) end)
        local ok, ok2, err = task.wait(th)
        local left = leftovers(tasks_before, kids_before)
        if #left > 0 and ok and (ok2 or getmetatable(err) ~= getmetatable(SKIP)) then
            ok2, err = false, "the case left behind: " .. table.concat(left, "; ")
        end
        local label = string.format("%d - %s: %s", n, short, case.name)
        if ok and ok2 then
            passed = passed + 1
            print("ok " .. label)
        elseif ok and getmetatable(err) == getmetatable(SKIP) then
            skipped = skipped + 1
            print("ok " .. label .. " # SKIP " .. tostring(err.reason))
        else
            failed = failed + 1
            print("not ok " .. label)
            print("# " .. tostring(ok and err or ok2):gsub("\n", "\n# "))
        end
        local _ = started
    end
end
print(string.format("%d passed, %d failed, %d skipped", passed, failed, skipped))
return failed == 0 and 0 or 1
