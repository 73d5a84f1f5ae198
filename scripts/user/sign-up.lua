-- Signs a new user up as the guide does: the e-mail (as the username, or as
-- an attribute beside --username), the name and the phone number (E.164,
-- checked before anything is sent). Cognito then sends a confirmation code:
-- confirm with confirm-sign-up.lua. It does not sign in.
-- usage: mfakit scripts/user/sign-up.lua (--stack S | --user-pool-id ID --client-id ID)
--            (--email ADDR | --username NAME [--email ADDR]) [--name NAME] [--phone E164]
--            [--password-env VAR] [--client-secret-env VAR] [--output json]
local session = require "mfakit.session"
local errors = require "mfakit.errors"
local cognito = require "mfakit.cognito"

local idp, o, _, password = session.client(arg, { password = true, username_optional = true,
    summary = "Signs a user up (SignUp) with the e-mail, name and phone; Cognito sends a confirmation code.",
    usage = "(--stack S | --user-pool-id ID --client-id ID) (--email ADDR | --username NAME) [options]",
    options = {
        { "email", "string", "ADDR", "the e-mail: the username too when --username is not given" },
        { "name", "string", "NAME", "the user's name (the name attribute)" },
        { "phone", "string", "E164", "the phone number, as +<country code><number>" } },
    validate = function(o)
        if not o.username and not o.email then return "--email ADDR or --username NAME is required" end
        if o.phone then
            local ok, err = cognito.check_phone(o.phone)
            if not ok then return "--phone: " .. err.message end
        end
    end })
if not idp then return o end
local username = o.username or o.email
local out, err = idp:sign_up{ username = username, password = password,
    attributes = { email = o.email, name = o.name, phone_number = o.phone } }
if not out then return session.fail(err) end
local sent = type(out.CodeDeliveryDetails) == "table" and out.CodeDeliveryDetails or {}
local text = "signed up " .. username
if out.UserConfirmed then
    text = text .. "; the user is already confirmed"
else
    text = text .. "; a confirmation code was sent" ..
        (sent.Destination and (" to " .. errors.shown(sent.Destination)) or "") ..
        " (confirm with confirm-sign-up.lua)"
end
session.print({ username = username, user_sub = out.UserSub, confirmed = out.UserConfirmed == true,
                code_delivery = out.CodeDeliveryDetails }, text)
