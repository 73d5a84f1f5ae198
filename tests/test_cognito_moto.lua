-- tests/test_cognito_moto.lua: the login engine against moto. moto checks
-- the challenge order, single-use sessions, SECRET_HASH on SRP, TOTP codes
-- and the password policy, but accepts any SMS code and any SRP proof
-- (docs/EMULATORS.md); those are checked against tests/fake_cognito.py.
local cognito = require "mfakit.cognito"
local totp = require "mfakit.totp"
local sys = require "mfakit.sys"
local task = require "mfakit.task"
local support = dofile("tests/support.lua")

-- A pool (MFA OPTIONAL, SMS and TOTP) with one confirmed user.
local function setup(_, endpoint, opts)
    local p = support.pool(endpoint, opts)
    return p.idp, p.user, p.admin, p.pool_id
end

local t = require "mfakit.test"
local moto = t.env("MFAKIT_TEST_MOTO")
local function need() if not moto then t.skip("MFAKIT_TEST_MOTO not set") end end

t.case("SRP sign-in without MFA meets PASSWORD_VERIFIER only; tokens verify against moto's JWKS", function()
    need()
    local idp, user = setup(t, moto)
    local r = assert(idp:sign_in{ username = user.username, password = user.password })
    t.eq(r.challenges, { "PASSWORD_VERIFIER" })
    t.ok(r.tokens.AccessToken and r.tokens.IdToken and r.tokens.RefreshToken, "tokens")
    local claims = assert(idp:verify_token(r.tokens.IdToken, { token_use = "id" }))
    t.eq(claims.aud, idp.client_id)
    local access = assert(idp:verify_token(r.tokens.AccessToken, { token_use = "access" }))
    t.eq(access.client_id, idp.client_id)
    t.fails("InvalidToken", idp:verify_token(r.tokens.IdToken, { token_use = "access" }))
    local forged = r.tokens.IdToken:gsub("%.[^.]+$", ".AAAA")
    t.fails("InvalidSignature", idp:verify_token(forged, { token_use = "id" }))
    t.fails("TokenExpired", idp:verify_token(r.tokens.IdToken, { now = claims.exp + 10 }))
end)

t.case("USER_PASSWORD_AUTH, wrong password, unknown user", function()
    need()
    local idp, user = setup(t, moto)
    local r = assert(idp:sign_in{ username = user.username, password = user.password, flow = "password" })
    t.eq(r.challenges, {})
    local err = t.fails("NotAuthorizedException", idp:sign_in{ username = user.username, password = "Wr0ngPassw",
        flow = "password" })
    t.ok(not tostring(err):find("Wr0ngPassw", 1, true), "password not in the error")
    t.fails("UserNotFoundException", idp:sign_in{ username = "nobody-here", password = "x", flow = "password" })
end)

t.case("SMS MFA: enable, then SRP sign-in meets SMS_MFA (moto accepts any code)", function()
    need()
    local idp, user = setup(t, moto)
    local r = assert(idp:sign_in{ username = user.username, password = user.password })
    assert(idp:enable_sms_mfa(r.tokens.AccessToken))
    local info = assert(idp:get_user(r.tokens.AccessToken))
    t.eq({ info.sms_mfa, info.preferred_mfa }, { true, "SMS_MFA" })
    local asked
    r = assert(idp:sign_in{ username = user.username, password = user.password,
        sms_code = function(ctx) asked = ctx.challenge; return "123456" end })
    t.eq(r.challenges, { "PASSWORD_VERIFIER", "SMS_MFA" })
    t.eq(asked, "SMS_MFA")
    local err = t.fails("MissingInput", idp:sign_in{ username = user.username, password = user.password })
    t.ok(err.message:find("SMS_MFA", 1, true), err.message)
end)

t.case("TOTP: setup in Cognito's order, then sign-in meets SOFTWARE_TOKEN_MFA with a real code", function()
    need()
    local idp, user = setup(t, moto)
    local r = assert(idp:sign_in{ username = user.username, password = user.password })
    local setup_out = assert(idp:setup_totp(r.tokens.AccessToken, { account = user.username }))
    t.ok(setup_out.uri:find("^otpauth://totp/"), setup_out.uri)
    local info = assert(idp:get_user(r.tokens.AccessToken))
    t.eq({ info.totp_mfa, info.preferred_mfa }, { true, "SOFTWARE_TOKEN_MFA" })
    -- moto checks the code (only the current 30 s step): wait out a step edge
    if totp.seconds_left(30) < 3 then task.sleep(totp.seconds_left(30) + 0.2) end
    r = assert(idp:sign_in{ username = user.username, password = user.password, totp_secret = setup_out.secret })
    t.eq(r.challenges, { "PASSWORD_VERIFIER", "SOFTWARE_TOKEN_MFA" })
    t.fails("CodeMismatchException", idp:sign_in{ username = user.username, password = user.password,
        totp = function() return "000000" end })
end)

t.case("MFA required and none set: MFA_SETUP (moto sends MFAS_CAN_SETUP as a list) enrols TOTP", function()
    need()
    local p = support.pool(moto, { mfa = "ON" })
    local secret
    local r, err = p.idp:sign_in{ username = p.user.username, password = p.user.password,
                                  on_totp_secret = function(s) secret = s end }
    t.ok(r, tostring(err))
    t.eq(r.challenges, { "PASSWORD_VERIFIER", "MFA_SETUP" })
    t.ok(type(secret) == "string" and #secret > 0, "the new TOTP secret was handed over")
    t.ok(r.tokens.AccessToken, "signed in")
end)

t.case("code sources: env:, file: (waits for the file), cmd:", function()
    need()
    local idp, user = setup(t, moto)
    local r = assert(idp:sign_in{ username = user.username, password = user.password })
    assert(idp:enable_sms_mfa(r.tokens.AccessToken))
    sys.setenv("MFAKIT_TEST_SMS", "424242")
    r = assert(idp:sign_in{ username = user.username, password = user.password, sms_code = "env:MFAKIT_TEST_SMS" })
    sys.setenv("MFAKIT_TEST_SMS", nil)
    t.eq(r.challenges, { "PASSWORD_VERIFIER", "SMS_MFA" })
    local err = t.fails("CodeSourceFailed", idp:sign_in{ username = user.username, password = user.password,
        sms_code = "env:MFAKIT_TEST_SMS" })
    t.ok(err.message:find("MFAKIT_TEST_SMS", 1, true), err.message)
    local path = os.getenv("MFAKIT_TEST_TMP") .. "/sms-code"
    os.remove(path)
    local writer = task.spawn(function()
        task.sleep(0.5)
        local f = assert(io.open(path, "w"))
        f:write("777777\n")
        f:close()
    end)
    local t0 = sys.monotonic()
    r = assert(idp:sign_in{ username = user.username, password = user.password, sms_code = "file:" .. path })
    t.ok(sys.monotonic() - t0 >= 0.4, "waited for the file")
    t.eq(r.challenges, { "PASSWORD_VERIFIER", "SMS_MFA" })
    task.wait(writer)
    r = assert(idp:sign_in{ username = user.username, password = user.password, sms_code = "cmd:echo 123123" })
    t.eq(r.challenges, { "PASSWORD_VERIFIER", "SMS_MFA" })
end)

t.case("file: refuses a named pipe instead of blocking every task", function()
    need()
    local idp, user = setup(t, moto)
    local r = assert(idp:sign_in{ username = user.username, password = user.password })
    assert(idp:enable_sms_mfa(r.tokens.AccessToken))
    local fifo = os.getenv("MFAKIT_TEST_TMP") .. "/code.fifo"
    os.remove(fifo)
    assert(os.execute("mkfifo " .. fifo))
    local err = t.fails("CodeSourceFailed", idp:sign_in{ username = user.username, password = user.password,
        sms_code = "file:" .. fifo })
    t.ok(err.message:find("is a fifo", 1, true), err.message)
    os.remove(fifo)
end)

t.case("client with a secret: SECRET_HASH at InitiateAuth, challenges and refresh", function()
    need()
    local idp, user = setup(t, moto, { secret = true })
    t.ok(idp.client_secret, "client has a secret")
    local r = assert(idp:sign_in{ username = user.username, password = user.password })
    assert(idp:refresh{ refresh_token = r.tokens.RefreshToken, username = r.username })
    -- moto checks SECRET_HASH for SRP: a wrong secret is refused
    local wrong = cognito.new{ user_pool_id = idp.user_pool_id, client_id = idp.client_id,
                               client_secret = "wrong-secret", endpoint = moto }
    t.fails("NotAuthorizedException", wrong:sign_in{ username = user.username, password = user.password })
    t.raises("username", idp.refresh, idp, { refresh_token = r.tokens.RefreshToken })
end)

t.case("refresh, get_user, update attributes, global sign-out", function()
    need()
    local idp, user = setup(t, moto)
    local r = assert(idp:sign_in{ username = user.username, password = user.password })
    local fresh = assert(idp:refresh{ refresh_token = r.tokens.RefreshToken })
    t.ok(fresh.AccessToken, "new access token")
    local info = assert(idp:get_user(fresh.AccessToken))
    t.eq(info.attributes.phone_number, "+15555550100")
    assert(idp:update_attributes(fresh.AccessToken, { name = "Alice" }))
    t.eq(assert(idp:get_user(fresh.AccessToken)).attributes.name, "Alice")
    t.fails("InvalidPhoneNumber", idp:update_attributes(fresh.AccessToken, { phone_number = "555-0100" }))
    assert(idp:global_sign_out(fresh.AccessToken))
    t.fails("NotAuthorizedException", idp:get_user(fresh.AccessToken))
end)

t.case("disable MFA: sign-in no longer prompts", function()
    need()
    local idp, user = setup(t, moto)
    local r = assert(idp:sign_in{ username = user.username, password = user.password })
    assert(idp:enable_sms_mfa(r.tokens.AccessToken))
    assert(idp:disable_mfa(r.tokens.AccessToken))
    r = assert(idp:sign_in{ username = user.username, password = user.password })
    t.eq(r.challenges, { "PASSWORD_VERIFIER" })
end)

t.case("sign-up checks E.164 before any call; moto enforces the password policy", function()
    need()
    local idp = setup(t, moto)
    local err = t.fails("InvalidPhoneNumber", idp:sign_up{ username = "bob", password = "Passw0rdOk",
        attributes = { phone_number = "(555) 555-0100" } })
    t.eq(err.suggestion, "+15555550100")
    t.ok(err.message:find("+15555550100", 1, true), err.message)
    t.fails("InvalidPasswordException", idp:sign_up{ username = "bob", password = "short" })
end)

t.case("misuse raises", function()
    t.raises("client_id", cognito.new, { user_pool_id = "us-east-1_x" })
    t.raises("user_pool_id looks like", cognito.new, { user_pool_id = "nope", client_id = "c" })
    local idp = cognito.new{ user_pool_id = "us-east-1_abc", client_id = "c", endpoint = "http://127.0.0.1:1" }
    t.raises("username", idp.sign_in, idp, {})
    t.raises("flow must be", idp.sign_in, idp, { username = "u", flow = "custom" })
    t.raises("unknown code source 'bogus:'", idp.sign_in, idp, { username = "u", password = "p", sms_code = "bogus:x" })
end)
