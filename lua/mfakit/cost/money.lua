-- mfakit.cost.money: amounts as integer nano-dollars (1e-9 USD), so that
-- sums are exact and the guide's figures ($6.45, $387.00) come out as
-- written. Floats appear only where a fractional message count meets a
-- price, and that product is rounded to a whole nano-dollar at once.
--   from_usd(v) -> nano            0.00645 -> 6450000
--   times(count, nano) -> nano     count may be fractional; rounded half up
--   exact(nano) -> boolean         false when an amount overflowed (a float)
--   to_usd(nano) -> number         rounded to a micro-dollar: prints as 6.45
--   format(nano[, decimals]) -> "$1,234.50"   rounded to `decimals` (2)
--   format_price(nano) -> "$0.00645"           every significant digit
--   count(n) -> "60,000"
local M = {}

M.SCALE = 1000000000

local function round(x)
    return math.floor(x + 0.5)
end

function M.from_usd(v)
    assert(type(v) == "number" and v >= 0 and v < math.huge, "money.from_usd: a non-negative number expected")
    -- in floating point: a large integer price times SCALE would wrap around
    return round(v * 1.0 * M.SCALE)
end

-- Beyond MAX (about $1.15 billion) integer products could wrap around;
-- times() and product() give a float there instead, which callers refuse.
M.MAX = 1 << 60

function M.product(a, b)
    if a ~= 0 and b > M.MAX // a then return a * 1.0 * b end
    return a * b
end

function M.times(count, nano)
    if math.type(count) == "integer" then return M.product(count, nano) end
    local v = count * nano
    if v > M.MAX then return v end
    return round(v)
end

-- Whether `nano` is an amount these functions computed exactly.
function M.exact(nano)
    return math.type(nano) == "integer" and nano <= M.MAX
end

function M.to_usd(nano)
    local micro = (nano + 500) // 1000
    if micro % 1000000 == 0 then return micro // 1000000 end
    return micro / 1e6
end

local function group(digits)
    local out = digits:reverse():gsub("(%d%d%d)", "%1,"):reverse()
    return (out:gsub("^,", ""))
end

-- A whole number with thousands separators.
function M.count(n)
    local s = string.format("%.0f", n)
    local sign, digits = s:match("^(%-?)(%d+)$")
    return sign .. group(digits)
end

-- Rounded half up to `decimals` places (default 2): totals.
function M.format(nano, decimals)
    decimals = decimals or 2
    local unit = M.SCALE // 10 ^ decimals
    unit = math.tointeger(unit)
    local r = (nano + unit // 2) // unit
    local scale = math.tointeger(10 ^ decimals)
    local s = "$" .. group(tostring(r // scale))
    if decimals > 0 then s = s .. string.format(".%0" .. decimals .. "d", r % scale) end
    return s
end

-- Every significant digit, at least two decimals: unit prices ($0.00645).
function M.format_price(nano)
    local f = string.format("%09d", nano % M.SCALE):gsub("0+$", "")
    if #f < 2 then f = f .. string.rep("0", 2 - #f) end
    return "$" .. group(tostring(nano // M.SCALE)) .. "." .. f
end

return M
