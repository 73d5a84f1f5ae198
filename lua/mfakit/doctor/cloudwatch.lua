-- mfakit.doctor.cloudwatch: this month's SMS spend, from CloudWatch's
-- AWS/SNS SMSMonthToDateSpentUSD metric (Amazon SNS Developer Guide,
-- "Monitoring Amazon SNS topics using CloudWatch",
-- https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html), for the
-- sns-spend-limit check, through aws.client("cloudwatch"), a service client
-- like any other.
--   client(opts) -> client      (opts as for aws.client)
--   month_to_date_spend(client, now) -> dollars | false (no data) | nil, err
local aws = require "mfakit.aws"

local M = {}

function M.client(opts)
    return aws.client("cloudwatch", opts)
end

local function iso(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", t) end

function M.month_to_date_spend(client, now)
    now = math.floor(now)
    local d = os.date("!*t", now)
    local start = now - ((d.day - 1) * 86400 + d.hour * 3600 + d.min * 60 + d.sec) -- the 1st, 00:00 UTC
    local out, err = client:call("GetMetricStatistics", {
        Namespace = "AWS/SNS", MetricName = "SMSMonthToDateSpentUSD",
        StartTime = iso(start), EndTime = iso(now + 60), Period = 86400, Statistics = { "Maximum" },
    })
    if not out then return nil, err end
    local best
    for _, p in ipairs(out.Datapoints or {}) do
        local v = tonumber(p.Maximum)
        if v and (not best or v > best) then best = v end
    end
    return best or false
end

return M
