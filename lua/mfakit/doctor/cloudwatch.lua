-- mfakit.doctor.cloudwatch: this month's SMS spend, from CloudWatch's
-- AWS/SNS SMSMonthToDateSpentUSD metric (Amazon SNS Developer Guide,
-- "Monitoring Amazon SNS topics using CloudWatch",
-- https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html), for the
-- sns-spend-limit check. CloudWatch speaks the same query protocol as SNS,
-- so an mfakit.aws client is borrowed and given CloudWatch's shape hints:
-- it signs, retries and reports errors as every other client does.
--   client(opts) -> client      (opts as for aws.client)
--   month_to_date_spend(client, now) -> dollars | false (no data) | nil, err
local aws = require "mfakit.aws"
local config = require "mfakit.config"

local M = {}

local HINTS = {
    api_version = "2010-08-01", protocol = "query", signing_name = "monitoring",
    input_lists = { Statistics = true, Dimensions = true }, input_maps = {},
    output_lists = { Datapoints = true }, output_maps = {}, output_structures = {},
    output_booleans = {}, output_numbers = { Maximum = true, Sum = true, Average = true },
    unsigned = {},
}

function M.client(opts)
    local o = {}
    for k, v in pairs(opts or {}) do o[k] = v end
    -- AWS_ENDPOINT_URL_CLOUDWATCH, as the SDKs name it (the generic
    -- resolution would look for AWS_ENDPOINT_URL_MONITORING)
    local env = os.getenv("AWS_ENDPOINT_URL_CLOUDWATCH")
    local ignore = (os.getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") or ""):lower() == "true"
    if not o.endpoint and not config.endpoint and env and env ~= "" and not ignore then o.endpoint = env end
    local c = aws.client("sts", o)
    c.service, c.hints = "monitoring", HINTS
    return c
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
