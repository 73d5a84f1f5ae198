-- mfakit.cost.simulate: a load-style estimate. Each user's month is played
-- out login by login, and the month is repeated `runs` times, so the SMS
-- count and cost come out as a distribution beside the closed form.
--   run(pricing, inputs, {seed=, runs=, users=}) -> result
-- result: runs, seed, users_per_run, sampled (true when users_per_run < MAU),
--   sms_messages = {median, p95, mean, min, max}, sms_nano = {...},
--   total_nano = {...}, per_run = { {messages, sms_nano}, ... }
--
-- One user's month (the same model as mfakit.cost.model, but drawn):
--   - a TOTP user (probability totp_share) sends no SMS and is not played;
--   - the country is drawn from the mix;
--   - logins arrive at random (exponential gaps, L a day on average);
--   - the month starts in the steady state: with probability L*D/(1+L*D) the
--     device is still remembered from last month, for a uniform 0..D days;
--   - a login while the device is remembered skips MFA; any other login is an
--     MFA challenge that sends 1 + resends messages and remembers the device
--     for D days (D = 0: never remembered);
--   - resends per challenge: floor(r), plus one more with probability r - floor(r).
-- Users are played in batches of BATCH, each batch a task with its own random
-- stream (mfakit.cost.rng, from seed, run and batch), so results repeat for a
-- seed. Above a work budget only a sample of users is played per run; the run's
-- total is then the pooled mean scaled to the MAU, plus the run's deviation
-- from it scaled by sqrt(MAU/sample) (the spread a full population would show).
local task = require "mfakit.task"
local rng = require "mfakit.cost.rng"
local model = require "mfakit.cost.model"

local M = {}

M.RUNS = 100
M.BATCH = 250
M.BUDGET = 10000000 -- logins played per simulation before sampling users

local log, floor = math.log, math.floor

-- Plays `n` users; returns SMS messages per country (indexed like p.cum).
local function play(next, n, p)
    local counts = {}
    for i = 1, #p.cum do counts[i] = 0 end
    local rate, days, month, cum, ncum = p.rate, p.days, p.month, p.cum, #p.cum
    local totp, carried, whole, frac = p.totp, p.carried, p.resend_whole, p.resend_frac
    for _ = 1, n do
        if next() >= totp then
            local u, c = next(), 1
            while c < ncum and u >= cum[c] do c = c + 1 end
            local sms = 0
            if rate > 0 then
                local expiry = -1
                if days > 0 and next() < carried then expiry = next() * days end
                local t = -log(1 - next()) / rate
                while t < month do
                    if t >= expiry then
                        sms = sms + 1 + whole
                        if frac > 0 and next() < frac then sms = sms + 1 end
                        expiry = t + days
                    end
                    t = t - log(1 - next()) / rate
                end
            end
            counts[c] = counts[c] + sms
        end
    end
    return counts
end

local function stats(values)
    local sorted = {}
    local sum = 0
    for i, v in ipairs(values) do sorted[i] = v sum = sum + v end
    table.sort(sorted)
    local n = #sorted
    local function rank(q) return sorted[math.max(1, math.ceil(q * n))] end
    return { median = rank(0.5), p95 = rank(0.95), mean = sum / n, min = sorted[1], max = sorted[n] }
end

function M.run(pricing, inputs, opts)
    opts = opts or {}
    local seed = assert(math.tointeger(opts.seed), "simulate.run: an integer seed expected")
    local runs = opts.runs or M.RUNS
    local mau = inputs.mau
    local per_user_work = inputs.logins_per_month * (1 - inputs.totp_share) + 3
    local users = opts.users or math.max(math.min(mau, 10), floor(M.BUDGET / (runs * per_user_work)))
    users = math.min(users, mau)

    local rate = inputs.logins_per_month / model.DAYS_PER_MONTH
    local days = inputs.remember_days
    local p = {
        rate = rate, days = days, month = model.DAYS_PER_MONTH, totp = inputs.totp_share,
        carried = rate * days / (1 + rate * days),
        resend_whole = floor(inputs.resend_rate), resend_frac = inputs.resend_rate - floor(inputs.resend_rate),
        cum = {},
    }
    local prices, acc = {}, 0
    for i, m in ipairs(inputs.mix) do
        acc = acc + m.share
        p.cum[i] = i == #inputs.mix and 1 or acc
        prices[i] = pricing.sms[m.country].nano * inputs.sms_parts
    end

    local tasks = {}
    for r = 1, runs do
        tasks[r] = {}
        local b, left = 0, users
        while left > 0 do
            b = b + 1
            local n = math.min(M.BATCH, left)
            left = left - n
            tasks[r][b] = task.spawn(play, rng.stream(seed, r, b), n, p)
        end
    end
    local per_run = {}
    for r = 1, runs do
        local counts = {}
        for i = 1, #p.cum do counts[i] = 0 end
        for _, t in ipairs(tasks[r]) do
            local ok, c = task.wait(t)
            if not ok then error(c, 0) end
            for i, v in ipairs(c) do counts[i] = counts[i] + v end
        end
        local messages, nano = 0, 0
        for i, v in ipairs(counts) do
            messages = messages + v
            nano = nano + v * prices[i]
        end
        per_run[r] = { messages = messages, sms_nano = nano, by_country = counts }
    end

    local sampled = users < mau
    if sampled and users > 0 then
        local sum_m, sum_n = 0, 0
        for _, x in ipairs(per_run) do sum_m, sum_n = sum_m + x.messages, sum_n + x.sms_nano end
        local mean_m, mean_n = sum_m / (runs * users), sum_n / (runs * users)
        local k = math.sqrt(mau / users)
        for _, x in ipairs(per_run) do
            x.messages = floor(mau * mean_m + k * (x.messages - users * mean_m) + 0.5)
            x.sms_nano = floor(mau * mean_n + k * (x.sms_nano - users * mean_n) + 0.5)
            x.by_country = nil
        end
    end

    local m, n, tot = {}, {}, {}
    local mau_nano = model.mau_cost(inputs.tier, mau)
    for i, x in ipairs(per_run) do
        m[i], n[i], tot[i] = x.messages, x.sms_nano, mau_nano + x.sms_nano
    end
    return {
        runs = runs, seed = seed, users_per_run = users, sampled = sampled,
        sms_messages = stats(m), sms_nano = stats(n), total_nano = stats(tot), per_run = per_run,
    }
end

return M
