-- bench/totp_bench.lua: TOTP codes per second from Lua, one core.
--   mfakit bench/totp_bench.lua [SECONDS per measurement, default 1]
-- Prints key=value pairs, each a rate per second (CPU time, os.clock):
--   code_per_s      totp.code(secret, t) with a distinct t each call: the
--                   figure bench/run holds against its target
--   switching_per_s the same with the secret changing on every call (the
--                   worst case for the binding's cache of the keyed HMAC)
--   verify_per_s    totp.verify with the default window (three codes each)
--   floor_per_s     the same Lua loop calling a trivial C function
--                   (totp.seconds_left): what the loop and the call alone cost
local totp = require "mfakit.totp"

local budget = tonumber(arg and arg[1]) or 1
local BATCH = 50000

-- Runs fn(i) for consecutive i in batches until `budget` CPU seconds have
-- passed; returns calls per second. `check` is applied to one result per
-- batch, so the loop cannot be a loop over failures.
local function rate(fn, check)
    local n, i, start = 0, 0, os.clock()
    local elapsed
    repeat
        for _ = 1, BATCH do
            i = i + 1
            fn(i)
        end
        n = n + BATCH
        if check then check(fn(i)) end
        elapsed = os.clock() - start
    until elapsed >= budget
    return n / elapsed
end

local secret = totp.base32_encode("12345678901234567890")
local other = totp.base32_encode("09876543210987654321")
assert(totp.code(secret, 59, { digits = 8 }) == "94287082", "RFC 6238 vector")
local is_code = function(c) assert(type(c) == "string" and #c == 6, "totp.code failed") end
local code = totp.code

local code_rate = rate(function(i) return code(secret, i * 30) end, is_code)
local switching = rate(function(i) return code(i % 2 == 0 and secret or other, i * 30) end, is_code)
local verify = rate(function(i) return totp.verify(secret, "000000", { time = i * 30 }) end,
    function(ok) assert(type(ok) == "boolean", "totp.verify failed") end)
local seconds_left = totp.seconds_left
local floor = rate(function(i) return seconds_left(30, i) end)
print(string.format("code_per_s=%.0f switching_per_s=%.0f verify_per_s=%.0f floor_per_s=%.0f", code_rate,
    switching, verify, floor))
return 0
