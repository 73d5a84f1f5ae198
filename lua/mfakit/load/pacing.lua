-- mfakit.load.pacing: when each arrival starts (an open model, as k6's
-- arrival-rate executors: starts follow the clock, not the answers).
--   pacing.duration("1m30s") -> 90 | nil, err      ("500ms", "30s", "2m", "1h", "45")
--   pacing.stages("30s:10,1m:50,30s:0") -> { {seconds=30, target=10}, ... } | nil, err
--   pacing.plan{ rate=, duration=, logins=, stages=, share=, offset= } -> plan | nil, err
--   plan:at(k) -> seconds after the start of arrival k (1-based), or nil past the end
-- A stage ramps linearly from the rate before it (0 for the first) to its
-- target over its duration, so the arrivals up to time t are the integral of
-- the rate; arrival k is where that integral reaches k - 1 (the first
-- starts at once). `share`/`offset` take every share-th arrival starting
-- with the offset-th, so N workers or shards split one schedule exactly.
local M = {}

local UNITS = { ms = 0.001, s = 1, m = 60, h = 3600 }

function M.duration(text)
    if type(text) == "number" then
        if text >= 0 and text < math.huge then return text end
        return nil, "a duration must be a non-negative number"
    end
    if type(text) ~= "string" or text == "" then return nil, "a duration is empty" end
    if text:match("^%d+%.?%d*$") then return tonumber(text) end
    local total, rest = 0, text
    while rest ~= "" do
        local n, unit, tail = rest:match("^(%d+%.?%d*)(%a+)(.*)$")
        if not n or not UNITS[unit] then
            return nil, "'" .. text .. "' is not a duration like 500ms, 30s, 2m, 1h or 1m30s"
        end
        total = total + tonumber(n) * UNITS[unit]
        rest = tail
    end
    return total
end

function M.stages(text)
    if type(text) ~= "string" or text == "" then return nil, "--stages is empty" end
    local out = {}
    for item in (text .. ","):gmatch("([^,]*),") do
        local d, target = item:match("^%s*([^:]+):%s*(%d+%.?%d*)%s*$")
        local seconds = d and M.duration(d)
        if not seconds or not tonumber(target) then
            return nil, "stage '" .. item .. "' is not DURATION:RATE like 30s:10"
        end
        out[#out + 1] = { seconds = seconds, target = tonumber(target) }
    end
    return out
end

local Plan = {}
Plan.__index = Plan

-- Arrivals started by time t within a stage that ramps r0 -> r1 over d:
-- n(t) = r0 t + (r1 - r0) t^2 / (2 d). Solves n(t) = want for t in [0, d].
local function solve(r0, r1, d, want)
    if want <= 0 then return 0 end
    local a = (r1 - r0) / (2 * d)
    if math.abs(a) < 1e-12 then return want / r0 end
    local disc = r0 * r0 + 4 * a * want
    if disc < 0 then disc = 0 end
    -- the stable root of a t^2 + r0 t - want = 0
    return 2 * want / (r0 + math.sqrt(disc))
end

-- Seconds after the start of the (1-based) k-th arrival of the whole
-- schedule, or nil when the schedule has ended before it.
function Plan:whole_at(k)
    if self.logins and k > self.logins then return nil end
    local want = k - 1
    if not self.stages then
        local t = want / self.rate
        if self.duration and t >= self.duration then return nil end
        return t
    end
    local done, start, r0 = 0, 0, 0
    for _, s in ipairs(self.stages) do
        local n = (r0 + s.target) / 2 * s.seconds
        if done + n > want + 1e-9 then return start + solve(r0, s.target, s.seconds, want - done) end
        done, start, r0 = done + n, start + s.seconds, s.target
    end
    return nil
end

function Plan:at(k)
    return self:whole_at((k - 1) * self.share + self.offset)
end

-- How many arrivals the whole schedule (all shares) holds, if it is finite.
function Plan:total()
    if self.logins then return self.logins end
    if self.stages then
        local n = 0
        local r0 = 0
        for _, s in ipairs(self.stages) do
            n = n + (r0 + s.target) / 2 * s.seconds
            r0 = s.target
        end
        return math.ceil(n - 1e-9)
    end
    return math.ceil(self.rate * self.duration - 1e-9)
end

-- The asked rate at `t` seconds (of the whole schedule).
function Plan:rate_at(t)
    if not self.stages then return self.rate end
    local start, r0 = 0, 0
    for _, s in ipairs(self.stages) do
        if t < start + s.seconds then return r0 + (s.target - r0) * (t - start) / s.seconds end
        start, r0 = start + s.seconds, s.target
    end
    return r0
end

-- The highest asked rate of the whole schedule.
function Plan:peak()
    if not self.stages then return self.rate end
    local top = 0
    for _, st in ipairs(self.stages) do top = math.max(top, st.target) end
    return top
end

function Plan:seconds()
    if self.stages then
        local d = 0
        for _, s in ipairs(self.stages) do d = d + s.seconds end
        return d
    end
    if self.duration then return self.duration end
    return (self.logins - 1) / self.rate
end

function M.plan(o)
    local p = setmetatable({ share = o.share or 1, offset = o.offset or 1 }, Plan)
    if o.stages then
        if o.rate or o.logins or o.duration then return nil, "--stages replaces --rate, --duration and --logins" end
        local stages, err = o.stages, nil
        if type(stages) ~= "table" then stages, err = M.stages(o.stages) end
        if not stages then return nil, err end
        local any = false
        for _, s in ipairs(stages) do
            if s.seconds <= 0 then return nil, "every stage needs a positive duration" end
            if s.target < 0 then return nil, "a stage's rate cannot be negative" end
            any = any or s.target > 0
        end
        if not any then return nil, "every stage has rate 0: nothing would run" end
        p.stages = stages
    else
        if not o.rate or o.rate <= 0 then return nil, "--rate must be positive" end
        p.rate = o.rate
        if o.duration then
            local d, err = M.duration(o.duration)
            if not d then return nil, err end
            if d <= 0 then return nil, "--duration must be positive" end
            p.duration = d
        end
        if o.logins then
            if math.tointeger(o.logins) == nil or o.logins < 1 then
                return nil, "--logins must be a positive integer"
            end
            p.logins = math.tointeger(o.logins)
        end
        if not p.duration and not p.logins then return nil, "give --duration or --logins (or --stages)" end
    end
    if math.tointeger(p.share) == nil or p.share < 1 or math.tointeger(p.offset) == nil or p.offset < 1 or
        p.offset > p.share then
        return nil, "a share must be I/N with 1 <= I <= N"
    end
    return p
end

return M
