-- mfakit.redact: removes secrets from text before it is shown anywhere
-- (traces, errors, logs): the values of the fields named in SECRET_NAMES
-- (passwords, secrets, tokens, sessions, codes, SRP values) in JSON, form
-- (query protocol) and XML text, and anything shaped like a JWT. A new
-- secret-bearing field must be added to the list. Both functions also
-- replace every secret value this process holds (mfakit.secrets), wherever
-- it appears: a server may echo one back in a message.
local args = require "mfakit.args"
local secrets = require "mfakit.secrets"

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
    "TemporaryPassword", "REFRESH_TOKEN", "OldPassword", "NewPassword", "TokenCode", "secret",
}

local REDACTED = "<redacted>"

-- A header line "x-amz-security-token:VALUE", as SigV4's canonical request
-- (shown by --trace) holds it; any case, blanks allowed around the colon.
local TOKEN_LINE = "([Xx]%-[Aa][Mm][Zz]%-[Ss][Ee][Cc][Uu][Rr][Ii][Tt][Yy]%-[Tt][Oo][Kk][Ee][Nn][ \t]*:[ \t]*)[^\r\n]+"

local function escape(s) return (s:gsub("[%-%.%+%[%]%(%)%$%^%%%?%*]", "%%%0")) end

-- Header values that carry secrets.
function M.header(name, value)
    args.check(1, "redact.header", name, "string")
    value = tostring(args.check(2, "redact.header", value, "string|number"))
    local n = name:lower()
    if n == "authorization" then
        return (value:gsub("Signature=%x+", "Signature=" .. REDACTED))
    elseif n == "x-amz-security-token" or n == "cookie" or n == "set-cookie" then
        return REDACTED
    end
    return secrets.scrub(value)
end

-- Replaces the string value of every "name": "..." in s, scanning the
-- value so that escaped quotes (\") do not end it early.
function M._json_strings(s, name)
    local key = '"' .. name .. '"'
    local out, pos = {}, 1
    while true do
        local ks, ke = s:find(key, pos, true)
        if not ks then break end
        local colon = s:match("^%s*:%s*()", ke + 1)
        if colon and s:sub(colon, colon) == '"' then
            local i = colon + 1
            while i <= #s do
                local c = s:sub(i, i)
                if c == "\\" then i = i + 2
                elseif c == '"' then break
                else i = i + 1 end
            end
            out[#out + 1] = s:sub(pos, colon - 1) .. '"' .. REDACTED .. '"'
            pos = i + 1
        else
            out[#out + 1] = s:sub(pos, ke)
            pos = ke + 1
        end
    end
    out[#out + 1] = s:sub(pos)
    return table.concat(out)
end

function M.text(s)
    if type(s) ~= "string" or s == "" then return s end
    for _, name in ipairs(SECRET_NAMES) do
        local e = escape(name)
        -- JSON: "Name": "value" (escaped quotes included; a nested object is replaced whole)
        s = M._json_strings(s, name)
        s = s:gsub('("' .. e .. '"%s*:%s*)%b{}', '%1"' .. REDACTED .. '"')
        -- form: Name=value (also as member.N.Name=)
        s = s:gsub("([&?]" .. e .. "=)[^&]*", "%1" .. REDACTED)
        s = s:gsub("^(" .. e .. "=)[^&]*", "%1" .. REDACTED)
        s = s:gsub("(%." .. e .. "=)[^&]*", "%1" .. REDACTED)
        -- XML: <Name>value</Name>
        s = s:gsub("(<" .. e .. ">)[^<]*(</" .. e .. ">)", "%1" .. REDACTED .. "%2")
    end
    s = s:gsub(TOKEN_LINE, "%1" .. REDACTED)
    -- JWTs anywhere (header.payload.signature, base64url)
    -- (a JWS has three parts; a JWE, like Cognito's refresh token, five)
    s = s:gsub("eyJ[%w_%-]+%.[%w_%-%.]*", "<redacted-jwt>")
    return secrets.scrub(s)
end

return M
