-- mfakit.cognito.challenges: one answer per Cognito challenge.
-- Each handler gets (login, params) where login is the running sign-in
-- (its idp, options, SRP session, the internal username, the code sources)
-- and params the ChallengeParameters; it returns the ChallengeResponses to
-- send (or nil, err). A handler may also make calls of its own (MFA_SETUP
-- enrols TOTP) and replace login.session.
local srp = require "mfakit.srp"
local totp = require "mfakit.totp"
local errors = require "mfakit.errors"

local M = {}

-- The name Cognito wants in USERNAME from here on: the challenge's USERNAME
-- (the internal name), as Amplify v6 sends; SRP signs USER_ID_FOR_SRP.
local function username(login, params)
    if type(params.USERNAME) == "string" and params.USERNAME ~= "" then login.internal_username = params.USERNAME end
    return login.internal_username
end

local function base(login, params)
    local r = { USERNAME = username(login, params) }
    if login.device and login.device.key then r.DEVICE_KEY = login.device.key end
    return r
end

local function strings(params, names, challenge)
    for _, n in ipairs(names) do
        if type(params[n]) ~= "string" or params[n] == "" then
            return errors.fail("InvalidChallenge", "%s without %s", challenge, n)
        end
    end
    return true
end

local function claim(session, login, params, user_id, password)
    local ok, err = strings(params, { "SALT", "SRP_B", "SECRET_BLOCK" }, login.challenge)
    if not ok then return nil, err end
    local sig, ts = session:password_claim{
        user_id = user_id, password = password, salt = params.SALT, srp_b = params.SRP_B,
        secret_block = params.SECRET_BLOCK,
    }
    if not sig then return nil, ts end
    local r = base(login, params)
    r.PASSWORD_CLAIM_SECRET_BLOCK = params.SECRET_BLOCK
    r.PASSWORD_CLAIM_SIGNATURE = sig
    r.TIMESTAMP = ts
    return r
end

function M.PASSWORD_VERIFIER(login, params)
    local ok, err = strings(params, { "SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP" }, "PASSWORD_VERIFIER")
    if not ok then return nil, err end
    local password
    password, err = login:secret("password")
    if not password then return nil, err end
    return claim(login.srp, login, params, params.USER_ID_FOR_SRP, password)
end

function M.DEVICE_SRP_AUTH(login, params)
    local d = login.device
    if not (d and d.key and d.group_key and d.password) then
        return errors.fail("DeviceNotRemembered", "Cognito asked for device authentication, but no remembered " ..
            "device (key, group key and password) was given")
    end
    login.device_srp = srp.new{ device_group_key = d.group_key }
    local a, err = login.device_srp:srp_a()
    if not a then return nil, err end
    local r = base(login, params)
    r.SRP_A = a
    return r
end

function M.DEVICE_PASSWORD_VERIFIER(login, params)
    if not login.device_srp then
        return errors.fail("InvalidChallenge", "DEVICE_PASSWORD_VERIFIER before DEVICE_SRP_AUTH")
    end
    return claim(login.device_srp, login, params, login.device.key, login.device.password)
end

local function mfa_code(login, params, which, field)
    local dest = type(params.CODE_DELIVERY_DESTINATION) == "string" and params.CODE_DELIVERY_DESTINATION or nil
    local code, err = login:code(which, { challenge = login.challenge, destination = dest })
    if not code then return nil, err end
    local r = base(login, params)
    r[field] = code
    return r
end

function M.SMS_MFA(login, params)
    return mfa_code(login, params, "sms_code", "SMS_MFA_CODE")
end

function M.SOFTWARE_TOKEN_MFA(login, params)
    return mfa_code(login, params, "totp", "SOFTWARE_TOKEN_MFA_CODE")
end

-- Both SMS and TOTP are enabled and the user prefers neither: choose the one
-- the caller asked for, else TOTP when a TOTP source was given, else SMS.
function M.SELECT_MFA_TYPE(login, params)
    local choice = login.opts.mfa_type
    if not choice then choice = login.sources.totp and "SOFTWARE_TOKEN_MFA" or "SMS_MFA" end
    if choice ~= "SMS_MFA" and choice ~= "SOFTWARE_TOKEN_MFA" then
        error("sign_in: mfa_type must be SMS_MFA or SOFTWARE_TOKEN_MFA", 0)
    end
    local r = base(login, params)
    r.ANSWER = choice
    return r
end

-- The pool requires MFA and the user has none: enrol TOTP inline
-- (AssociateSoftwareToken -> VerifySoftwareToken -> MFA_SETUP), as Cognito's
-- hosted UI does. The new secret is handed to opts.on_totp_secret and kept
-- in the result, so the caller can store it.
-- MFAS_CAN_SETUP names the methods the user may enrol. Cognito sends it as
-- JSON text ('["SMS_MFA","SOFTWARE_TOKEN_MFA"]'); moto sends the list itself.
local function methods_offered(v)
    local names = {}
    if type(v) == "table" then
        for _, name in ipairs(v) do
            if type(name) == "string" then names[#names + 1] = name end
        end
    elseif type(v) == "string" then
        for name in v:gmatch("[%w_]+") do names[#names + 1] = name end
    end
    return names
end

function M.MFA_SETUP(login, params)
    local can = methods_offered(params.MFAS_CAN_SETUP)
    local totp_offered = false
    for _, name in ipairs(can) do totp_offered = totp_offered or name == "SOFTWARE_TOKEN_MFA" end
    if not totp_offered then
        return errors.fail("UnsupportedChallenge", "MFA_SETUP offers %s; only TOTP enrolment is automated",
            #can > 0 and table.concat(can, ", ") or "no method")
    end
    local out, err = login.idp:call("AssociateSoftwareToken", { Session = login.session })
    if not out then return nil, err end
    local secret = type(out.SecretCode) == "string" and out.SecretCode or nil
    if not secret then return errors.fail("InvalidResponse", "AssociateSoftwareToken gave no SecretCode") end
    login.session = type(out.Session) == "string" and out.Session or login.session
    login.totp_secret = require("mfakit.secrets").add(secret)
    if login.opts.on_totp_secret then login.opts.on_totp_secret(secret) end
    local verified
    verified, err = login.idp:call("VerifySoftwareToken", { Session = login.session, UserCode = totp.code(secret),
        FriendlyDeviceName = login.opts.totp_device_name or "mfakit" })
    if not verified then return nil, err end
    if verified.Status ~= "SUCCESS" then
        return errors.fail("TOTPSetupFailed", "VerifySoftwareToken answered %s", tostring(verified.Status))
    end
    login.session = type(verified.Session) == "string" and verified.Session or login.session
    return base(login, params)
end

function M.NEW_PASSWORD_REQUIRED(login, params)
    local pw, err = login:secret("new_password")
    if not pw then return nil, err end
    local r = base(login, params)
    r.NEW_PASSWORD = pw
    for name, value in pairs(login.opts.attributes or {}) do r["userAttributes." .. name] = value end
    return r
end

function M.CUSTOM_CHALLENGE(login, params)
    local answer = login.opts.custom_challenge
    if type(answer) ~= "function" then
        return errors.fail("UnsupportedChallenge", "CUSTOM_CHALLENGE needs a custom_challenge function")
    end
    local value, err = answer(params)
    if value == nil then return nil, err end
    local r = base(login, params)
    r.ANSWER = tostring(value)
    return r
end

return M
