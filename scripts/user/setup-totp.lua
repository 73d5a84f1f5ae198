-- Enrols TOTP in the order Cognito demands (associate, verify, prefer) and
-- prints the otpauth:// URI for an authenticator app.
-- --code-from SOURCE gives the first code (e.g. prompt, for a person who
-- scanned the URI); without it the code is computed from the new secret,
-- which is what an automated test user wants. The secret is printed (it
-- is the result): keep it like a password.
-- usage: as user-info.lua, plus [--code-from SOURCE] [--issuer NAME]
local session = require "mfakit.session"

local idp, r, o = session.open(arg, { options = {
    { "code-from", "string", "SOURCE", "the first code (default: computed from the new secret)" },
    { "issuer", "string", "NAME", "the issuer shown in the app (default mfakit)" } },
    validate = function(o)
        for _, k in ipairs{ "issuer", "username" } do
            if o[k] and (o[k] == "" or o[k]:find(":", 1, true)) then
                return "--" .. k .. " must be non-empty and without ':' (it labels the authenticator entry)"
            end
        end
    end })
if not idp then return r end
local out, err = idp:setup_totp(r.tokens.AccessToken, { code = o["code-from"], account = o.username,
                                                       issuer = o.issuer or "mfakit" })
if not out then return session.fail(err) end
session.print({ secret = out.secret, uri = out.uri }, "TOTP is on and preferred\n" .. out.uri)
