-- Turns SMS MFA off for the user (TOTP, if on, stays on). usage: as user-info.lua
local session = require "mfakit.session"

local idp, r = session.open(arg)
if not idp then return r end
local ok, err = idp:set_mfa(r.tokens.AccessToken, { sms = false })
if not ok then return session.fail(err) end
session.print({ sms_mfa = false }, "SMS MFA is off")
