-- mfakit.load.summary: the numbers a person or a CI job reads after a run,
-- from a results object (mfakit.load.results), in text or as a JSON table.
--   s = summary.build(results)  -> { count, ok, failed, rate, asked_rate, phases = { {name, count, min,
--                                    mean, p50, p90, p95, p99, max}, ... }, errors = { {code, count, message} },
--                                    under_rate = { limit, text } | nil, ... }
--   summary.text(s) -> lines;  summary.json(s) -> table (milliseconds)
local json = require "mfakit.json"

local M = {}

local PERCENTILES = { { "p50", 0.50 }, { "p90", 0.90 }, { "p95", 0.95 }, { "p99", 0.99 } }

-- Which side held the rate down, when the run started fewer arrivals than
-- asked: the client's CPU when this process was nearly always busy; else
-- the concurrency cap when starts waited for a free slot, blamed on the
-- server when its answers slowed down under load (Little's law: C slots at
-- L seconds each start at most C / L a second).
local UNDER = 0.95
-- below this many arrivals or seconds, one late start (the process starting
-- up) is most of the gap: no warning
local MIN_STARTED, MIN_SPAN = 20, 1

local function diagnose(r, s)
    if s.asked_rate <= 0 or s.rate >= UNDER * s.asked_rate then return nil end
    if r.started < MIN_STARTED or r.span < MIN_SPAN then return nil end
    local whole = r.phases[r.name]
    local mean = whole and whole:mean() or nil
    local early = r.early:mean()
    local cpu_share = r.wall > 0 and r.cpu / (r.wall * r.parts) or 0
    local out = { asked = s.asked_rate, achieved = s.rate, cpu_share = cpu_share }
    if cpu_share >= 0.85 then
        out.limit = "client CPU"
        out.text = string.format("the client's CPU: %.0f %% of a core per worker was busy; add --workers " ..
            "(or machines with --shard)", cpu_share * 100)
    elseif mean and r.concurrency / mean >= s.asked_rate then
        -- the slots could start the asked rate at this latency, yet starts ran
        -- late: this process did not get the CPU to start them on time
        out.limit = "client CPU"
        out.text = string.format("the client's CPU: starts ran late with slots free (%d in flight at %.0f ms " ..
            "allow %.1f/s) while this process had %.0f %% of a core: the machine is busy; add cores or machines",
            r.concurrency, mean * 1000, r.concurrency / mean, cpu_share * 100)
    elseif mean and early and mean > 2 * early then
        out.limit = "server latency"
        out.text = string.format("the server's latency: sign-ins slowed from %.0f ms (the first ones) to a mean " ..
            "of %.0f ms, so %d in flight start at most %.1f/s", early * 1000, mean * 1000, r.concurrency,
            r.concurrency / mean)
    else
        out.limit = "concurrency"
        local need = mean and math.ceil(s.asked_rate * mean * 1.2) or nil
        out.text = string.format("concurrency: %d in flight at a mean of %.0f ms each start at most %.1f/s%s",
            r.concurrency, (mean or 0) * 1000, mean and r.concurrency / mean or 0,
            need and string.format("; raise --concurrency to about %d", need) or "")
    end
    return out
end

function M.build(r)
    local s = { name = r.name, planned = r.planned, started = r.started, ok = r.ok, failed = r.failed,
                count = r.ok + r.failed, dropped = r.dropped, late = r.late, wall = r.wall, workers = r.parts,
                asked_rate = r.asked_rate, cpu = r.cpu, phases = {}, errors = {}, flows = {} }
    s.rate = r.span > 0 and r.started / r.span or 0
    for _, name in ipairs(r.order) do
        local h = r.phases[name]
        local p = { name = name, count = h.count, min = h:min(), mean = h:mean(), max = h:max(), hist = h }
        for _, q in ipairs(PERCENTILES) do p[q[1]] = h:percentile(q[2]) end
        s.phases[#s.phases + 1] = p
        s.phases[name] = p
    end
    for _, code in ipairs(r.error_order) do
        local e = r.errors[code]
        s.errors[#s.errors + 1] = { code = code, count = e.count, message = e.message }
    end
    table.sort(s.errors, function(a, b) return a.count > b.count or (a.count == b.count and a.code < b.code) end)
    for path, n in pairs(r.flows) do s.flows[#s.flows + 1] = { path = path, count = n } end
    table.sort(s.flows, function(a, b) return a.count > b.count or (a.count == b.count and a.path < b.path) end)
    s.under_rate = diagnose(r, s)
    return s
end

local function ms(v) return v and string.format("%.1f", v * 1000) or "-" end

function M.text(s)
    local lines = {}
    lines[#lines + 1] = string.format("%d %ss in %.2f s: %d ok, %d failed; %.1f/s started (asked %.1f/s)%s",
        s.count, s.name, s.wall, s.ok, s.failed, s.rate, s.asked_rate,
        s.workers > 1 and string.format(", %d workers", s.workers) or "")
    if s.dropped > 0 then
        lines[#lines + 1] = string.format("%d planned arrivals were not started before the end of the run", s.dropped)
    end
    if #s.phases > 0 then
        lines[#lines + 1] = string.format("  %-20s %7s %9s %9s %9s %9s %9s %9s %9s", "phase (ms)", "count", "min",
            "mean", "p50", "p90", "p95", "p99", "max")
        for _, p in ipairs(s.phases) do
            lines[#lines + 1] = string.format("  %-20s %7d %9s %9s %9s %9s %9s %9s %9s", p.name, p.count, ms(p.min),
                ms(p.mean), ms(p.p50), ms(p.p90), ms(p.p95), ms(p.p99), ms(p.max))
        end
    end
    for _, f in ipairs(s.flows) do lines[#lines + 1] = string.format("  %7d  %s", f.count, f.path) end
    for _, e in ipairs(s.errors) do
        lines[#lines + 1] = string.format("  %7d  failed: %s: %s", e.count, e.code, e.message or "")
    end
    return lines
end

local function msv(v) return v and math.floor(v * 1e6 + 0.5) / 1000 or nil end

function M.json(s)
    local phases = json.array()
    for _, p in ipairs(s.phases) do
        local o = { name = p.name, count = p.count }
        for _, k in ipairs{ "min", "mean", "p50", "p90", "p95", "p99", "max" } do o[k .. "_ms"] = msv(p[k]) end
        phases[#phases + 1] = o
    end
    local flows = {}
    for _, f in ipairs(s.flows) do flows[f.path] = f.count end
    return { name = s.name, count = s.count, ok = s.ok, failed = s.failed, planned = s.planned, started = s.started,
             dropped = s.dropped, late = s.late, wall_seconds = s.wall, rate = s.rate, asked_rate = s.asked_rate,
             workers = s.workers, cpu_seconds = s.cpu, phases = phases, errors = json.array(s.errors),
             challenges = flows,
             under_rate = s.under_rate }
end

return M
