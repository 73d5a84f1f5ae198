-- mfakit.redact: removes secrets from text before it is shown anywhere
-- (traces, errors, logs): the values of the fields named in SECRET_NAMES
-- (passwords, secrets, tokens, sessions, codes, SRP values) in JSON, form
-- (query protocol) and XML text, and anything shaped like a JWT. A new
-- secret-bearing field must be added to the list. Both functions also
-- replace every secret value this process holds (mfakit.secrets), wherever
-- it appears: a server may echo one back in a message.
local args = require "mfakit.args"
local secrets = require "mfakit.secrets"

local M = {}

local SECRET_NAMES = {
    "Password", "PreviousPassword", "ProposedPassword", "NEW_PASSWORD", "PASSWORD",
    "SecretHash", "SECRET_HASH", "ClientSecret", "SecretAccessKey", "SecretCode",
    "SessionToken", "Session", "AccessToken", "IdToken", "RefreshToken", "Token",
    "PASSWORD_CLAIM_SIGNATURE", "PASSWORD_CLAIM_SECRET_BLOCK", "SECRET_BLOCK",
    "SRP_A", "SRP_B", "SALT", "Salt", "PasswordVerifier", "DEVICE_PASSWORD",
    "SMS_MFA_CODE", "SOFTWARE_TOKEN_MFA_CODE", "SMS_OTP_CODE", "EMAIL_OTP_CODE",
    "UserCode", "ConfirmationCode", "Code", "ANSWER", "DeviceSecretVerifierConfig",
    "aws_secret_access_key", "aws_session_token", "X-Amz-Security-Token",
    "TemporaryPassword", "REFRESH_TOKEN", "OldPassword", "NewPassword", "TokenCode", "secret",
}

local REDACTED = "<redacted>"

-- A header line "x-amz-security-token:VALUE", as SigV4's canonical request
-- (shown by --trace) holds it; any case, blanks allowed around the colon.
local TOKEN_LINE = "([Xx]%-[Aa][Mm][Zz]%-[Ss][Ee][Cc][Uu][Rr][Ii][Tt][Yy]%-[Tt][Oo][Kk][Ee][Nn][ \t]*:[ \t]*)[^\r\n]+"

local function escape(s) return (s:gsub("[%-%.%+%[%]%(%)%$%^%%%?%*]", "%%%0")) end

-- Header values that carry secrets.
function M.header(name, value)
    args.check(1, "redact.header", name, "string")
    value = tostring(args.check(2, "redact.header", value, "string|number"))
    local n = name:lower()
    if n == "authorization" then
        return (value:gsub("Signature=%x+", "Signature=" .. REDACTED))
    elseif n == "x-amz-security-token" or n == "cookie" or n == "set-cookie" then
        return REDACTED
    end
    return secrets.scrub(value)
end

-- Where the JSON value starting at `i` ends: a string (escaped quotes do not
-- end it) or an object (braces counted); the end of s when it never closes,
-- so a value cut short is still removed whole.
local function value_end(s, i)
    if s:sub(i, i) == '"' then
        local j = i + 1
        while true do
            local q = s:find('[\\"]', j)
            if not q then return #s end
            if s:sub(q, q) == '"' then return q end
            j = q + 2
        end
    end
    local depth, j = 0, i
    while true do
        local b = s:find("[{}]", j)
        if not b then return #s end
        depth = depth + (s:sub(b, b) == "{" and 1 or -1)
        if depth == 0 then return b end
        j = b + 1
    end
end

-- Replaces the value of every "name": "..." or "name": {...} in s. One pass:
-- the scan never goes back, so the time is linear in #s.
function M._json_strings(s, name)
    local key = '"' .. name .. '"'
    local out, pos = {}, 1
    while true do
        local ks, ke = s:find(key, pos, true)
        if not ks then break end
        local colon = s:match("^%s*:%s*()", ke + 1)
        local c = colon and s:sub(colon, colon)
        if c == '"' or c == "{" then
            out[#out + 1] = s:sub(pos, colon - 1) .. '"' .. REDACTED .. '"'
            pos = value_end(s, colon) + 1
        else
            out[#out + 1] = s:sub(pos, ke)
            pos = ke + 1
        end
    end
    out[#out + 1] = s:sub(pos)
    return table.concat(out)
end

-- JWTs anywhere (header.payload.signature, base64url; a JWS has three
-- parts, a JWE, like Cognito's refresh token, five). Each byte is looked at
-- a bounded number of times: a run of base64url with no dot after it is
-- skipped whole, whatever "eyJ" it holds.
local function jwts(s)
    local out, pos, from = {}, 1, 1
    while true do
        local a = s:find("eyJ", from, true)
        if not a then break end
        local _, e = s:find("^[%w_%-]+", a)
        if e > a + 2 and s:sub(e + 1, e + 1) == "." then
            local _, e2 = s:find("^[%w_%-%.]*", e + 2)
            out[#out + 1] = s:sub(pos, a - 1)
            out[#out + 1] = "<redacted-jwt>"
            pos, from = e2 + 1, e2 + 1
        else
            from = e + 1
        end
    end
    out[#out + 1] = s:sub(pos)
    return table.concat(out)
end

-- After a cut: the last word may be the start of a token whose tell-tale
-- rest was cut away (a JWT's first part, an XML value with no closing tag).
local function scrub_cut_tail(s)
    local i = #s
    while i > 0 and s:find("^[%w_%-%.]", i) do i = i - 1 end
    local jwt = s:find("eyJ", i + 1, true)
    if jwt then s = s:sub(1, jwt - 1) .. "<redacted-jwt>" end
    for _, name in ipairs(SECRET_NAMES) do
        local open = "<" .. name .. ">"
        local at, from = nil, math.max(1, #s - 4096)
        repeat
            local a = s:find(open, from, true)
            if a then at, from = a, a + 1 end
        until not a
        if at then
            local rest = s:sub(at + #open)
            if not rest:find("<", 1, true) then s = s:sub(1, at + #open - 1) .. REDACTED end
        end
    end
    return s
end

-- Redacts s; with `limit`, first cuts s to that many bytes and says how
-- many were left out. The cut comes first, so the work is bounded by the
-- limit, and every pass below is linear: a 10 MB answer costs no more than
-- its first `limit` bytes. A secret split by the cut is removed too.
function M.text(s, limit)
    if type(s) ~= "string" or s == "" then return s end
    local more = 0
    if limit and #s > limit then
        more = #s - limit
        s = s:sub(1, limit)
    end
    for _, name in ipairs(SECRET_NAMES) do
        if s:find(name, 1, true) then
            local e = escape(name)
            s = M._json_strings(s, name)
            -- form: Name=value (also as member.N.Name=)
            s = s:gsub("([&?]" .. e .. "=)[^&]*", "%1" .. REDACTED)
            s = s:gsub("^(" .. e .. "=)[^&]*", "%1" .. REDACTED)
            s = s:gsub("(%." .. e .. "=)[^&]*", "%1" .. REDACTED)
            -- XML: <Name>value</Name>
            s = s:gsub("(<" .. e .. ">)[^<]*(</" .. e .. ">)", "%1" .. REDACTED .. "%2")
        end
    end
    s = jwts(s)
    -- SigV4's canonical request: the session token's header line
    s = s:gsub(TOKEN_LINE, "%1" .. REDACTED)
    if more > 0 then
        s = scrub_cut_tail(s) .. string.format("... (%d more bytes)", more)
    end
    -- every secret value this process holds, and the start of one the cut split
    return M.values(s, secrets.held())
end

-- Replaces each of `values` (plain strings of 4 bytes or more: a password,
-- a code, a session) wherever it appears in s. When s was cut by
-- redact.text(s, limit), the start of a value left just before the
-- "... (N more bytes)" notice is replaced too. The notice is found once, and
-- a value is looked for once: the cost is one scan of s per value.
function M.values(s, values)
    if type(s) ~= "string" or s == "" or type(values) ~= "table" then return s end
    local body, notice = s:match("^(.*)(%.%.%. %(%d+ more bytes%))$")
    body = body or s
    for _, v in pairs(values) do
        if type(v) == "string" and #v >= 4 then
            if body:find(v, 1, true) then
                local out, pos = {}, 1
                while true do
                    local a, b = body:find(v, pos, true)
                    if not a then break end
                    out[#out + 1] = body:sub(pos, a - 1) .. REDACTED
                    pos = b + 1
                end
                out[#out + 1] = body:sub(pos)
                body = table.concat(out)
            end
            if notice then
                for k = math.min(#v - 1, #body), 1, -1 do
                    if body:sub(-k) == v:sub(1, k) then
                        body = body:sub(1, -k - 1) .. REDACTED
                        break
                    end
                end
            end
        end
    end
    return notice and (body .. notice) or body
end

return M
