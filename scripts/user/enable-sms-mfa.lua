-- Turns SMS MFA on (preferred) for the user, as the guide does: with
-- --phone E164 it first sets the phone number and verifies it (Cognito
-- texts a code; --code-from SOURCE gives it, default: asked on the
-- terminal). It refuses to turn SMS MFA on while the phone number is not
-- verified (the guide's first security practice: codes to a number nobody
-- proved they hold may reach a stranger) unless --allow-unverified is given,
-- which also skips the verification after --phone.
-- usage: as user-info.lua, plus [--phone E164] [--code-from SOURCE] [--allow-unverified]
local session = require "mfakit.session"
local cognito = require "mfakit.cognito"

local idp, r, o = session.open(arg, { summary = "Turns SMS MFA on (preferred), on a verified phone number only.",
    options = {
    { "phone", "string", "E164", "set this phone number (and verify it) first" },
    { "code-from", "string", "SOURCE", "where the verification code sent by SMS comes from (default: prompt)" },
    { "allow-unverified", "flag", nil, "turn SMS MFA on even if the phone number is not verified" } },
    validate = function(o)
        if o.phone then
            local ok, err = cognito.check_phone(o.phone)
            if not ok then return "--phone: " .. err.message end
        end
    end })
if not idp then return r end
local token = r.tokens.AccessToken
local allow = o["allow-unverified"]

-- Sets the phone number; true when Cognito sent a verification code for it.
local function set_phone(user)
    if user.attributes.phone_number == o.phone then return false end
    local out, err = idp:update_attributes(token, { phone_number = o.phone })
    if not out then return nil, err end
    for _, d in ipairs(type(out.CodeDeliveryDetailsList) == "table" and out.CodeDeliveryDetailsList or {}) do
        if type(d) == "table" and d.AttributeName == "phone_number" then return true end
    end
    return false
end

-- Cognito keeps a changed number, unverified, whatever happens next: say so
-- (putting the old number back would leave it unverified too).
local function unverified(err)
    return "the phone number is now " .. o.phone .. " but not verified, and SMS MFA is unchanged: " ..
        tostring(err) .. " (run verify-phone.lua to verify it)"
end

if o.phone then
    local user, err = idp:get_user(token)
    if not user then return session.fail(err) end
    local sent
    sent, err = set_phone(user)
    if sent == nil then return session.fail(err) end
    if not allow then
        user, err = idp:get_user(token)
        if not user then return session.fail(err) end
        if not user.phone_number_verified or user.attributes.phone_number ~= o.phone then
            -- a changed number gets its code from UpdateUserAttributes: asking
            -- again would text a second code (and pay for it)
            if not sent then
                local ok
                ok, err = idp:send_verification_code(token, "phone_number")
                if not ok then return session.fail(unverified(err)) end
            end
            local ok
            ok, err = idp:verify_attribute(token, "phone_number", o["code-from"] or "prompt")
            if not ok then return session.fail(unverified(err)) end
        end
    end
end
local ok, err = idp:enable_sms_mfa(token, { require_verified = not allow })
if not ok then
    if err.code == "PhoneNotVerified" then
        return session.fail(tostring(err) .. " (verify-phone.lua, or --phone E164 here; " ..
            "--allow-unverified turns SMS MFA on anyway)")
    end
    return session.fail(err)
end
session.print({ sms_mfa = true, phone_number = o.phone }, "SMS MFA is on and preferred")
