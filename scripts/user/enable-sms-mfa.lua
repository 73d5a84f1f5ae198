-- Turns SMS MFA on (preferred) for the user; the user needs a phone_number.
-- usage: as user-info.lua
local session = require "mfakit.session"

local idp, r = session.open(arg)
if not idp then return r end
local ok, err = idp:enable_sms_mfa(r.tokens.AccessToken)
if not ok then return session.fail(err) end
session.print({ sms_mfa = true }, "SMS MFA is on and preferred")
