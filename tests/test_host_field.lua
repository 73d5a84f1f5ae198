-- tests/test_host_field.lua: the C modules read an options table through the
-- same helpers (src/host_field.c), so a misused field reads alike whichever
-- module is called, and nil and false both mean "not given".
local crypto = require "mfakit.crypto"
local rsa = require "mfakit.rsa"
local sigv4 = require "mfakit.sigv4"
local srp = require "mfakit.srp"
local totp = require "mfakit.totp"

local function sign_opts(over)
    local o = { method = "GET", url = "https://example.amazonaws.com/", region = "us-east-1",
                service = "service", access_key = "AKIDEXAMPLE", secret_key = "secret", time = 1440938160 }
    for k, v in pairs(over) do o[k] = v end
    return o
end

local t = require "mfakit.test"
t.case("a missing or mistyped field names itself, its type and what came", function()
    t.raises("(field 'region': string expected, got boolean)", sigv4.sign, sign_opts { region = false })
    t.raises("(field 'method': string expected, got number)", sigv4.sign, sign_opts { method = 1 })
    t.raises("(field 'time': number expected, got string)", sigv4.sign, sign_opts { time = "x" })
    t.raises("(field 'user_id': string expected, got nil)", srp.new { pool_id = "us-east-1_x" }.password_claim,
        srp.new { pool_id = "us-east-1_x" }, {})
    t.raises("(field 'n': string expected, got nil)", rsa.verify, {})
    t.raises("(field 'salt': string expected, got table)", crypto.hkdf, { key = "k", salt = {}, length = 1 })
    t.raises("(field 'length': integer expected, got nil)", crypto.hkdf, { key = "k" })
    t.raises("(field 'account': string expected, got nil)", totp.uri, { secret = "MZXW6YQ" })
    t.raises("(field 'digits': integer expected, got string)", totp.code, "MZXW6YQ", 0, { digits = "x" })
end)

t.case("the messages say which argument of which function", function()
    local ok, err = pcall(rsa.verify, { n = 1 })
    t.ok(not ok and err:find("^bad argument #1 to '[%w._]*verify' %(field 'n'"), err)
end)

t.case("empty and NUL-bearing text fields raise where C reads a C string", function()
    t.raises("field 'service' must not be empty", sigv4.sign, sign_opts { service = "" })
    t.raises("field 'secret_key' contains a NUL byte", sigv4.sign, sign_opts { secret_key = "a\0b" })
end)

t.case("an optional field given as false is not given", function()
    local plain = assert(sigv4.sign(sign_opts {}))
    t.ok(plain.headers.Authorization, "a signature")
    t.eq(assert(sigv4.sign(sign_opts { session_token = false, body = false })).headers.Authorization,
        plain.headers.Authorization)
    t.eq(assert(sigv4.sign(sign_opts { time = false, region = "us-east-1" })).headers["X-Amz-Date"]:sub(1, 2),
        "20")
    t.eq(totp.code("MZXW6YQ", 59, { digits = false, period = false }), totp.code("MZXW6YQ", 59))
    t.eq(crypto.hkdf { key = "k", salt = false, length = 8 }, crypto.hkdf { key = "k", length = 8 })
    local s = srp.new { pool_id = "us-east-1_x", device_group_key = false }
    t.ok(#s:srp_a() > 0)
end)

t.case("integer fields take what luaL_checkinteger takes", function()
    t.eq(totp.code("MZXW6YQ", 59, { digits = "8" }), totp.code("MZXW6YQ", 59, { digits = 8 }))
    t.eq(totp.code("MZXW6YQ", 59, { digits = 8.0 }), totp.code("MZXW6YQ", 59, { digits = 8 }))
    t.raises("(field 'period': integer expected, got number)", totp.code, "MZXW6YQ", 0, { period = 1.5 })
end)
