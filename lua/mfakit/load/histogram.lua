-- mfakit.load.histogram: latencies in log-linear buckets (HDR-style), so
-- that histograms from many workers or machines merge exactly and a
-- percentile of the merge is the percentile of one run over the union.
--   h = histogram.new(); h:record(seconds); h:merge(other)
--   h:percentile(0.95) -> seconds; h:min(), h:max(), h:mean(), h.count
--   h:export() -> plain table (JSON-safe); histogram.import(t) -> h | nil, err
-- Values are kept in whole microseconds. Below 2^BITS they are exact; above,
-- each power of two is cut into 2^(BITS-1) equal buckets, so a bucket is at
-- most 2^-(BITS-1) of its lower bound wide and its midpoint is within
-- M.RELATIVE_ERROR (2^-BITS, 0.2 %) of any value in it. min, max, sum and
-- count are kept exactly.
local json = require "mfakit.json"

local M = {}

local BITS = 9
local EXACT = 1 << BITS          -- values below this have a bucket each
local HALF = 1 << (BITS - 1)     -- buckets per power of two above it

M.BITS = BITS
M.RELATIVE_ERROR = 1 / EXACT

local H = {}
H.__index = H

function M.new()
    return setmetatable({ count = 0, sum = 0, lo = nil, hi = nil, buckets = {} }, H)
end

local function bitlen(v)
    local n = 0
    while v > 0 do
        v = v >> 1
        n = n + 1
    end
    return n
end

-- bucket index of a whole number of microseconds
local function index(us)
    if us < EXACT then return us end
    local shift = bitlen(us) - BITS
    return EXACT + (shift - 1) * HALF + ((us >> shift) - HALF)
end
M._index = index

-- the bucket's lowest value and width, in microseconds
local function bounds(i)
    if i < EXACT then return i, 1 end
    local shift = (i - EXACT) // HALF + 1
    local top = (i - EXACT) % HALF + HALF
    return top << shift, 1 << shift
end
M._bounds = bounds

local function micros(seconds)
    local us = math.floor(seconds * 1e6 + 0.5)
    return us < 0 and 0 or us
end

function H:record(seconds, n)
    n = n or 1
    local us = micros(seconds)
    local i = index(us)
    self.buckets[i] = (self.buckets[i] or 0) + n
    self.count = self.count + n
    self.sum = self.sum + us * n
    if not self.lo or us < self.lo then self.lo = us end
    if not self.hi or us > self.hi then self.hi = us end
end

function H:merge(other)
    for i, n in pairs(other.buckets) do self.buckets[i] = (self.buckets[i] or 0) + n end
    self.count = self.count + other.count
    self.sum = self.sum + other.sum
    if other.lo and (not self.lo or other.lo < self.lo) then self.lo = other.lo end
    if other.hi and (not self.hi or other.hi > self.hi) then self.hi = other.hi end
    return self
end

function H:min() return self.lo and self.lo / 1e6 end
function H:max() return self.hi and self.hi / 1e6 end
function H:mean() return self.count > 0 and self.sum / self.count / 1e6 or nil end

-- The value at rank ceil(p * count), as its bucket's midpoint, kept inside
-- [min, max] (so p = 0 and p = 1 give the exact extremes).
function H:percentile(p)
    if self.count == 0 then return nil end
    local rank = math.max(1, math.ceil(p * self.count - 1e-9))
    local keys = {}
    for i in pairs(self.buckets) do keys[#keys + 1] = i end
    table.sort(keys)
    local seen = 0
    for _, i in ipairs(keys) do
        seen = seen + self.buckets[i]
        if seen >= rank then
            local low, width = bounds(i)
            local mid = width == 1 and low or low + (width - 1) / 2
            return math.min(math.max(mid, self.lo), self.hi) / 1e6
        end
    end
    return self.hi / 1e6
end

-- A plain table for JSON: buckets as [index, count] pairs in order.
function H:export()
    local keys = {}
    for i in pairs(self.buckets) do keys[#keys + 1] = i end
    table.sort(keys)
    local pairs_ = json.array()
    for _, i in ipairs(keys) do pairs_[#pairs_ + 1] = { i, self.buckets[i] } end
    return { unit = "us", bits = BITS, count = self.count, sum = self.sum, min = self.lo, max = self.hi,
             buckets = pairs_ }
end

local function whole(v) return math.type(v) == "integer" or (type(v) == "number" and v == math.floor(v) and v >= 0) end

-- The reverse of export; a file from another version or a damaged one is
-- refused rather than merged into wrong numbers.
function M.import(t)
    if type(t) ~= "table" or t.unit ~= "us" or t.bits ~= BITS or type(t.buckets) ~= "table" then
        return nil, "not a histogram of this format (unit us, " .. BITS .. " bits)"
    end
    local h = M.new()
    for _, b in ipairs(t.buckets) do
        if type(b) ~= "table" or not whole(b[1]) or not whole(b[2]) then return nil, "bad histogram bucket" end
        local i, n = math.tointeger(b[1]), math.tointeger(b[2])
        h.buckets[i] = (h.buckets[i] or 0) + n
        h.count = h.count + n
    end
    if h.count ~= t.count or not whole(t.sum) or (h.count > 0 and not (whole(t.min) and whole(t.max))) then
        return nil, "histogram counts do not add up"
    end
    h.sum = math.tointeger(t.sum)
    h.lo, h.hi = math.tointeger(t.min), math.tointeger(t.max)
    return h
end

return M
