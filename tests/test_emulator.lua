-- tests/test_emulator.lua: mfakit.emulator starts moto_server as a child and
-- stops it on exit, on error and on Ctrl-C.
local emulator = require "mfakit.emulator"
local http = require "mfakit.http"
local sys = require "mfakit.sys"
local support = dofile("tests/support.lua")

local function alive(pid)
    return os.execute("kill -0 " .. pid .. " 2>/dev/null") == true
end

local t = require "mfakit.test"
local function need() if not emulator.find() then t.skip("moto_server not installed") end end

t.case("start answers on loopback; stop ends the process", function()
    need()
    local h = assert(emulator.start())
    t.ok(h.url:match("^http://127%.0%.0%.1:%d+$"), h.url)
    t.eq(assert(http.request{ url = h.url .. "/moto-api/" }).status, 200)
    h.stop()
    t.ok(not alive(h.pid), "moto stopped")
    t.fails("ConnectFailed", http.request{ url = h.url .. "/moto-api/", timeout = 2 })
end)

t.case("a missing moto_server is a clear error saying how to install it", function()
    local before = os.getenv("MFAKIT_MOTO_SERVER")
    sys.setenv("MFAKIT_MOTO_SERVER", "/nonexistent/moto_server")
    local v, err = emulator.start()
    sys.setenv("MFAKIT_MOTO_SERVER", before)
    t.fails("EmulatorNotFound", v, err)
    t.ok(err.message:find("pip install 'moto[server]'", 1, true), err.message)
end)

t.case("a port taken before moto binds it: start tries another port", function()
    local dir = (t.env("MFAKIT_TEST_TMP") or "/tmp") .. "/port-race"
    os.execute("rm -rf " .. dir .. " && mkdir -p " .. dir .. "/moto-api")
    -- a stand-in moto: the first start finds its port taken, the second serves /moto-api/
    local f = assert(io.open(dir .. "/moto_server", "w"))
    f:write(string.format([[#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = -p ] && port=$2; shift; done
if [ ! -e %s/tried ]; then
    touch %s/tried
    echo "OSError: [Errno 98] Address already in use" >&2
    exit 1
fi
cd %s && exec python3 -m http.server --bind 127.0.0.1 "$port"
]], dir, dir, dir))
    f:close()
    os.execute("chmod +x " .. dir .. "/moto_server")
    local before = os.getenv("MFAKIT_MOTO_SERVER")
    sys.setenv("MFAKIT_MOTO_SERVER", dir .. "/moto_server")
    local h, err = emulator.start()
    sys.setenv("MFAKIT_MOTO_SERVER", before)
    t.ok(h, tostring(err))
    t.eq(assert(http.request{ url = h.url .. "/moto-api/" }).status, 200)
    h.stop()
    t.ok(not alive(h.pid), "stopped")
end)

local function child(code)
    local pidfile = os.tmpname()
    local cmd = string.format("%s -e %q > %s 2>&1 & echo $!", support.bin(),
        "local h = assert(require('mfakit.emulator').start()) " ..
        "print(h.pid) io.stdout:flush() " .. code, pidfile)
    local p = assert(io.popen(cmd))
    local mfakit_pid = tonumber(p:read("l"))
    p:close()
    local moto_pid
    for _ = 1, 300 do
        local f = io.open(pidfile)
        moto_pid = f and tonumber(f:read("l"))
        if f then f:close() end
        if moto_pid then break end
        sys.sleep(0.1)
    end
    return mfakit_pid, moto_pid, pidfile
end

local function wait_gone(pid)
    for _ = 1, 100 do
        if not alive(pid) then return true end
        sys.sleep(0.1)
    end
    return false
end

t.case("Ctrl-C (SIGINT) stops the emulator and says why it ended", function()
    need()
    local mpid, moto_pid, out = child("require('mfakit.task').sleep(60)")
    t.ok(moto_pid and alive(moto_pid), "moto started")
    os.execute("kill -INT " .. mpid)
    t.ok(wait_gone(mpid), "mfakit exited")
    local f = io.open(out)
    local text = f:read("a")
    f:close()
    os.remove(out)
    t.ok(wait_gone(moto_pid), "moto stopped; mfakit said: " .. text)
    t.ok(text:find("interrupted by SIGINT", 1, true), text)
end)

t.case("os.exit in a script still stops the emulator", function()
    need()
    local mpid, moto_pid, out = child("os.exit(3)")
    t.ok(moto_pid, "moto started")
    t.ok(wait_gone(mpid), "mfakit exited")
    t.ok(wait_gone(moto_pid), "moto stopped")
    os.remove(out)
end)

t.case("spawn takes up to 62 arguments (checked under valgrind in CI)", function()
    local args = { "true" }
    for _ = 1, 62 do args[#args + 1] = "x" end
    local ok, pid = coroutine.resume(coroutine.create(function() return sys.spawn(args) end))
    t.ok(ok and pid, tostring(pid))
    t.eq(select(2, sys.wait(pid, true)), 0)
end)

t.case("an error in the script still stops the emulator", function()
    need()
    local mpid, moto_pid, out = child("error('script failed')")
    t.ok(moto_pid, "moto started")
    t.ok(wait_gone(mpid), "mfakit exited")
    t.ok(wait_gone(moto_pid), "moto stopped")
    os.remove(out)
end)
