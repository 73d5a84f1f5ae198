-- tests/test_guide_alarm.lua: guide step 10, the SMS spend alarm, against
-- moto: the topic, the email subscription and the CloudWatch alarm with
-- exact settings, in the region Cognito sends SMS from; idempotent;
-- converged after a change by hand; removed by down (with or without the
-- state, never someone else's); down exits 1 naming what it could not remove.
local sys = require "mfakit.sys"
local aws = require "mfakit.aws"
local guide = require "mfakit.guide"
local errors = require "mfakit.errors"
local support = dofile("tests/support.lua")
local gsupport = dofile("tests/guide_support.lua")

local function admin(service, moto, region)
    return aws.client(service, { endpoint = moto, region = region, access_key = "testing", secret_key = "testing" })
end

local t = require "mfakit.test"
local moto = t.env("MFAKIT_TEST_MOTO")
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"
local function need() if not moto then t.skip("MFAKIT_TEST_MOTO not set") end end
local g = moto and gsupport.new(moto, tmp .. "/alarm")
local function unique(prefix) return prefix .. "-" .. sys.getpid() .. "-" .. math.random(1e6) end
local function run(args, region)
    local cmd = g:cmd(args)
    if region then cmd = cmd:gsub("AWS_REGION=us%-east%-1", "AWS_REGION=" .. region) end
    return support.run(cmd)
end

local function alarm_of(cw, name)
    local out = assert(cw:call("DescribeAlarms", { AlarmNames = { name } }))
    return out.MetricAlarms[1]
end
local function topic_of(sns, name)
    for _, tp in ipairs(assert(sns:call("ListTopics")).Topics or {}) do
        if tp.TopicArn:match(":([^:]+)$") == name then return tp.TopicArn end
    end
end
local function emails_of(sns, arn)
    local out = {}
    for _, s in ipairs(assert(sns:call("ListSubscriptionsByTopic", { TopicArn = arn })).Subscriptions or {}) do
        if s.Protocol == "email" then out[#out + 1] = s.Endpoint end
    end
    table.sort(out)
    return out
end

t.case("--alarm-email makes the topic, the subscription and the alarm; up twice; plan, status, drift", function()
    need()
    local s = unique("al")
    local name = s .. "-sms-spend"
    local cw, sns = admin("cloudwatch", moto, "us-east-1"), admin("sns", moto, "us-east-1")
    local out, err, rc = run("plan --stack " .. s .. " --alarm-email ops@example.com --spend-limit 5")
    t.eq(rc, 0, err)
    t.ok(out:find("10 spend-alarm create    create SNS topic " .. name .. " in us-east-1; subscribe " ..
        "ops@example.com; create alarm " .. name .. " at $4.00 (80% of $5.00, the stack's spend limit)", 1, true),
        out)
    t.eq(topic_of(sns, name), nil, "plan made nothing")
    out, err, rc = run("up --stack " .. s .. " --alarm-email ops@example.com --spend-limit 5")
    t.eq(rc, 0, err .. out)
    t.ok(out:find("10 spend-alarm created", 1, true), out)
    local a = alarm_of(cw, name)
    local topic = topic_of(sns, name)
    t.ok(a and topic, "alarm and topic made")
    t.eq({ a.Namespace, a.MetricName, a.Statistic, tonumber(a.Threshold), a.ComparisonOperator, a.AlarmActions },
         { "AWS/SNS", "SMSMonthToDateSpentUSD", "Maximum", 4.0, "GreaterThanOrEqualToThreshold", { topic } })
    t.eq(emails_of(sns, topic), { "ops@example.com" })
    local st = g:state(s)
    t.eq({ st.settings.alarm_email, st.settings.alarm_at, st.resources.alarm.topic_arn,
           st.resources.alarm.region, st.resources.alarm.status },
         { "ops@example.com", 80, topic, "us-east-1", "created" })
    -- a second up, without the options: the state keeps them, nothing changes
    out, err, rc = run("up --stack " .. s)
    t.eq(rc, 0, err)
    t.ok(out:find("10 spend-alarm exists    alarm " .. name .. " at $4.00", 1, true), out)
    t.eq(emails_of(sns, topic), { "ops@example.com" }, "no second subscription")
    -- the threshold changed by hand: status says so, up puts it back
    assert(cw:call("PutMetricAlarm", { AlarmName = name, Namespace = "AWS/SNS",
        MetricName = "SMSMonthToDateSpentUSD", Statistic = "Maximum", Period = 300, EvaluationPeriods = 1,
        Threshold = 99, ComparisonOperator = "GreaterThanOrEqualToThreshold", AlarmActions = { topic } }))
    local _
    out, _, rc = run("status --stack " .. s)
    t.eq(rc, 1, out)
    t.ok(out:find("10-spend-alarm  exists   DIFFERS   update alarm", 1, true), out)
    out, err, rc = run("up --stack " .. s)
    t.eq(rc, 0, err .. out)
    t.eq(tonumber(alarm_of(cw, name).Threshold), 4.0)
    -- a new threshold and a new address: plan shows them, up makes them, the old address goes
    out, err, rc = run("plan --stack " .. s .. " --alarm-at 50 --alarm-email sec@example.com")
    t.eq(rc, 0, err)
    t.ok(out:find("subscribe sec@example.com; update alarm " .. name .. " at $2.50 (50% of $5.00", 1, true), out)
    out, err, rc = run("up --stack " .. s .. " --alarm-at 50 --alarm-email sec@example.com")
    t.eq(rc, 0, err .. out)
    t.eq(tonumber(alarm_of(cw, name).Threshold), 2.5)
    t.eq(emails_of(sns, topic), { "sec@example.com" })
    out, err, rc = run("status --stack " .. s)
    t.eq(rc, 0, err .. out)
    out, err, rc = run("down --stack " .. s)
    t.eq(rc, 0, err .. out)
    t.ok(out:find("10 spend-alarm deleted   alarm " .. name .. ", topic " .. name, 1, true), out)
    t.eq({ alarm_of(cw, name), topic_of(sns, name), g:state(s) }, {}, "nothing left")
end)

t.case("the alarm lives where Cognito sends SMS from, at 80% of that region's limit or of $1", function()
    need()
    local s = unique("alr")
    local name = s .. "-sms-spend"
    -- a pool in eu-central-1 made through the API sends from the legacy region eu-west-1
    local cw = admin("cloudwatch", moto, "eu-west-1")
    local sns = admin("sns", moto, "eu-west-1")
    local attrs = assert(sns:call("GetSMSAttributes")).attributes or {}
    local limit = tonumber(attrs.MonthlySpendLimit) or 1
    local out, err, rc = run("up --stack " .. s .. " --alarm-email ops@example.com", "eu-central-1")
    t.eq(rc, 0, err .. out)
    t.ok(out:find(" in eu-west-1", 1, true), out)
    local a = alarm_of(cw, name)
    t.ok(a, "alarm in eu-west-1")
    t.eq(tonumber(a.Threshold), math.floor(limit * 80 + 0.5) / 100)
    t.eq(alarm_of(admin("cloudwatch", moto, "eu-central-1"), name), nil, "none in the pool's region")
    t.eq(g:state(s).resources.alarm.region, "eu-west-1")
    out, err, rc = run("down --stack " .. s, "eu-central-1")
    t.eq(rc, 0, err .. out)
    t.eq({ alarm_of(cw, name), topic_of(sns, name) }, {}, "nothing left")
end)

t.case("down finds the alarm by tag without the state, and leaves an untagged topic of the name", function()
    need()
    local s = unique("alt")
    local name = s .. "-sms-spend"
    local cw, sns = admin("cloudwatch", moto, "us-east-1"), admin("sns", moto, "us-east-1")
    local out, err, rc = run("up --stack " .. s .. " --alarm-email ops@example.com --spend-limit 5")
    t.eq(rc, 0, err .. out)
    os.remove(g:state_path(s))
    out, err, rc = run("down --stack " .. s)
    t.eq(rc, 0, err .. out)
    t.eq({ alarm_of(cw, name), topic_of(sns, name) }, {}, "found by tag and deleted")
    -- someone else's topic of the same name, without the tag: not ours
    local theirs = assert(sns:call("CreateTopic", { Name = name })).TopicArn
    out, err, rc = run("down --stack " .. s)
    t.eq(rc, 0, err .. out)
    t.ok(out:find("10 spend-alarm absent", 1, true), out)
    t.eq(topic_of(sns, name), theirs, "kept")
    assert(sns:call("DeleteTopic", { TopicArn = theirs }))
end)

t.case("down exits 1 naming the alarm it could not delete, and keeps the state", function()
    need()
    local s = unique("alf")
    local name = s .. "-sms-spend"
    local out, err, rc = run("up --stack " .. s .. " --alarm-email ops@example.com --spend-limit 5")
    t.eq(rc, 0, err .. out)
    local real = admin("cloudwatch", moto, "us-east-1")
    local ctx, ok, derr = support.with_env(moto, function()
        local c, cerr = guide.context{ stack = s, state_dir = tmp .. "/alarm", lock = "test", say = function() end }
        t.ok(c, tostring(cerr))
        c.alarm_clients = { ["us-east-1"] = { sns = admin("sns", moto, "us-east-1"), cw = { call = function(_, op, p)
            if op == "DeleteAlarms" then
                return nil, errors.new{ code = "AccessDenied", message = "not authorized to perform: " ..
                    "cloudwatch:DeleteAlarms" }
            end
            return real:call(op, p)
        end } } }
        return c, guide.down(c)
    end)
    t.fails("StackNotGone", ok, derr)
    t.eq(#derr.left, 1, tostring(derr))
    t.eq(derr.left[1].what, "alarm " .. name)
    t.ok(derr.left[1].why:find("AccessDenied", 1, true) and not derr.left[1].again, derr.left[1].why)
    t.ok(g:state(s) and g:state(s).resources.alarm, "state kept, with the alarm")
    ctx.lock:release()
    out, err, rc = run("down --stack " .. s)
    t.eq(rc, 0, err .. out)
    t.eq({ alarm_of(real, name), g:state(s) }, {}, "nothing left")
end)

t.case("an up with --alarm-email killed at any point, then down, leaves no alarm or topic", function()
    need()
    local task = require "mfakit.task"
    local cw, sns = admin("cloudwatch", moto, "us-east-1"), admin("sns", moto, "us-east-1")
    local args = " --alarm-email ops@example.com --spend-limit 5"
    local probe = unique("alk")
    local t0 = sys.monotonic()
    local out, err, rc = run("up --stack " .. probe .. args)
    t.eq(rc, 0, err .. out)
    local full = sys.monotonic() - t0
    run("down --stack " .. probe)
    for i = 1, 5 do
        local s = unique("alk" .. i)
        local pid = g:start("up --stack " .. s .. args)
        -- the alarm step is the last: weigh the kills toward the end of the run
        task.sleep(full * (0.5 + i / 12))
        os.execute("kill -9 " .. pid .. " 2>/dev/null")
        task.sleep(0.1)
        out, err, rc = run("down --stack " .. s)
        t.eq(rc, 0, "down after a kill at " .. i .. ": " .. err .. out)
        t.eq({ alarm_of(cw, s .. "-sms-spend"), topic_of(sns, s .. "-sms-spend"), g:state(s) }, {},
            "left after a kill at " .. i)
    end
end)

t.case("doctor sns-spend-alarm: warns with a limit and no alarm, or one that tells nobody; passes with one", function()
    need()
    -- a region of its own: the spend limit is account-wide there
    local region = "ap-southeast-2"
    local s = unique("ald")
    local function doctor()
        local out, err, rc = support.run(string.format("AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=testing " ..
            "AWS_SECRET_ACCESS_KEY=testing AWS_REGION=%s %s doctor --stack %s --state-dir %s --check " ..
            "sns-spend-alarm --output json", moto, region, support.bin(), s, tmp .. "/alarm"))
        local doc = require("mfakit.json").decode(out)
        t.ok(doc, err .. out)
        return doc.checks[1], rc
    end
    local out, err, rc = run("up --stack " .. s .. " --spend-limit 7", region)
    t.eq(rc, 0, err .. out)
    local c = doctor()
    t.eq(c.status, "warn", c.message)
    t.ok(c.message:find("no CloudWatch alarm watches SMSMonthToDateSpentUSD in " .. region, 1, true), c.message)
    t.ok(c.fix:find("--alarm-email ADDRESS", 1, true), c.fix)
    -- an alarm with no action tells nobody
    local cw = admin("cloudwatch", moto, region)
    assert(cw:call("PutMetricAlarm", { AlarmName = s .. "-mute", Namespace = "AWS/SNS",
        MetricName = "SMSMonthToDateSpentUSD", Statistic = "Maximum", Period = 300, EvaluationPeriods = 1,
        Threshold = 5, ComparisonOperator = "GreaterThanOrEqualToThreshold" }))
    c = doctor()
    t.eq(c.status, "warn", c.message)
    t.ok(c.message:find(s .. "-mute (no action)", 1, true), c.message)
    out, err, rc = run("up --stack " .. s .. " --alarm-email ops@example.com", region)
    t.eq(rc, 0, err .. out)
    c = doctor()
    t.eq(c.status, "pass", c.message)
    t.ok(c.message:find("notifies at $5.60 of the $7.00 MonthlySpendLimit in " .. region, 1, true), c.message)
    assert(cw:call("DeleteAlarms", { AlarmNames = { s .. "-mute" } }))
    out, err, rc = run("down --stack " .. s, region)
    t.eq(rc, 0, err .. out)
end)

t.case("bad alarm options are one line and exit 2, before any call", function()
    local bin = support.bin()
    local cases = {
        { "--alarm-email ops", "--alarm-email must be an email address, not 'ops'" },
        { "--alarm-email ops@example.com --alarm-at 0", "--alarm-at must be a whole percent from 1 to 100" },
        { "--alarm-email ops@example.com --alarm-at 101", "--alarm-at must be a whole percent from 1 to 100" },
        { "--alarm-email ops@example.com --alarm-at 8.5", "--alarm-at must be a whole percent from 1 to 100" },
        { "--alarm-at 50", "--alarm-at needs --alarm-email" },
    }
    for _, c in ipairs(cases) do
        local _, err, rc = support.run(bin .. " guide plan --region us-east-1 --endpoint http://127.0.0.1:9 " ..
            "--state-dir " .. tmp .. "/alarm-bad " .. c[1])
        t.eq(rc, 2, c[1] .. ": " .. err)
        t.ok(err:find(c[2], 1, true), err)
    end
end)
