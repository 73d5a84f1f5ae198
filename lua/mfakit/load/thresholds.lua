-- mfakit.load.thresholds: pass/fail criteria on a run, as k6 writes them.
--   thresholds.parse("p95<800ms") -> { text, phase, metric, op, value } | nil, err
--   thresholds.check(list, summary) -> { { text, ok, actual, limit }, ... }, all_ok
-- METRIC: min, mean, max, pNN (p95, p99.9) of a phase's latency (the whole
-- sign-in unless written PHASE.p95, as InitiateAuth.p95<300ms), with a
-- duration (800ms, 1.5s; a bare number is milliseconds); failed, the share
-- of sign-ins that failed (1%, or 0.01); rate, the achieved sign-ins/s.
-- OP: < <= > >=.
local pacing = require "mfakit.load.pacing"

local M = {}

local OPS = {
    ["<"] = function(a, b) return a < b end,
    ["<="] = function(a, b) return a <= b end,
    [">"] = function(a, b) return a > b end,
    [">="] = function(a, b) return a >= b end,
}

function M.parse(text)
    if type(text) ~= "string" then return nil, "a threshold must be a string" end
    local lhs, op, rhs = text:match("^%s*([%w%._%-]+)%s*([<>]=?)%s*(%S+)%s*$")
    if not lhs then return nil, "threshold '" .. text .. "' is not like p95<800ms or failed<1%" end
    local phase, metric = lhs:match("^(.+)%.([%a]+[%d%.]*)$")
    if not phase then phase, metric = "sign-in", lhs end
    local t = { text = text, phase = phase, metric = metric, op = op }
    if metric == "failed" then
        local pct = rhs:match("^(%d+%.?%d*)%%$")
        t.value = pct and tonumber(pct) / 100 or tonumber(rhs)
        if not t.value or t.value < 0 or t.value > 1 then
            return nil, "threshold '" .. text .. "': failed takes a share like 1% or 0.01"
        end
    elseif metric == "rate" then
        t.value = tonumber(rhs)
        if not t.value then return nil, "threshold '" .. text .. "': rate takes sign-ins a second, like 45" end
    elseif metric == "min" or metric == "mean" or metric == "max" or metric:match("^p%d+%.?%d*$") then
        if metric:sub(1, 1) == "p" then
            t.p = tonumber(metric:sub(2)) / 100
            if t.p > 1 then return nil, "threshold '" .. text .. "': a percentile is at most p100" end
        end
        t.value = rhs:match("^%d+%.?%d*$") and tonumber(rhs) / 1000 or pacing.duration(rhs)
        if not t.value then return nil, "threshold '" .. text .. "': '" .. rhs .. "' is not a duration like 800ms" end
    else
        return nil, "threshold '" .. text .. "': unknown metric '" .. metric ..
            "' (min, mean, max, pNN, failed, rate)"
    end
    return t
end

-- The metric's value in a summary (see mfakit.load.summary), or nil when
-- there is nothing to measure (no sign-in of that phase finished).
local function actual(t, s)
    if t.metric == "failed" then return s.count > 0 and s.failed / s.count or nil end
    if t.metric == "rate" then return s.rate end
    local ph = s.phases[t.phase]
    if not ph or ph.count == 0 then return nil end
    if t.p then return ph.hist:percentile(t.p) end
    return ph[t.metric]
end

function M.check(list, s)
    local out, all = {}, true
    for _, t in ipairs(list) do
        local a = actual(t, s)
        local ok = a ~= nil and OPS[t.op](a, t.value)
        all = all and ok
        out[#out + 1] = { text = t.text, ok = ok, actual = a, limit = t.value, metric = t.metric, phase = t.phase }
    end
    return out, all
end

return M
