-- Sends a new sign-up confirmation code (ResendConfirmationCode); the old
-- one stops working. It does not sign in.
-- usage: mfakit scripts/user/resend-code.lua (--stack S | --user-pool-id ID --client-id ID)
--            --username NAME [--client-secret-env VAR]
local session = require "mfakit.session"
local errors = require "mfakit.errors"

local idp, o = session.client(arg, { summary = "Sends a new sign-up confirmation code (ResendConfirmationCode)." })
if not idp then return o end
local out, err = idp:resend_confirmation_code{ username = o.username }
if not out then return session.fail(err) end
local sent = type(out.CodeDeliveryDetails) == "table" and out.CodeDeliveryDetails or {}
session.print({ username = o.username, code_delivery = out.CodeDeliveryDetails },
    "a new confirmation code was sent" .. (sent.Destination and (" to " .. errors.shown(sent.Destination)) or ""))
