-- Turns SMS MFA off for the user (TOTP, if on, stays on). usage: as user-info.lua
local session = require "mfakit.session"

local idp, r = session.open(arg)
local ok, err = idp:set_mfa(r.tokens.AccessToken, { sms = false })
if not ok then session.fail(err) end
session.print({ sms_mfa = false }, "SMS MFA is off")
