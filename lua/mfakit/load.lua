-- mfakit.load: paced load with latency histograms, thresholds and a live
-- progress line; what `mfakit load` and scenario scripts run on.
--   local s, r = load.run{
--       scenario = function(vu) ... return true | nil, err end,   -- one arrival
--       rate = 20, duration = "30s" | logins = 100 | stages = "30s:10,1m:50",
--       concurrency = 10, name = "sign-in", thresholds = { "p95<800ms" },
--       progress = "auto"|"always"|"never", share = N, offset = I }
--   -> summary (mfakit.load.summary, with .thresholds and .passed), results
-- vu = { id, iteration, arrival, phase = function(vu, name, seconds) }
-- (iteration counts this process's arrivals, arrival the whole schedule's,
-- the same across workers and shards): a scenario
-- records the parts of one arrival with vu:phase; the whole arrival is
-- timed as `name`. A scenario returns a truthy value (a table may carry
-- .flow, a string counted as the path taken) or nil, err (err.code counts).
-- Arrivals follow the clock (an open model): at most `concurrency` run at
-- once, a start that finds every slot busy runs late, and with a duration
-- or stages an arrival not started by the end is dropped and counted.
local task = require "mfakit.task"
local sys = require "mfakit.sys"
local check = require("mfakit.args").check
local pacing = require "mfakit.load.pacing"
local results = require "mfakit.load.results"
local summary = require "mfakit.load.summary"
local thresholds = require "mfakit.load.thresholds"
local progress = require "mfakit.load.progress"
local json = require "mfakit.json"

local M = {}

M.results, M.summary, M.thresholds, M.pacing = results, summary, thresholds, pacing

-- The collector's pause during a run (Lua's default is 200: a new cycle when
-- the heap has doubled). Each sign-in in flight leaves its garbage behind, so
-- at 1,000 in flight the default let the heap grow by some 14 KiB per
-- sign-in (41 against 27 KiB, same build); 120 keeps it near what is live
-- for about 2 % more CPU (docs/LOAD.md). The caller's pause comes back when the
-- outermost run ends, however it ends (a to-be-closed value: an error, or
-- task.cancel, which closes the cancelled task's coroutine). In generational
-- mode the pause does not apply, and the mode is left alone.
local GC_PAUSE = 120
local gc_depth, gc_saved = 0, nil

local function tighten_gc()
    gc_depth = gc_depth + 1
    if gc_depth == 1 then gc_saved = collectgarbage("setpause", GC_PAUSE) end
    return setmetatable({}, { __close = function()
        gc_depth = gc_depth - 1
        if gc_depth == 0 then collectgarbage("setpause", gc_saved) end
    end })
end

local LATE = 0.025   -- a start this much after its time counts as late
local EARLY = 20     -- the first arrivals, as the baseline the latency diagnosis compares with

-- The arrivals of share `offset` of `share` among `total`.
local function mine(total, share, offset)
    if total < offset then return 0 end
    return (total - offset) // share + 1
end

local function error_of(ok, a, b)
    if not ok then return "ScriptError", tostring(a) end
    local e = b
    if type(e) == "table" then return e.code or "Error", e.message or tostring(e) end
    return "Error", e ~= nil and tostring(e) or "the scenario returned " .. tostring(a)
end

function M.run(o)
    check(1, "load.run", o, "table")
    check(1, "load.run", o.scenario, "function")
    local plan, perr = pacing.plan(o)
    if not plan then return nil, perr end
    local concurrency = math.tointeger(o.concurrency or 10)
    if not concurrency or concurrency < 1 then return nil, "concurrency must be a positive integer" end
    local thr = {}
    for _, text in ipairs(o.thresholds or {}) do
        local t, err = thresholds.parse(text)
        if not t then return nil, err end
        thr[#thr + 1] = t
    end
    local name = o.name or "iteration"
    local r = results.new{ name = name, asked = { rate = o.rate, duration = o.duration, logins = o.logins,
                                                    stages = type(o.stages) == "string" and o.stages or nil } }
    local total = plan:total()
    local deadline = (plan.stages or plan.duration) and plan:seconds() or nil
    local seconds = deadline or total / plan.rate
    r.planned = mine(total, plan.share, plan.offset)
    r.asked_rate = r.planned / seconds
    r.concurrency = concurrency

    local shown = progress.new{ mode = o.progress or "never", stream = o.progress_stream or io.stderr,
                                isatty = o.isatty ~= nil and o.isatty or sys.isatty(2) }
    local next_k, inflight, last_start, stop, finished = 0, 0, 0, false, false
    local t0, cpu0 = sys.monotonic(), os.clock()

    local function worker(id)
        local vu = { id = id, phase = function(_, phase, s) r:phase(phase, s) end }
        while not stop do
            next_k = next_k + 1
            local k = next_k -- next_k moves on while this task sleeps
            local at = plan:at(k)
            if not at then return end
            local now = sys.monotonic() - t0
            if at > now then
                task.sleep(at - now)
                now = sys.monotonic() - t0
            end
            if deadline and now >= deadline then
                stop = true
                return
            end
            if now - at > LATE then r.late = r.late + 1 end
            r.started = r.started + 1
            if now > last_start then last_start = now end
            inflight = inflight + 1
            vu.iteration = k
            vu.arrival = (k - 1) * plan.share + plan.offset
            local t1 = sys.monotonic()
            local ok, a, b = pcall(o.scenario, vu)
            local dt = sys.monotonic() - t1
            inflight = inflight - 1
            if ok and a then
                r.ok = r.ok + 1
                r:phase(name, dt)
                if r.early.count < EARLY then r.early:record(dt) end
                if type(a) == "table" and type(a.flow) == "string" then r:flow(a.flow) end
            else
                r.failed = r.failed + 1
                r:error(error_of(ok, a, b))
            end
        end
    end

    local ticker
    if shown.on or o.on_tick then
        ticker = task.spawn(function()
            local last, last_started = sys.monotonic(), 0
            while not finished do
                task.sleep(0.25)
                local now = sys.monotonic()
                if not finished and now - last >= 1 then
                    local whole = r.phases[name]
                    local snap = { elapsed = now - t0, rate = (r.started - last_started) / (now - last),
                                   inflight = inflight, p95 = whole and whole:percentile(0.95),
                                   errors = r.failed, done = r.ok + r.failed, planned = r.planned }
                    shown:show(snap)
                    if o.on_tick then o.on_tick(snap) end
                    last, last_started = now, r.started
                end
            end
        end)
    end
    local workers = {}
    for i = 1, math.min(concurrency, r.planned) do workers[i] = task.spawn(worker, i) end
    local gc <close> = tighten_gc() -- luacheck: ignore 211
    -- a run ended early (its task cancelled) ends its workers and ticker too
    local stop_all <close> = setmetatable({}, { __close = function() -- luacheck: ignore 211
        for _, w in ipairs(workers) do task.cancel(w) end
        if ticker then task.cancel(ticker) end
    end })
    local failure
    for _, w in ipairs(workers) do
        local ok, err = task.wait(w)
        if not ok and not failure then failure = err end
    end
    finished = true
    if ticker then task.wait(ticker) end
    shown:finish()
    if failure then error(failure, 0) end
    r.wall = sys.monotonic() - t0
    r.cpu = os.clock() - cpu0
    r.span = math.max(seconds, last_start)
    r.dropped = r.planned - r.started
    return M.report(r, thr)
end

-- The summary of results (one run's, or merged ones) with the thresholds
-- checked: s.thresholds = { { text, ok, actual, limit } }, s.passed.
function M.report(r, thr)
    local s = summary.build(r)
    local parsed = {}
    for _, t in ipairs(thr or {}) do
        if type(t) == "string" then
            local p, err = thresholds.parse(t)
            if not p then return nil, err end
            t = p
        end
        parsed[#parsed + 1] = t
    end
    s.thresholds, s.passed = thresholds.check(parsed, s)
    return s, r
end

-- Writes a summary to `out` (default io.stdout) as text lines, or as one
-- JSON document when `as` is "json"; the under-rate warning goes to stderr.
function M.print(s, as, out)
    out = out or io.stdout
    if as == "json" then
        local j = summary.json(s)
        j.thresholds, j.passed = json.array(s.thresholds), s.passed
        out:write(json.encode(j), "\n")
        return
    end
    for _, l in ipairs(summary.text(s)) do out:write(l, "\n") end
    for _, t in ipairs(s.thresholds or {}) do
        local shown_actual = t.actual == nil and "no data" or
            ((t.metric == "failed") and string.format("%.2f %%", t.actual * 100) or
             (t.metric == "rate") and string.format("%.1f/s", t.actual) or string.format("%.1f ms", t.actual * 1000))
        out:write(string.format("threshold %s: %s (%s)\n", t.text, t.ok and "passed" or "FAILED", shown_actual))
    end
    if s.under_rate then
        io.stderr:write(string.format("warning: started %.1f/s, under 95 %% of the asked %.1f/s; the limit is %s\n",
            s.under_rate.achieved, s.under_rate.asked, s.under_rate.text))
    end
end

return M
