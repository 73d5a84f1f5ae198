-- Doctor checks on SNS in the region that sends the pool's SMS: spend
-- limit, message type, sandbox; and which region that is.
local fix = require "mfakit.doctor.fix"
local paginate = require "mfakit.aws.paginate"

local checks = {}

local function region_of(ctx)
    local where = ctx:sms_region()
    return where and where.region or ctx.region
end

local function money(n) return string.format("$%.2f", n) end

-- The SMS settings for the checks after sns-spend-limit, which reports why
-- they cannot be read: the others skip, saying so once.
local function settings_or_skip(ctx)
    local attrs, err = ctx:sms_attributes()
    if attrs then return attrs end
    return nil, "skip", ctx:unreachable(err) or ("cannot read the SNS SMS settings (see sns-spend-limit): " ..
        tostring(err))
end

local function limit_fix(region, dollars)
    return "raise the quota with a Support case (Limit type: SNS Text Messaging, region " .. region ..
        "), then: aws sns set-sms-attributes --attributes MonthlySpendLimit=" .. dollars .. " --region " .. region
end

checks[#checks + 1] = { id = "sns-spend-limit", title = "MonthlySpendLimit, and this month's spend against it",
    run = function(ctx)
        local region = region_of(ctx)
        local attrs, err = ctx:sms_attributes()
        if not attrs then
            if ctx:unreachable(err) then return "skip", ctx:unreachable(err) end
            return "fail", "cannot read the SNS SMS settings in " .. region .. ": " .. tostring(err),
                fix.for_error(ctx, err, "sns:GetSMSAttributes")
        end
        local limit = tonumber(attrs.MonthlySpendLimit)
        local spend, serr = ctx:month_spend()
        local spent = spend and (money(spend) .. " spent this month")
            or spend == false and "no spend recorded this month"
            or ("this month's spend is unknown (" .. tostring(serr and serr.code or serr) .. ")")
        local want = ctx.expect and tonumber(ctx.expect.spend_limit)
        if limit and spend and spend >= limit then
            return "fail", string.format("%s of the %s MonthlySpendLimit in %s: SNS has stopped sending SMS",
                money(spend), money(limit), region), limit_fix(region, math.max(math.floor(limit) * 2, 10))
        end
        if not limit then
            return "warn", string.format("MonthlySpendLimit is not set in %s: the account's quota applies " ..
                "($1.00 a month on a new account); %s", region, spent), limit_fix(region, want or 10)
        end
        if limit <= 1 then
            return "warn", string.format("MonthlySpendLimit is %s in %s, the new-account default: a few dozen " ..
                "codes a month; %s", money(limit), region, spent), limit_fix(region, want or 10)
        end
        if spend and spend >= 0.8 * limit then
            return "warn", string.format("%s of the %s MonthlySpendLimit in %s is spent", money(spend), money(limit),
                region), limit_fix(region, math.floor(limit) * 2)
        end
        if want and want ~= limit then
            return "warn", string.format("MonthlySpendLimit is %s in %s but stack %s asks for %s; %s", money(limit),
                region, ctx.stack, money(want), spent), fix.guide_up(ctx)
        end
        return "pass", string.format("MonthlySpendLimit is %s in %s; %s", money(limit), region, spent)
    end }

local QUICK_ALARMS = { max_attempts = 2, retry_base = 0.25 }

-- Every CloudWatch alarm on AWS/SNS SMSMonthToDateSpentUSD in the region.
local function spend_alarms(ctx, region)
    local cw = ctx:client("cloudwatch", region, QUICK_ALARMS, "quick")
    local list, err = paginate.all(cw, "DescribeAlarms", { AlarmTypes = { "MetricAlarm" } }, "MetricAlarms")
    if not list then return nil, err end
    local out = {}
    for _, a in ipairs(list) do
        if a.Namespace == "AWS/SNS" and a.MetricName == "SMSMonthToDateSpentUSD" then out[#out + 1] = a end
    end
    return out
end

-- The guide's practice "set CloudWatch alarms for unusual SMS volume": a
-- spend limit stops SMS silently; an alarm below it says so first.
checks[#checks + 1] = { id = "sns-spend-alarm", title = "a CloudWatch alarm watches the SMS spend",
    run = function(ctx)
        local region = region_of(ctx)
        local attrs, skip, why = settings_or_skip(ctx)
        if not attrs then return skip, why end
        local limit = tonumber(attrs.MonthlySpendLimit)
        if not limit then
            return "pass", "no MonthlySpendLimit is set in " .. region .. ": no limit for an alarm to watch " ..
                "(see sns-spend-limit)"
        end
        local alarms, err = spend_alarms(ctx, region)
        local threshold = math.floor(limit * 80 + 0.5) / 100
        local how = ctx.stack and fix.guide_up(ctx, "--alarm-email ADDRESS") or string.format(
            "aws cloudwatch put-metric-alarm --alarm-name sms-spend --namespace AWS/SNS --metric-name " ..
            "SMSMonthToDateSpentUSD --statistic Maximum --period 300 --evaluation-periods 1 --threshold %s " ..
            "--comparison-operator GreaterThanOrEqualToThreshold --alarm-actions TOPIC_ARN --region %s",
            threshold, region)
        if not alarms then
            if ctx:unreachable(err) then return "skip", ctx:unreachable(err) end
            return "warn", "cannot list the CloudWatch alarms in " .. region .. ": " .. tostring(err),
                fix.for_error(ctx, err, "cloudwatch:DescribeAlarms")
        end
        local mute = {}
        for _, a in ipairs(alarms) do
            local t = tonumber(a.Threshold)
            if a.ActionsEnabled ~= false and #(a.AlarmActions or {}) > 0 and t and t < limit then
                return "pass", string.format("alarm %s notifies at %s of the %s MonthlySpendLimit in %s",
                    a.AlarmName, money(t), money(limit), region)
            end
            mute[#mute + 1] = a.AlarmName .. (t and t >= limit and (" (threshold " .. money(t) .. ")") or
                " (no action)")
        end
        if #mute > 0 then
            return "warn", string.format("no alarm on SMSMonthToDateSpentUSD in %s notifies anyone before the %s " ..
                "limit: %s", region, money(limit), table.concat(mute, ", ")), how
        end
        return "warn", string.format("no CloudWatch alarm watches SMSMonthToDateSpentUSD in %s: SNS stops " ..
            "sending SMS at the %s MonthlySpendLimit without warning anyone", region, money(limit)), how
    end }

checks[#checks + 1] = { id = "sns-sms-type", title = "DefaultSMSType is Transactional",
    run = function(ctx)
        local region = region_of(ctx)
        local attrs, skip, why = settings_or_skip(ctx)
        if not attrs then return skip, why end
        local t = attrs.DefaultSMSType
        if t == "Transactional" then return "pass", "DefaultSMSType is Transactional in " .. region end
        return "warn", string.format("DefaultSMSType is %s in %s: one-time codes should be Transactional " ..
            "(delivery before cost)", t and t ~= "" and t or "not set (Promotional)", region),
            ctx.stack and fix.guide_up(ctx) or
            ("aws sns set-sms-attributes --attributes DefaultSMSType=Transactional --region " .. region)
    end }

local QUICK = { max_attempts = 2, retry_base = 0.25 }

local function verified_numbers(ctx)
    local list, err = paginate.all(function(op, params) return ctx:sns_call(op, params, QUICK) end,
        "ListSMSSandboxPhoneNumbers", {}, "PhoneNumbers")
    if not list then return nil, err end
    local numbers = {}
    for _, n in ipairs(list) do
        if n.Status == "Verified" then numbers[#numbers + 1] = n.PhoneNumber end
    end
    return numbers
end

local function sandbox_fix(region, phone)
    local leave = "or leave the sandbox: SNS console (" .. region .. ") > Text messaging (SMS) > Exit SMS sandbox"
    if phone then
        return "aws sns create-sms-sandbox-phone-number --phone-number " .. fix.q(phone) .. " --region " .. region ..
            ", then aws sns verify-sms-sandbox-phone-number --phone-number " .. fix.q(phone) ..
            " --one-time-password CODE --region " .. region .. "; " .. leave
    end
    return leave:sub(4)
end

checks[#checks + 1] = { id = "sns-sandbox", title = "SMS sandbox status, and the verified numbers while in it",
    run = function(ctx)
        local region = region_of(ctx)
        local out, err = ctx:sns_call("GetSMSSandboxAccountStatus", nil, QUICK)
        if not out then
            if ctx:unreachable(err) then return "skip", ctx:unreachable(err) end
            local pool = ctx:pool()
            local failure = pool and tostring(pool.SmsConfigurationFailure or "") or ""
            if failure:find("SNSSandbox", 1, true) then
                return "warn", "GetSMSSandboxAccountStatus did not answer (" .. tostring(err.code) .. ") but " ..
                    "Cognito reports SmsConfigurationFailure SNSSandbox: only verified numbers receive SMS",
                    sandbox_fix(region)
            end
            local short = err.code .. (err.status and (", HTTP " .. err.status) or "")
            if err.code ~= "ServiceError" and err.code ~= "UnexpectedResponse" and err.message ~= "" then
                short = short .. ": " .. err.message
            end
            return "skip", string.format("the SNS endpoint in %s did not answer GetSMSSandboxAccountStatus (%s)",
                region, short), err.code == "AuthorizationError" and
                fix.grant(ctx, "sns:GetSMSSandboxAccountStatus and sns:ListSMSSandboxPhoneNumbers") or nil
        end
        if not out.IsInSandbox then return "pass", "the account is out of the SMS sandbox in " .. region end
        local numbers, lerr = verified_numbers(ctx)
        local listed = numbers and (#numbers == 0 and "no verified numbers" or
            ("verified numbers: " .. table.concat(numbers, ", "))) or ("the verified numbers cannot be listed: " ..
            tostring(lerr))
        local user = ctx.username and ctx:user()
        local phone = user and user.attributes.phone_number
        if phone and numbers then
            for _, n in ipairs(numbers) do
                if n == phone then
                    return "warn", string.format("the account is in the SMS sandbox in %s: only verified numbers " ..
                        "receive SMS; %s's %s is one (%s)", region, ctx.username, phone, listed), sandbox_fix(region)
                end
            end
            return "fail", string.format("the account is in the SMS sandbox in %s and %s's %s is not a verified " ..
                "number: Cognito cannot send it codes (%s)", region, ctx.username, phone, listed),
                sandbox_fix(region, phone)
        end
        return "warn", string.format("the account is in the SMS sandbox in %s: only verified numbers receive SMS " ..
            "(%s)", region, listed), sandbox_fix(region, phone)
    end }

checks[#checks + 1] = { id = "sms-region", title = "the region that sends the pool's SMS, where the SNS checks ran",
    run = function(ctx)
        local where, err = ctx:sms_region()
        if not where then return "skip", "no region known: " .. tostring(err), "pass --region REGION" end
        local ran = {}
        for r in pairs(ctx.sns_ran_in) do ran[#ran + 1] = r end
        table.sort(ran)
        local note
        if #ran == 0 then
            note = "no SNS check ran"
        elseif #ran == 1 and ran[1] == where.region then
            note = "the SNS checks ran there"
        else
            note = "the SNS checks ran in " .. table.concat(ran, ", ")
        end
        local msg = string.format("a pool in %s sends SMS from %s: %s; %s", ctx.pool_region, where.region,
            where.why, note)
        if where.status == "fail" then
            return "fail", msg, ctx.stack and fix.guide_up(ctx) or ("set SnsRegion to one of " ..
                table.concat(where.allowed, ", ") .. ": Cognito console > User pools > " .. tostring(ctx.pool_id) ..
                " > Authentication methods > SMS > Edit")
        elseif where.status == "warn" then
            return "warn", msg, "set the pool's SnsRegion explicitly (Cognito console > User pools > " ..
                tostring(ctx.pool_id) .. " > Authentication methods > SMS > Edit) and raise the SNS limits there"
        end
        return "pass", msg
    end }

return checks
