-- Which MFA methods the user has, which is preferred, and whether a sign-in
-- will ask for a code. usage: as user-info.lua
local session = require "mfakit.session"

local idp, r = session.open(arg)
if not idp then return r end
local u, err = idp:get_user(r.tokens.AccessToken)
if not u then return session.fail(err) end
local prompts = u.sms_mfa or u.totp_mfa
-- Cognito may answer an empty PreferredMfaSetting for "none"
local preferred = u.preferred_mfa ~= "" and u.preferred_mfa or nil
session.print({ sms_mfa = u.sms_mfa, totp_mfa = u.totp_mfa, preferred = preferred or false,
                phone_number_verified = u.phone_number_verified, login_prompts = prompts },
    string.format("SMS MFA %s, TOTP MFA %s, preferred %s; phone verified: %s; a sign-in %s",
        u.sms_mfa and "on" or "off", u.totp_mfa and "on" or "off", preferred or "none",
        tostring(u.phone_number_verified), prompts and "asks for a code" or "does not ask for a code"))
