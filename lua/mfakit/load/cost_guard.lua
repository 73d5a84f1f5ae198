-- mfakit.load.cost_guard: what a run will cost in SMS, before it runs, and
-- whether SNS has the room for it. Every sign-in that meets SMS_MFA on a
-- real account sends a paid SMS and counts against the SNS monthly spend
-- limit; when that runs out mid-run, codes stop arriving and the run fails
-- for reasons that are not the system's.
--   estimate{ sign_ins, sms_share, message, country, pricing } -> { sms, parts, per_sms_parts, nano, usd, ... }
--   headroom{ pool, region, cloudwatch =, sns = } -> { limit, spent, left, region, notes } | nil, err
--   decide(est, room, { max_cost =, yes = }) -> "go" | "refuse", reason
--   after(est, sms_sent) -> line
local sms = require "mfakit.sms"
local money = require "mfakit.cost.money"
local sms_regions = require "mfakit.cognito.sms_regions"
local cloudwatch = require "mfakit.doctor.cloudwatch"

local M = {}

-- MonthlySpendLimit when it is not set: the account's quota, 1 USD on a new account
M.DEFAULT_LIMIT = 1

function M.estimate(o)
    local parts, info = sms.parts(sms.render(o.message or sms.COGNITO_DEFAULT))
    local entry = o.pricing.sms[o.country] or o.pricing.sms[o.pricing.default_country]
    local messages = math.ceil(o.sign_ins * o.sms_share - 1e-9)
    local nano = money.times(messages * parts, entry.nano)
    return { sms = messages, per_sms_parts = parts, parts = messages * parts, encoding = info.encoding,
             nano = nano, usd = money.to_usd(nano), price = entry, country = o.country or o.pricing.default_country }
end

-- The SNS region that sends the pool's SMS, its MonthlySpendLimit and this
-- month's spend there. `o.client(service, region)` makes a client.
function M.headroom(o)
    local pool = o.pool or {}
    local where = sms_regions.resolve(o.region, (pool.SmsConfiguration or {}).SnsRegion)
    local notes = {}
    if where.status ~= "pass" then notes[#notes + 1] = where.why end
    local attrs, err = o.client("sns", where.region):call("GetSMSAttributes")
    if not attrs then return nil, err end
    local limit = tonumber((attrs.attributes or {}).MonthlySpendLimit)
    if not limit then
        limit = M.DEFAULT_LIMIT
        notes[#notes + 1] = "MonthlySpendLimit is not set: the account default, 1 USD, applies"
    end
    local spent, serr = cloudwatch.month_to_date_spend(o.client("cloudwatch", where.region), o.now)
    if spent == nil then return nil, serr end
    return { region = where.region, limit = limit, spent = spent or 0, left = limit - (spent or 0), notes = notes }
end

function M.decide(est, room, o)
    if est.sms == 0 then return "go" end
    local usd = est.usd
    if o.max_cost and usd > o.max_cost then
        if o.yes then return "go", "over --max-cost, going on (--yes)" end
        return "refuse", string.format("the run's SMS would cost about $%.2f, over --max-cost $%.2f (--yes runs it " ..
            "anyway)", usd, o.max_cost)
    end
    if room and usd > room.left then
        if o.yes then return "go", "over the SNS headroom, going on (--yes)" end
        return "refuse", string.format("the run's SMS would cost about $%.2f, but SNS in %s has $%.2f left this " ..
            "month (MonthlySpendLimit $%.2f, $%.2f spent): codes would stop arriving mid-run; raise the limit, " ..
            "lower --logins, or --yes", usd, room.region, math.max(0, room.left), room.limit, room.spent)
    end
    return "go"
end

function M.line(est)
    return string.format("%d SMS (%d part%s each, %s), %d parts at %s a part (%s): about $%.4f", est.sms,
        est.per_sms_parts, est.per_sms_parts == 1 and "" or "s", est.encoding, est.parts,
        money.format_price(est.price.nano), est.country, est.usd)
end

function M.after(est, sent)
    local nano = money.times(sent * est.per_sms_parts, est.price.nano)
    return string.format("SMS sent: %d, about $%.4f (estimated before the run: %d, about $%.4f)", sent,
        money.to_usd(nano), est.sms, est.usd)
end

return M
