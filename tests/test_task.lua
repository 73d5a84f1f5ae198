-- tests/test_task.lua: the scheduler: spawn, wait, sleep, limiter, errors.
local task = require "mfakit.task"
local sys = require "mfakit.sys"

return function(t)
    t.test("spawn and wait return results like pcall", function()
        local th = task.spawn(function(a, b) return a + b, "x" end, 2, 3)
        t.eq(table.pack(task.wait(th)), table.pack(true, 5, "x"))
    end)

    t.test("a failing task gives false and a traceback", function()
        local th = task.spawn(function() error("boom") end)
        local ok, err = task.wait(th)
        t.eq(ok, false)
        t.ok(tostring(err):find("boom", 1, true), "message kept")
        t.ok(tostring(err):find("traceback", 1, true), "traceback added")
    end)

    t.test("error objects pass through unchanged", function()
        local obj = setmetatable({ code = "X" }, { __tostring = function() return "X!" end })
        local ok, err = task.wait(task.spawn(function() error(obj) end))
        t.eq(ok, false)
        t.ok(err == obj, "same object")
    end)

    t.test("sleeps run concurrently", function()
        local t0 = sys.monotonic()
        local ts = {}
        for i = 1, 20 do ts[i] = task.spawn(function() task.sleep(0.2) return i end) end
        for i = 1, 20 do t.eq(select(2, task.wait(ts[i])), i) end
        local dt = sys.monotonic() - t0
        t.ok(dt < 1.5, "20 sleeps of 0.2 s overlapped (took " .. dt .. " s)")
        t.ok(dt >= 0.19, "slept at least 0.2 s")
    end)

    t.test("order of wake-up follows the deadlines", function()
        local order = {}
        local ts = {}
        for _, d in ipairs({ 0.15, 0.05, 0.1 }) do
            ts[#ts + 1] = task.spawn(function() task.sleep(d); order[#order + 1] = d end)
        end
        for _, th in ipairs(ts) do task.wait(th) end
        t.eq(order, { 0.05, 0.1, 0.15 })
    end)

    t.test("wait and sleep work from a plain coroutine inside a task", function()
        local co = coroutine.wrap(function()
            task.sleep(0.01)
            return select(2, task.wait(task.spawn(function() return 7 end)))
        end)
        t.eq(co(), 7)
    end)

    t.test("a bare coroutine.yield in a task is reported", function()
        local ok, err = task.wait(task.spawn(function() coroutine.yield() end))
        t.eq(ok, false)
        t.ok(tostring(err):find("coroutine.yield", 1, true), tostring(err))
    end)

    t.test("limiter paces takes at the given rate", function()
        local lim = task.limiter(50, 5)
        local t0 = sys.monotonic()
        for _ = 1, 30 do lim:take() end
        local dt = sys.monotonic() - t0
        -- 5 from the burst, then 25 at 50/s: about 0.5 s
        t.ok(dt >= 0.45, "limited (took " .. dt .. " s)")
    end)

    t.test("misuse raises", function()
        t.raises("function expected", task.spawn, 42)
        t.raises("task expected", task.wait, {})
        t.raises("rate must be a positive number", task.limiter, 0)
        t.raises("number expected", task.sleep, "1")
        t.raises("number expected", task.sleep, 0 / 0)
    end)

    t.test("the test harness fails a case that leaves a task or a child process behind", function()
        local support = dofile("tests/support.lua")
        local dir = (t.env("MFAKIT_TEST_TMP") or "/tmp") .. "/leak-harness"
        os.execute("rm -rf " .. dir .. " && mkdir -p " .. dir .. "/tests")
        local f = assert(io.open(dir .. "/tests/test_leak.lua", "w"))
        f:write([[
local task = require "mfakit.task"
local sys = require "mfakit.sys"
return function(t)
    t.test("leaves a task", function() task.spawn(function() task.sleep(0.3) end) end)
    t.test("leaves a child", function()
        local pid = assert(sys.spawn{ "sleep", "0.5" })
        local f = io.open("child.pid", "w") f:write(pid) f:close()
    end)
    t.test("ends what it starts", function() task.wait(task.spawn(function() task.sleep(0.01) end)) end)
end
]])
        f:close()
        local cwd = os.getenv("PWD") or "."
        local bin = support.bin()
        bin = bin:sub(1, 1) == "/" and bin or (cwd .. "/" .. bin:gsub("^%./", ""))
        -- without the outer shard: under make check, shard 2/2 of one file is no file at all
        local out, err, rc = support.run("cd " .. dir .. " && env -u MFAKIT_TEST_SHARD " .. bin .. " " .. cwd ..
            "/tests/run.lua")
        t.eq(rc, 1, out .. err)
        t.ok(out:find("not ok 1 - leak: leaves a task\n# the case left behind: 1 task(s) still running", 1, true), out)
        t.ok(out:find("not ok 2 %- leak: leaves a child\n# the case left behind: child process%(es%) %d+ sleep"), out)
        t.ok(out:find("ok 3 - leak: ends what it starts", 1, true), out)
        local pf = io.open(dir .. "/child.pid")
        if pf then os.execute("kill " .. pf:read("a") .. " 2>/dev/null") pf:close() end
    end)
end
