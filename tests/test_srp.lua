-- tests/test_srp.lua: mfakit.srp against answers from AWS's own client.
-- tests/vectors/srp.json comes from amazon-cognito-identity-js, driven by
-- tests/oracle/gen_srp.js (its header says how to regenerate it); each case's
-- `flags` name the padHex lengths and encodings it covers (docs/SRP.md).
local srp = require "mfakit.srp"
local json = require "mfakit.json"

local K = "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"

-- What the vectors must keep covering; a regenerated file that loses one
-- of these fails here instead of quietly testing less.
local REQUIRED_FLAGS = {
    "A_383", "A_384", "A_385", "B_383", "B_384", "B_385", "S_383", "S_384", "S_385",
    "u_31", "u_32", "u_33", "salt_leading_zero", "salt_high_bit", "salt_odd_length",
    "srp_a_odd_length", "srp_b_zero_padded_upper", "password_non_ascii", "password_colon",
    "user_id_differs_from_username", "secret_block_uuid", "secret_block_urlsafe_unpadded",
    "secret_block_standard", "moto_style", "timestamp_single_digit_day",
    "timestamp_two_digit_day", "device_auth", "device_salt_15", "device_salt_16",
    "device_salt_17", "verifier_383", "verifier_384", "verifier_385",
}

local function load_vectors()
    local f = assert(io.open("tests/vectors/srp.json", "rb"))
    local doc = assert(json.decode(f:read("a")))
    f:close()
    return doc
end

local function claim_of(c, overrides)
    local t = {
        user_id = c.user_id or c.device_key,
        password = c.password or c.device_password,
        salt = c.salt,
        srp_b = c.srp_b,
        secret_block = c.secret_block,
        timestamp = c.timestamp,
    }
    for k, v in pairs(overrides or {}) do t[k] = v end
    return t
end

local function session_of(c)
    if c.device_group_key then
        return srp.new { device_group_key = c.device_group_key, a = c.a }
    end
    return srp.new { pool_id = c.pool_id or "us-east-1_AbCdEfGhI", a = c.a }
end

local function sh_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

-- SECRET_HASH as the openssl command line computes it: an implementation
-- we did not write.
local function openssl_secret_hash(username, client_id, secret)
    local cmd = "printf '%s' " .. sh_quote(username .. client_id)
        .. " | openssl dgst -sha256 -hmac " .. sh_quote(secret) .. " -binary | base64"
    local p = assert(io.popen(cmd))
    local out = p:read("a")
    p:close()
    return (out:gsub("%s+$", ""))
end

local function has_openssl()
    local p = io.popen("command -v openssl")
    local out = p and p:read("a") or ""
    if p then p:close() end
    return out ~= ""
end

local t = require "mfakit.test"
local doc = load_vectors()

t.case("a random secret a is 53 bytes (424 bits), not the JS SDK's 128; a given a is kept", function()
    -- docs/SRP.md, "The size of a": >= 420 bits (RFC 3526 section 8) and >= 275 (OpenSSL 3)
    local longest = 0
    for _ = 1, 64 do
        local s = assert(srp.new{ pool_id = "us-east-1_Pool" })
        longest = math.max(longest, s:_a_bytes())
        s:close()
    end
    t.eq(longest, 53) -- a leading zero byte is 1 in 256: 64 draws all short is 2^-512
    local given = assert(srp.new{ pool_id = "us-east-1_Pool", a = string.rep("ab", 128) })
    t.eq(given:_a_bytes(), 128)
    given:close()
end)

t.case("k = H(00 || N || 02), N is RFC 3526's 3072-bit group", function()
    local g = srp.group()
    t.eq(g.k, K)
    t.eq(g.k, doc.k, "k agrees with the library's")
    t.eq(g.N, doc.N, "N agrees with the library's")
    t.eq(g.g, 2)
    t.eq(#g.N, 768)
    t.eq(g.N:sub(1, 24), "ffffffffffffffffc90fdaa2")
    t.eq(g.N:sub(-24), "a93ad2caffffffffffffffff")
end)

t.case("vectors cover every padHex length and encoding trap", function()
    local seen, missing = {}, {}
    for _, c in ipairs(doc.cases) do
        for _, f in ipairs(c.flags or {}) do seen[f] = true end
    end
    for _, f in ipairs(REQUIRED_FLAGS) do
        if not seen[f] then missing[#missing + 1] = f end
    end
    t.eq(missing, {}, "flags no vector covers")
end)

for _, c in ipairs(doc.cases) do
    local label = c.name .. (c.flags and " [" .. table.concat(c.flags, " ") .. "]" or "")
    if c.kind == "user" or c.kind == "device_auth" then
        t.case(label, function()
            local s = session_of(c)
            t.eq(s:srp_a(), c.srp_a, "SRP_A")
            local sig, ts = s:password_claim(claim_of(c))
            t.eq(sig, c.password_claim_signature, "PASSWORD_CLAIM_SIGNATURE")
            t.eq(ts, c.timestamp)
            t.eq(srp.timestamp(c.unix_time), c.timestamp, "TIMESTAMP")
        end)
    elseif c.kind == "device_confirm" then
        t.case(label, function()
            local d = srp.device_secret {
                device_group_key = c.device_group_key, device_key = c.device_key,
                password_bytes = c.password_bytes, salt_bytes = c.salt_bytes,
            }
            t.eq(d, { password = c.device_password, Salt = c.Salt,
                      PasswordVerifier = c.PasswordVerifier })
        end)
    elseif c.kind == "user_error" then
        t.case(label .. " " .. c.library_error, function()
            local s = session_of(c)
            t.fails(c.error, s:password_claim {
                user_id = "alice", password = "pw", salt = "ab", srp_b = c.srp_b,
                secret_block = "QUJD", timestamp = "Tue Sep 3 08:09:10 UTC 2024",
            })
        end)
    else
        error("unknown vector kind " .. tostring(c.kind))
    end
end

t.case("TIMESTAMP: DateHelper's format for " .. #doc.timestamps .. " instants", function()
    for _, v in ipairs(doc.timestamps) do
        t.eq(srp.timestamp(v.unix_time), v.timestamp, "unix " .. v.unix_time)
    end
    t.eq(srp.timestamp(1725350950), "Tue Sep 3 08:09:10 UTC 2024")
end)

-- SALT and SRP_B are integers (docs/SRP.md, PASSWORD_VERIFIER step 1):
-- other spellings of the same value must sign the same; the lenient
-- SECRET_BLOCK decoder must read the same bytes from URL-safe, unpadded or
-- wrapped base64.
t.case("other spellings of SALT, SRP_B and SECRET_BLOCK sign the same", function()
    local n = 0
    for _, c in ipairs(doc.cases) do
        if c.kind == "user" and c.server_side_reference then
            local want = c.password_claim_signature
            local function same(over, what)
                t.eq(session_of(c):password_claim(claim_of(c, over)), want, c.name .. ": " .. what)
            end
            same({ salt = "0000" .. c.salt }, "zero-padded salt")
            same({ salt = c.salt:upper() }, "upper-case salt")
            local minimal = c.salt:gsub("^0+", "")
            same({ salt = minimal }, "minimal salt")
            same({ srp_b = "00" .. c.srp_b:upper() }, "zero-padded upper-case SRP_B")
            local sb = c.secret_block
            if not sb:find("[-_]") then
                local url = sb:gsub("%+", "-"):gsub("/", "_"):gsub("=", "")
                same({ secret_block = url }, "URL-safe unpadded SECRET_BLOCK")
                same({ secret_block = sb:sub(1, 76) .. "\n" .. sb:sub(77) }, "wrapped SECRET_BLOCK")
            end
            n = n + 1
        end
    end
    t.ok(n >= 10, "enough real vectors")
end)

t.case("default timestamp is now and is returned for sending", function()
    local c = doc.cases[1]
    local before = srp.timestamp()
    local claim = claim_of(c)
    claim.timestamp = nil
    local sig, ts = session_of(c):password_claim(claim)
    local after = srp.timestamp()
    t.ok(ts == before or ts == after, "timestamp " .. ts)
    t.ok(ts:match("^%a%a%a %a%a%a %d%d? %d%d:%d%d:%d%d UTC %d%d%d%d$"), ts)
    t.eq(session_of(c):password_claim(claim_of(c, { timestamp = ts })), sig)
end)

t.case("a random a gives a fresh SRP_A each time", function()
    local s1 = srp.new { pool_id = "us-east-1_AbCdEfGhI" }
    local s2 = srp.new { pool_id = "us-east-1_AbCdEfGhI" }
    t.ok(s1:srp_a() ~= s2:srp_a())
    t.ok(#s1:srp_a() >= 760 and #s1:srp_a() <= 768 and s1:srp_a():match("^[1-9a-f][0-9a-f]*$"))
    t.eq(tostring(s1), "mfakit.srp.session")
    s1:close()
    t.raises("closed", s1.srp_a, s1)
end)

t.case("random device secret has the documented shape", function()
    local d = srp.device_secret { device_group_key = "-aBcDeFgHi", device_key = "us-east-1_x" }
    t.eq(#d.password, 56)
    t.ok(d.password:match("^[%w+/]+==$"), "base64 of 40 bytes")
    t.ok(#d.Salt == 20 or #d.Salt == 24, "base64 of 15 to 17 bytes")
    t.ok(#d.PasswordVerifier >= 512 and #d.PasswordVerifier <= 516)
end)

t.case("bad SRP_B and SALT from outside fail with nil, err", function()
    local c = doc.cases[1]
    local s = session_of(c)
    for _, b in ipairs { "", "xyz", "-12", "12 34", "0x12", doc.N, "00" .. doc.N, "0" } do
        local err = t.fails("InvalidSRPB", s:password_claim(claim_of(c, { srp_b = b })))
        t.ok(not tostring(err):find(c.password, 1, true), "no secret in the message")
    end
    for _, salt in ipairs { "", "g1", "-1", " ab" } do
        t.fails("InvalidSalt", s:password_claim(claim_of(c, { salt = salt })))
    end
    -- docs/SRP.md: moto sends a UUID as SECRET_BLOCK; it still signs
    t.ok(s:password_claim(claim_of(c, { secret_block = "!!" })))
end)

t.case("misuse raises", function()
    t.raises("table expected", srp.new, "us-east-1_x")
    t.raises("exactly one", srp.new, {})
    t.raises("exactly one", srp.new, { pool_id = "us-east-1_x", device_group_key = "-x" })
    t.raises("pool_id", srp.new, { pool_id = "noseparator" })
    t.raises("pool_id", srp.new, { pool_id = "us-east-1_" })
    t.raises("field 'a'", srp.new, { pool_id = "us-east-1_x", a = "zz" })
    t.raises("field 'a'", srp.new, { pool_id = "us-east-1_x", a = string.rep("ab", 129) })
    local s = srp.new { pool_id = "us-east-1_x" }
    t.raises("table expected", s.password_claim, s, "x")
    t.raises("field 'user_id'", s.password_claim, s,
        { password = "p", salt = "1", srp_b = "2", secret_block = "" })
    t.raises("field 'srp_b'", s.password_claim, s,
        { user_id = "u", password = "p", salt = "1", srp_b = 2, secret_block = "" })
    t.raises("field 'password_bytes'", srp.device_secret,
        { device_group_key = "-g", device_key = "k", password_bytes = "00" })
    t.raises("field 'salt_bytes'", srp.device_secret,
        { device_group_key = "-g", device_key = "k", salt_bytes = string.rep("00", 17) })
    t.raises("field 'device_key'", srp.device_secret, { device_group_key = "-g" })
    t.raises("number expected", srp.timestamp, "soon")
    t.raises("string expected", srp.secret_hash, "u", nil, "s")
end)

t.case("SECRET_HASH agrees with openssl dgst -hmac", function()
    if not has_openssl() then t.skip("no openssl command") end
    local cases = {
        { "alice", "1example23456789abcdefghij", "c1ientSecretExample0123456789abcdefghijklmnopqrs" },
        { "c8a1f3e2-7b4d-4e5f-9a6b-1c2d3e4f5a6b", "7abc", "s3cr3t" },
        { "jösé.müller@exämple.com", "client", "sêcret" },
        { "名前", "abc123", "it's a 'quoted' secret" },
        { "user with spaces", "cid", "-startswithdash" },
    }
    for _, c in ipairs(cases) do
        t.eq(srp.secret_hash(c[1], c[2], c[3]), openssl_secret_hash(c[1], c[2], c[3]), c[1])
    end
end)
