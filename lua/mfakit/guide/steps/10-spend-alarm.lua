-- Guide step 10 (with --alarm-email ADDRESS): an alarm on the month's SMS
--   spend, the guide's practice "set CloudWatch alarms for unusual SMS
--   volume". Makes an SNS topic <stack>-sms-spend with an email
--   subscription to ADDRESS, and a CloudWatch alarm <stack>-sms-spend on
--   AWS/SNS SMSMonthToDateSpentUSD (Maximum over 5 minutes) that notifies
--   the topic at --alarm-at PERCENT (default 80) of the stack's
--   --spend-limit, else of the account's MonthlySpendLimit there, else of
--   the $1 new-account quota.
-- Where: the SNS region Cognito sends the pool's SMS from
--   (mfakit.cognito.sms_regions): the metric lives there, and an alarm's
--   action must be a topic in the alarm's own region.
-- Both carry the tag mfakit:stack=<stack>; down deletes only what carries it
--   or what the state records.
-- The email subscription stays "pending confirmation" until someone clicks
--   the link AWS mails to ADDRESS: until then the alarm notifies nobody.
-- IAM permissions: sns:CreateTopic, sns:TagResource, sns:ListTopics,
--   sns:ListTagsForResource, sns:ListSubscriptionsByTopic, sns:Subscribe,
--   sns:Unsubscribe, sns:DeleteTopic, sns:GetSMSAttributes,
--   cloudwatch:PutMetricAlarm, cloudwatch:TagResource,
--   cloudwatch:DescribeAlarms, cloudwatch:ListTagsForResource,
--   cloudwatch:DeleteAlarms.
-- Run alone: mfakit guide up|down|plan|status --step 10 --alarm-email ADDRESS [--alarm-at PERCENT]
local aws = require "mfakit.aws"
local common = require "mfakit.guide.common"
local settings = require "mfakit.stack.settings"
local sms_regions = require "mfakit.cognito.sms_regions"

local step = { id = "10", name = "spend-alarm", title = "SMS spend alarm (SNS topic, email, CloudWatch alarm)" }

local METRIC = { Namespace = "AWS/SNS", MetricName = "SMSMonthToDateSpentUSD" }
-- the account's quota when no MonthlySpendLimit is set (a new account's)
local DEFAULT_LIMIT = 1

-- The recorded region wins: a stack's alarm stays where it was made.
local function region_of(ctx)
    local rec = ctx.state:get("alarm")
    if rec and rec.region then return rec.region end
    return sms_regions.resolve(ctx.region, nil).region
end

local function clients(ctx, region)
    ctx.alarm_clients = ctx.alarm_clients or {}
    local c = ctx.alarm_clients[region]
    if not c then
        c = { sns = aws.client("sns", { region = region }), cw = aws.client("cloudwatch", { region = region }) }
        ctx.alarm_clients[region] = c
    end
    return c
end

local function name_of(ctx)
    local rec = ctx.state:get("alarm")
    return rec and rec.name or ctx.settings.names.alarm
end

-- The topic of that name in the region: its ARN, or false.
local function find_topic(c, name)
    local found = false
    local ok, err = common.each_page(c.sns, "ListTopics", {}, "Topics", function(t)
        if type(t.TopicArn) == "string" and t.TopicArn:match(":([^:]+)$") == name then found = t.TopicArn end
        return true
    end)
    if not ok then return nil, err end
    return found
end

local function find_alarm(c, name)
    local out, err = c.cw:call("DescribeAlarms", { AlarmNames = { name } })
    if not out then return nil, err end
    for _, a in ipairs(out.MetricAlarms or {}) do
        if a.AlarmName == name then return a end
    end
    return false
end

local function email_subscriptions(c, topic_arn)
    local subs = {}
    local ok, err = common.each_page(c.sns, "ListSubscriptionsByTopic", { TopicArn = topic_arn }, "Subscriptions",
        function(s)
            if s.Protocol == "email" then subs[#subs + 1] = s end
            return true
        end)
    if not ok then return nil, err end
    return subs
end

-- Ours: recorded in the state, or tagged with the stack.
local function tagged(client, params, stack)
    local out, err = client:call("ListTagsForResource", params)
    if not out then
        if err.code == "ResourceNotFoundException" or err.code == "NotFound" then return false end
        return nil, err
    end
    return common.has_tag(out.Tags, stack)
end

local function limit_of(ctx, c)
    if ctx.settings.spend_limit then
        return tonumber(ctx.settings.spend_limit), "the stack's spend limit"
    end
    local out, err = c.sns:call("GetSMSAttributes")
    if not out then return nil, err end
    local v = tonumber((out.attributes or {}).MonthlySpendLimit)
    if v then return v, "the account's MonthlySpendLimit" end
    return DEFAULT_LIMIT, "the new-account quota (no MonthlySpendLimit set)"
end

local function money(n) return string.format("$%.2f", n) end

local function wanted(ctx, c)
    local limit, why = limit_of(ctx, c)
    if not limit then return nil, why end
    -- CloudWatch keeps the threshold as a double: round to a cent so a
    -- second up compares equal
    local threshold = math.floor(limit * ctx.settings.alarm_at + 0.5) / 100
    return { threshold = threshold, limit = limit, why = why }
end

function step.inspect(ctx)
    local rec = ctx.state:get("alarm")
    if not ctx.settings.alarm_email then
        if rec then
            return { exists = true, changes = {}, detail = "kept (made by an earlier up with --alarm-email)" }
        end
        return { skip = true, exists = false, changes = {} }
    end
    local region, name = region_of(ctx), name_of(ctx)
    local c = clients(ctx, region)
    local want, err = wanted(ctx, c)
    if not want then return nil, err end
    local topic
    topic, err = find_topic(c, name)
    if topic == nil then return nil, err end
    local alarm
    alarm, err = find_alarm(c, name)
    if alarm == nil then return nil, err end
    local changes, subs = {}, {}
    if not topic then
        changes[#changes + 1] = "create SNS topic " .. name .. " in " .. region
    else
        subs, err = email_subscriptions(c, topic)
        if not subs then return nil, err end
    end
    local subscribed, pending = false, false
    for _, s in ipairs(subs) do
        if s.Endpoint == ctx.settings.alarm_email then
            subscribed = true
            pending = s.SubscriptionArn == "PendingConfirmation"
        end
    end
    if not subscribed then changes[#changes + 1] = "subscribe " .. ctx.settings.alarm_email end
    local line = string.format("alarm %s at %s (%d%% of %s, %s) in %s", name, money(want.threshold),
        ctx.settings.alarm_at, money(want.limit), want.why, region)
    if not alarm then
        changes[#changes + 1] = "create " .. line
    elseif tonumber(alarm.Threshold) ~= want.threshold or alarm.MetricName ~= METRIC.MetricName or
        alarm.Namespace ~= METRIC.Namespace or not topic or not common.contains(alarm.AlarmActions, topic) then
        changes[#changes + 1] = "update " .. line
    end
    return { exists = topic and alarm and true or false, changes = changes, region = region, topic = topic,
             alarm = alarm, subs = subs, want = want,
             detail = line .. (pending and ("; " .. ctx.settings.alarm_email .. " has not confirmed yet") or "") }
end

function step.up(ctx)
    if not ctx.settings.alarm_email then
        if ctx.state:get("alarm") then return "exists", "kept (made by an earlier up with --alarm-email)" end
        return "skipped", "no --alarm-email"
    end
    local now, err = step.inspect(ctx)
    if not now then return nil, err end
    if #now.changes == 0 then return "exists", now.detail end
    local name, c = name_of(ctx), clients(ctx, now.region)
    local tags = { { Key = settings.TAG, Value = ctx.settings.stack } }
    local rec = ctx.state:get("alarm")
    -- intent first: a run killed after CreateTopic leaves a record down can follow
    assert(ctx.state:set("alarm", { region = now.region, name = name, email = ctx.settings.alarm_email,
                                    status = rec and rec.status or "creating" }))
    local topic = now.topic
    if not topic then
        -- CreateTopic of an existing name answers its ARN: a rerun is harmless
        local out
        out, err = c.sns:call("CreateTopic", { Name = name, Tags = tags })
        if not out then return nil, err end
        topic = out.TopicArn
        assert(ctx.state:set("alarm", { topic_arn = topic }))
    end
    local subscribed = false
    for _, s in ipairs(now.subs) do
        if s.Endpoint == ctx.settings.alarm_email then
            subscribed = true
        elseif s.SubscriptionArn ~= "PendingConfirmation" then
            -- the address changed: the old one stops getting the alarm (a
            -- pending one cannot be removed; it lapses after three days)
            local ok
            ok, err = c.sns:call("Unsubscribe", { SubscriptionArn = s.SubscriptionArn })
            if not ok then return nil, err end
        end
    end
    if not subscribed then
        local ok
        ok, err = c.sns:call("Subscribe", { TopicArn = topic, Protocol = "email", Endpoint = ctx.settings.alarm_email })
        if not ok then return nil, err end
    end
    local ok
    ok, err = c.cw:call("PutMetricAlarm", {
        AlarmName = name, Namespace = METRIC.Namespace, MetricName = METRIC.MetricName,
        AlarmDescription = string.format("mfakit stack %s: SMS spend reached %d%% of %s (%s)", ctx.settings.stack,
            ctx.settings.alarm_at, money(now.want.limit), now.want.why),
        Statistic = "Maximum", Period = 300, EvaluationPeriods = 1, Threshold = now.want.threshold,
        ComparisonOperator = "GreaterThanOrEqualToThreshold", TreatMissingData = "notBreaching",
        ActionsEnabled = true, AlarmActions = { topic }, Tags = tags,
    })
    if not ok then return nil, err end
    local alarm = find_alarm(c, name)
    assert(ctx.state:set("alarm", { topic_arn = topic, threshold = now.want.threshold, status = "created",
                                    alarm_arn = alarm and alarm.AlarmArn or nil }))
    return now.exists and "updated" or "created", table.concat(now.changes, "; ") ..
        (subscribed and "" or ("; AWS mails " .. ctx.settings.alarm_email .. " a link to confirm"))
end

-- What of the stack's alarm and topic exists: { alarm = a|false, topic = arn|false }
local function ours(ctx)
    local rec = ctx.state:get("alarm")
    local region, name = region_of(ctx), name_of(ctx)
    local c = clients(ctx, region)
    local stack = ctx.settings.stack
    local alarm, err = find_alarm(c, name)
    if alarm == nil then return nil, err end
    if alarm and not rec then
        local mine
        mine, err = tagged(c.cw, { ResourceARN = alarm.AlarmArn }, stack)
        if mine == nil then return nil, err end
        if not mine then alarm = false end
    end
    local topic
    topic, err = find_topic(c, name)
    if topic == nil then return nil, err end
    if topic and not rec then
        local mine
        mine, err = tagged(c.sns, { ResourceArn = topic }, stack)
        if mine == nil then return nil, err end
        if not mine then topic = false end
    end
    return { alarm = alarm, topic = topic, c = c, name = name }
end

function step.down(ctx)
    local found, err = ours(ctx)
    if not found then return nil, err end
    local gone, failed = {}, nil
    if found.alarm then
        local ok
        ok, err = found.c.cw:call("DeleteAlarms", { AlarmNames = { found.name } })
        if ok then gone[#gone + 1] = "alarm " .. found.name else failed = err end
    end
    if found.topic then
        -- the topic goes even when the alarm stayed: down removes all it can;
        -- deleting a topic deletes its subscriptions
        local ok
        ok, err = found.c.sns:call("DeleteTopic", { TopicArn = found.topic })
        if ok then gone[#gone + 1] = "topic " .. found.name else failed = failed or err end
    end
    if failed then return nil, failed end
    ctx.state:forget("alarm")
    if #gone == 0 then return "absent", "nothing to delete" end
    return "deleted", table.concat(gone, ", ")
end

-- For down's final look: what is still there.
function step.left(ctx)
    local found, err = ours(ctx)
    if not found then return nil, err end
    local left = {}
    if found.alarm then left[#left + 1] = { what = "alarm " .. found.name } end
    if found.topic then left[#left + 1] = { what = "topic " .. found.topic } end
    return left
end

return step
