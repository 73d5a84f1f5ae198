-- tests/test_cognito_fault.lua: answers that are malformed or missing
-- members give nil, err from the login engine, never a Lua error.
local cognito = require "mfakit.cognito"
local http = require "mfakit.http"
local json = require "mfakit.json"

local t = require "mfakit.test"
local fault = t.env("MFAKIT_TEST_FAULT")

local function script(answers)
    assert(http.request{ method = "POST", url = fault .. "/_reset", body = "" })
    local list = {}
    for i, a in ipairs(answers) do list[i] = { status = 200, body = type(a) == "string" and a or json.encode(a) } end
    assert(http.request{ method = "POST", url = fault .. "/_script", body = json.encode(list) })
end

local function idp()
    if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
    return cognito.new{ user_pool_id = "us-east-1_abc", client_id = "c", endpoint = fault, max_attempts = 1 }
end

local function no_raise(code, fn)
    local ok, v, err = pcall(fn)
    t.ok(ok, "raised: " .. tostring(v))
    return t.fails(code, v, err)
end

t.case("challenge parameters null, missing or of the wrong type", function()
    local c = idp()
    script{ '{"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":null}' }
    no_raise("InvalidChallenge", function() return c:sign_in{ username = "u", password = "p" } end)
    script{ { ChallengeName = "PASSWORD_VERIFIER", ChallengeParameters = { SALT = json.null, SRP_B = "ab",
              SECRET_BLOCK = "x", USER_ID_FOR_SRP = "u" } } }
    no_raise("InvalidChallenge", function() return c:sign_in{ username = "u", password = "p" } end)
    script{ '{"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":{"SALT":"ab","SRP_B":12,' ..
            '"SECRET_BLOCK":"x","USER_ID_FOR_SRP":"u"}}' }
    no_raise("InvalidChallenge", function() return c:sign_in{ username = "u", password = "p" } end)
    script{ "{}" }
    no_raise("InvalidResponse", function() return c:sign_in{ username = "u", password = "p", flow = "password" } end)
end)

t.case("MFA_SETUP and setup_totp without a SecretCode", function()
    local c = idp()
    script{ { ChallengeName = "MFA_SETUP", Session = "s", ChallengeParameters = { MFAS_CAN_SETUP = '["SOFTWARE_TOKEN_MFA"]' } },
            {} }
    no_raise("InvalidResponse", function() return c:sign_in{ username = "u", password = "p", flow = "password" } end)
    -- the list itself, as moto sends it, is read too; a list without TOTP is named in the error
    script{ { ChallengeName = "MFA_SETUP", Session = "s", ChallengeParameters = { MFAS_CAN_SETUP = { "SOFTWARE_TOKEN_MFA" } } },
            {} }
    no_raise("InvalidResponse", function() return c:sign_in{ username = "u", password = "p", flow = "password" } end)
    script{ { ChallengeName = "MFA_SETUP", Session = "s", ChallengeParameters = { MFAS_CAN_SETUP = { "SMS_MFA", 7 } } } }
    local err = no_raise("UnsupportedChallenge",
        function() return c:sign_in{ username = "u", password = "p", flow = "password" } end)
    t.ok(err and tostring(err):find("offers SMS_MFA;", 1, true), tostring(err))
    script{ {} }
    no_raise("InvalidResponse", function() return c:setup_totp("token") end)
end)

t.case("user, device and refresh answers with null or odd members", function()
    local c = idp()
    script{ '{"Username":"u","UserAttributes":[1,2,null],"UserMFASettingList":null}' }
    local u = assert(c:get_user("token"))
    t.eq({ u.username, u.attributes, u.sms_mfa }, { "u", {}, false })
    script{ '{"Devices":null}' }
    t.eq(assert(c:list_devices("token")), {})
    script{ "{}" }
    no_raise("InvalidResponse", function() return c:refresh{ refresh_token = "r" } end)
    no_raise("InvalidResponse", function() return c:confirm_device("token", {}) end)
end)

t.case("a secret echoed across the message cut leaves no visible start", function()
    local c = idp()
    local secret = "Echoed-Secret-Value-42"
    assert(http.request{ method = "POST", url = fault .. "/_reset", body = "" })
    local message = ("m"):rep(990) .. secret .. " tail"
    assert(http.request{ method = "POST", url = fault .. "/_script", body = json.encode{ { status = 400,
        body = json.encode{ __type = "InvalidParameterException", message = message } } } })
    local v, err = c:call("ForgotPassword", { ClientId = "c", Username = "u" }, { secret })
    t.fails("InvalidParameterException", v, err)
    t.ok(not err.message:find("Echoed", 1, true), err.message:sub(980))
    t.ok(err.message:find("<redacted>... (", 1, true), err.message:sub(980))
end)
