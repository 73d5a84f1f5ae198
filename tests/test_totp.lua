-- tests/test_totp.lua: mfakit.totp against the RFCs' own test vectors.
local totp = require "mfakit.totp"

-- RFC 6238 Appendix B: the seeds are the ASCII digits repeated to the
-- hash's length (the reference code's seed, seed32 and seed64).
local SEED = {
    SHA1 = "12345678901234567890",
    SHA256 = "12345678901234567890123456789012",
    SHA512 = "1234567890123456789012345678901234567890123456789012345678901234",
}

-- RFC 6238 Appendix B, "Test Vectors" table: time, T (hex), TOTP per mode.
local RFC6238 = {
    { 59, 0x1, "94287082", "46119246", "90693936" },
    { 1111111109, 0x23523EC, "07081804", "68084774", "25091201" },
    { 1111111111, 0x23523ED, "14050471", "67062674", "99943326" },
    { 1234567890, 0x273EF07, "89005924", "91819424", "93441116" },
    { 2000000000, 0x3F940AA, "69279037", "90698825", "38618901" },
    { 20000000000, 0x27BC86AA, "65353130", "77737706", "47863826" },
}

-- RFC 4226 Appendix D: secret "12345678901234567890"; per count the
-- truncated value in decimal and the 6-digit HOTP.
local RFC4226 = {
    { 1284755224, "755224" }, { 1094287082, "287082" }, { 137359152, "359152" },
    { 1726969429, "969429" }, { 1640338314, "338314" }, { 868254676, "254676" },
    { 1918287922, "287922" }, { 82162583, "162583" }, { 673399871, "399871" },
    { 645520489, "520489" },
}

-- RFC 4648 §10 test vectors, BASE32 part.
local RFC4648 = {
    { "", "" }, { "f", "MY======" }, { "fo", "MZXQ====" }, { "foo", "MZXW6===" },
    { "foob", "MZXW6YQ=" }, { "fooba", "MZXW6YTB" }, { "foobar", "MZXW6YTBOI======" },
}

local t = require "mfakit.test"
for _, alg in ipairs { "SHA1", "SHA256", "SHA512" } do
    t.case("RFC 6238 Appendix B " .. alg, function()
        local secret = totp.base32_encode(SEED[alg])
        local col = alg == "SHA1" and 3 or alg == "SHA256" and 4 or 5
        for _, row in ipairs(RFC6238) do
            local opts = { digits = 8, algorithm = alg }
            t.eq(totp.code(secret, row[1], opts), row[col], alg .. " t=" .. row[1])
            t.eq(totp.hotp(secret, row[2], opts), row[col], alg .. " T=" .. row[2])
        end
    end)
end

t.case("RFC 4226 Appendix D HOTP, 6 and 10 digits", function()
    local secret = totp.base32_encode("12345678901234567890")
    for count, row in ipairs(RFC4226) do
        t.eq(totp.hotp(secret, count - 1), row[2], "count " .. (count - 1))
        -- the 31-bit value is below 10^10, so 10 digits show it whole
        t.eq(totp.hotp(secret, count - 1, { digits = 10 }), string.format("%010d", row[1]))
    end
end)

t.case("RFC 4648 §10 Base32 vectors", function()
    for _, v in ipairs(RFC4648) do
        t.eq(totp.base32_encode(v[1]), v[2], "encode " .. v[1])
        t.eq(totp.base32_decode(v[2]), v[1], "decode " .. v[2])
        local bare = v[2]:gsub("=", "")
        t.eq(totp.base32_encode(v[1], false), bare, "unpadded encode " .. v[1])
        t.eq(totp.base32_decode(bare), v[1], "unpadded decode " .. bare)
        t.eq(totp.base32_decode(bare:lower()), v[1], "lower case " .. bare)
    end
end)

t.case("secrets as people and Cognito write them", function()
    local raw = "\0\1\2\3\4\5\6\7\8\9\10\11\12\13\14\15\16\17\18\19\20\21\22\23\24\25\26\27\28\29\30\255"
    local cognito = totp.base32_encode(raw, false) -- 32 bytes, unpadded, like AssociateSoftwareToken
    t.eq(#cognito, 52)
    t.eq(totp.base32_decode(cognito), raw)
    local spaced = cognito:lower():gsub("(....)", "%1 ")
    t.eq(totp.base32_decode(spaced), raw)
    t.eq(totp.code(spaced, 1725350950), totp.code(cognito, 1725350950))
    t.eq(totp.code(totp.base32_encode(raw), 1725350950), totp.code(cognito, 1725350950))
    t.eq(totp.code("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59), "287082")
end)

t.case("options: defaults, {time=} form, floats, case of algorithm", function()
    local s = totp.base32_encode(SEED.SHA256)
    t.eq(totp.code(s, { time = 59, digits = 8, algorithm = "sha256" }), "46119246")
    t.eq(totp.code(s, 59.9, { digits = 8, algorithm = "Sha256" }), "46119246")
    local s1 = totp.base32_encode(SEED.SHA1)
    t.eq(totp.code(s1, 59), "287082")
    t.eq(totp.code(s1, 59, { period = 60, digits = 8 }), totp.hotp(s1, 0, { digits = 8 }))
    t.ok(totp.code(s1):match("^%d%d%d%d%d%d$"))
    t.eq(#totp.code(s1, 0, { digits = 7 }), 7)
end)

t.case("verify: window, offset, wrong codes", function()
    local s = totp.base32_encode(SEED.SHA1)
    local now = 1111111111
    local code = totp.code(s, now)
    t.eq({ totp.verify(s, code, { time = now }) }, { true, 0 })
    t.eq({ totp.verify(s, totp.code(s, now - 30), { time = now }) }, { true, -1 })
    t.eq({ totp.verify(s, totp.code(s, now + 30), { time = now }) }, { true, 1 })
    t.eq({ totp.verify(s, totp.code(s, now + 60), { time = now }) }, { false })
    t.eq({ totp.verify(s, totp.code(s, now + 60), { time = now, window = 2 }) }, { true, 2 })
    t.eq({ totp.verify(s, code, { time = now + 30, window = 0 }) }, { false })
    t.eq({ totp.verify(s, code:sub(2), { time = now }) }, { false })
    t.eq({ totp.verify(s, code .. "0", { time = now }) }, { false })
    t.eq({ totp.verify(s, "94287082", { time = 59, digits = 8 }) }, { true, 0 })
    t.eq({ totp.verify(s, totp.code(s, 0), { time = 10 }) }, { true, 0 })
    t.eq(type(totp.verify(s, "000000")), "boolean")
end)

t.case("uri follows the Key Uri Format", function()
    t.eq(totp.uri { secret = "JBSWY3DPEHPK3PXP", account = "alice@google.com", issuer = "Example" },
        "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example"
            .. "&algorithm=SHA1&digits=6&period=30")
    t.eq(totp.uri { secret = "jbsw y3dp ehpk 3pxp", account = "jöe & co", issuer = "ACME Co/QA",
                    digits = 8, period = 60, algorithm = "sha512" },
        "otpauth://totp/ACME%20Co%2FQA:j%C3%B6e%20%26%20co?secret=JBSWY3DPEHPK3PXP"
            .. "&issuer=ACME%20Co%2FQA&algorithm=SHA512&digits=8&period=60")
    t.eq(totp.uri { secret = "MZXW6YQ=", account = "bob" },
        "otpauth://totp/bob?secret=MZXW6YQ&algorithm=SHA1&digits=6&period=30")
    t.fails("InvalidBase32", totp.uri { secret = "not base32!", account = "bob" })
    t.raises("':'", totp.uri, { secret = "MZXW6YQ", account = "a:b" })
    t.raises("'account'", totp.uri, { secret = "MZXW6YQ" })
    t.raises("'secret'", totp.uri, { account = "bob" })
end)

t.case("seconds_left", function()
    t.eq(totp.seconds_left(30, 59), 1)
    t.eq(totp.seconds_left(30, 60), 30)
    t.eq(totp.seconds_left(60, 61), 59)
    t.eq(totp.seconds_left(nil, 0), 30)
    local left = totp.seconds_left()
    t.ok(left >= 1 and left <= 30)
end)

t.case("bad Base32 from outside fails with nil, err", function()
    for _, bad in ipairs { "!!", "MZXW1", "MZXW8", "M", "MZX", "MZXW6Y", "MY=", "MY======MY",
                           "MZXW6YTB========", "====", "MY=====" } do
        t.fails("InvalidBase32", totp.base32_decode(bad))
        t.fails("InvalidBase32", totp.code(bad, 0))
    end
    t.eq(totp.base32_decode("MY== ===="), "f")
    t.fails("InvalidBase32", totp.code("", 0))
    t.fails("InvalidBase32", totp.verify("1", "123456"))
end)

t.case("misuse raises", function()
    local s = totp.base32_encode(SEED.SHA1)
    t.raises("string expected", totp.code, {})
    t.raises("string expected", totp.code, nil, 0)
    t.raises("digits", totp.code, s, 0, { digits = 5 })
    t.raises("digits", totp.code, s, 0, { digits = 11 })
    t.raises("digits", totp.code, s, 0, { digits = "6" .. "x" })
    t.raises("algorithm", totp.code, s, 0, { algorithm = "MD5" })
    t.raises("period", totp.code, s, 0, { period = 0 })
    t.raises("non-negative", totp.code, s, -1)
    t.raises("number expected", totp.code, s, "now")
    t.raises("window", totp.verify, s, "123456", { window = -1 })
    t.raises("'time'", totp.verify, s, "123456", { time = "x" })
    t.raises("non-negative", totp.hotp, s, -1)
    t.raises("string expected", totp.base32_encode, nil)
    t.raises("table expected", totp.uri, "x")
    t.raises("period", totp.seconds_left, 0, 0)
end)
