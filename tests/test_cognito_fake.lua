-- tests/test_cognito_fake.lua: the login engine against tests/fake_cognito.py,
-- which checks what moto does not: SRP proofs, SMS codes, device SRP,
-- attribute verification, RevokeToken, session expiry, JWT signatures.
local cognito = require "mfakit.cognito"
local http = require "mfakit.http"
local json = require "mfakit.json"
local task = require "mfakit.task"
local sys = require "mfakit.sys"

local t = require "mfakit.test"
local fake = t.env("MFAKIT_TEST_FAKE_COGNITO")
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"

local function control(path, body)
    local r = assert(http.request{ method = body and "POST" or "GET", url = fake .. "/_control/" .. path,
        body = body and json.encode(body) or nil, headers = { ["content-type"] = "application/json" } })
    assert(r.status == 200, path .. ": " .. r.body)
    return json.decode(r.body)
end

local n = 0
-- A fresh pool and user; returns the idp and the pool's details.
local function setup(pool_opts, user_opts)
    if not fake then t.skip("MFAKIT_TEST_FAKE_COGNITO not set (needs python3 cryptography)") end
    n = n + 1
    local p = { id = "us-east-1_Fake" .. sys.getpid() .. "x" .. n, client_id = "client" .. n, mfa = "OPTIONAL" }
    for k, v in pairs(pool_opts or {}) do p[k] = v end
    local pool = control("pool", p)
    local u = { pool = p.id, username = "alice" .. n, password = "Correct-Horse-9",
                attributes = { email = "alice" .. n .. "@example.com", phone_number = "+15555550100",
                               phone_number_verified = true } }
    for k, v in pairs(user_opts or {}) do u[k] = v end
    local user = control("user", u)
    local idp = cognito.new{ user_pool_id = p.id, client_id = p.client_id, client_secret = p.client_secret,
                             endpoint = fake }
    return idp, { pool = pool, user = user, password = u.password, username = u.username,
                  email = u.attributes.email }
end

local function sms_code(internal)
    return function()
        local codes = control("codes")
        return codes[internal] and codes[internal].sms_mfa
    end
end

t.case("SRP: the right password signs in, a wrong one is refused by the SRP proof", function()
    local idp, s = setup()
    local r = assert(idp:sign_in{ username = s.username, password = s.password })
    t.eq(r.challenges, { "PASSWORD_VERIFIER" })
    t.fails("NotAuthorizedException", idp:sign_in{ username = s.username, password = "Wrong-Horse-9" })
    local claims = assert(idp:verify_token(r.tokens.IdToken, { issuer = s.pool.issuer, token_use = "id" }))
    t.eq(claims["cognito:username"], s.user.username)
    t.fails("InvalidToken", idp:verify_token(r.tokens.AccessToken, { issuer = "https://elsewhere/x" }))
end)

t.case("SRP with the short secret a (424 bits): 20 sign-ins in a row pass the fake's proof check", function()
    local idp, s = setup()
    for _ = 1, 20 do
        local r = assert(idp:sign_in{ username = s.username, password = s.password })
        t.eq(r.challenges, { "PASSWORD_VERIFIER" })
    end
end)

t.case("SRP with an email alias: USER_ID_FOR_SRP and SECRET_HASH over the internal name", function()
    local idp, s = setup({ username_attributes = { "email" }, client_secret = "s3cr3t-value" },
                         { username = "bob@example.com", attributes = { email = "bob@example.com" } })
    t.ok(s.user.username ~= "bob@example.com", "internal name is the sub")
    local r = assert(idp:sign_in{ username = "bob@example.com", password = s.password })
    t.eq(r.username, s.user.username)
    assert(idp:refresh{ refresh_token = r.tokens.RefreshToken, username = r.username })
    local wrong = cognito.new{ user_pool_id = s.pool.id, client_id = idp.client_id, client_secret = "nope",
                               endpoint = fake }
    t.fails("NotAuthorizedException", wrong:sign_in{ username = "bob@example.com", password = s.password })
end)

t.case("SMS_MFA: the sent code works, a wrong one is CodeMismatch", function()
    local idp, s = setup(nil, { sms_mfa = true, preferred = "SMS_MFA" })
    local seen
    local r = assert(idp:sign_in{ username = s.username, password = s.password, sms_code = function(ctx)
        seen = ctx.destination
        return sms_code(s.user.username)()
    end })
    t.eq(r.challenges, { "PASSWORD_VERIFIER", "SMS_MFA" })
    t.ok(seen and seen:find("0100", 1, true), "destination shown: " .. tostring(seen))
    local err = t.fails("CodeMismatchException", idp:sign_in{ username = s.username, password = s.password,
        sms_code = "000000" })
    t.ok(not err.message:find("000000", 1, true), "code not echoed")
end)

t.case("SMS code through file: written by another task after the challenge", function()
    local idp, s = setup(nil, { sms_mfa = true, preferred = "SMS_MFA" })
    local path = tmp .. "/fake-sms-" .. n
    os.remove(path)
    local writer = task.spawn(function()
        local code
        for _ = 1, 100 do
            task.sleep(0.05)
            code = sms_code(s.user.username)()
            if code then break end
        end
        local f = assert(io.open(path, "w"))
        f:write(code, "\n")
        f:close()
    end)
    local r = assert(idp:sign_in{ username = s.username, password = s.password, sms_code = "file:" .. path })
    t.eq(r.challenges, { "PASSWORD_VERIFIER", "SMS_MFA" })
    task.wait(writer)
end)

t.case("a stale session is an error that says so", function()
    local idp, s = setup({ auth_session_seconds = 180 }, { sms_mfa = true, preferred = "SMS_MFA" })
    local err = t.fails("NotAuthorizedException", idp:sign_in{ username = s.username, password = s.password,
        sms_code = function()
            control("clock", { advance_seconds = 200 })
            return sms_code(s.user.username)()
        end })
    control("clock", { offset_seconds = 0 })
    t.eq(err.session_expired, true)
    t.ok(err.message:find("sessions are single-use and last 3-15 minutes", 1, true), err.message)
end)

t.case("SELECT_MFA_TYPE chooses TOTP when a TOTP source is given, SMS otherwise", function()
    local secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    local idp, s = setup(nil, { sms_mfa = true, totp_secret = secret })
    local r = assert(idp:sign_in{ username = s.username, password = s.password, totp_secret = secret })
    t.eq(r.challenges, { "PASSWORD_VERIFIER", "SELECT_MFA_TYPE", "SOFTWARE_TOKEN_MFA" })
    r = assert(idp:sign_in{ username = s.username, password = s.password, sms_code = sms_code(s.user.username) })
    t.eq(r.challenges, { "PASSWORD_VERIFIER", "SELECT_MFA_TYPE", "SMS_MFA" })
end)

t.case("MFA_SETUP enrols TOTP inline when the pool requires MFA", function()
    local idp, s = setup({ mfa = "ON" }, { attributes = { email = "carol@example.com" } })
    local got_secret
    local r = assert(idp:sign_in{ username = s.username, password = s.password,
                                  on_totp_secret = function(x) got_secret = x end })
    t.eq(r.challenges, { "PASSWORD_VERIFIER", "MFA_SETUP" })
    t.eq(r.totp_secret, got_secret)
    r = assert(idp:sign_in{ username = s.username, password = s.password, totp_secret = got_secret })
    t.eq(r.challenges, { "PASSWORD_VERIFIER", "SOFTWARE_TOKEN_MFA" })
end)

t.case("NEW_PASSWORD_REQUIRED sets the new password", function()
    local idp, s = setup(nil, { status = "FORCE_CHANGE_PASSWORD" })
    t.fails("MissingInput", idp:sign_in{ username = s.username, password = s.password })
    local r = assert(idp:sign_in{ username = s.username, password = s.password, new_password = "Brand-New-Pw7" })
    t.eq(r.challenges, { "PASSWORD_VERIFIER", "NEW_PASSWORD_REQUIRED" })
    assert(idp:sign_in{ username = s.username, password = "Brand-New-Pw7" })
end)

t.case("remembered device: ConfirmDevice, then DEVICE_SRP_AUTH replaces MFA; refresh with DEVICE_KEY", function()
    local idp, s = setup({ device_tracking = { challenge_required_on_new_device = true,
                                              device_only_remembered_on_user_prompt = true } },
                         { sms_mfa = true, preferred = "SMS_MFA" })
    local file = tmp .. "/device-" .. n .. ".json"
    os.remove(file)
    local r = assert(idp:sign_in{ username = s.username, password = s.password, sms_code = sms_code(s.user.username),
                                  remember_device = true, device_file = file, device_name = "ci-runner" })
    t.eq(r.challenges, { "PASSWORD_VERIFIER", "SMS_MFA" })
    t.eq(r.device.remembered, true)
    t.eq(sys.stat(file).mode, tonumber("600", 8))
    local devices = assert(idp:list_devices(r.tokens.AccessToken))
    t.eq(#devices, 1)
    t.eq(devices[1].DeviceKey, r.device.key)
    r = assert(idp:sign_in{ username = s.username, password = s.password, device_file = file })
    t.eq(r.challenges, { "PASSWORD_VERIFIER", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER" })
    t.fails("NotAuthorizedException", idp:refresh{ refresh_token = r.tokens.RefreshToken })
    assert(idp:refresh{ refresh_token = r.tokens.RefreshToken, device_key = r.device.key })
    -- a wrong device password fails the device proof
    local d = json.decode(assert(io.open(file)):read("a"))
    d.password = d.password:reverse()
    t.fails("NotAuthorizedException", idp:sign_in{ username = s.username, password = s.password, device = d })
    assert(idp:forget_device(r.tokens.AccessToken, r.device.key))
    t.eq(assert(idp:list_devices(r.tokens.AccessToken)), {})
end)

t.case("phone verification: send a code, a wrong one fails, the right one verifies", function()
    local idp, s = setup(nil, { attributes = { email = "dan@example.com", phone_number = "+15555550100",
                                               phone_number_verified = false } })
    local r = assert(idp:sign_in{ username = s.username, password = s.password })
    assert(idp:send_verification_code(r.tokens.AccessToken, "phone_number"))
    t.fails("CodeMismatchException", idp:verify_attribute(r.tokens.AccessToken, "phone_number", "000000"))
    local code = control("codes")[s.user.username]["attribute:phone_number"]
    assert(idp:verify_attribute(r.tokens.AccessToken, "phone_number", code))
    t.eq(assert(idp:get_user(r.tokens.AccessToken)).phone_number_verified, true)
    assert(idp:enable_sms_mfa(r.tokens.AccessToken))
    t.eq(assert(idp:get_user(r.tokens.AccessToken)).preferred_mfa, "SMS_MFA")
    assert(idp:disable_mfa(r.tokens.AccessToken))
    t.eq(assert(idp:get_user(r.tokens.AccessToken)).sms_mfa, false)
end)

t.case("RevokeToken ends the refresh token; GlobalSignOut ends the access token", function()
    local idp, s = setup()
    local r = assert(idp:sign_in{ username = s.username, password = s.password })
    assert(idp:revoke(r.tokens.RefreshToken))
    t.fails("NotAuthorizedException", idp:refresh{ refresh_token = r.tokens.RefreshToken })
    r = assert(idp:sign_in{ username = s.username, password = s.password })
    assert(idp:global_sign_out(r.tokens.AccessToken))
    t.fails("NotAuthorizedException", idp:get_user(r.tokens.AccessToken))
end)

t.case("sign-up and confirm with the code sent", function()
    local idp = setup()
    local out = assert(idp:sign_up{ username = "erin" .. n, password = "Erin-Pass-77",
        attributes = { email = "erin@example.com", phone_number = "+447700900123" } })
    t.eq(out.UserConfirmed, false)
    t.fails("CodeMismatchException", idp:confirm_sign_up{ username = "erin" .. n, code = "000000" })
    local code = control("codes")["erin" .. n].signup
    assert(idp:confirm_sign_up{ username = "erin" .. n, code = code })
    assert(idp:sign_in{ username = "erin" .. n, password = "Erin-Pass-77" })
end)

t.case("100 concurrent SRP sign-ins in tasks", function()
    local idp, s = setup()
    local ts = {}
    for i = 1, 100 do
        ts[i] = task.spawn(function() return assert(idp:sign_in{ username = s.username, password = s.password }) end)
    end
    for i = 1, 100 do
        local ok, r = task.wait(ts[i])
        t.ok(ok, tostring(r))
        t.eq(r.challenges, { "PASSWORD_VERIFIER" })
    end
end)
