-- A file: or cmd: code source waits for a person: --code-timeout sets how
-- long, and on a terminal it says once that it waits.
local support = dofile("tests/support.lua")
local codes = require "mfakit.cognito.codes"

local t = require "mfakit.test"
local tmp = (t.env("MFAKIT_TEST_TMP") or "/tmp") .. "/code-wait-" .. require("mfakit.sys").getpid()
os.execute("mkdir -p " .. tmp)
local bin = support.bin()

local function with_timeout(seconds, fn)
    local before = codes.file_timeout
    assert(codes.set_timeout(seconds))
    local ok, err = pcall(fn)
    codes.file_timeout = before
    if not ok then error(err, 0) end
end

t.case("file: gives up after the timeout set, with CodeTimeout", function()
    with_timeout(0.3, function()
        local code, err = codes.source("file:" .. tmp .. "/never", "SMS code")({})
        t.eq(code, nil)
        t.eq(err.code, "CodeTimeout")
        t.ok(err.message:find("within 0.3 s", 1, true), err.message)
    end)
end)

t.case("cmd: that does not answer is ended at the timeout, with CodeTimeout", function()
    with_timeout(0.3, function()
        local code, err = codes.source("cmd:sleep 30", "SMS code")({})
        t.eq(code, nil)
        t.eq(err.code, "CodeTimeout")
    end)
    -- and one that answers in time is not affected
    with_timeout(5, function()
        t.eq(codes.source("cmd:echo 123456", "SMS code")({}), "123456")
    end)
end)

t.case("set_timeout refuses 0, negative and over a day", function()
    t.eq({ codes.set_timeout(0) }, { nil, "--code-timeout must be more than 0 and at most 86400 s" })
    t.eq(codes.set_timeout(-1), nil)
    t.eq(codes.set_timeout(86401), nil)
end)

t.case("--code-timeout out of range is a usage error on every command that takes it", function()
    for _, cmd in ipairs{ "login --user-pool-id us-east-1_x --client-id c --username u",
                          "guide plan", "run user/mfa-status --username u --stack s" } do
        -- the source tree's scripts, wherever the binary tested was copied to
        local out, err, rc = support.run("MFAKIT_PATH=scripts " .. bin .. " " .. cmd .. " --code-timeout 0")
        t.eq({ rc, out }, { 2, "" }, cmd)
        t.ok(err:find("--code-timeout must be more than 0", 1, true), err)
    end
end)

local script = tmp .. "/wait.lua"
local f = assert(io.open(script, "w"))
f:write([[
local codes = require "mfakit.cognito.codes"
assert(codes.set_timeout(0.5))
print(select(2, codes.source("file:]] .. tmp .. [[/never", "SMS code")({})).code)
]])
f:close()

t.case("on a terminal a waiting file: source says so once; without one it is silent", function()
    if not os.execute("command -v script >/dev/null 2>&1") then return t.skip("script(1) is not installed") end
    local out = support.run("script -qec '" .. bin .. " " .. script .. "' /dev/null")
    local _, n = out:gsub("waiting up to 0.5 s for the SMS code in ", "")
    t.eq(n, 1, out)
    t.ok(out:find("CodeTimeout", 1, true), out)
    local plain, err = support.run(bin .. " " .. script)
    t.eq({ plain, err }, { "CodeTimeout\n", "" })
end)
