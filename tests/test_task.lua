-- tests/test_task.lua: the scheduler: spawn, wait, sleep, limiter, errors.
local task = require "mfakit.task"
local sys = require "mfakit.sys"

local t = require "mfakit.test"
t.case("spawn and wait return results like pcall", function()
    local th = task.spawn(function(a, b) return a + b, "x" end, 2, 3)
    t.eq(table.pack(task.wait(th)), table.pack(true, 5, "x"))
end)

t.case("a failing task gives false and a traceback", function()
    local th = task.spawn(function() error("boom") end)
    local ok, err = task.wait(th)
    t.eq(ok, false)
    t.ok(tostring(err):find("boom", 1, true), "message kept")
    t.ok(tostring(err):find("traceback", 1, true), "traceback added")
end)

t.case("error objects pass through unchanged", function()
    local obj = setmetatable({ code = "X" }, { __tostring = function() return "X!" end })
    local ok, err = task.wait(task.spawn(function() error(obj) end))
    t.eq(ok, false)
    t.ok(err == obj, "same object")
end)

t.case("sleeps run concurrently", function()
    local t0 = sys.monotonic()
    local ts = {}
    for i = 1, 20 do ts[i] = task.spawn(function() task.sleep(0.2) return i end) end
    for i = 1, 20 do t.eq(select(2, task.wait(ts[i])), i) end
    local dt = sys.monotonic() - t0
    t.ok(dt < 1.5, "20 sleeps of 0.2 s overlapped (took " .. dt .. " s)")
    t.ok(dt >= 0.19, "slept at least 0.2 s")
end)

t.case("order of wake-up follows the deadlines", function()
    local order = {}
    local ts = {}
    for _, d in ipairs({ 0.15, 0.05, 0.1 }) do
        ts[#ts + 1] = task.spawn(function() task.sleep(d); order[#order + 1] = d end)
    end
    for _, th in ipairs(ts) do task.wait(th) end
    t.eq(order, { 0.05, 0.1, 0.15 })
end)

t.case("wait and sleep work from a plain coroutine inside a task", function()
    local co = coroutine.wrap(function()
        task.sleep(0.01)
        return select(2, task.wait(task.spawn(function() return 7 end)))
    end)
    t.eq(co(), 7)
end)

t.case("a bare coroutine.yield in a task is reported", function()
    local ok, err = task.wait(task.spawn(function() coroutine.yield() end))
    t.eq(ok, false)
    t.ok(tostring(err):find("coroutine.yield", 1, true), tostring(err))
end)

t.case("limiter paces takes at the given rate", function()
    local lim = task.limiter(50, 5)
    local t0 = sys.monotonic()
    for _ = 1, 30 do lim:take() end
    local dt = sys.monotonic() - t0
    -- 5 from the burst, then 25 at 50/s: about 0.5 s
    t.ok(dt >= 0.45, "limited (took " .. dt .. " s)")
end)

t.case("misuse raises", function()
    t.raises("function expected", task.spawn, 42)
    t.raises("task expected", task.wait, {})
    t.raises("rate must be a positive number", task.limiter, 0)
    t.raises("number expected", task.sleep, "1")
    t.raises("number expected", task.sleep, 0 / 0)
end)

t.case("cancel ends a sleeping task: its waiter gets false, err; it never runs again", function()
    local after = false
    local th = task.spawn(function() task.sleep(0.05) after = true end)
    t.eq(task.cancel(th, "stop"), true)
    t.eq({ task.wait(th) }, { false, "stop" })
    t.eq(task.cancel(th), false, "a finished task cannot be cancelled again")
    task.sleep(0.1)
    t.eq(after, false)
    local done = task.spawn(function() return 1 end)
    task.wait(done)
    t.eq(task.cancel(done), false)
    t.raises("task expected", task.cancel, {})
end)

t.case("cancel closes the task's to-be-closed variables", function()
    local closed = {}
    local tk = task.spawn(function()
        local a <close> = setmetatable({}, { __close = function() closed[#closed + 1] = "a" end }) -- luacheck: ignore 211
        local b <close> = setmetatable({}, { __close = function() closed[#closed + 1] = "b" end }) -- luacheck: ignore 211
        task.sleep(10)
    end)
    task.sleep(0.05)
    t.eq(closed, {}, "nothing closed while it runs")
    t.ok(task.cancel(tk))
    t.eq(closed, { "b", "a" }, "closed in reverse order, at cancel")
    t.eq({ task.wait(tk) }, { false, "cancelled" })
end)
