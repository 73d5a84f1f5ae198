-- tests/test_cost.lua: mfakit cost: the guide's own figures, the closed form
-- against hand-computed cases, the simulation against the closed form, the
-- pricing files, the chart, and bad input.
local json = require "mfakit.json"
local xml = require "mfakit.xml"
local money = require "mfakit.cost.money"
local pricing = require "mfakit.cost.pricing"
local inputs = require "mfakit.cost.inputs"
local model = require "mfakit.cost.model"
local simulate = require "mfakit.cost.simulate"
local chart = require "mfakit.cost.chart"
local report = require "mfakit.cost.report"

local function run(cmd)
    local p = assert(io.popen(cmd .. " 2>&1; echo \"rc=$?\""))
    local out = p:read("a")
    p:close()
    local rc = tonumber(out:match("rc=(%d+)\n$"))
    return out:gsub("rc=%d+\n$", ""), rc
end

local function load(name)
    return assert(pricing.load(name))
end

local function estimate(profile, opts)
    local p = load(profile)
    local i = assert(inputs.from_options(opts, p))
    return model.estimate(p, i), p, i
end

local function usd(nano) return money.to_usd(nano) end

local function read(path)
    local f = assert(io.open(path, "rb"))
    local s = f:read("a")
    f:close()
    return s
end

local function near(got, want, tolerance, what)
    if math.abs(got - want) > tolerance * math.abs(want) then
        error(string.format("%s: got %s, want %s within %s%%", what or "value", got, want, tolerance * 100), 2)
    end
end

local t = require "mfakit.test"
local bin = arg[-1] or "./mfakit"
bin = bin:find("/") and bin or "./" .. bin

-- The guide's own figures must come out exactly.
t.case("guide: 1,000 users, one SMS login a month each, cost $6.45", function()
    local e = estimate("guide", { mau = 1000, ["logins-per-user-per-month"] = 1 })
    t.eq(e.sms_messages, 1000)
    t.eq(usd(e.sms_nano), 6.45)
    t.eq(usd(e.mau_nano), 0)
    t.eq(usd(e.total_nano), 6.45)
    t.eq(json.encode{ v = usd(e.total_nano) }, '{"v":6.45}')
    t.eq(money.format(e.total_nano), "$6.45")
end)

t.case("guide: 1,000 users, 2 logins a day, 60,000 SMS cost $387", function()
    local e = estimate("guide", { mau = 1000, ["logins-per-user-per-day"] = 2 })
    t.eq(e.sms_messages, 60000)
    t.eq(usd(e.sms_nano), 387)
    t.eq(usd(e.total_nano), 387)
    t.eq(money.format(e.total_nano), "$387.00")
end)

t.case("guide: the first 50,000 MAU are free, then $0.0055 each", function()
    local e = estimate("guide", { mau = 50000, ["logins-per-user-per-month"] = 0 })
    t.eq(e.mau_nano, 0)
    e = estimate("guide", { mau = 60000, ["logins-per-user-per-month"] = 0 })
    t.eq(usd(e.mau_nano), 55)   -- 10,000 x $0.0055
    t.eq(usd(e.total_nano), 55)
end)

t.case("cli: the guide's figures in --output json", function()
    local out, rc = run(bin .. " cost --pricing guide --mau 1000 --logins-per-user-per-month 1 --output json")
    t.eq(rc, 0, out)
    t.ok(out:find('"total_usd":6.45', 1, true), out)
    local v = assert(json.decode(out))
    t.eq({ v.mau_usd, v.sms_messages, v.sms_usd, v.total_usd }, { 0, 1000, 6.45, 6.45 })
    t.eq(v.assumptions.logins_per_user_per_month, 1)
    t.eq(v.assumptions.totp_share, 0)
    t.eq(v.assumptions.days_per_month, 30)
    t.ok(#v.assumptions.notes > 0)
    out, rc = run(bin .. " cost --pricing guide --mau 1000 --logins-per-user-per-day 2 --output=json")
    t.eq(rc, 0, out)
    v = assert(json.decode(out))
    t.eq({ v.sms_messages, v.sms_usd, v.total_usd }, { 60000, 387, 387 })
    t.ok(out:find('"sms_usd":387,', 1, true), out)
end)

t.case("cli: text shows every price with when and where it was checked", function()
    local out, rc = run(bin .. " cost --pricing guide --mau 1000 --logins-per-user-per-day 2")
    t.eq(rc, 0, out)
    t.ok(out:find("$387.00", 1, true), out)
    t.ok(out:find("$0.00645", 1, true), out)
    t.ok(out:find("checked 2022-12-02", 1, true), out)
    t.ok(out:find("sms_stats_cloudwatch", 1, true), out)
    t.ok(out:find("$0.0055", 1, true), out)
    t.ok(out:find("(default)", 1, true), out)
    t.ok(out:find("A month is 30 days", 1, true), out)
    t.ok(out:find("How the monthly total moves", 1, true), out)
end)

-- The closed form against cases worked by hand.
t.case("closed form: TOTP share, remembered devices and resends", function()
    -- 0.5 logins a day = 15 a month; 80% on SMS; MFA on 1/(1 + 0.5*7) = 2/9 of
    -- logins; 1.1 messages per challenge: 15 * 0.8 * 2/9 * 1.1 = 2.9333 a user.
    local e = estimate("current", { mau = 25000, ["logins-per-user-per-day"] = 0.5, ["remember-device-days"] = 7,
        ["totp-share"] = 0.2, ["resend-rate"] = 0.1, country = "US" })
    near(e.per_user.sms, 15 * 0.8 * 2 / 9 * 1.1, 1e-12)
    near(e.sms_messages, 25000 * 2.2 / 0.75, 1e-12)      -- 73,333.33
    t.eq(usd(e.sms_nano), 473)                            -- x $0.00645
    t.eq(usd(e.mau_nano), 225)                            -- Essentials: 15,000 x $0.015
    t.eq(usd(e.total_nano), 698)
end)

t.case("closed form: daily logins, devices remembered 30 days: about one SMS a month", function()
    local e = estimate("guide", { mau = 31, ["logins-per-user-per-day"] = 1, ["remember-device-days"] = 30 })
    near(e.per_user.mfa_share, 1 / 31, 1e-12)
    near(e.sms_messages, 30, 1e-12)                       -- 31 users x 30/31
end)

t.case("closed form: Lite's bands, Plus without a free tier", function()
    local e = estimate("current", { mau = 1500000, tier = "lite", ["logins-per-user-per-month"] = 0 })
    -- 90,000 x 0.0055 + 900,000 x 0.0046 + 500,000 x 0.00325 = 495 + 4,140 + 1,625
    t.eq(usd(e.mau_nano), 6260)
    e = estimate("current", { mau = 1000, tier = "PLUS", ["logins-per-user-per-month"] = 0 })
    t.eq(usd(e.mau_nano), 20)
    e = estimate("current", { mau = 10000, ["logins-per-user-per-month"] = 0 })
    t.eq(e.mau_nano, 0)
    t.eq(e.inputs.tier.id, "essentials")
end)

t.case("closed form: a country mix and multi-part messages", function()
    local e = estimate("current", { mau = 1000, ["logins-per-user-per-month"] = 1, country = "us=0.7, IN=0.3" })
    -- 700 x $0.00645 + 300 x $0.00278 = 4.515 + 0.834
    t.eq(usd(e.sms_nano), 5.349)
    t.eq(#e.sms_rows, 2)
    t.eq({ e.sms_rows[1].country, e.sms_rows[1].messages }, { "IN", 300.0 })
    local two = estimate("current", { mau = 1000, ["logins-per-user-per-month"] = 1, country = "US",
                                      ["sms-parts"] = 2 })
    t.eq(usd(two.sms_nano), 12.9)
    t.eq(two.sms_messages, 1000)
end)

t.case("monotonic: cost never rises with TOTP share or remember-device days", function()
    local p = load("current")
    local base = assert(inputs.from_options({ mau = 20000, ["logins-per-user-per-day"] = 1.5,
        ["resend-rate"] = 0.1, country = "US=0.5,IN=0.5" }, p))
    local shares = { 0, 0.1, 0.33, 0.5, 0.9, 1 }
    local days = { 0, 0.5, 1, 3, 7, 30, 90, 365 }
    local s = model.sensitivity(p, base, shares, days)
    t.eq(s.totp_shares, shares)
    for r = 1, #shares do
        for c = 1, #days do
            local v = s.total_nano[r][c]
            if r > 1 then
                t.ok(v <= s.total_nano[r - 1][c], "rises with TOTP share at " .. r .. "," .. c)
                if shares[r] < 1 or r < #shares then t.ok(v < s.total_nano[r - 1][c], "flat in TOTP share") end
            end
            if c > 1 then
                t.ok(v <= s.total_nano[r][c - 1], "rises with remember days at " .. r .. "," .. c)
                if shares[r] < 1 then t.ok(v < s.total_nano[r][c - 1], "flat in remember days") end
            end
        end
    end
    -- All on TOTP: the MAU charge alone.
    t.eq(s.sms_messages[#shares][1], 0.0)
end)

t.case("sensitivity: the user's own values join the table", function()
    local e, p, i = estimate("guide", { mau = 100, ["totp-share"] = 0.2, ["remember-device-days"] = 14 })
    local s = model.sensitivity(p, i)
    t.eq(s.totp_shares, { 0, 0.2, 0.25, 0.5, 0.75, 1 })
    t.eq(s.remember_device_days, { 0, 1, 7, 14, 30, 90 })
    t.eq(s.total_nano[2][4], e.total_nano)
end)

-- The simulation converges on the closed form.
t.case("simulate: 2 logins a day, nothing remembered: the guide's 60,000 SMS", function()
    local e, p, i = estimate("guide", { mau = 1000, ["logins-per-user-per-day"] = 2 })
    local s = simulate.run(p, i, { seed = 1, runs = 20 })
    t.eq({ s.runs, s.users_per_run, s.sampled }, { 20, 1000, false })
    near(s.sms_messages.mean, e.sms_messages, 0.005, "mean SMS")
    near(s.sms_messages.median, e.sms_messages, 0.01, "median SMS")
    t.ok(s.sms_messages.p95 >= s.sms_messages.median)
    near(s.sms_nano.mean, e.sms_nano, 0.005, "mean SMS cost")
    -- Whole messages at a whole price: each run's cost is exact.
    for _, r in ipairs(s.per_run) do t.eq(r.sms_nano, r.messages * 6450000) end
end)

t.case("simulate: remembered devices, TOTP adopters, resends", function()
    for _, o in ipairs{
        { ["logins-per-user-per-day"] = 1, ["remember-device-days"] = 7, ["totp-share"] = 0.3,
          ["resend-rate"] = 0.25 },
        { ["logins-per-user-per-day"] = 3, ["remember-device-days"] = 30, ["resend-rate"] = 1.5 },
        { ["logins-per-user-per-month"] = 4, ["remember-device-days"] = 2, ["totp-share"] = 0.5 },
    } do
        o.mau = 2000
        local e, p, i = estimate("guide", o)
        local s = simulate.run(p, i, { seed = 42, runs = 30 })
        near(s.sms_messages.mean, e.sms_messages, 0.02, "mean SMS for " .. json.encode(o))
    end
end)

t.case("simulate: a country mix, and a sample scaled to a large MAU", function()
    local e, p, i = estimate("current", { mau = 1000, ["logins-per-user-per-day"] = 1, country = "US=0.7,IN=0.3" })
    local s = simulate.run(p, i, { seed = 3, runs = 20 })
    near(s.sms_nano.mean, e.sms_nano, 0.01, "mean SMS cost")
    e, p, i = estimate("current", { mau = 500000, ["logins-per-user-per-day"] = 1, ["remember-device-days"] = 3 })
    s = simulate.run(p, i, { seed = 3, runs = 20, users = 2000 })
    t.eq({ s.users_per_run, s.sampled }, { 2000, true })
    near(s.sms_messages.mean, e.sms_messages, 0.02, "mean SMS (sampled)")
    near(s.total_nano.median, e.total_nano, 0.02, "median total (sampled)")
end)

t.case("simulate: --seed makes it repeatable", function()
    local _, p, i = estimate("guide", { mau = 300, ["remember-device-days"] = 3, ["resend-rate"] = 0.3 })
    local a = simulate.run(p, i, { seed = 99, runs = 5 })
    local b = simulate.run(p, i, { seed = 99, runs = 5 })
    local c = simulate.run(p, i, { seed = 100, runs = 5 })
    t.eq(a.per_run, b.per_run)
    t.ok(not pcall(t.eq, a.per_run, c.per_run), "another seed gave the same months")
end)

t.case("cli: --simulate reports median and p95 beside the closed form", function()
    local cmd = bin .. " cost --pricing guide --mau 200 --logins-per-user-per-day 2 --simulate --seed 5 --runs 10"
    local out, rc = run(cmd .. " --output json")
    t.eq(rc, 0, out)
    local v = assert(json.decode(out))
    t.eq({ v.simulation.seed, v.simulation.runs }, { 5, 10 })
    t.eq(v.simulation.closed_form.sms_messages, 12000)
    near(v.simulation.sms_messages.median, 12000, 0.03)
    t.ok(v.simulation.sms_usd.p95 >= v.simulation.sms_usd.median)
    local again = run(cmd .. " --output json")
    t.eq(again, out)
    out, rc = run(cmd)
    t.eq(rc, 0, out)
    t.ok(out:find("median", 1, true) and out:find("p95", 1, true) and out:find("closed form", 1, true), out)
end)

-- Pricing files.
t.case("pricing: the embedded copy equals pricing/*.json", function()
    local embedded = require "mfakit.cost.pricing_default"
    local p = assert(io.popen("ls pricing/*.json"))
    local n = 0
    for path in p:lines() do
        n = n + 1
        local name = path:match("([^/]+)%.json$")
        t.eq(embedded[name], read(path), "embedded " .. name .. " differs from " .. path ..
            " (regenerate lua/mfakit/cost/pricing_default.lua: see its header)")
    end
    p:close()
    t.ok(n >= 2, "pricing/ has the guide and current profiles")
    local count = 0
    for _ in pairs(embedded) do count = count + 1 end
    t.eq(count, n, "embedded profiles without a pricing/ file")
    t.eq(pricing.embed_source("pricing"), read("lua/mfakit/cost/pricing_default.lua"))
end)

t.case("pricing: every entry says value, unit, when and where it was checked", function()
    for _, name in ipairs(pricing.profiles()) do
        local p = load(name)
        local entries = {}
        for _, tier in ipairs(p.tiers) do
            entries[#entries + 1] = tier.free_mau
            for _, e in ipairs(tier.mau_prices) do entries[#entries + 1] = e end
        end
        for _, e in pairs(p.sms) do entries[#entries + 1] = e end
        for _, e in ipairs(entries) do
            t.ok(type(e.value) == "number" and e.unit ~= "" and #e.source > 10, name)
            t.ok(e.checked == "undated" or e.checked:match("^20%d%d%-%d%d%-%d%d$"), name .. ": " .. e.checked)
        end
    end
end)

t.case("pricing: the cited figures (docs/COST.md)", function()
    local g = load("guide")
    t.eq(g.tiers[1].free_mau.value, 50000)
    t.eq(g.tiers[1].mau_prices[1].nano, 5500000)
    t.eq(g.sms.US.nano, 6450000)
    local c = load("current")
    t.eq(c.profile, pricing.DEFAULT)
    local function tier(id)
        local x = c.tier_by_id[id]
        local out = { x.free_mau.value }
        for _, b in ipairs(x.bands) do out[#out + 1] = { b.to or false, b.price.value } end
        return out
    end
    t.eq(tier("lite"), { 10000, { 100000, 0.0055 }, { 1000000, 0.0046 }, { false, 0.00325 } })
    t.eq(tier("essentials"), { 10000, { false, 0.015 } })
    t.eq(tier("plus"), { 0, { false, 0.02 } })
    t.eq({ c.sms.US.value, c.sms.US.checked, c.sms.IN.value }, { 0.00645, "2022-12-02", 0.00278 })
    t.eq(c.default_tier, "essentials")
end)

t.case("pricing: a replacement file, and what a bad one says", function()
    local g = json.decode(read("pricing/guide.json"))
    g.profile = "mine"
    g.sms.GB = { value = 0.04, unit = "per SMS message part", currency = "USD", checked = "2026-01-31",
                 source = "our invoice for January 2026" }
    local path = os.tmpname() .. ".json"
    local f = assert(io.open(path, "w"))
    f:write(json.encode(g))
    f:close()
    local p = assert(pricing.load(path))
    t.eq({ p.profile, p.origin }, { "mine", path })
    local i = assert(inputs.from_options({ mau = 10, ["logins-per-user-per-month"] = 1, country = "GB" }, p))
    t.eq(usd(model.estimate(p, i).sms_nano), 0.4)
    local out, rc = run(bin .. " cost --pricing " .. path .. " --mau 10 --country gb --output json")
    t.eq(rc, 0, out)
    t.eq(json.decode(out).sms_usd, 12)
    os.remove(path)

    local function bad(mutate, needle)
        local v = json.decode(read("pricing/aws-2026-09.json"))
        mutate(v)
        local r, err = pricing.decode(json.encode(v), "x.json")
        t.eq(r, nil)
        t.ok(err:find(needle, 1, true), err)
    end
    bad(function(v) v.sms.US.source = nil end, "sms.US: source")
    bad(function(v) v.sms.US.checked = "last week" end, "checked must be a date")
    bad(function(v) v.sms.US.currency = "EUR" end, "currency")
    bad(function(v) v.tiers[1].mau_prices[2].up_to = 50000 end, "tiers[lite].mau_prices[2]: up_to")
    bad(function(v) v.tiers[1].mau_prices[3].up_to = 5000000 end, "the last price")
    bad(function(v) v.default_tier = "gold" end, "default_tier")
    bad(function(v) v.sms.usa = v.sms.US end, "country codes")
    t.ok(select(2, pricing.decode("{", "x.json")):find("not JSON", 1, true))
    local r, err = pricing.load("no-such-profile")
    t.eq(r, nil)
    t.ok(err:find("guide", 1, true) and err:find("aws-2026-09", 1, true), err)
end)

t.case("docs/COST.md cites every figure of every pricing file, with its date", function()
    local doc = read("docs/COST.md")
    for _, name in ipairs(pricing.profiles()) do
        local p = load(name)
        t.ok(doc:find("`" .. name .. "`", 1, true), "profile " .. name)
        local function cited(e, shown)
            t.ok(doc:find(shown, 1, true), name .. ": " .. shown .. " is not in docs/COST.md")
            t.ok(doc:find(e.checked, 1, true), name .. ": " .. e.checked .. " is not in docs/COST.md")
        end
        for _, tier in ipairs(p.tiers) do
            if tier.free_mau.value > 0 then cited(tier.free_mau, money.count(tier.free_mau.value)) end
            for _, e in ipairs(tier.mau_prices) do cited(e, money.format_price(e.nano)) end
        end
        for _, e in pairs(p.sms) do cited(e, money.format_price(e.nano)) end
    end
end)

t.case("warnings: the $1.00 SMS spend limit, undated figures", function()
    local e = estimate("current", { mau = 100, ["logins-per-user-per-month"] = 1 })   -- $0.645 of SMS
    t.eq(report.warnings(e), {})
    e = estimate("current", { mau = 200, ["logins-per-user-per-month"] = 1 })         -- $1.29
    local w = report.warnings(e)
    t.eq(#w, 1)
    t.ok(w[1]:find("spend limit", 1, true), w[1])
    e = estimate("current", { mau = 10, ["logins-per-user-per-month"] = 1, country = "IN" })
    w = report.warnings(e)
    t.eq(#w, 1)
    t.ok(w[1]:find("Undated figures (SMS to IN)", 1, true), w[1])
end)

-- The chart.
t.case("chart: well-formed SVG, one line per tier and one for SMS alone", function()
    local _, p, i = estimate("current", { mau = 40000, ["totp-share"] = 0.5 })
    local svg = chart.svg(p, i)
    local doc = assert(xml.decode(svg))
    t.eq(doc.tag, "svg")
    local lines, texts = 0, {}
    for _, c in ipairs(doc) do
        if type(c) == "table" and c.tag == "polyline" then lines = lines + 1 end
        if type(c) == "table" and c.tag == "text" then texts[#texts + 1] = c[1] end
    end
    t.eq(lines, #p.tiers + 1)
    local all = table.concat(texts, "|")
    t.ok(all:find("Monthly active users", 1, true) and all:find("Monthly cost", 1, true), all)
    t.ok(all:find("Essentials (chosen)", 1, true), all)
    t.ok(all:find("40,000 MAU", 1, true), all)
end)

t.case("chart: each line is the estimate at its points", function()
    local _, p, i = estimate("guide", { mau = 1000, ["logins-per-user-per-month"] = 1 })
    local doc = assert(xml.decode(chart.svg(p, i, { max_mau = 100000 })))
    local first
    for _, c in ipairs(doc) do
        if type(c) == "table" and c.tag == "polyline" then first = first or c end
    end
    -- points at 0, 1,000 (the marker), 50,000 (free MAU ends) and 100,000
    local n = select(2, first.attr.points:gsub("%S+", ""))
    t.eq(n, 4)
    t.eq(chart.nice(0.7), 1)
    t.eq(chart.nice(2100), 2500)
    t.eq(chart.nice(4999), 5000)
end)

t.case("cli: --chart PATH writes the SVG", function()
    local path = os.tmpname() .. ".svg"
    local out, rc = run(bin .. " cost --mau 5000 --chart " .. path)
    t.eq(rc, 0, out)
    t.ok(out:find("Chart written to " .. path, 1, true), out)
    t.eq(assert(xml.decode(read(path))).tag, "svg")
    os.remove(path)
    out, rc = run(bin .. " cost --mau 5000 --chart /nonexistent/dir/c.svg")
    t.eq(rc, 1, out)
    t.ok(out:match("^mfakit cost: %-%-chart: cannot write [^\n]+\n$"), out)
end)

-- Bad input: one line naming the option, exit status 2.
t.case("cli: bad input is one line naming the option, exit 2", function()
    local cases = {
        { "--mau -5", "--mau must not be negative" },   -- read as a value, then checked
        { "--mau abc", "--mau needs a number, not 'abc'" },
        { "--mau 1.5", "--mau must be a whole number" },
        { "", "--mau is required" },
        { "--mau 10 --totp-share 1.5", "--totp-share" },
        { "--mau 10 --totp-share -0.1", "between 0 and 1" },
        { "--mau 10 --totp-share x", "--totp-share needs a number" },
        { "--mau 10 --remember-device-days -1", "--remember-device-days must not be negative" },
        { "--mau 10 --resend-rate -0.5", "--resend-rate must not be negative" },
        { "--mau 10 --logins-per-user-per-day -2", "--logins-per-user-per-day must not be negative" },
        { "--mau 10 --logins-per-user-per-month nan", "--logins-per-user-per-month needs a number" },
        { "--mau 10 --logins-per-user-per-day 1 --logins-per-user-per-month 3", "give one, not both" },
        { "--mau 10 --country XX", "--country: no SMS price for 'XX'" },
        { "--mau 10 --country US=0.5", "--country: the shares must add up to 1" },
        { "--mau 10 --country US=0.5,IN=x", "--country: the share of IN" },
        { "--mau 10 --country US=1.5,IN=-0.5", "between 0 and 1" },
        { "--mau 10 --country USA", "--country takes a country code" },
        { "--mau 10 --tier gold", "--tier: no tier 'gold'" },
        { "--mau 10 --pricing guide --tier lite", "--tier: no tier 'lite' in pricing guide" },
        { "--mau 10 --pricing nope", "--pricing: no pricing profile 'nope'" },
        { "--mau 10 --pricing /nonexistent.json", "--pricing: cannot read" },
        { "--mau 10 --sms-parts 0", "--sms-parts must be at least 1" },
        { "--mau 10 --seed 3", "--seed, --runs and --sim-users go with --simulate" },
        { "--mau 10 --simulate --runs 0", "--runs must be a whole number of at least 1" },
        { "--mau 10 --bogus", "unknown option --bogus" },
    }
    for _, c in ipairs(cases) do
        local out, rc = run(bin .. " cost " .. c[1])
        t.eq(rc, 2, c[1] .. ": " .. out)
        t.ok(out:find(c[2], 1, true), c[1] .. ": " .. out)
        t.ok(out:match("^mfakit cost: [^\n]+\n$"), c[1] .. ": not one line: " .. out)
    end
end)

t.case("cli: --help", function()
    local out, rc = run(bin .. " cost --help")
    t.eq(rc, 0)
    t.ok(out:find("--remember-device-days", 1, true) and out:find("docs/COST.md", 1, true), out)
end)

t.case("report: JSON has every required key and assumption", function()
    local e, p, i = estimate("current", { mau = 12000, ["totp-share"] = 0.25 })
    local d = report.data(e, { sensitivity = model.sensitivity(p, i) })
    for _, k in ipairs{ "mau_usd", "sms_messages", "sms_usd", "total_usd", "assumptions", "prices",
                        "sensitivity", "pricing" } do
        t.ok(d[k] ~= nil, k)
    end
    for _, k in ipairs{ "logins_per_user_per_month", "totp_share", "remember_device_days", "resend_rate",
                        "country_mix", "tier", "days_per_month", "sms_parts_per_message", "model", "defaulted" } do
        t.ok(d.assumptions[k] ~= nil, "assumptions." .. k)
    end
    t.eq(d.mau_usd, 30)  -- 2,000 x $0.015
    t.eq(d.prices[#d.prices].checked, "2022-12-02")
    json.encode(d)
end)

t.case("costs too large to chart, prices too large to hold, and control characters in names", function()
    local out, rc = run("./mfakit cost --mau 0 --logins-per-user-per-month 1e300 --chart /dev/null")
    t.eq(rc, 2, out)
    t.ok(out:find("too large", 1, true), out)
    local tmp = os.getenv("MFAKIT_TEST_TMP") or "/tmp"
    local f = assert(io.open("pricing/guide.json"))
    local doc = assert(json.decode(f:read("a")))
    f:close()
    doc.sms.US.value = 10000000000.0
    local path = tmp .. "/huge-price.json"
    f = assert(io.open(path, "w")) f:write(json.encode(doc)) f:close()
    out, rc = run("./mfakit cost --mau 60000 --pricing " .. path)
    t.ok(rc ~= 0 and not out:find("$-", 1, true), out)
    doc.sms.US.value = 0.00645
    doc.profile = "a\1<b>&"
    f = assert(io.open(path, "w")) f:write(json.encode(doc)) f:close()
    out, rc = run("./mfakit cost --mau 60000 --pricing " .. path .. " --chart " .. tmp .. "/odd.svg")
    t.eq(rc, 0, out)
    f = assert(io.open(tmp .. "/odd.svg"))
    t.ok(require("mfakit.xml").decode(f:read("a")), "well-formed SVG")
    f:close()
end)

-- The parts counted from the MFA message: {####} becomes 6 digits, GSM-7
-- holds 160 septets in one part and 153 once split, UCS-2 70 and 67; an
-- extension character ([ ] { } ~ ^ \ | €) takes two septets.
local srun = dofile("tests/support.lua").run

local function parts_of(text)
    local out, err, rc = srun(bin .. " --output json cost --mau 1000 --sms-message '" .. text:gsub("'", "'\\''") .. "'")
    if rc ~= 0 then return nil, err end
    local doc = assert(json.decode(out))
    return doc.assumptions.sms_parts_per_message, doc.assumptions.sms_message, doc
end

t.case("--sms-message: parts and encoding at the 160/161 and 70/71 boundaries", function()
    local pad = function(n, c) return (c or "a"):rep(n) end
    -- 154 letters + 6 digits = 160 septets: one part; one more: 161, two parts of 153
    local n, info = parts_of(pad(154) .. "{####}")
    t.eq({ n, info }, { 1, { from = "--sms-message", encoding = "GSM-7", units = 160,
                                                   per_part = 160 } })
    t.eq(parts_of(pad(155) .. "{####}"), 2)
    t.eq(parts_of(pad(300) .. "{####}"), 2) -- 306 septets = 2 x 153
    t.eq(parts_of(pad(301) .. "{####}"), 3)
    -- an extension character counts 2: 153 + one "[" = 161 septets
    t.eq(parts_of(pad(153) .. "[{####}"), 2)
    t.eq(parts_of(pad(152) .. "[{####}"), 1)
    -- one character outside GSM-7 makes the whole message UCS-2: 64 + 6 = 70 units, one part
    n, info = parts_of(pad(63) .. "ж{####}")
    t.eq(n, 1)
    t.eq(info.encoding, "UCS-2")
    t.eq(parts_of(pad(64) .. "ж{####}"), 2)
    t.eq(parts_of(pad(127) .. "ж{####}"), 2) -- 134 = 2 x 67
    t.eq(parts_of(pad(128) .. "ж{####}"), 3)
end)

t.case("--sms-message: the SMS charge is multiplied by the parts, and the text report says why", function()
    local one = select(3, parts_of("Your MFA code is {####}"))
    local two = select(3, parts_of(("a"):rep(155) .. "{####}"))
    t.eq(two.sms_usd, one.sms_usd * 2)
    t.eq(two.sms_messages, one.sms_messages)
    local out = srun(bin .. " cost --mau 1000 --sms-message 'Код: {####}'")
    t.ok(out:find("parts per SMS message      1 (UCS-2, 11 UTF-16 units; 70 per part; counted from --sms-message",
        1, true), out)
end)

t.case("--sms-message with --sms-parts, without {####}, or with --stack: one line, exit 2", function()
    local _
    local out, err, rc = srun(bin .. " cost --mau 1 --sms-message 'x {####}' --sms-parts 2")
    t.eq({ rc, out }, { 2, "" })
    t.eq(err, "mfakit cost: --sms-parts and --sms-message: give one (the parts are counted from the text)\n")
    _, err, rc = srun(bin .. " cost --mau 1 --sms-message 'no placeholder'")
    t.eq(rc, 2)
    t.ok(err:find("--sms-message must contain {####}", 1, true), err)
    _, err, rc = srun(bin .. " cost --mau 1 --sms-message 'x {####}' --stack s")
    t.eq(rc, 2)
    t.ok(err:find("--sms-message and --stack: give one", 1, true), err)
end)

t.case("--stack: the parts of the pool's own MFA message, read from the pool", function()
    local moto = t.env("MFAKIT_TEST_MOTO")
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    local dir = (t.env("MFAKIT_TEST_TMP") or "/tmp") .. "/cost-stack"
    local stack = "cost-" .. require("mfakit.sys").getpid()
    local env = string.format("AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing " ..
        "AWS_REGION=us-east-1 ", moto)
    local _, err, rc = srun(env .. bin .. " guide up --stack " .. stack .. " --state-dir " .. dir)
    t.eq(rc, 0, err)
    t.defer(function() srun(env .. bin .. " guide down --stack " .. stack .. " --state-dir " .. dir) end)
    local out
    out, err, rc = srun(env .. bin .. " --output json cost --mau 1000 --stack " .. stack .. " --state-dir " .. dir)
    t.eq(rc, 0, err)
    local doc = assert(json.decode(out))
    t.eq(doc.assumptions.sms_parts_per_message, 1)
    t.ok(doc.assumptions.sms_message.from:find("MFA message", 1, true), doc.assumptions.sms_message.from)
    -- a long non-GSM message set by hand: three UCS-2 parts
    local st = assert(json.decode(read(dir .. "/" .. stack .. ".json")))
    local idp = dofile("tests/support.lua").admin("cognito-idp", moto)
    local m = assert(idp:call("GetUserPoolMfaConfig", { UserPoolId = st.resources.pool.id }))
    m.SmsMfaConfiguration.SmsAuthenticationMessage = ("ж"):rep(130) .. " {####}"
    assert(idp:call("SetUserPoolMfaConfig", { UserPoolId = st.resources.pool.id, MfaConfiguration = "OPTIONAL",
        SmsMfaConfiguration = m.SmsMfaConfiguration, SoftwareTokenMfaConfiguration = { Enabled = true } }))
    out, err, rc = srun(env .. bin .. " --output json cost --mau 1000 --stack " .. stack .. " --state-dir " .. dir)
    t.eq(rc, 0, err)
    doc = assert(json.decode(out))
    t.eq({ doc.assumptions.sms_parts_per_message, doc.assumptions.sms_message.encoding }, { 3, "UCS-2" })
    -- a pool without SMS MFA sends no SMS at sign-in: said, not priced
    local plain = stack .. "-totp"
    _, err, rc = srun(env .. bin .. " guide up --stack " .. plain .. " --no-sms --state-dir " .. dir)
    t.eq(rc, 0, err)
    t.defer(function() srun(env .. bin .. " guide down --stack " .. plain .. " --state-dir " .. dir) end)
    out, err, rc = srun(env .. bin .. " cost --mau 1000 --stack " .. plain .. " --state-dir " .. dir)
    t.eq({ rc, out }, { 1, "" }, err)
    t.ok(err:find("has no SMS MFA: its sign-ins send no SMS", 1, true), err)
    _, err, rc = srun(env .. bin .. " cost --mau 1 --stack no-such-" .. stack .. " --state-dir " .. dir)
    t.eq(rc, 1)
    t.ok(err:find("has no user pool", 1, true), err)
end)

t.case("the pool's sign-in message: the MFA configuration's first, then the pool's, then Cognito's default", function()
    local pm, sms = require "mfakit.cost.pool_message", require "mfakit.sms"
    local mfa = { SmsMfaConfiguration = { SmsAuthenticationMessage = "mfa {####}" } }
    local pool = { SmsAuthenticationMessage = "pool {####}" }
    t.eq({ pm.of(mfa, pool) }, { "mfa {####}", false })
    t.eq({ pm.of({ SmsMfaConfiguration = {} }, pool) }, { "pool {####}", false })
    t.eq({ pm.of(nil, nil) }, { sms.COGNITO_DEFAULT, true })
    -- the cost guard of mfakit load counts the same default
    t.eq(sms.parts(sms.render(sms.COGNITO_DEFAULT)), 1)
end)
