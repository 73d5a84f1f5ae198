-- mfakit.load.results: what a run (or one worker, or one shard) measured,
-- in a form that merges exactly and travels as JSON (--out, `load merge`).
--   r = results.new(meta); r:phase(name, seconds); r:error(code, message)
--   r:merge(other); r:export() -> table; results.import(table) -> r | nil, err
-- Counts add up; histograms merge bucket by bucket (mfakit.load.histogram);
-- the wall time of runs side by side is the longest; CPU adds up; the first
-- message of each error code is the first one seen in merge order.
local histogram = require "mfakit.load.histogram"
local json = require "mfakit.json"

local M = {}

M.FORMAT = "mfakit-load/1"

local R = {}
R.__index = R

function M.new(meta)
    meta = meta or {}
    return setmetatable({
        name = meta.name or "iteration", asked = meta.asked or {}, parts = 1,
        planned = 0, started = 0, ok = 0, failed = 0, dropped = 0, late = 0,
        wall = 0, span = 0, cpu = 0, asked_rate = 0, concurrency = 0,
        phases = {}, order = {}, errors = {}, error_order = {}, flows = {},
        early = histogram.new(),
    }, R)
end

function R:phase(name, seconds)
    local h = self.phases[name]
    if not h then
        h = histogram.new()
        self.phases[name] = h
        self.order[#self.order + 1] = name
    end
    h:record(seconds)
end

function R:error(code, message, n)
    code = code or "Error"
    local e = self.errors[code]
    if not e then
        e = { count = 0, message = message }
        self.errors[code] = e
        self.error_order[#self.error_order + 1] = code
    end
    e.count = e.count + (n or 1)
end

function R:flow(path, n)
    self.flows[path] = (self.flows[path] or 0) + (n or 1)
end

-- summed over parts run side by side (the asked rate and concurrency too:
-- each part asks its share); wall and span are the longest part's
local SUMS = { "planned", "started", "ok", "failed", "dropped", "late", "cpu", "parts", "asked_rate", "concurrency" }
local MAXES = { "wall", "span" }

function R:merge(o)
    for _, k in ipairs(SUMS) do self[k] = self[k] + o[k] end
    for _, k in ipairs(MAXES) do
        if o[k] > self[k] then self[k] = o[k] end
    end
    for _, name in ipairs(o.order) do
        if not self.phases[name] then
            self.phases[name] = histogram.new()
            self.order[#self.order + 1] = name
        end
        self.phases[name]:merge(o.phases[name])
    end
    for _, code in ipairs(o.error_order) do self:error(code, o.errors[code].message, o.errors[code].count) end
    for path, n in pairs(o.flows) do self:flow(path, n) end
    self.early:merge(o.early)
    return self
end

function R:export()
    local phases = json.array()
    for _, name in ipairs(self.order) do
        phases[#phases + 1] = { name = name, histogram = self.phases[name]:export() }
    end
    local errors = json.array()
    for _, code in ipairs(self.error_order) do
        errors[#errors + 1] = { code = code, count = self.errors[code].count, message = self.errors[code].message }
    end
    local flows = json.array()
    for path, n in pairs(self.flows) do flows[#flows + 1] = { path = path, count = n } end
    table.sort(flows, function(a, b) return a.path < b.path end)
    local out = { format = M.FORMAT, name = self.name, asked = self.asked, phases = phases, errors = errors,
                  flows = flows, early = self.early:export() }
    for _, k in ipairs(SUMS) do out[k] = self[k] end
    for _, k in ipairs(MAXES) do out[k] = self[k] end
    return out
end

local function count(v) return math.type(v) == "integer" or (type(v) == "number" and v >= 0 and v == math.floor(v)) end

function M.import(t)
    if type(t) ~= "table" or t.format ~= M.FORMAT then return nil, "not an mfakit load result (" .. M.FORMAT .. ")" end
    local r = M.new{ name = type(t.name) == "string" and t.name or nil, asked = type(t.asked) == "table" and t.asked }
    local real = { cpu = true, asked_rate = true, wall = true, span = true }
    for _, list in ipairs{ SUMS, MAXES } do
        for _, k in ipairs(list) do
            if type(t[k]) ~= "number" or t[k] < 0 or (not real[k] and not count(t[k])) then
                return nil, "field " .. k .. " is missing or not a count"
            end
            r[k] = real[k] and t[k] or math.tointeger(t[k])
        end
    end
    for _, p in ipairs(type(t.phases) == "table" and t.phases or {}) do
        local h, err = histogram.import(type(p) == "table" and p.histogram)
        if not h or type(p.name) ~= "string" then return nil, "phase: " .. (err or "no name") end
        r.phases[p.name] = h
        r.order[#r.order + 1] = p.name
    end
    for _, e in ipairs(type(t.errors) == "table" and t.errors or {}) do
        if type(e) ~= "table" or type(e.code) ~= "string" or not count(e.count) then return nil, "bad error entry" end
        r:error(e.code, type(e.message) == "string" and e.message or nil, math.tointeger(e.count))
    end
    for _, f in ipairs(type(t.flows) == "table" and t.flows or {}) do
        if type(f) ~= "table" or type(f.path) ~= "string" or not count(f.count) then return nil, "bad flow entry" end
        r:flow(f.path, math.tointeger(f.count))
    end
    if t.early then
        local h, err = histogram.import(t.early)
        if not h then return nil, "early: " .. err end
        r.early = h
    end
    return r
end

return M
