-- mfakit.load.workers: one run on every core. N worker processes, each a
-- fresh mfakit with its own Lua state and curl multi handle, each running
-- 1/N of the arrivals (--shard), each writing its results file; the parent
-- shows their progress summed and merges the files exactly
-- (mfakit.load.results). Processes rather than threads: Lua states share
-- nothing, and a crash or a leak stays in one worker.
--   workers.run{ count = N, argv = function(j, out_path) -> argv, dir = temp dir,
--                progress = (mfakit.load.progress object) } -> results | nil, err
local sys = require "mfakit.sys"
local task = require "mfakit.task"
local json = require "mfakit.json"
local atexit = require "mfakit.atexit"
local results = require "mfakit.load.results"
local progress = require "mfakit.load.progress"

local M = {}

-- The executable to start workers from: this very program.
M.SELF = "/proc/self/exe"

local function read(path)
    local f = io.open(path, "rb")
    if not f then return nil end
    local s = f:read("a")
    f:close()
    return s
end

local function last_progress(log)
    local text = read(log)
    if not text then return nil end
    local last
    for line in text:gmatch("[^\n]+") do last = progress.parse(line) or last end
    return last
end

local function tail(text)
    text = (text or ""):gsub("%s+$", "")
    return text:match("([^\n]*)$") or ""
end

function M.run(o)
    local kids = {}
    local function stop_all()
        for _, k in ipairs(kids) do
            if not k.done then sys.kill(k.pid, "TERM") end
        end
    end
    atexit.register(stop_all)
    for j = 1, o.count do
        local k = { out = o.dir .. "/worker-" .. j .. ".json", log = o.dir .. "/worker-" .. j .. ".log" }
        local argv = o.argv(j, k.out)
        argv.stdout = k.log
        local pid, err = sys.spawn(argv)
        if not pid then
            stop_all()
            atexit.unregister(stop_all)
            return nil, "starting worker " .. j .. ": " .. tostring(err)
        end
        k.pid = pid
        kids[j] = k
    end
    local t0, last_show = sys.monotonic(), sys.monotonic()
    local running = #kids
    while running > 0 do
        task.sleep(0.1)
        for _, k in ipairs(kids) do
            if not k.done then
                local ended, status = sys.wait(k.pid, false)
                if ended then
                    k.done, k.status = true, status
                    running = running - 1
                end
            end
        end
        if o.progress and o.progress.on and sys.monotonic() - last_show >= 1 and running > 0 then
            last_show = sys.monotonic()
            local sum = { elapsed = last_show - t0, rate = 0, inflight = 0, done = 0, planned = 0, errors = 0 }
            for _, k in ipairs(kids) do
                local p = last_progress(k.log)
                if p then
                    for _, f in ipairs{ "rate", "inflight", "done", "planned", "errors" } do
                        sum[f] = sum[f] + (p[f] or 0)
                    end
                    -- the slowest worker's p95: an upper bound of the whole's until the exact merge
                    if p.p95 and (not sum.p95 or p.p95 > sum.p95) then sum.p95 = p.p95 end
                end
            end
            o.progress:show(sum)
        end
    end
    atexit.unregister(stop_all)
    if o.progress then o.progress:finish() end
    local total
    for j, k in ipairs(kids) do
        -- 0 and 1 are a run's own answers (1: a failed sign-in or threshold)
        if k.status ~= 0 and k.status ~= 1 then
            return nil, string.format("worker %d ended with status %s: %s", j, tostring(k.status), tail(read(k.log)))
        end
        local doc = json.decode(read(k.out) or "")
        local r, err = results.import(doc)
        if not r then return nil, string.format("worker %d wrote no results (%s): %s", j, err, tail(read(k.log))) end
        total = total and total:merge(r) or r
    end
    return total
end

return M
