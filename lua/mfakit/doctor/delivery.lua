-- Doctor check on the SMS that reached (or missed) one user's phone: the
-- newest SNS delivery record for it in CloudWatch Logs, where SNS writes one
-- record per SMS once delivery-status logging is on (mfakit guide up
-- --sms-delivery-logs). SNS writes them in the region that sends the pool's
-- SMS, to the log groups sns/<region>/<account>/DirectPublishToPhoneNumber
-- (delivered) and .../Failure, and masks the number's middle digits
-- ("+1XXX5550100"); records can take a while to appear (AWS re:Post,
-- knowledge-center/monitor-sns-texts-cloudwatch).
local json = require "mfakit.json"
local fix = require "mfakit.doctor.fix"

local checks = {}

local WINDOW_S = 72 * 3600
local MAX_PAGES = 5

-- Whether a masked destination ("+1XXX5550100") can be this number.
local function same_number(masked, phone)
    if type(masked) ~= "string" or #masked ~= #phone then return false end
    for i = 1, #phone do
        local m = masked:sub(i, i)
        if m ~= "X" and m ~= phone:sub(i, i) then return false end
    end
    return true
end

-- What a failed delivery's providerResponse asks of the operator.
local FIXES = {
    { "opted out", function(ctx, phone)
        return "the number opted out of SMS (it replied STOP): aws sns opt-in-phone-number --phone-number " ..
            fix.q(phone) .. fix.region_arg(ctx.sms_region_name)
    end },
    { "invalid", function()
        return "the number is not a valid mobile number: correct phone_number (see user-phone-format)"
    end },
    { "blocked", function()
        return "the carrier or the phone blocked the message: ask the user, or try another number"
    end },
    { "unreachable", function() return "the phone was off or out of coverage: ask the user to try again" end },
}

local function fix_for(ctx, response, phone)
    local r = type(response) == "string" and response:lower() or ""
    for _, f in ipairs(FIXES) do
        if r:find(f[1], 1, true) then return f[2](ctx, phone) end
    end
    return "see the SNS delivery record's providerResponse, and docs/DOCTOR.md#user-sms-delivery"
end

-- The delivery log groups in a region: { name, failure = bool }.
local function log_groups(logs, region)
    local out, err = logs:call("DescribeLogGroups", { logGroupNamePrefix = "sns/" .. region .. "/" })
    if not out then return nil, err end
    local groups = {}
    for _, g in ipairs(type(out.logGroups) == "table" and out.logGroups or {}) do
        local name = type(g) == "table" and g.logGroupName
        if type(name) == "string" then
            if name:match("/DirectPublishToPhoneNumber$") then
                groups[#groups + 1] = { name = name, failure = false }
            elseif name:match("/DirectPublishToPhoneNumber/Failure$") then
                groups[#groups + 1] = { name = name, failure = true }
            end
        end
    end
    return groups
end

-- The newest record for the phone in one group since `since` (ms), or nil.
local function newest_in(logs, group, phone, since)
    local best, token
    for _ = 1, MAX_PAGES do
        local out, err = logs:call("FilterLogEvents", { logGroupName = group, startTime = since, nextToken = token })
        if not out then return nil, err end
        for _, e in ipairs(type(out.events) == "table" and out.events or {}) do
            local rec = type(e) == "table" and type(e.message) == "string" and json.decode(e.message)
            local d = type(rec) == "table" and type(rec.delivery) == "table" and rec.delivery
            if d and same_number(d.destination, phone) and (not best or (e.timestamp or 0) > best.at) then
                best = { at = e.timestamp or 0, status = rec.status, response = d.providerResponse,
                         destination = d.destination }
            end
        end
        token = type(out.nextToken) == "string" and out.nextToken ~= token and out.nextToken or nil
        if not token then break end
    end
    return best
end

checks[#checks + 1] = { id = "user-sms-delivery",
    title = "with --username: the newest SMS delivery record for the user's phone",
    run = function(ctx)
        local u, skip, why, f = ctx:user_or_skip()
        if not u then return skip, why, f end
        local phone = u.attributes.phone_number
        if not phone or phone == "" then return "skip", ctx.username .. " has no phone_number" end
        local where = ctx:sms_region()
        local region = where and where.region or ctx.region
        ctx.sms_region_name = region
        local logs = ctx:client("logs", region, { max_attempts = 2, retry_base = 0.25 })
        local groups, err = log_groups(logs, region)
        if not groups then
            if ctx:unreachable(err) then return "skip", ctx:unreachable(err) end
            return "skip", "cannot list the SNS delivery log groups in " .. region .. ": " .. tostring(err)
        end
        if #groups == 0 then
            return "skip", "SNS delivery-status logging is off in " .. region .. ": no record says what happened " ..
                "to the codes", ctx.stack and ("mfakit guide up --stack " .. ctx.stack .. " --sms-delivery-logs")
                or "mfakit guide up --sms-delivery-logs (or DeliveryStatusIAMRole in the SNS text messaging settings)"
        end
        local since = math.floor((ctx.now() - WINDOW_S) * 1000)
        local best
        for _, g in ipairs(groups) do
            local r
            r, err = newest_in(logs, g.name, phone, since)
            if err then return "skip", "cannot read " .. g.name .. ": " .. tostring(err) end
            if r and (not best or r.at > best.at) then best = r end
        end
        if not best then
            return "skip", "no SMS to " .. phone .. " was logged in " .. region .. " in the last 72 hours " ..
                "(records can be late; a sign-in that met SMS_MFA since then sends one)"
        end
        local when = os.date("!%Y-%m-%d %H:%M:%S UTC", best.at // 1000)
        local said = string.format("the newest SMS to %s (%s) at %s: %s, %s", phone, tostring(best.destination),
            when, tostring(best.status), tostring(best.response))
        if best.status == "SUCCESS" then return "pass", said end
        return "fail", said, fix_for(ctx, best.response, phone)
    end }

return checks
