-- Verifies the user's phone number: Cognito sends a code by SMS, and the
-- code comes from --code-from SOURCE (default: asked on the terminal).
-- usage: as user-info.lua, plus [--code-from SOURCE]
local session = require "mfakit.session"

local idp, r, o = session.open(arg, { options = {
    { "code-from", "string", "SOURCE", "where the code sent by SMS comes from (default: prompt)" } } })
if not idp then return r end
local sent, err = idp:send_verification_code(r.tokens.AccessToken, "phone_number")
if not sent then return session.fail(err) end
local ok
ok, err = idp:verify_attribute(r.tokens.AccessToken, "phone_number", o["code-from"] or "prompt")
if not ok then return session.fail(err) end
session.print({ phone_number_verified = true }, "phone number verified")
