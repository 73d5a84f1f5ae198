-- bench/srp_bench.lua: the CPU of one Cognito SRP login's client side.
--   mfakit bench/srp_bench.lua [VECTORS] [PASSES] [random]
-- VECTORS defaults to tests/vectors/srp.json, PASSES (over its user cases)
-- to 10. One login is what a QA run that logs in hundreds of users pays per
-- user: srp.new (A = g^a), s:srp_a(), and s:password_claim (g^x, the S
-- exponentiation, HKDF and the signature), with the vector's `a`, SALT,
-- SRP_B, SECRET_BLOCK and TIMESTAMP. Every signature is checked against the
-- vector (the check is outside the timing), so the work timed is the right
-- work. Prints key=value pairs: median_ms and mean_ms (CPU, os.clock, per
-- login), new_ms and claim_ms (medians of the two halves), logins.
-- With "random", srp.new draws its own a (424 bits, as a real sign-in does)
-- instead of the vector's 1024-bit one: the signatures then differ from the
-- vector's and are not checked, but the work is the same in kind.
local srp = require "mfakit.srp"
local json = require "mfakit.json"

local file = arg[1] or "tests/vectors/srp.json"
local passes = tonumber(arg[2]) or 10
local random_a = arg[3] == "random"

local f = assert(io.open(file, "r"))
local doc = assert(json.decode(f:read("a")))
f:close()
local cases = {}
for _, c in ipairs(doc.cases) do
    if c.kind == "user" then cases[#cases + 1] = c end
end
assert(#cases > 0, "no user cases in " .. file)

local function median(t)
    table.sort(t)
    local n = #t
    if n % 2 == 1 then return t[(n + 1) // 2] end
    return (t[n // 2] + t[n // 2 + 1]) / 2
end

local clock = os.clock
local function login(c)
    local t0 = clock()
    local s = assert(srp.new { pool_id = c.pool_id, a = not random_a and c.a or nil })
    local srp_a = s:srp_a()
    local t1 = clock()
    local sig = assert(s:password_claim { user_id = c.user_id, password = c.password, salt = c.salt,
        srp_b = c.srp_b, secret_block = c.secret_block, timestamp = c.timestamp })
    s:close()
    local t2 = clock()
    if not random_a and (srp_a ~= c.srp_a or sig ~= c.password_claim_signature) then
        error(c.name .. ": SRP_A or the signature differs from the vector", 0)
    end
    return t2 - t0, t1 - t0, t2 - t1
end

for i = 1, math.min(3, #cases) do login(cases[i]) end -- warm-up
local total, new, claim, sum = {}, {}, {}, 0
for _ = 1, passes do
    for _, c in ipairs(cases) do
        local all, a, b = login(c)
        total[#total + 1], new[#new + 1], claim[#claim + 1] = all, a, b
        sum = sum + all
    end
end
print(string.format("median_ms=%.4f mean_ms=%.4f new_ms=%.4f claim_ms=%.4f logins=%d", median(total) * 1000,
    sum / #total * 1000, median(new) * 1000, median(claim) * 1000, #total))
return 0
