-- tests/test_crypto.lua: mfakit.crypto (OpenSSL binding).
-- Known answers are typed in from the documents named beside them.
local crypto = require "mfakit.crypto"
local json = require "mfakit.json"

local hex, unhex = crypto.hex, crypto.unhex

local function bytes(from, to)
    local t = {}
    for b = from, to do t[#t + 1] = string.char(b) end
    return table.concat(t)
end

-- RFC 4231 section 4 (HMAC-SHA-256 results of test cases 1-7)
local RFC4231 = {
    { "4.2 test case 1", ("\x0b"):rep(20), "Hi There",
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
    { "4.3 test case 2", "Jefe", "what do ya want for nothing?",
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
    { "4.4 test case 3", ("\xaa"):rep(20), ("\xdd"):rep(50),
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
    { "4.5 test case 4", bytes(1, 25), ("\xcd"):rep(50),
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
    -- 4.6: the output is truncated to 128 bits
    { "4.6 test case 5", ("\x0c"):rep(20), "Test With Truncation",
        "a3b6167473100ee06e0c796c2955552b" },
    { "4.7 test case 6", ("\xaa"):rep(131), "Test Using Larger Than Block-Size Key - Hash Key First",
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
    { "4.8 test case 7", ("\xaa"):rep(131), "This is a test using a larger than block-size key "
        .. "and a larger than block-size data. The key needs to be hashed before being used by "
        .. "the HMAC algorithm.",
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
}

-- RFC 2202 section 3 (HMAC-SHA-1)
local RFC2202 = {
    { "test_case 1", ("\x0b"):rep(20), "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00" },
    { "test_case 2", "Jefe", "what do ya want for nothing?",
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
    { "test_case 3", ("\xaa"):rep(20), ("\xdd"):rep(50), "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
    { "test_case 4", bytes(1, 25), ("\xcd"):rep(50), "4c9007f4026250c6bc8414f9bf50c86c2d7235da" },
    { "test_case 6", ("\xaa"):rep(80), "Test Using Larger Than Block-Size Key - Hash Key First",
        "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
    { "test_case 7", ("\xaa"):rep(80),
        "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data",
        "e8e99d0f45237d786d6bbaa7965c7808bbff1a91" },
}

-- RFC 5869 appendix A (HKDF with SHA-256)
local RFC5869 = {
    { "A.1 test case 1", ("\x0b"):rep(22), unhex("000102030405060708090a0b0c"),
        unhex("f0f1f2f3f4f5f6f7f8f9"), 42,
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865" },
    { "A.2 test case 2", bytes(0x00, 0x4f), bytes(0x60, 0xaf), bytes(0xb0, 0xff), 82,
        "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
        .. "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
        .. "cc30c58179ec3e87c14c01d5c1f3434f1d87" },
    { "A.3 test case 3", ("\x0b"):rep(22), "", "", 42,
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8" },
}

local function read_vectors(path)
    local f = assert(io.open(path, "rb"))
    local text = f:read("a")
    f:close()
    return assert(json.decode(text))
end

local t = require "mfakit.test"
t.case("digests: FIPS 180-2 examples and CAVP empty messages", function()
    -- FIPS 180-2 appendix A/B/C, one-block and two-block messages
    t.eq(hex(crypto.sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d")
    t.eq(hex(crypto.sha256("abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    t.eq(hex(crypto.sha512("abc")), "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea2"
        .. "0a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
    local two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
    t.eq(hex(crypto.sha1(two)), "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    t.eq(hex(crypto.sha256(two)),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    -- NIST CAVP SHAVS short-message files, Len = 0
    t.eq(hex(crypto.sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    t.eq(hex(crypto.sha256("")),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    t.eq(#crypto.sha512(""), 64)
    t.eq(#crypto.sha256("x"), 32)
    t.eq(#crypto.sha1("x"), 20)
end)

t.case("hmac-sha256: RFC 4231 test cases 1-7", function()
    for _, v in ipairs(RFC4231) do
        local mac = hex(crypto.hmac("sha256", v[2], v[3]))
        t.eq(mac:sub(1, #v[4]), v[4], v[1])
    end
end)

t.case("hmac-sha512: RFC 4231 test cases 1-2", function()
    t.eq(hex(crypto.hmac("sha512", ("\x0b"):rep(20), "Hi There")),
        "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
        .. "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854", "4.2")
    t.eq(hex(crypto.hmac("sha512", "Jefe", "what do ya want for nothing?")),
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
        .. "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737", "4.3")
end)

t.case("hmac-sha1: RFC 2202 section 3", function()
    for _, v in ipairs(RFC2202) do
        t.eq(hex(crypto.hmac("sha1", v[2], v[3])), v[4], v[1])
    end
end)

t.case("hmac with an empty key", function()
    -- HMAC pads a short key with zeros to the block size (RFC 2104 §2),
    -- so "" and 64 zero bytes are the same key for SHA-256
    t.eq(hex(crypto.hmac("sha256", "", "msg")), hex(crypto.hmac("sha256", ("\0"):rep(64), "msg")))
    t.eq(#crypto.hmac("sha256", "", ""), 32)
end)

t.case("hkdf-sha256: RFC 5869 test cases 1-3", function()
    for _, v in ipairs(RFC5869) do
        local okm = crypto.hkdf { alg = "sha256", key = v[2], salt = v[3], info = v[4], length = v[5] }
        t.eq(hex(okm), v[6], v[1])
    end
    -- alg defaults to sha256; salt and info to empty
    t.eq(hex(crypto.hkdf { key = ("\x0b"):rep(22), length = 42 }), RFC5869[3][6])
    t.eq(#crypto.hkdf { alg = "sha512", key = "k", length = 255 * 64 }, 255 * 64)
    t.eq(#crypto.hkdf { key = "k", length = 1 }, 1)
end)

t.case("hkdf argument checks", function()
    t.raises("missing field 'key'", crypto.hkdf, { length = 16 })
    t.raises("'length'", crypto.hkdf, { key = "k" })
    t.raises("'length'", crypto.hkdf, { key = "k", length = 1.5 })
    t.raises("length must be", crypto.hkdf, { key = "k", length = 0 })
    t.raises("length must be", crypto.hkdf, { key = "k", length = 255 * 32 + 1 })
    t.raises("unknown alg", crypto.hkdf, { alg = "md5", key = "k", length = 16 })
    t.raises("field 'salt': string expected, got number", crypto.hkdf, { key = "k", salt = 5, length = 16 })
    t.raises("table expected", crypto.hkdf, "k")
end)

t.case("base64: RFC 4648 section 10", function()
    local v = {
        { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
        { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
    }
    for _, p in ipairs(v) do
        t.eq(crypto.base64(p[1]), p[2])
        t.eq(crypto.unbase64(p[2]), p[1], p[2])
        t.eq(crypto.unbase64((p[2]:gsub("=", ""))), p[1], "unpadded " .. p[2])
    end
end)

t.case("base64 round trips", function()
    for n = 0, 300 do
        local s = crypto.random(n)
        t.eq(crypto.unbase64(crypto.base64(s)), s)
    end
    local big = crypto.random(1 << 20)
    t.eq(crypto.unbase64(crypto.base64(big)), big)
    t.eq(#crypto.base64(big), 4 * ((#big + 2) // 3))
end)

t.case("unbase64 strict", function()
    t.eq(crypto.unbase64("+/+/"), "\xfb\xff\xbf")
    t.eq(crypto.unbase64("-_-_", { url = true }), "\xfb\xff\xbf")
    t.eq(crypto.unbase64("-_8", { url = true }), "\xfb\xff")
    t.fails("InvalidBase64", crypto.unbase64("+/+/", { url = true }))
    t.fails("InvalidBase64", crypto.unbase64("-_-_"))
    for _, bad in ipairs { "Z", "Zm9vY", "Zg=", "Zg===", "====", "=", "Zm9v\n", " Zm9v",
        "Zg==Zg==", "Zm=9v", "Zm9v!", "Zg==\0" } do
        t.fails("InvalidBase64", crypto.unbase64(bad))
    end
    local err = t.fails("InvalidBase64", crypto.unbase64("Zm9v*YmFy"))
    t.eq(err.message, "unexpected character at byte 5")
end)

t.case("unbase64 lenient matches Node's Buffer.from(s, 'base64')", function()
    -- written by tests/oracle/gen_base64.js
    local vectors = read_vectors("tests/vectors/base64-node.json")
    t.ok(#vectors.cases >= 30, "vector file has its cases")
    for _, c in ipairs(vectors.cases) do
        t.eq(hex(crypto.unbase64(c.input, { lenient = true })), c.hex, string.format("%q", c.input))
    end
end)

t.case("unbase64 lenient: long text, with junk, across the decoder's chunks", function()
    for _, n in ipairs { 767, 768, 769, 1535, 1536, 1537, 4000, 70000 } do
        local s = crypto.random(n)
        local text = crypto.base64(s)
        t.eq(crypto.unbase64(text, { lenient = true }), s, "clean, " .. n .. " bytes")
        local noisy = text:gsub("(...)", "%1 \n."):gsub("+", "-"):gsub("=+$", "")
        t.eq(crypto.unbase64(noisy, { lenient = true }), s, "noisy, " .. n .. " bytes")
    end
end)

t.case("unbase64 lenient: a Cognito-emulator SECRET_BLOCK (a UUID)", function()
    local block = crypto.unbase64("431fc1f8-53c5-4e29-b4d2-5fb06039a7f9", { lenient = true })
    t.eq(#block, 27)
    t.eq(hex(block):sub(1, 8), "e37d5f73", "as Node decodes it (tests/vectors/base64-node.json)")
    t.fails("InvalidBase64", crypto.unbase64("431fc1f8-53c5-4e29-b4d2-5fb06039a7f9"))
end)

t.case("hex", function()
    t.eq(hex(""), "")
    t.eq(hex("\0\1\127\128\255"), "00017f80ff")
    t.eq(unhex("00017F80fF"), "\0\1\127\128\255")
    t.eq(unhex(""), "")
    local all = bytes(0, 255)
    t.eq(unhex(hex(all)), all)
    t.eq(hex(all):upper():lower(), hex(all), "lower case")
    t.fails("InvalidHex", unhex("abc"))
    t.fails("InvalidHex", unhex("0g"))
    t.fails("InvalidHex", unhex(" 00"))
    t.fails("InvalidHex", unhex("00\0"))
    t.eq(t.fails("InvalidHex", unhex("00zz")).message, "not a hex digit at byte 3")
end)

t.case("random", function()
    t.eq(crypto.random(0), "")
    t.eq(#crypto.random(1), 1)
    t.eq(#crypto.random(32), 32)
    t.eq(#crypto.random(1 << 20), 1 << 20)
    local seen = {}
    for _ = 1, 100 do
        local r = crypto.random(16)
        t.ok(not seen[r], "16 random bytes repeated")
        seen[r] = true
    end
    t.ok(crypto.random(64) ~= ("\0"):rep(64))
    t.raises("bad argument #1", crypto.random, -1)
    t.raises("bad argument #1", crypto.random, (1 << 20) + 1)
    t.raises("bad argument #1", crypto.random, 1.5)
end)

t.case("equal", function()
    t.eq(crypto.equal("", ""), true)
    t.eq(crypto.equal("abc", "abc"), true)
    t.eq(crypto.equal("abc", "abd"), false)
    t.eq(crypto.equal("abc", "ab"), false)
    t.eq(crypto.equal("a\0b", "a\0c"), false)
    t.raises("string expected", crypto.equal, "a", nil)
end)

t.case("bad argument types raise", function()
    t.raises("string expected", crypto.sha256, nil)
    t.raises("string expected", crypto.sha256, 42)
    t.raises("string expected", crypto.sha1, {})
    t.raises("string expected", crypto.sha512)
    t.raises("invalid option 'md5'", crypto.hmac, "md5", "k", "m")
    t.raises("string expected", crypto.hmac, "sha256", nil, "m")
    t.raises("string expected", crypto.hmac, "sha256", "k", 1)
    t.raises("string expected", crypto.hex, 12)
    t.raises("string expected", crypto.unhex, nil)
    t.raises("string expected", crypto.base64, true)
    t.raises("string expected", crypto.unbase64, nil)
    t.raises("table expected", crypto.unbase64, "Zg==", "url")
end)
