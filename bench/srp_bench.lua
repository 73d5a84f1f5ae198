-- bench/srp_bench.lua: how many SRP logins and TOTP codes one core computes.
--   mfakit bench/srp_bench.lua [seconds per measurement, default 1]
-- A QA run that logs in hundreds of users spends its CPU here: srp.new (g^a)
-- and password_claim (g^x and the 1280-bit exponent of S) per login.
local srp = require "mfakit.srp"
local totp = require "mfakit.totp"

local budget = tonumber(arg and arg[1]) or 1

local function measure(name, fn)
    local n, start = 0, os.clock()
    repeat
        fn()
        n = n + 1
    until os.clock() - start >= budget
    local per = (os.clock() - start) / n
    print(string.format("%-28s %9.1f /s  %8.3f ms", name, 1 / per, per * 1000))
end

local B = string.rep("5b", 383) .. "01"
local claim = {
    user_id = "c8a1f3e2-7b4d-4e5f-9a6b-1c2d3e4f5a6b", password = "Correct-Horse-9",
    salt = "8ce84d7c0f2a1b3c", srp_b = B, secret_block = string.rep("QUJD", 300),
    timestamp = "Tue Sep 3 08:09:10 UTC 2024",
}
local session = srp.new { pool_id = "us-east-1_AbCdEfGhI" }
local secret = totp.base32_encode("12345678901234567890")

measure("srp.new (A = g^a)", function() srp.new { pool_id = "us-east-1_AbCdEfGhI" } end)
measure("password_claim", function() assert(session:password_claim(claim)) end)
measure("full SRP login (new+claim)", function()
    assert(srp.new { pool_id = "us-east-1_AbCdEfGhI" }:password_claim(claim))
end)
measure("device_secret", function() srp.device_secret { device_group_key = "-g", device_key = "k" } end)
measure("secret_hash", function() srp.secret_hash("alice", "client", "secret") end)
measure("totp.code", function() totp.code(secret, 59) end)
measure("totp.verify window 1", function() totp.verify(secret, "287082", { time = 59 }) end)
return 0
