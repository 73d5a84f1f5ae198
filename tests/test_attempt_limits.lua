-- tests/test_attempt_limits.lua: what a sign-in meets after repeated wrong
-- MFA codes, against the fake Cognito's lockout setting (code_attempts):
-- N wrong codes each give CodeMismatchException, then the challenge session
-- is dead and even the right code gets NotAuthorizedException "session is
-- expired"; a new sign-in starts a new session. docs/DOCTOR.md "Attempt
-- limits" says what AWS documents of its own limits.
local cognito = require "mfakit.cognito"
local http = require "mfakit.http"
local json = require "mfakit.json"
local sys = require "mfakit.sys"

local t = require "mfakit.test"
local fake = t.env("MFAKIT_TEST_FAKE_COGNITO")

local function control(path, body)
    local r = assert(http.request{ method = body and "POST" or "GET", url = fake .. "/_control/" .. path,
        body = body and json.encode(body) or nil })
    assert(r.status == 200, path .. ": " .. r.body)
    return json.decode(r.body)
end

-- A pool whose sessions take `attempts` wrong codes, a user with SMS MFA,
-- and a sign-in that stops at the SMS_MFA challenge.
local function challenged(attempts)
    local id = "us-east-1_Lockout" .. sys.getpid() .. "x" .. attempts
    control("pool", { id = id, client_id = "lockout-" .. attempts, mfa = "OPTIONAL", code_attempts = attempts })
    local user = control("user", { pool = id, username = "lee", password = "Lee-Password-1", sms_mfa = true,
        preferred = "SMS_MFA", attributes = { phone_number = "+15555550100", phone_number_verified = true } })
    local idp = cognito.new{ user_pool_id = id, client_id = "lockout-" .. attempts, endpoint = fake }
    local start = assert(idp:call("InitiateAuth", { AuthFlow = "USER_PASSWORD_AUTH", ClientId = idp.client_id,
        AuthParameters = { USERNAME = "lee", PASSWORD = "Lee-Password-1" } }))
    t.eq(start.ChallengeName, "SMS_MFA")
    local function answer(code)
        return idp:call("RespondToAuthChallenge", { ClientId = idp.client_id, ChallengeName = "SMS_MFA",
            Session = start.Session, ChallengeResponses = { USERNAME = "lee", SMS_MFA_CODE = code } })
    end
    local function right() return control("codes")[user.username].sms_mfa end
    return answer, right
end

t.case("N wrong codes are CodeMismatch; then the session is expired, even for the right code", function()
    if not fake then t.skip("MFAKIT_TEST_FAKE_COGNITO not set") end
    for _, n in ipairs{ 1, 3, 5 } do
        local answer, right = challenged(n)
        for i = 1, n do
            local wrong = right() == "000000" and "111111" or "000000"
            local _, err = answer(wrong)
            t.eq(err and err.code, "CodeMismatchException", "wrong code " .. i .. " of " .. n)
        end
        local _, err = answer(right())
        t.eq({ err and err.code, err and err.message }, { "NotAuthorizedException",
            "Invalid session for the user, session is expired." }, "after " .. n .. " wrong codes")
    end
end)

t.case("fewer wrong codes than the setting, then the right one, signs in", function()
    if not fake then t.skip("MFAKIT_TEST_FAKE_COGNITO not set") end
    local answer, right = challenged(4)
    for _ = 1, 3 do
        local _, err = answer(right() == "000000" and "111111" or "000000")
        t.eq(err and err.code, "CodeMismatchException")
    end
    local out, err = answer(right())
    t.ok(out and out.AuthenticationResult and out.AuthenticationResult.AccessToken, tostring(err))
end)
