-- Turns MFA off for the user, as the guide does: SMS and TOTP both (only
-- the methods that are on are sent: Cognito refuses a settings block for a
-- method the user cannot have, e.g. SMS without a phone number).
-- disable-sms-mfa.lua turns off SMS only and keeps TOTP.
-- usage: as user-info.lua
local session = require "mfakit.session"

local idp, r = session.open(arg, { summary = "Turns MFA off: SMS and TOTP both." })
if not idp then return r end
local out, err = idp:disable_mfa(r.tokens.AccessToken)
if not out then return session.fail(err) end
session.print({ sms_mfa = false, totp_mfa = false, turned_off = out.turned_off },
    "MFA is off (SMS and TOTP)" .. (#out.turned_off > 0 and ("; turned off " .. table.concat(out.turned_off, ", "))
        or "; neither was on"))
