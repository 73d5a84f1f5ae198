-- mfakit.redact: removes secrets from text before it is shown anywhere
-- (traces, errors, logs). It errs on the side of hiding: any field whose
-- name says password, secret, token, session, code, signature or SRP value,
-- in JSON, form (query protocol) or XML text, and anything shaped like a JWT.
local M = {}

local SECRET_NAMES = {
    "Password", "PreviousPassword", "ProposedPassword", "NEW_PASSWORD", "PASSWORD",
    "SecretHash", "SECRET_HASH", "ClientSecret", "SecretAccessKey", "SecretCode",
    "SessionToken", "Session", "AccessToken", "IdToken", "RefreshToken", "Token",
    "PASSWORD_CLAIM_SIGNATURE", "PASSWORD_CLAIM_SECRET_BLOCK", "SECRET_BLOCK",
    "SRP_A", "SRP_B", "SALT", "Salt", "PasswordVerifier", "DEVICE_PASSWORD",
    "SMS_MFA_CODE", "SOFTWARE_TOKEN_MFA_CODE", "SMS_OTP_CODE", "EMAIL_OTP_CODE",
    "UserCode", "ConfirmationCode", "Code", "ANSWER", "DeviceSecretVerifierConfig",
    "aws_secret_access_key", "aws_session_token", "X-Amz-Security-Token",
}

local REDACTED = "<redacted>"

local function escape(s) return (s:gsub("[%-%.%+%[%]%(%)%$%^%%%?%*]", "%%%0")) end

-- Header values that carry secrets.
function M.header(name, value)
    local n = name:lower()
    if n == "authorization" then
        return (value:gsub("Signature=%x+", "Signature=" .. REDACTED))
    elseif n == "x-amz-security-token" or n == "cookie" or n == "set-cookie" then
        return REDACTED
    end
    return value
end

function M.text(s)
    if type(s) ~= "string" or s == "" then return s end
    for _, name in ipairs(SECRET_NAMES) do
        local e = escape(name)
        -- JSON: "Name": "value"  (a nested object is replaced whole)
        s = s:gsub('("' .. e .. '"%s*:%s*)"[^"]*"', '%1"' .. REDACTED .. '"')
        s = s:gsub('("' .. e .. '"%s*:%s*)%b{}', '%1"' .. REDACTED .. '"')
        -- form: Name=value (also as member.N.Name=)
        s = s:gsub("([&?]" .. e .. "=)[^&]*", "%1" .. REDACTED)
        s = s:gsub("^(" .. e .. "=)[^&]*", "%1" .. REDACTED)
        s = s:gsub("(%." .. e .. "=)[^&]*", "%1" .. REDACTED)
        -- XML: <Name>value</Name>
        s = s:gsub("(<" .. e .. ">)[^<]*(</" .. e .. ">)", "%1" .. REDACTED .. "%2")
    end
    -- JWTs anywhere (header.payload.signature, base64url)
    s = s:gsub("eyJ[%w_%-]+%.[%w_%-]+%.[%w_%-]*", "<redacted-jwt>")
    return s
end

return M
