-- The user's attributes, verification flags and MFA settings (the guide's
-- getCurrentUserInfo). Needs: a password sign-in; no IAM permissions.
-- usage: mfakit scripts/user/user-info.lua (--stack S | --user-pool-id ID --client-id ID)
--            --username NAME [--password-env VAR] [--sms-code-from SOURCE] [--output json]
local session = require "mfakit.session"

local idp, r = session.open(arg)
if not idp then return r end
local u, err = idp:get_user(r.tokens.AccessToken)
if not u then return session.fail(err) end
local lines = { "username        " .. u.username }
local names = {}
for k in pairs(u.attributes) do names[#names + 1] = k end
table.sort(names)
for _, k in ipairs(names) do lines[#lines + 1] = string.format("%-15s %s", k, u.attributes[k]) end
lines[#lines + 1] = "MFA enabled     " .. (#u.mfa_enabled > 0 and table.concat(u.mfa_enabled, ", ") or "none")
lines[#lines + 1] = "MFA preferred   " .. tostring(u.preferred_mfa ~= "" and u.preferred_mfa or "none")
session.print(u, table.concat(lines, "\n"))
