-- tests/test_cmd_login.lua: `mfakit login` and `mfakit totp` end to end.
local json = require "mfakit.json"
local totp = require "mfakit.totp"
local support = dofile("tests/support.lua")

local t = require "mfakit.test"
local moto = t.env("MFAKIT_TEST_MOTO")
local bin = support.bin()

local function login_cmd(p, extra)
    return string.format("MFAKIT_PW=%s %s login --user-pool-id %s --client-id %s --username %s " ..
        "--password-env MFAKIT_PW --endpoint %s %s < /dev/null", p.user.password, bin, p.pool_id, p.client_id,
        p.user.username, moto, extra or "")
end

t.case("login: text summary without tokens; json with tokens", function()
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    local p = support.pool(moto)
    local out, err, rc = support.run(login_cmd(p))
    t.eq(rc, 0, err)
    t.ok(out:find("signed in as " .. p.user.username, 1, true), out)
    t.ok(out:find("challenges: PASSWORD_VERIFIER\n", 1, true), out)
    t.ok(not out:find("eyJ", 1, true), "no token in text output")
    out, err, rc = support.run(login_cmd(p, "--output json"))
    t.eq(rc, 0, err)
    local doc = assert(json.decode(out))
    t.eq(doc.challenges, { "PASSWORD_VERIFIER" })
    t.ok(doc.AuthenticationResult.AccessToken, "access token")
end)

t.case("login: SMS code from a source; a missing one is a clear failure", function()
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    local p = support.pool(moto)
    local r = assert(p.idp:sign_in{ username = p.user.username, password = p.user.password })
    assert(p.idp:enable_sms_mfa(r.tokens.AccessToken))
    local out, err, rc = support.run("CODE=123456 " .. login_cmd(p, "--sms-code-from env:CODE --output json"))
    t.eq(rc, 0, err)
    t.eq(assert(json.decode(out)).challenges, { "PASSWORD_VERIFIER", "SMS_MFA" })
    out, err, rc = support.run(login_cmd(p))
    t.eq(rc, 1)
    t.eq(out, "")
    t.ok(err:match("^mfakit login: MissingInput: .*%-%-sms%-code%-from.*\n$"), err)
end)

t.case("login: TOTP from --totp-secret-env", function()
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    local p = support.pool(moto)
    local r = assert(p.idp:sign_in{ username = p.user.username, password = p.user.password })
    local s = assert(p.idp:setup_totp(r.tokens.AccessToken))
    if totp.seconds_left(30) < 3 then require("mfakit.task").sleep(totp.seconds_left(30) + 0.2) end
    local out, err, rc = support.run("SEED=" .. s.secret .. " " .. login_cmd(p, "--totp-secret-env SEED --output json"))
    t.eq(rc, 0, err)
    t.eq(assert(json.decode(out)).challenges, { "PASSWORD_VERIFIER", "SOFTWARE_TOKEN_MFA" })
end)

t.case("login failures: one line, the AWS code and a hint; never the password", function()
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    local p = support.pool(moto)
    p.user.password = "Wr0ngPassword9"
    local out, err, rc = support.run(login_cmd(p, "--flow password"))
    t.eq({ out, rc }, { "", 1 })
    t.ok(err:match("^mfakit login: cognito%-idp:InitiateAuth: NotAuthorizedException: .* %(wrong username or " ..
        "password.*%)\n$"), err)
    t.ok(not err:find("Wr0ngPassword9", 1, true), "no password")
    p.user.username = "nobody"
    out, err, rc = support.run(login_cmd(p, "--flow password"))
    t.eq(out, "")
    t.eq(rc, 1)
    t.ok(err:find("UserNotFoundException", 1, true) and err:find("check --username", 1, true), err)
end)

t.case("login on a terminal asks for the password and the SMS code, without echo", function()
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    if not os.execute("command -v script >/dev/null 2>&1") then t.skip("script(1) not installed") end
    local p = support.pool(moto)
    local r = assert(p.idp:sign_in{ username = p.user.username, password = p.user.password })
    assert(p.idp:enable_sms_mfa(r.tokens.AccessToken))
    -- script(1) gives mfakit a terminal; the answers arrive after each prompt
    local inner = string.format("%s login --user-pool-id %s --client-id %s --username %s --endpoint %s",
        bin, p.pool_id, p.client_id, p.user.username, moto)
    local out = support.run(string.format("(sleep 1; printf '%%s\\n' '%s'; sleep 1; printf '654321\\n') | " ..
        "script -qec %q /dev/null", p.user.password, inner))
    t.ok(out:find("Password: ", 1, true) and out:find("SMS code", 1, true), out)
    t.ok(out:find("challenges: PASSWORD_VERIFIER, SMS_MFA", 1, true), out)
    t.ok(not out:find(p.user.password, 1, true) and not out:find("654321", 1, true), "no echo: " .. out)
end)

t.case("login --local signs in against its own emulator", function()
    if not require("mfakit.emulator").find() then t.skip("moto_server not installed") end
    local _, err, rc = support.run("PW=x " .. bin .. " login --local --user-pool-id us-east-1_nope --client-id c " ..
        "--username u --password-env PW --flow password < /dev/null")
    t.eq(rc, 1)
    t.ok(err:find("ResourceNotFoundException", 1, true), "reached the emulator, not AWS: " .. err)
end)

t.case("login usage errors exit 2; there is no --password option", function()
    local _, err, rc = support.run(bin .. " login --user-pool-id us-east-1_x --client-id c --username u --password x")
    t.eq(rc, 2)
    t.ok(err:find("unknown option --password", 1, true), err)
    _, err, rc = support.run(bin .. " login --client-id c --username u")
    t.eq(rc, 2)
    t.ok(err:find("--user-pool-id is required", 1, true), err)
    _, err, rc = support.run(bin .. " login --user-pool-id us-east-1_x --client-id c --username u < /dev/null")
    t.eq(rc, 2)
    t.ok(err:find("no password", 1, true), err)
end)

t.case("totp: code and seconds left; --uri; bad secret", function()
    local out, _, rc = support.run(bin .. " totp GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    t.eq(rc, 0)
    local code, left = out:match("^(%d%d%d%d%d%d) %(valid (%d+) s more%)\n$")
    t.ok(code, out)
    t.ok(tonumber(left) >= 1 and tonumber(left) <= 30, left)
    out, _, rc = support.run(bin .. " totp --uri GEZDGNBVGY3TQOJQ --account bob@example.com --issuer Acme")
    t.eq(rc, 0)
    t.eq(out, "otpauth://totp/Acme:bob@example.com?secret=GEZDGNBVGY3TQOJQ&issuer=Acme&algorithm=SHA1" ..
        "&digits=6&period=30\n")
    local err
    _, err, rc = support.run(bin .. " totp 'not base32!'")
    t.eq(rc, 2)
    t.ok(err:find("InvalidBase32", 1, true), err)
end)
