-- Signs the user out everywhere (GlobalSignOut) and revokes this session's
-- refresh token. usage: as user-info.lua
local session = require "mfakit.session"

local idp, r = session.open(arg)
if not idp then return r end
local ok, err = idp:global_sign_out(r.tokens.AccessToken)
if not ok then return session.fail(err) end
local revoked = idp:revoke(r.tokens.RefreshToken)
session.print({ signed_out = true, refresh_revoked = revoked ~= nil },
    "signed out everywhere" .. (revoked and "; refresh token revoked" or ""))
