-- tests/test_load.lua: the load engine without a server: histogram error
-- bounds and exact merges, stage pacing, thresholds, results files, the
-- summary, JUnit, and runs of made-up scenarios.
local histogram = require "mfakit.load.histogram"
local pacing = require "mfakit.load.pacing"
local thresholds = require "mfakit.load.thresholds"
local results = require "mfakit.load.results"
local summary = require "mfakit.load.summary"
local ljunit = require "mfakit.load.junit"
local load = require "mfakit.load"
local json = require "mfakit.json"
local xml = require "mfakit.xml"
local task = require "mfakit.task"

-- A fixed pseudo-random sequence (xorshift), so every run checks the same data.
local function rng(seed)
    local x = seed
    return function()
        x = x ~ (x << 13) & 0xffffffff
        x = x ~ (x >> 17)
        x = x ~ (x << 5) & 0xffffffff
        return x / 0x100000000
    end
end

-- latencies from 0.5 ms to about 20 s, log-uniform, in whole microseconds
local function sample(seed, n)
    local r, out = rng(seed), {}
    for i = 1, n do out[i] = math.floor(500 * math.exp(r() * 10.6)) / 1e6 end
    return out
end

local function exact_pct(sorted, p)
    return sorted[math.max(1, math.ceil(p * #sorted - 1e-9))]
end

local t = require "mfakit.test"
t.case("histogram: every bucket is narrower than the stated error allows", function()
    for _, us in ipairs{ 0, 1, 511, 512, 513, 1023, 1024, 99999, 123456789, 2 ^ 40 // 1 } do
        local i = histogram._index(us)
        local low, width = histogram._bounds(i)
        t.ok(low <= us and us < low + width, "value " .. us .. " in its bucket")
        t.ok(width == 1 or width / low <= 2 * histogram.RELATIVE_ERROR, "bucket of " .. us .. " narrow enough")
    end
    -- consecutive buckets tile the line: no gap, no overlap
    local low, width = histogram._bounds(0)
    for i = 1, 5000 do
        local l2, w2 = histogram._bounds(i)
        t.eq(l2, low + width)
        low, width = l2, w2
    end
end)

t.case("histogram: percentiles within the stated error, min/max/mean exact", function()
    local xs = sample(7, 5000)
    local h = histogram.new()
    local sum = 0
    for _, x in ipairs(xs) do
        h:record(x)
        sum = sum + math.floor(x * 1e6 + 0.5)
    end
    table.sort(xs)
    for _, p in ipairs{ 0.01, 0.5, 0.9, 0.95, 0.99, 0.999 } do
        local want, got = exact_pct(xs, p), h:percentile(p)
        t.ok(math.abs(got - want) <= want * histogram.RELATIVE_ERROR + 1e-6,
            string.format("p%g: %.6f vs %.6f", p * 100, got, want))
    end
    t.eq({ h:min(), h:max(), h.count }, { xs[1], xs[#xs], 5000 })
    t.ok(math.abs(h:mean() - sum / 5000 / 1e6) < 1e-12, "mean exact")
end)

t.case("histogram: two merged equal one over the union, exactly", function()
    local a, b = sample(1, 3000), sample(2, 2000)
    local ha, hb, hu = histogram.new(), histogram.new(), histogram.new()
    for _, x in ipairs(a) do ha:record(x); hu:record(x) end
    for _, x in ipairs(b) do hb:record(x); hu:record(x) end
    -- through the file format, as two shards would travel
    local m = assert(histogram.import(json.decode(json.encode(ha:export()))))
    m:merge(assert(histogram.import(json.decode(json.encode(hb:export())))))
    t.eq(m:export(), hu:export())
    for _, p in ipairs{ 0.5, 0.9, 0.95, 0.99 } do t.eq(m:percentile(p), hu:percentile(p)) end
    t.eq(m.count, 5000)
end)

t.case("histogram: a damaged file is refused", function()
    local e = histogram.new()
    e:record(0.01)
    local x = e:export()
    x.count = 2
    t.ok(not histogram.import(x), "count that does not add up")
    t.ok(not histogram.import{ unit = "ms", bits = 9, buckets = {} }, "other unit")
    t.ok(not histogram.import("x"), "not a table")
end)

t.case("pacing: durations and stages", function()
    t.eq({ pacing.duration("500ms"), pacing.duration("30s"), pacing.duration("1m30s"), pacing.duration("2"),
           pacing.duration("1h") }, { 0.5, 30, 90, 2, 3600 })
    t.ok(not pacing.duration("30x"), "unknown unit")
    t.eq(pacing.stages("30s:10,1m:50,30s:0"), { { seconds = 30, target = 10 }, { seconds = 60, target = 50 },
                                                { seconds = 30, target = 0 } })
    t.ok(not pacing.stages("30s"), "no rate")
    t.ok(not pacing.plan{ stages = "10s:0" }, "nothing to run")
    t.ok(not pacing.plan{ rate = 5 }, "no end")
    t.ok(not pacing.plan{ rate = 5, stages = "1s:1" }, "both")
end)

t.case("pacing: a constant rate starts every 1/rate, and ends on time", function()
    local p = assert(pacing.plan{ rate = 4, duration = "2s" })
    t.eq({ p:at(1), p:at(2), p:at(8), p:at(9), p:total() }, { 0, 0.25, 1.75, nil, 8 })
    local q = assert(pacing.plan{ rate = 10, logins = 3 })
    t.eq({ q:at(3), q:at(4) }, { 0.2, nil })
end)

t.case("pacing: stages ramp linearly (arrivals are the integral of the rate)", function()
    -- 0 -> 10/s over 10 s holds 50 arrivals; then 10/s for 5 s, 50 more
    local p = assert(pacing.plan{ stages = "10s:10,5s:10" })
    t.eq(p:total(), 100)
    t.eq(p:at(1), 0)
    -- arrival k starts where 0.5 t^2 = k - 1: t = sqrt(2 (k - 1))
    for _, k in ipairs{ 2, 9, 33, 50 } do
        t.ok(math.abs(p:at(k) - math.sqrt(2 * (k - 1))) < 1e-9, "ramp arrival " .. k)
    end
    t.ok(math.abs(p:at(51) - 10) < 1e-9, "arrival 51 at the stage's end")
    t.ok(math.abs(p:at(61) - 11) < 1e-9, "10/s in the flat stage")
    t.eq(p:at(101), nil)
    t.eq({ p:rate_at(5), p:rate_at(12) }, { 5, 10 })
    -- ramping down: 10 -> 0 over 2 s holds 10
    local d = assert(pacing.plan{ stages = "1s:10,2s:0" })
    t.eq(d:total(), 15)
    local last = 0
    for k = 1, 15 do
        local at = d:at(k)
        t.ok(at >= last, "ordered")
        last = at
    end
    t.ok(last < 3, "all within the stages")
end)

t.case("pacing: shares split one schedule exactly", function()
    local whole = assert(pacing.plan{ rate = 7, logins = 20 })
    local seen = {}
    for i = 1, 3 do
        local p = assert(pacing.plan{ rate = 7, logins = 20, share = 3, offset = i })
        local k = 1
        while p:at(k) do
            seen[#seen + 1] = p:at(k)
            k = k + 1
        end
    end
    table.sort(seen)
    local want = {}
    for k = 1, 20 do want[k] = whole:at(k) end
    t.eq(seen, want)
    t.ok(not pacing.plan{ rate = 1, logins = 1, share = 2, offset = 3 }, "I > N")
end)

t.case("thresholds: parse and check", function()
    t.eq(assert(thresholds.parse("p95<800ms")).value, 0.8)
    t.eq(assert(thresholds.parse("failed<1%")).value, 0.01)
    t.eq(assert(thresholds.parse("InitiateAuth.p99 <= 300")).phase, "InitiateAuth")
    t.ok(not thresholds.parse("p95 800ms"), "no operator")
    t.ok(not thresholds.parse("latency<1s"), "unknown metric")
    t.ok(not thresholds.parse("failed<200%"), "share over 1")
    local r = results.new{ name = "sign-in" }
    for i = 1, 100 do r:phase("sign-in", i / 1000) end
    r.ok, r.failed, r.started, r.span = 98, 2, 100, 10
    local s = summary.build(r)
    local checked, all = thresholds.check({ assert(thresholds.parse("p95<96ms")), assert(thresholds.parse("max<=100ms")),
                                            assert(thresholds.parse("failed<1%")), assert(thresholds.parse("rate>=10")),
                                            assert(thresholds.parse("MFA.p95<1s")) }, s)
    t.eq({ checked[1].ok, checked[2].ok, checked[3].ok, checked[4].ok, checked[5].ok, all },
         { true, true, false, true, false, false })
    t.eq(checked[5].actual, nil)
end)

t.case("results: merge adds counts, keeps the first message, exports and imports", function()
    local a, b = results.new{ name = "sign-in" }, results.new{ name = "sign-in" }
    a.ok, a.failed, a.started, a.planned, a.wall, a.span, a.cpu = 3, 1, 4, 4, 2, 2, 0.5
    b.ok, b.failed, b.started, b.planned, b.wall, b.span, b.cpu = 2, 2, 4, 4, 3, 2.5, 0.25
    a:phase("sign-in", 0.1); b:phase("sign-in", 0.2); b:phase("MFA", 0.05)
    a:error("Throttled", "first"); b:error("Throttled", "second"); b:error("Other", "x")
    a:flow("PASSWORD_VERIFIER"); b:flow("PASSWORD_VERIFIER")
    local m = assert(results.import(json.decode(json.encode(a:export()))))
    m:merge(assert(results.import(json.decode(json.encode(b:export())))))
    t.eq({ m.ok, m.failed, m.started, m.parts, m.wall, m.span, m.cpu }, { 5, 3, 8, 2, 3, 2.5, 0.75 })
    t.eq(m.errors.Throttled, { count = 2, message = "first" })
    t.eq(m.order, { "sign-in", "MFA" })
    t.eq(m.flows, { PASSWORD_VERIFIER = 2 })
    t.ok(not results.import{ format = "other" }, "another format refused")
end)

t.case("summary: text shows every phase and the first message of each error", function()
    local r = results.new{ name = "sign-in" }
    r.ok, r.failed, r.started, r.planned, r.span, r.wall, r.asked_rate = 2, 1, 3, 3, 1, 1, 3
    r:phase("InitiateAuth", 0.01); r:phase("sign-in", 0.02); r:phase("sign-in", 0.04)
    r:error("NotAuthorizedException", "Incorrect username or password.")
    local text = table.concat(summary.text(summary.build(r)), "\n")
    for _, want in ipairs{ "InitiateAuth", "min", "p99", "max", "NotAuthorizedException: Incorrect username" } do
        t.ok(text:find(want, 1, true), want .. " in\n" .. text)
    end
    local j = summary.json(summary.build(r))
    t.eq({ j.phases[2].name, j.phases[2].min_ms, j.phases[2].max_ms, j.phases[2].mean_ms }, { "sign-in", 20, 40, 30 })
end)

t.case("summary: under 95 % of the asked rate, the warning names the limit", function()
    local function run(o)
        local r = results.new{ name = "sign-in" }
        r.started, r.ok, r.span, r.wall, r.asked_rate, r.concurrency = o.started, o.started, o.span, o.span,
            o.asked, o.c
        r.cpu = o.cpu or 0
        for _ = 1, 20 do r.early:record(o.early) end
        for _ = 1, o.started do r:phase("sign-in", o.mean) end
        return summary.build(r).under_rate
    end
    -- 10 slots at 0.5 s each start at most 20/s: asked 50, got 20
    t.eq(run{ started = 200, span = 10, asked = 50, c = 10, mean = 0.5, early = 0.45 }.limit, "concurrency")
    -- the same, but sign-ins slowed from 0.1 s to 0.5 s under load
    t.eq(run{ started = 200, span = 10, asked = 50, c = 10, mean = 0.5, early = 0.1 }.limit, "server latency")
    -- busy 95 % of the run
    t.eq(run{ started = 200, span = 10, asked = 50, c = 10, mean = 0.5, early = 0.45, cpu = 9.5 }.limit,
         "client CPU")
    -- slots enough for the rate (100 x 0.05 s = 2000/s), starts late anyway
    t.eq(run{ started = 200, span = 10, asked = 50, c = 100, mean = 0.05, early = 0.05 }.limit, "client CPU")
    -- on time: no warning; too short to tell: no warning
    t.eq(run{ started = 500, span = 10, asked = 50, c = 10, mean = 0.1, early = 0.1 }, nil)
    t.eq(run{ started = 2, span = 0.05, asked = 100, c = 10, mean = 0.5, early = 0.5 }, nil)
end)

t.case("junit: one testcase per threshold and per error code", function()
    local r = results.new{ name = "sign-in" }
    r.ok, r.failed, r.started = 90, 10, 100
    for _ = 1, 90 do r:phase("sign-in", 0.1) end
    for i = 1, 10 do r:error(i <= 7 and "TooManyRequestsException" or "CodeMismatchException", "m" .. i) end
    local s = assert(load.report(r, { "p95<1s", "failed<5%" }))
    local doc = assert(xml.decode(require("mfakit.junit").render(ljunit.suites(s))))
    local suite = doc[1]
    t.eq({ suite.attr.tests, suite.attr.failures }, { "4", "3" })
    local names = {}
    for _, c in ipairs(suite) do names[#names + 1] = c.attr.name end
    t.eq(names, { "threshold p95<1s", "threshold failed<5%", "errors TooManyRequestsException",
                  "errors CodeMismatchException" })
end)

t.case("run: every arrival runs once, phases and errors are counted", function()
    local seen = {}
    local s, r = load.run{ name = "op", rate = 10000, logins = 30, concurrency = 4, progress = "never",
        thresholds = { "failed<50%" },
        scenario = function(vu)
            seen[#seen + 1] = vu.iteration
            vu:phase("step", 0.001)
            task.sleep(0)
            if vu.iteration % 10 == 0 then
                return nil, { code = "Boom", message = "arrival " .. vu.iteration }
            end
            if vu.iteration == 7 then error("oops") end
            return { flow = "a>b" }
        end }
    table.sort(seen)
    local want = {}
    for i = 1, 30 do want[i] = i end
    t.eq(seen, want)
    t.eq({ s.count, s.ok, s.failed, s.started, s.dropped }, { 30, 26, 4, 30, 0 })
    t.eq({ r.errors.Boom.count, r.errors.Boom.message }, { 3, "arrival 10" })
    t.eq(r.errors.ScriptError.count, 1)
    t.eq({ r.phases.step.count, r.phases.op.count, r.flows["a>b"] }, { 30, 26, 26 })
    t.eq(s.passed, true)
    t.eq(select(2, load.run{ rate = 1, scenario = function() return true end }),
         "give --duration or --logins (or --stages)")
end)

t.case("run: the progress line is drawn in place on a terminal, line by line otherwise", function()
    local progress = require "mfakit.load.progress"
    local buf = {}
    local stream = { write = function(_, ...) for _, v in ipairs{ ... } do buf[#buf + 1] = v end end,
                     flush = function() end }
    local snap = { elapsed = 3, rate = 12.5, inflight = 4, p95 = 0.25, errors = 1, done = 30, planned = 60 }
    local p = progress.new{ mode = "auto", isatty = true, stream = stream }
    p:show(snap); p:finish()
    t.eq(table.concat(buf), "\r" .. progress.line(snap) .. "\27[K\r\27[K")
    t.ok(progress.line(snap):find("12.5/s", 1, true) and progress.line(snap):find("p95 250 ms", 1, true), "line")
    buf = {}
    progress.new{ mode = "auto", isatty = false, stream = stream }:show(snap)
    t.eq(buf, {})
    progress.new{ mode = "always", isatty = false, stream = stream }:show(snap)
    t.eq(table.concat(buf), progress.line(snap) .. "\n")
    -- a parent sums its workers' lines: the line reads back
    t.eq(progress.parse(progress.line(snap)), snap)
end)

t.case("quotas: each operation against its own quota, and per user", function()
    local quotas = require "mfakit.load.quotas"
    -- 150 SRP+MFA sign-ins a second: InitiateAuth 150 > 120; 300 answers <= 360
    local r = quotas.check{ rate = 150, responds = 2, users = 100 }
    t.eq({ r[1].op, r[1].rate, r[1].quota, r[1].text ~= nil }, { "InitiateAuth", 150, 120, true })
    t.eq({ r[2].op, r[2].rate, r[2].quota, r[2].text }, { "RespondToAuthChallenge", 300, 360, nil })
    t.eq(#r, 2)
    -- raised: UserAuthentication=200 gives answers 600
    r = quotas.check{ rate = 150, responds = 2, users = 100, overrides = { UserAuthentication = 200 } }
    t.eq({ r[1].quota, r[2].quota, r[1].text }, { 200, 600, nil })
    -- one user at 5 sign-ins a second makes 15 requests a second
    r = quotas.check{ rate = 5, responds = 2, users = 1 }
    t.eq({ r[3].op, r[3].rate }, { "per user", 15 })
    t.ok(r[3].text:find("at least 2", 1, true), r[3].text)
    t.eq({ quotas.parse("InitiateAuth=200") }, { "InitiateAuth", 200 })
    t.ok(not quotas.parse("InitiateAuth"), "no rate")
end)

t.case("sms parts: GSM-7 with the extension table counting 2, else UCS-2; 160/153 and 70/67", function()
    local sms = require "mfakit.sms"
    local function parts(text)
        local n, info = sms.parts(text)
        return { n, info.encoding, info.units }
    end
    t.eq(sms.render("Your code is {####}"), "Your code is 123456")
    t.eq(parts(sms.render("Your authentication code is {####}. ")), { 1, "GSM-7", 36 })
    t.eq(parts(string.rep("a", 160)), { 1, "GSM-7", 160 })
    t.eq(parts(string.rep("a", 161)), { 2, "GSM-7", 161 })
    t.eq(parts(string.rep("a", 306)), { 2, "GSM-7", 306 })
    t.eq(parts(string.rep("a", 307)), { 3, "GSM-7", 307 })
    -- { and } are extension characters: 2 septets each
    t.eq(parts(string.rep("{", 80)), { 1, "GSM-7", 160 })
    t.eq(parts(string.rep("}", 81)), { 2, "GSM-7", 162 })
    -- an escaped pair never straddles two parts: 152 'a' then '€' fills part one to 152
    t.eq(parts(string.rep("a", 152) .. "€" .. string.rep("a", 153)), { 3, "GSM-7", 307 })
    t.eq(parts("é à ü Ñ £ ¥"), { 1, "GSM-7", 11 })
    t.eq(parts(string.rep("ж", 70)), { 1, "UCS-2", 70 })
    t.eq(parts(string.rep("ж", 71)), { 2, "UCS-2", 71 })
    t.eq(parts(string.rep("ж", 134)), { 2, "UCS-2", 134 })
    t.eq(parts(string.rep("ж", 135)), { 3, "UCS-2", 135 })
    -- outside the BMP: a surrogate pair, 2 units
    t.eq(parts("\u{1F600}"), { 1, "UCS-2", 2 })
    t.eq(parts("ç"), { 1, "UCS-2", 1 }) -- lower-case c cedilla is not GSM-7 (only Ç is)
    t.ok(not sms.parts("\xff"), "not UTF-8")
end)

t.case("cost guard: the estimate, --max-cost, the headroom, --yes", function()
    local guard = require "mfakit.load.cost_guard"
    local pricing = assert(require("mfakit.cost.pricing").load())
    local e = guard.estimate{ sign_ins = 1000, sms_share = 1, message = "Code {####}", pricing = pricing,
                              country = "US" }
    t.eq({ e.sms, e.per_sms_parts, e.parts }, { 1000, 1, 1000 })
    t.ok(math.abs(e.usd - 1000 * pricing.sms.US.value) < 1e-9, "1000 parts at the US price")
    local long = guard.estimate{ sign_ins = 10, sms_share = 0.5, message = string.rep("ж", 71), pricing = pricing,
                                 country = "US" }
    t.eq({ long.sms, long.per_sms_parts, long.parts }, { 5, 2, 10 })
    local room = { region = "us-east-1", limit = 1, spent = 0.5, left = 0.5 }
    t.eq(guard.decide(e, room, {}), "refuse")
    t.eq(guard.decide(e, room, { yes = true }), "go")
    t.eq(guard.decide(e, { limit = 1000, spent = 0, left = 1000 }, { max_cost = 1 }), "refuse")
    t.eq(guard.decide(e, { limit = 1000, spent = 0, left = 1000 }, { max_cost = 100 }), "go")
    t.eq(guard.decide(e, nil, {}), "go")
    t.ok(guard.after(e, 998):find("SMS sent: 998", 1, true), "after the run")
end)

t.case("sys: processors and the open-files limit (raised, never lowered)", function()
    local sys = require "mfakit.sys"
    t.ok(sys.cpu_count() >= 1, "at least one processor")
    local soft, hard = sys.raise_nofile(1)
    t.ok(soft >= 1 and hard >= soft, "limits read")
    local again = sys.raise_nofile(1)
    t.eq(again, soft)
    local up = sys.raise_nofile(math.min(hard, soft + 16))
    t.eq(up, math.min(hard, soft + 16))
    t.raises("number expected", sys.raise_nofile, "x")
end)

t.case("load.run tightens the collector for the run only: nested, failed or cancelled, the pause comes back", function()
    local function pause() -- the pause in force, read without changing it
        local p = collectgarbage("setpause", 100)
        collectgarbage("setpause", p)
        return p
    end
    collectgarbage("incremental")
    local before = collectgarbage("setpause", 160) -- (Lua keeps pauses in steps of 4)
    local inner, during
    local s = assert(load.run{ rate = 1000, logins = 2, concurrency = 1, scenario = function()
        during = pause()
        inner = assert(load.run{ rate = 1000, logins = 2, concurrency = 1, scenario = function() return true end })
        return true
    end })
    t.eq({ s.count, inner.count, during }, { 2, 2, 120 })
    t.eq(pause(), 160, "the caller's pause is back after two nested runs")
    local run = task.spawn(function()
        return load.run{ rate = 1000, logins = 5, concurrency = 1, scenario = function() task.sleep(10) end }
    end)
    task.sleep(0.1)
    t.eq(pause(), 120, "tight while the run goes on")
    task.cancel(run)
    t.eq(pause(), 160, "back when the run's task is cancelled")
    t.eq({ task.wait(run) }, { false, "cancelled" })
    collectgarbage("generational")
    assert(load.run{ rate = 1000, logins = 2, concurrency = 1, scenario = function() return true end })
    t.eq(collectgarbage("incremental"), "generational", "the mode is left alone")
    collectgarbage("setpause", before)
end)
