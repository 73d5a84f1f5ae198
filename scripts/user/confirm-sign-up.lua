-- Confirms a sign-up with the code Cognito sent (ConfirmSignUp). The code
-- comes from --code-from SOURCE (env:VAR, file:PATH, cmd:COMMAND, prompt;
-- default: asked on the terminal). It does not sign in.
-- usage: mfakit scripts/user/confirm-sign-up.lua (--stack S | --user-pool-id ID --client-id ID)
--            --username NAME [--code-from SOURCE] [--client-secret-env VAR]
local session = require "mfakit.session"

local idp, o = session.client(arg, { summary = "Confirms a sign-up with the code Cognito sent (ConfirmSignUp).",
    options = {
    { "code-from", "string", "SOURCE", "where the confirmation code comes from (default: prompt)" } } })
if not idp then return o end
local ok, err = idp:confirm_sign_up{ username = o.username, code = o["code-from"] or "prompt" }
if not ok then return session.fail(err) end
session.print({ username = o.username, confirmed = true }, o.username .. " is confirmed; sign in now")
