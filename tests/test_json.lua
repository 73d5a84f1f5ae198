-- tests/test_json.lua: mfakit.json (cJSON binding).
local json = require "mfakit.json"

local t = require "mfakit.test"
t.case("decode scalars", function()
    t.eq(json.decode("true"), true)
    t.eq(json.decode("false"), false)
    t.eq(json.decode(" null "), json.null)
    t.eq(json.decode('"hi"'), "hi")
    t.eq(json.decode("42"), 42)
    t.eq(json.decode("-1.5"), -1.5)
end)

t.case("decode objects and arrays", function()
    local v = json.decode('{"a": [1, 2, {"b": null}], "c": {}, "d": []}')
    t.eq(v.a[1], 1)
    t.eq(v.a[3].b, json.null)
    t.eq(v.c, {})
    t.eq(v.d, {})
    t.eq(getmetatable(v.a), json.array_mt, "decoded array is marked")
    t.eq(getmetatable(v.d), json.array_mt, "decoded empty array is marked")
    t.eq(getmetatable(v.c), nil, "decoded object is plain")
    t.eq(getmetatable(v), nil)
end)

t.case("null keeps array slots", function()
    local v = json.decode("[null, 1, null]")
    t.eq(#v, 3)
    t.eq(v[1], json.null)
    t.eq(json.encode(v), "[null,1,null]")
end)

t.case("integers stay integers", function()
    t.eq(math.type(json.decode("42")), "integer")
    t.eq(math.type(json.decode("-0")), "integer")
    t.eq(math.type(json.decode("1.0")), "integer", "cJSON keeps no lexical form")
    t.eq(math.type(json.decode("1e3")), "integer")
    t.eq(json.decode("9007199254740992"), 9007199254740992)
    t.eq(json.decode("-9007199254740992"), -9007199254740992)
    t.eq(math.type(json.decode("9007199254740994")), "float", "beyond 2^53")
    t.eq(math.type(json.decode("0.5")), "float")
    t.eq(json.encode(42), "42")
    t.eq(json.encode(-7), "-7")
    t.eq(json.encode(math.maxinteger), "9223372036854775807")
    t.eq(json.encode(math.mininteger), "-9223372036854775808")
end)

t.case("floats round-trip", function()
    for _, x in ipairs { 0.1, 1 / 3, -2.5e-300, 1.7976931348623157e308, 5e-324, 123456.789 } do
        local s = json.encode(x)
        t.eq(json.decode(s), x, s)
    end
    t.eq(json.encode(0.1), "0.1", "shortest form that round-trips")
    t.eq(json.encode(1.5), "1.5")
    t.eq(json.encode({ 2.0 }), "[2]")
end)

t.case("encode sorts object keys", function()
    t.eq(json.encode({ b = 1, a = 2, c = { z = true, y = false } }),
        '{"a":2,"b":1,"c":{"y":false,"z":true}}')
end)

t.case("encode arrays and empties", function()
    t.eq(json.encode({ 1, "two", false }), '[1,"two",false]')
    t.eq(json.encode({}), "{}")
    t.eq(json.encode(json.array()), "[]")
    t.eq(json.encode(json.array({})), "[]")
    t.eq(json.encode({ UserAttributes = json.array() }), '{"UserAttributes":[]}')
    t.eq(json.encode(json.null), "null")
    local a = { 1, 2 }
    t.ok(json.array(a) == a, "array returns its argument")
end)

t.case("round trip keeps empty arrays and objects apart", function()
    local s = '{"a":[],"b":{},"c":[[],{}],"d":[1,{"e":[]}]}'
    t.eq(json.encode(json.decode(s)), s)
end)

t.case("strings escape and pass UTF-8 through", function()
    t.eq(json.encode('a"b\\c\n\t\1'), '"a\\"b\\\\c\\n\\t\\u0001"')
    t.eq(json.encode("h\u{e9}llo \u{1F600}"), '"h\u{e9}llo \u{1F600}"')
    t.eq(json.decode('"h\u{e9}llo"'), "h\u{e9}llo")
    t.eq(json.decode('"\\u00e9\\u4e2d"'), "\u{e9}\u{4e2d}")
    t.eq(json.decode('"\\ud83d\\ude00"'), "\u{1F600}", "surrogate pair")
    t.eq(json.decode('"\\/\\b\\f\\r"'), "/\b\f\r")
    t.eq(json.decode('"\\\\u0000"'), "\\u0000", "escaped backslash, not an escape")
end)

t.case("lone surrogates and NUL are rejected", function()
    t.fails("InvalidJSON", json.decode('"\\ud83d"'))
    t.fails("InvalidJSON", json.decode('"\\ude00"'))
    t.fails("InvalidJSON", json.decode('"\\ud83dx"'))
    t.fails("InvalidJSON", json.decode('"\\ud83d\\u0041"'))
    t.fails("InvalidJSON", json.decode('"a\\u0000b"'))
    t.fails("InvalidJSON", json.decode('"\\uZZZZ"'))
    t.fails("InvalidJSON", json.decode('"\\u12"'))
    t.eq(t.fails("InvalidJSON", json.decode('"a\0b"')).message, "NUL byte at byte 3")
    t.eq(t.fails("InvalidJSON", json.decode('"ab\\u0000"')).message,
        "malformed or NUL \\u escape at byte 4")
    t.raises("NUL", json.encode, "a\0b")
    t.raises("NUL", json.encode, { ["k\0"] = 1 })
end)

t.case("bad input returns InvalidJSON with a position", function()
    local cases = {
        "", " ", "{", "[1,]", '{"a":1,}', "[1 2]", "nul", "tru", "'x'",
        "{a:1}", "[1]x", "1 2", '"unterminated', "NaN", "Infinity", "-",
    }
    for _, s in ipairs(cases) do
        local err = t.fails("InvalidJSON", json.decode(s))
        t.ok(err.message:find("at byte %d+"), "position in: " .. err.message)
    end
    local err = t.fails("InvalidJSON", json.decode("[1,]"))
    t.eq(err.message:match("at byte (%d+)"), "4")
end)

t.case("depth limit", function()
    local ok = string.rep("[", 999) .. string.rep("]", 999)
    t.ok(json.decode(ok), "999 levels decode")
    t.ok(json.decode(string.rep("[", 1000) .. string.rep("]", 1000)), "1000 levels decode")
    local err = t.fails("InvalidJSON", json.decode(string.rep("[", 1001) .. string.rep("]", 1001)))
    t.eq(err.message, "nested deeper than 1000 at byte 1001")
    t.fails("InvalidJSON", json.decode(string.rep("[", 100000)))
    t.ok(json.decode('["' .. string.rep("[", 2000) .. '"]'), "brackets in strings do not count")
    t.ok(json.decode('["\\\\"' .. ", " .. string.rep("[", 999) .. string.rep("]", 999) .. "]"),
        "an escaped backslash ends before the quote")
    local deep = {}
    local cur = deep
    for _ = 1, 1100 do
        cur[1] = {}
        cur = cur[1]
    end
    t.raises("nested deeper", json.encode, deep)
    local cyc = {}
    cyc.self = cyc
    t.raises("cycle", json.encode, cyc)
end)

t.case("encode raises on what JSON cannot hold", function()
    t.raises("cannot encode a function", json.encode, print)
    t.raises("cannot encode a function", json.encode, { f = print })
    t.raises("cannot encode a userdata", json.encode, io.stdout)
    t.raises("cannot encode a thread", json.encode, coroutine.create(print))
    t.raises("cannot encode NaN", json.encode, 0 / 0)
    t.raises("infinity", json.encode, math.huge)
    t.raises("infinity", json.encode, { -math.huge })
    t.raises("mixes", json.encode, { 1, 2, x = 3 })
    t.raises("sparse", json.encode, { 1, nil, 3 })
    t.raises("sparse", json.encode, { [2] = "b" })
    t.raises("key of type", json.encode, { [true] = 1 })
    t.raises("key of type", json.encode, { [1.5] = 1 })
    t.raises("key of type", json.encode, { [0] = 1 })
    t.raises("mixes", json.encode, json.array({ x = 1 }))
    t.raises("bad argument #1", json.encode)
end)

t.case("decode argument checks", function()
    t.raises("bad argument #1", json.decode, nil)
    t.raises("bad argument #1", json.decode, {})
    t.raises("bad argument #1", json.array, 5)
end)

t.case("a Cognito reply", function()
    local body = [[{"AuthenticationResult":{"AccessToken":"eyJ.a.b","ExpiresIn":3600,
            "TokenType":"Bearer"},"ChallengeParameters":{}}]]
    local v = json.decode(body)
    t.eq(v.AuthenticationResult.ExpiresIn, 3600)
    t.eq(math.type(v.AuthenticationResult.ExpiresIn), "integer")
    t.eq(v.ChallengeParameters, {})
    t.eq(json.encode(v), '{"AuthenticationResult":{"AccessToken":"eyJ.a.b",'
        .. '"ExpiresIn":3600,"TokenType":"Bearer"},"ChallengeParameters":{}}')
end)

t.case("decode with omit_nulls leaves nulls out at every depth", function()
    local v = assert(json.decode('{"a":null,"b":[1,null,2],"c":{"d":null,"e":[null]}}', { omit_nulls = true }))
    t.eq(json.encode(v), '{"b":[1,2],"c":{"e":[]}}')
    t.eq(getmetatable(v.c.e), json.array_mt)
    t.raises("table expected", json.decode, "{}", "yes")
end)
