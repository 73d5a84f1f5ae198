-- Signs the user out everywhere (GlobalSignOut: every session's tokens stop
-- working), then revokes this session's refresh token (RevokeToken).
-- GlobalSignOut failing is a failure (exit 1); RevokeToken failing after it
-- is only a warning on stderr: the token is dead already.
-- usage: as user-info.lua
local session = require "mfakit.session"

local idp, r = session.open(arg, { summary = "Signs the user out everywhere and revokes the refresh token." })
if not idp then return r end
local ok, err = idp:global_sign_out(r.tokens.AccessToken)
if not ok then return session.fail("not signed out: " .. tostring(err)) end
local revoked
if r.tokens.RefreshToken then
    revoked, err = idp:revoke(r.tokens.RefreshToken)
    if not revoked then
        session.warn("signed out everywhere, but RevokeToken failed (the refresh token was not revoked, " ..
            "GlobalSignOut has already made it useless): " .. tostring(err))
    end
end
session.print({ signed_out = true, refresh_revoked = revoked ~= nil },
    "signed out everywhere" .. (revoked and "; refresh token revoked" or ""))
