-- Guide step 11 (with --sms-delivery-logs): SNS SMS delivery-status
--   logging, so "the code never came" can be looked up: SNS writes one
--   CloudWatch Logs record per SMS (sns/<region>/<account>/DirectPublishToPhoneNumber,
--   and .../Failure), through an IAM role it assumes.
-- Creates: role <stack>-sns-delivery-logs, trusted by sns.amazonaws.com,
--   tagged mfakit:stack and mfakit:made-by-stack, with the inline policy
--   <stack>-sns-logs (logs:CreateLogGroup, CreateLogStream, PutLogEvents,
--   PutMetricFilter, PutRetentionPolicy); then, in the SNS region Cognito
--   sends from, the account-wide SMS attributes DeliveryStatusIAMRole (the
--   role) and DeliveryStatusSuccessSamplingRate 100 (failures are always logged).
-- The attributes found first are kept in the state and put back by down,
--   where they still hold what up set; the role is deleted (its policy first).
-- IAM permissions: iam:GetRole, iam:CreateRole, iam:TagRole, iam:PutRolePolicy,
--   iam:GetRolePolicy, iam:DeleteRolePolicy, iam:DeleteRole, iam:PassRole (to
--   sns.amazonaws.com); sns:GetSMSAttributes, sns:SetSMSAttributes.
-- Run alone: mfakit guide up|down|plan|status --step 11 --sms-delivery-logs
local aws = require "mfakit.aws"
local json = require "mfakit.json"
local common = require "mfakit.guide.common"
local settings = require "mfakit.stack.settings"
local sms_regions = require "mfakit.cognito.sms_regions"

local step = { id = "11", name = "sms-logs", title = "SNS SMS delivery-status logs" }

local SAMPLING = "100"

local function names(ctx)
    local rec = ctx.state:get("delivery_logs") or {}
    return rec.role_name or (ctx.settings.stack .. "-sns-delivery-logs"), ctx.settings.stack .. "-sns-logs"
end

local function region_of(ctx)
    local rec = ctx.state:get("delivery_logs")
    return rec and rec.region or sms_regions.resolve(ctx.region, nil).region
end

local function sns_in(ctx, region)
    ctx.logs_sns = ctx.logs_sns or {}
    ctx.logs_sns[region] = ctx.logs_sns[region] or aws.client("sns", { region = region })
    return ctx.logs_sns[region]
end

local TRUST = { Version = "2012-10-17", Statement = { { Effect = "Allow",
    Principal = { Service = "sns.amazonaws.com" }, Action = "sts:AssumeRole" } } }
local POLICY = { Version = "2012-10-17", Statement = { { Effect = "Allow", Resource = "*", Action = {
    "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:PutMetricFilter",
    "logs:PutRetentionPolicy" } } } }

-- The role if it exists: { arn, ours } or false.
local function find_role(ctx, name)
    local out, err = ctx.iam:call("GetRole", { RoleName = name })
    if not out then
        if err.code == "NoSuchEntity" then return false end
        return nil, err
    end
    local role = out.Role or {}
    return { arn = role.Arn, ours = common.has_tag(role.Tags, ctx.settings.stack, settings.MADE_TAG) }
end

local function attributes(ctx, region)
    local out, err = sns_in(ctx, region):call("GetSMSAttributes")
    if not out then return nil, err end
    return out.attributes or {}
end

function step.inspect(ctx)
    local rec = ctx.state:get("delivery_logs")
    if not ctx.settings.sms_delivery_logs then
        if rec then return { exists = true, changes = {}, detail = "kept (made by an earlier up)" } end
        return { skip = true, exists = false, changes = {} }
    end
    local role_name = names(ctx)
    local region = region_of(ctx)
    local role, err = find_role(ctx, role_name)
    if role == nil then return nil, err end
    local attrs
    attrs, err = attributes(ctx, region)
    if not attrs then return nil, err end
    local changes = {}
    if not role then changes[#changes + 1] = "create role " .. role_name .. " for SNS to write delivery logs" end
    if role and attrs.DeliveryStatusIAMRole ~= role.arn or not role then
        changes[#changes + 1] = "DeliveryStatusIAMRole in " .. region
    end
    if attrs.DeliveryStatusSuccessSamplingRate ~= SAMPLING then
        changes[#changes + 1] = "DeliveryStatusSuccessSamplingRate " .. SAMPLING .. " in " .. region
    end
    return { exists = role and true or false, changes = changes, role = role, attrs = attrs, region = region,
             detail = role_name .. " logging SMS delivery in " .. region }
end

function step.up(ctx)
    if not ctx.settings.sms_delivery_logs then
        if ctx.state:get("delivery_logs") then return "exists", "kept (made by an earlier up)" end
        return "skipped", "no --sms-delivery-logs"
    end
    local now, err = step.inspect(ctx)
    if not now then return nil, err end
    if #now.changes == 0 then return "exists", now.detail end
    local role_name, policy_name = names(ctx)
    local rec = ctx.state:get("delivery_logs")
    if not rec then
        -- keep what the account had, once, so down can put it back
        local previous = {}
        for _, k in ipairs{ "DeliveryStatusIAMRole", "DeliveryStatusSuccessSamplingRate" } do
            previous[k] = now.attrs[k] or ""
        end
        assert(ctx.state:set("delivery_logs", { region = now.region, role_name = role_name, status = "creating",
                                                previous_role = previous.DeliveryStatusIAMRole,
                                                previous_rate = previous.DeliveryStatusSuccessSamplingRate }))
    end
    local role = now.role
    if not role then
        local out
        out, err = ctx.iam:call("CreateRole", { RoleName = role_name, AssumeRolePolicyDocument = json.encode(TRUST),
            Description = "Lets SNS write SMS delivery logs (mfakit stack " .. ctx.settings.stack .. ")",
            Tags = { { Key = settings.TAG, Value = ctx.settings.stack },
                     { Key = settings.MADE_TAG, Value = ctx.settings.stack } } })
        if not out then return nil, err end
        role = { arn = out.Role.Arn, ours = true }
    end
    local ok
    ok, err = ctx.iam:call("PutRolePolicy", { RoleName = role_name, PolicyName = policy_name,
                                              PolicyDocument = json.encode(POLICY) })
    if not ok then return nil, err end
    assert(ctx.state:set("delivery_logs", { role_arn = role.arn, status = "created" }))
    ok, err = sns_in(ctx, now.region):call("SetSMSAttributes", { attributes = {
        DeliveryStatusIAMRole = role.arn, DeliveryStatusSuccessSamplingRate = SAMPLING } })
    if not ok then return nil, err end
    return now.exists and "updated" or "created", table.concat(now.changes, "; ")
end

function step.down(ctx)
    local rec = ctx.state:get("delivery_logs")
    local role_name, policy_name = names(ctx)
    local role, err = find_role(ctx, role_name)
    if role == nil then return nil, err end
    local done = {}
    if rec and rec.role_arn then
        -- put back what the account had, where it still holds what up set
        local attrs
        attrs, err = attributes(ctx, rec.region)
        if not attrs then return nil, err end
        local restore = {}
        if attrs.DeliveryStatusIAMRole == rec.role_arn then
            restore.DeliveryStatusIAMRole = rec.previous_role or ""
            if attrs.DeliveryStatusSuccessSamplingRate == SAMPLING then
                restore.DeliveryStatusSuccessSamplingRate = rec.previous_rate or ""
            end
        end
        if next(restore) then
            local ok
            ok, err = sns_in(ctx, rec.region):call("SetSMSAttributes", { attributes = restore })
            if not ok then return nil, err end
            done[#done + 1] = "delivery-status attributes restored in " .. rec.region
        end
    end
    if role and (role.ours or (rec and rec.role_arn == role.arn)) then
        local ok
        ok, err = ctx.iam:call("DeleteRolePolicy", { RoleName = role_name, PolicyName = policy_name })
        if not ok and err.code ~= "NoSuchEntity" then return nil, err end
        ok, err = ctx.iam:call("DeleteRole", { RoleName = role_name })
        if not ok and err.code ~= "NoSuchEntity" then return nil, err end
        done[#done + 1] = "role " .. role_name
    end
    ctx.state:forget("delivery_logs")
    if #done == 0 then return "absent", "nothing to delete" end
    return "deleted", table.concat(done, ", ")
end

function step.left(ctx)
    local role_name = names(ctx)
    local role, err = find_role(ctx, role_name)
    if role == nil then return nil, err end
    if role and role.ours then return { { what = "role " .. role_name } } end
    return {}
end

return step
