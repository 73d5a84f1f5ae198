-- tests/test_totp_sources.lua: TOTP secrets and prompted secrets kept off
-- argv and never cut short: `mfakit totp` from the environment, a file or
-- stdin (argv warns), the totp-env:/totp-file: code sources, and
-- sys.read_secret's length cap.
local totp = require "mfakit.totp"
local codes = require "mfakit.cognito.codes"
local sys = require "mfakit.sys"
local support = dofile("tests/support.lua")

local SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

local function write(path, text)
    local f = assert(io.open(path, "w"))
    f:write(text)
    f:close()
end

-- A fresh step, so the code computed here and the one the command prints agree.
local function fresh_step()
    if totp.seconds_left(30) < 3 then require("mfakit.task").sleep(totp.seconds_left(30) + 0.2) end
end

local t = require "mfakit.test"
local bin = support.bin()
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"

t.case("totp: the secret from --secret-env, --secret-file and stdin, without a warning", function()
    local file = tmp .. "/totp-secret"
    write(file, SECRET .. "\n")
    for _, how in ipairs{ "S=" .. SECRET .. " " .. bin .. " totp --secret-env S",
                          bin .. " totp --secret-file " .. file,
                          "echo " .. SECRET .. " | " .. bin .. " totp -" } do
        fresh_step()
        local out, err, rc = support.run(how)
        t.eq({ rc, err }, { 0, "" }, how)
        t.eq(out:match("^(%d+) "), totp.code(SECRET), how)
    end
end)

t.case("totp: a secret on argv still works, with a warning on stderr", function()
    fresh_step()
    local out, err, rc = support.run(bin .. " totp " .. SECRET)
    t.eq(rc, 0)
    t.eq(out:match("^(%d+) "), totp.code(SECRET))
    t.ok(err:match("^mfakit totp: warning: .*ps.*%-%-secret%-env.*\n$"), err)
end)

t.case("totp --help lists the safe sources before the argv form", function()
    local out = support.run(bin .. " totp --help")
    local env, file, stdin, argv = out:find("--secret-env VAR", 1, true), out:find("--secret-file PATH", 1, true),
        out:find("\n  -  ", 1, true), out:find("SECRET    ", 1, true)
    t.ok(env and file and stdin and argv, out)
    t.ok(env < argv and file < argv and stdin < argv, out)
end)

t.case("code sources totp-env: and totp-file:", function()
    local file = tmp .. "/totp-secret-2"
    write(file, "  " .. SECRET .. "  \n")
    sys.setenv("MFAKIT_TEST_TOTP_SECRET", SECRET)
    fresh_step()
    t.eq(codes.source("totp-env:MFAKIT_TEST_TOTP_SECRET")(), totp.code(SECRET))
    t.eq(codes.source("totp-file:" .. file)(), totp.code(SECRET))
    sys.setenv("MFAKIT_TEST_TOTP_SECRET", nil)
    t.fails("CodeSourceFailed", codes.source("totp-env:MFAKIT_TEST_TOTP_SECRET")())
    t.fails("CodeSourceFailed", codes.source("totp-file:/nonexistent/x")())
    write(file, "not base32!\n")
    t.fails("InvalidTOTPSecret", codes.source("totp-file:" .. file)())
    t.eq(select(2, codes.parse("totp-env:X")), "X")
    t.eq({ codes.parse("bogus:1") }, { nil, "unknown code source 'bogus:' (use env:, file:, cmd:, totp-env:, " ..
        "totp-file:, totp:, prompt or the value itself)" })
end)

t.case("login: --sms-code-from totp:SECRET warns that ps shows it", function()
    local _, err = support.run("PW=x " .. bin .. " login --user-pool-id us-east-1_x --client-id c --username u " ..
        "--password-env PW --endpoint http://127.0.0.1:9 --sms-code-from totp:" .. SECRET .. " < /dev/null")
    t.ok(err:find("warning: a TOTP secret on the command line", 1, true), err)
    t.ok(not err:find(SECRET, 1, true), err)
end)

t.case("sys.read_secret returns the whole answer, or SecretTooLong beyond 2048 bytes", function()
    if not os.execute("command -v script >/dev/null 2>&1") then t.skip("script(1) not installed") end
    local script = tmp .. "/read-secret.lua"
    write(script, 'local v, e = require("mfakit.sys").read_secret("S: ") print("len=" .. (v and #v or e.code))\n')
    for _, case in ipairs{ { 1500, "len=1500" }, { 2048, "len=2048" }, { 3000, "len=SecretTooLong" } } do
        local out = support.run(string.format("(sleep 0.5; printf '%%s\\n' %s) | script -qec '%s %s' /dev/null",
            string.rep("p", case[1]), bin, script))
        t.ok(out:find(case[2], 1, true), case[1] .. ": " .. out:sub(-200))
    end
end)
