-- mfakit.task: tasks (coroutines) on the same event loop as mfakit.http.
--   spawn(fn, ...)      -> task       starts fn(...) as a task
--   wait(t)             -> true, ... | false, err   (like pcall)
--   sleep(seconds)                    lets other tasks run meanwhile
--   limiter(rate, burst) -> l; l:take([n])   token bucket: waits for tokens
--   cancel(t [, err])                 ends a task that has not finished
--   on_signal(fn | nil)               a trapped SIGINT/SIGTERM calls fn("INT"|"TERM")
--                                     instead of ending the loop (the test runner)
-- A script's main chunk is a task. Called outside any task, wait and sleep
-- drive the loop themselves, so they also work from plain coroutines.
local loop = require "mfakit.loop"
local sys = require "mfakit.sys"

local check = require("mfakit.args").check

local M = {}

local YIELD = {}          -- private sentinel: only the scheduler's yields carry it
local ready = {}          -- queue of { task, args } to resume
local sleepers = {}       -- { at = monotonic deadline, task = t }, unordered
local transfers = {}      -- transfer id -> waiting task
local finished = {}       -- transfer id -> result nobody was yielding for yet
local by_co = setmetatable({}, { __mode = "k" })
local live = 0            -- tasks not yet finished
local unobserved = {}     -- failed tasks nobody waited for
local signal_handler      -- set by on_signal: the loop calls it instead of raising

local Task = {}
Task.__index = Task
Task.__name = "mfakit.task"

local function schedule(t, ...)
    ready[#ready + 1] = { t, table.pack(...) }
end

-- t.waiters is made by the first wait(): most tasks (one per sign-in in a
-- load run) are never waited for one by one, and each table costs memory
-- for as long as the task is in flight.
local function finish(t, ok, ...)
    t.done = true
    live = live - 1
    t.results = table.pack(ok, ...)
    local waiters = t.waiters
    t.waiters = nil
    if not ok and not waiters then unobserved[t] = true end
    for _, w in ipairs(waiters or {}) do schedule(w) end
end

local function step(t, args)
    if t.cancelled then return end -- a sleep or transfer of a cancelled task ended: nobody resumes it
    local co = t.co
    local res = table.pack(coroutine.resume(co, table.unpack(args, 1, args.n)))
    if coroutine.status(co) == "dead" then
        if res[1] then
            finish(t, table.unpack(res, 2, res.n)) -- xpcall's own (ok, ...)
        else
            finish(t, false, res[2])
        end
    elseif res[2] ~= YIELD then
        -- a bare coroutine.yield() in a task: nobody could resume it
        t.co = nil
        finish(t, false, "coroutine.yield() called in a task, outside a coroutine of its own")
    end
end

local function traceback(e)
    if type(e) ~= "string" and getmetatable(e) then return e end -- error objects stay as they are
    return debug.traceback(tostring(e), 2)
end

-- Every task's coroutine runs this one function (fn comes as the first
-- argument), rather than a closure made for each task.
local function body(fn, ...)
    return xpcall(fn, traceback, ...)
end

function M.spawn(fn, ...)
    check(1, "task.spawn", fn, "function")
    local t = setmetatable({ done = false }, Task)
    t.co = coroutine.create(body)
    by_co[t.co] = t
    live = live + 1
    schedule(t, fn, ...)
    return t
end

-- Runs the loop until done() is true. Raises if nothing could ever make it true.
local function run_until(done)
    while not done() do
        while #ready > 0 do
            local batch = ready
            ready = {}
            for _, item in ipairs(batch) do step(item[1], item[2]) end
            if done() then return end
        end
        local now = sys.monotonic()
        local timeout = 3600
        for i = #sleepers, 1, -1 do
            local s = sleepers[i]
            if s.at <= now then
                table.remove(sleepers, i)
                schedule(s.task)
            elseif s.at - now < timeout then
                timeout = s.at - now
            end
        end
        if #ready == 0 then
            if loop.running() == 0 and #sleepers == 0 then
                error("deadlock: waiting for something no task or transfer can provide", 0)
            end
            local results = loop.poll(timeout)
            local sig = sys.pending_signal()
            if sig and signal_handler then
                -- the signal stays pending (it is read, not cleared): the
                -- handler is called on each turn and acts once
                signal_handler(sig)
            elseif sig then
                local why = "interrupted by SIG" .. sig
                error(setmetatable({ signal = sig }, { __tostring = function() return why end }))
            end
            for _, r in ipairs(results) do
                local waiter = transfers[r.id]
                transfers[r.id] = nil
                if waiter then schedule(waiter, r) else finished[r.id] = r end
            end
        end
    end
end

local function suspend()
    return coroutine.yield(YIELD)
end

-- The current task, if the running coroutine is a task's own (not a user
-- coroutine inside it): only then may the scheduler suspend it.
local function suspendable()
    return by_co[coroutine.running()]
end

-- Waits for a transfer started with loop.start; returns its result table.
function M.await_transfer(id)
    local t = suspendable()
    if t then
        transfers[id] = t
        return coroutine.yield(YIELD) -- not suspend(): one frame less on each waiting task's stack
    end
    transfers[id] = nil
    run_until(function() return finished[id] ~= nil end)
    local r = finished[id]
    finished[id] = nil
    return r
end

function M.wait(t)
    if getmetatable(t) ~= Task then
        error("bad argument #1 to 'task.wait' (task expected, got " .. type(t) .. ")", 2)
    end
    unobserved[t] = nil
    if not t.done then
        local me = suspendable()
        if me == t then error("task.wait: a task cannot wait for itself", 2) end
        if me then
            t.waiters = t.waiters or {}
            t.waiters[#t.waiters + 1] = me
            suspend()
        else
            run_until(function() return t.done end)
        end
    end
    unobserved[t] = nil
    return table.unpack(t.results, 1, t.results.n)
end

function M.sleep(seconds)
    if type(seconds) ~= "number" or seconds ~= seconds then
        local got = seconds ~= seconds and "NaN" or type(seconds)
        error("bad argument #1 to 'task.sleep' (number expected, got " .. got .. ")", 2)
    end
    local at = sys.monotonic() + math.max(seconds, 0)
    local me = suspendable()
    if me then
        sleepers[#sleepers + 1] = { at = at, task = me }
        suspend()
    else
        local wake = false
        local ticker = M.spawn(function() M.sleep(seconds); wake = true end)
        run_until(function() return wake end)
        M.wait(ticker)
    end
end

-- Ends a task that has not finished: its waiters get false, err (err
-- defaults to "cancelled") and its coroutine is never resumed again. Tasks
-- it spawned go on. Returns false if it had finished already. (The test
-- runner ends a case that overruns its timeout this way.)
function M.cancel(t, err)
    if getmetatable(t) ~= Task then
        error("bad argument #1 to 'task.cancel' (task expected, got " .. type(t) .. ")", 2)
    end
    if t.done then return false end
    if by_co[coroutine.running()] == t then error("task.cancel: a task cannot cancel itself", 2) end
    t.cancelled = true
    for i = #sleepers, 1, -1 do
        if sleepers[i].task == t then table.remove(sleepers, i) end
    end
    for i = #ready, 1, -1 do
        if ready[i][1] == t then table.remove(ready, i) end
    end
    finish(t, false, err == nil and "cancelled" or err)
    -- its pending to-be-closed values run now (mfakit.load's collector
    -- setting, a script's own clean-up); a task that resumed the caller is
    -- not suspended and cannot be closed
    if t.co and coroutine.status(t.co) == "suspended" then coroutine.close(t.co) end
    return true
end

-- A trapped signal (sys.trap_signals) normally ends the loop with the
-- error "interrupted by SIGINT". With a handler the loop goes on and calls
-- fn(sig) on each turn while the signal is pending: the test runner ends
-- the running cases and still cleans up and reports.
function M.on_signal(fn)
    check(1, "task.on_signal", fn, "function|nil")
    signal_handler = fn
end

function M.running() return by_co[coroutine.running()] ~= nil end

-- How many tasks have not finished yet (the test harness checks that a case
-- leaves none behind).
function M.live() return live end

-- Runs every task to completion (the host calls it after the main chunk).
function M.drain()
    run_until(function() return live == 0 end)
end

-- Failed tasks whose errors nobody collected with wait().
function M.unobserved_failures()
    local out = {}
    for t in pairs(unobserved) do out[#out + 1] = t.results[2] end
    unobserved = {}
    return out
end

local Limiter = {}
Limiter.__index = Limiter

-- Token bucket: `rate` tokens a second, at most `burst` saved up.
function M.limiter(rate, burst)
    if type(rate) ~= "number" or rate <= 0 then
        error("bad argument #1 to 'task.limiter' (positive number expected; the rate must be a positive number)", 2)
    end
    burst = burst or 1
    if type(burst) ~= "number" or burst < 1 then error("task.limiter: burst must be at least 1", 2) end
    return setmetatable({ rate = rate, burst = burst, tokens = burst, stamp = sys.monotonic() }, Limiter)
end

function Limiter:take(n)
    n = n or 1
    if n > self.burst then error("limiter:take: more tokens than the burst size", 2) end
    while true do
        local now = sys.monotonic()
        self.tokens = math.min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= n then
            self.tokens = self.tokens - n
            return
        end
        M.sleep((n - self.tokens) / self.rate)
    end
end

return M
