-- mfakit.cognito.jwt: Cognito's JSON Web Tokens.
--   decode(token) -> { header, claims } | nil, err      (no checks)
--   verify(token, opts) -> claims | nil, err
-- verify checks, as AWS documents for user pool tokens: the RS256
-- signature against the pool's JWKS (key picked by kid), `iss` equal to the
-- pool's issuer, `token_use` ("id" or "access", when opts.token_use is
-- given), the app client (`aud` for id tokens, `client_id` for access
-- tokens) and `exp` (with opts.leeway seconds, default 0).
-- opts: issuer (or user_pool_id [+ region]), client_id, token_use, jwks (a
--   decoded JWKS table; else fetched from jwks_url, or <endpoint>/<pool
--   id>/.well-known/jwks.json, or the issuer's), now, leeway.
local json = require "mfakit.json"
local endpoints = require "mfakit.aws.endpoints"
local crypto = require "mfakit.crypto"
local rsa = require "mfakit.rsa"
local http = require "mfakit.http"
local errors = require "mfakit.errors"
local sys = require "mfakit.sys"

local check = require("mfakit.args").check

local M = {}

local function b64url(s)
    return crypto.unbase64(s, { url = true })
end

function M.decode(token)
    check(1, "cognito.decode_jwt", token, "string")
    local h, p, s = token:match("^([%w_%-]+)%.([%w_%-]+)%.([%w_%-]*)$")
    if not h then return errors.fail("InvalidToken", "not a JWT (three base64url parts expected)") end
    local hj, pj, sig = b64url(h), b64url(p), b64url(s)
    local header = hj and json.decode(hj)
    local claims = pj and json.decode(pj)
    if type(header) ~= "table" or type(claims) ~= "table" or not sig then
        return errors.fail("InvalidToken", "the token's header or claims are not base64url JSON")
    end
    return { header = header, claims = claims, signature = sig, signing_input = h .. "." .. p }
end

local jwks_cache = {}

-- The pool's issuer, as it appears in `iss`.
function M.issuer(opts)
    if opts.issuer then return opts.issuer end
    local pool = opts.user_pool_id
    if type(pool) ~= "string" then error("jwt.verify: issuer or user_pool_id needed", 3) end
    -- an AWS pool id starts with its region, which is also its issuer's
    local region = endpoints.pool_region(pool) or opts.region
    return string.format("https://cognito-idp.%s.amazonaws.com/%s", region, pool)
end

-- Where the pool's keys are: under the issuer on AWS; under the endpoint
-- (<endpoint>/<pool id>/.well-known/jwks.json) when one is set, as local
-- emulators serve them.
function M.jwks_url(opts)
    if opts.jwks_url then return opts.jwks_url end
    if opts.endpoint and opts.user_pool_id then
        return (opts.endpoint:gsub("/+$", "")) .. "/" .. opts.user_pool_id .. "/.well-known/jwks.json"
    end
    return M.issuer(opts) .. "/.well-known/jwks.json"
end

function M.fetch_jwks(url)
    if jwks_cache[url] then return jwks_cache[url] end
    local r, err = http.request{ url = url, timeout = 10 }
    if not r then return nil, err end
    if r.status ~= 200 then
        return errors.fail("JWKSUnavailable", "GET %s answered HTTP %d", url, r.status)
    end
    local doc = json.decode(r.body)
    if type(doc) ~= "table" or type(doc.keys) ~= "table" then
        return errors.fail("JWKSUnavailable", "%s is not a JWKS", url)
    end
    jwks_cache[url] = doc
    return doc
end

local function find_key(jwks, kid)
    for _, k in ipairs(type(jwks.keys) == "table" and jwks.keys or {}) do
        if type(k) == "table" and k.kid == kid then return k end
    end
end

function M.verify(token, opts)
    check(1, "cognito.verify_token", token, "string")
    check(2, "cognito.verify_token", opts, "table")
    local t, err = M.decode(token)
    if not t then return nil, err end
    local issuer = M.issuer(opts)
    local alg = t.header.alg
    if alg ~= "RS256" then
        return errors.fail("InvalidToken", "token algorithm %s is not RS256", tostring(alg))
    end
    local jwks = opts.jwks
    if not jwks then
        jwks, err = M.fetch_jwks(M.jwks_url(opts))
        if not jwks then return nil, err end
    end
    local key = find_key(jwks, t.header.kid)
    if not key then return errors.fail("InvalidToken", "no key with the token's kid in the pool's JWKS") end
    if type(key.n) ~= "string" or type(key.e) ~= "string" then
        return errors.fail("InvalidToken", "the JWKS key is malformed")
    end
    local n, e = b64url(key.n), b64url(key.e)
    if not n or not e then return errors.fail("InvalidToken", "the JWKS key is malformed") end
    local ok, verr = rsa.verify{ n = n, e = e, alg = "RS256", data = t.signing_input, signature = t.signature }
    if ok == nil then return nil, verr end
    if not ok then return errors.fail("InvalidSignature", "the token's signature does not verify") end
    local c = t.claims
    if c.iss ~= issuer then
        return errors.fail("InvalidToken", "issuer %s is not %s", tostring(c.iss), issuer)
    end
    if opts.token_use and c.token_use ~= opts.token_use then
        return errors.fail("InvalidToken", "token_use is %s, expected %s", tostring(c.token_use), opts.token_use)
    end
    if opts.client_id then
        local aud = c.token_use == "access" and c.client_id or c.aud
        if aud ~= opts.client_id then
            return errors.fail("InvalidToken", "the token was issued to client %s, not %s", tostring(aud),
                opts.client_id)
        end
    end
    local now = opts.now or sys.now()
    if type(c.exp) ~= "number" or c.exp + (opts.leeway or 0) < now then
        return errors.fail("TokenExpired", "the token expired %d s ago", math.floor(now - (c.exp or 0)))
    end
    return c
end

return M
