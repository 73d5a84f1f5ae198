-- tests/test_cli_errors.lua: every bad command-line input ends in one line on
-- stderr and a non-zero status, never a traceback.
local support = dofile("tests/support.lua")

-- Run from a scratch directory (no stack state), with no terminal, and with
-- the variables below set; none of these reach AWS.
local ENV = "PW=pw S=GEZDGNBVGY3TQOJQ"
local LOGIN = "login --user-pool-id us-east-1_x --client-id c --username u --password-env PW "
local NOWHERE = "--endpoint http://127.0.0.1:9 "

local BAD = {
    -- login
    LOGIN .. "--sms-code-from bogus:1",
    LOGIN .. NOWHERE .. "--device-file /tmp",
    LOGIN .. "--flow custom",
    LOGIN .. "--mfa-type EMAIL_OTP",
    LOGIN .. "--endpoint ftp://x",
    LOGIN .. "--region 'bad region'",
    LOGIN .. "--totp-secret-env MFAKIT_UNSET_VAR",
    LOGIN .. "--client-secret-env MFAKIT_UNSET_VAR",
    LOGIN .. "extra",
    "login --user-pool-id nope --client-id c --username u --password-env PW",
    "login --user-pool-id us-east-1_x --client-id '' --username u --password-env PW",
    "login --user-pool-id us-east-1_x --client-id c --username '' --password-env PW",
    "login --user-pool-id us-east-1_x --client-id c --username u --password-env MFAKIT_UNSET_VAR",
    "login --user-pool-id",
    "login --remember-device=yes",
    -- totp
    "totp --uri --issuer 'a:b' --account x --secret-env S",
    "totp --uri --account 'a:b' --secret-env S",
    "totp --uri --secret-env S",
    "totp --period 1e308 --secret-env S",
    "totp --period 0 --secret-env S",
    "totp --digits 2.5 --secret-env S",
    "totp --digits 99 --secret-env S",
    "totp --period nan --secret-env S",
    "totp --algorithm md5 --secret-env S",
    "totp --secret-env MFAKIT_UNSET_VAR",
    "totp --secret-file /tmp",
    "totp --secret-file /nonexistent/secret",
    "totp --secret-env S --secret-file /tmp/x",
    "totp --secret-env 'NOT BASE32'",
    "totp",
    "totp --period \"$(printf '1\\n\\033[2J')\" --secret-env S",
    "totp --secret-env S \"$(printf 'x\\ny')\"",
    -- cost, doctor, guide
    "cost",
    "cost --mau -1",
    "cost --mau 1e308",
    "cost --mau 100 --totp-share 2",
    "cost --mau 100 --pricing /nonexistent",
    "cost --mau 100 --tier nope",
    "cost --mau 100 --country US=0.5,GB=0.2",
    "cost --mau 100 --chart /nonexistent/dir/x.svg",
    "cost --mau 100 --seed 5",
    "doctor --stack 'bad stack'",
    "doctor --extra /nonexistent.lua",
    "doctor extra",
    "guide bogus",
    "guide",
    "guide up --stack x --sms-code-from bogus:1",
    "@repo@/scripts/user/user-info.lua --user-pool-id us-east-1_x --client-id c --username u --password-env PW " ..
        "--sms-code-from bogus:1",
    -- global options
    "--output xml totp",
    "--bogus",
    "--region",
}

local t = require "mfakit.test"
local bin = support.bin()
local dir = (t.env("MFAKIT_TEST_TMP") or "/tmp") .. "/cli-errors"
os.execute("mkdir -p " .. dir)
local p = io.popen("pwd")
local repo = p:read("l")
p:close()
local exe = bin:sub(1, 1) == "/" and bin or (repo .. "/" .. bin:gsub("^%./", ""))
for _, args in ipairs(BAD) do
    t.case("mfakit " .. args, function()
        local out, err, rc = support.run(string.format("cd %s && %s %s %s < /dev/null", dir, ENV, exe,
            (args:gsub("@repo@", repo))))
        t.ok(rc ~= 0, "exit status 0")
        t.eq(select(2, err:gsub("\n", "\n")), 1, "one line on stderr:\n" .. err .. out)
        t.ok(not err:find("stack traceback", 1, true), err)
        t.ok(not err:find("%.lua:%d+:"), "no source position: " .. err)
        t.ok(not err:sub(1, -2):find("%c"), "no control character: " .. err)
    end)
end

t.case("cli.parse: a message shows an argument as one harmless line (found by fuzz/fuzz_cli.c)", function()
    local cli = require "mfakit.cli"
    local _, msg = cli.parse({ "--n", "nan\n--" }, { n = "number" })
    t.eq(msg, "option --n needs a number, not 'nan\\010--'")
    _, msg = cli.parse({ "--n", "\27[2J" .. string.rep("x", 100) }, { n = "number" })
    t.ok(not msg:find("%c") and #msg < 120, msg)
end)

t.case("a password variable that is set but empty says so, not 'is not set'", function()
    local out, err, rc = support.run("PW= " .. bin .. " " .. NOWHERE .. LOGIN .. "< /dev/null")
    t.eq({ rc, out }, { 2, "" })
    t.ok(err:find("environment variable PW (password) is empty", 1, true), err)
    out, err = support.run("env -u PW " .. bin .. " " .. NOWHERE .. LOGIN .. "< /dev/null")
    t.ok(out == "" and err:find("environment variable PW (password) is not set", 1, true), err)
end)
