-- Guide step 2: the user pool. MFA OPTIONAL (or --mfa), SMS with the step-1
--   role and the stack's ExternalId, message "Your MFA code is {####}",
--   TOTP enabled, email as username (case-insensitive) and auto-verified,
--   password policy: 8+ characters, upper, lower, numbers, no symbols
--   required; schema email (required), phone_number, name (required);
--   DeviceConfiguration from --device-tracking (default opt-in); account
--   recovery by verified email only, so a lost or stolen phone is not also
--   the way back into the account (a deliberate difference from the guide).
-- Creates: user pool <stack>-pool tagged mfakit:stack (pool names are not
--   unique in Cognito: it is found again by that tag).
-- IAM permissions: cognito-idp:CreateUserPool, DescribeUserPool,
--   ListUserPools, UpdateUserPool, SetUserPoolMfaConfig,
--   GetUserPoolMfaConfig, TagResource, DeleteUserPool; iam:PassRole on the
--   step-1 role.
-- Run alone: mfakit guide up|down|plan|status --step 02 [--stack NAME]
local guide = require "mfakit.guide.common"
local json = require "mfakit.json"
local errors = require "mfakit.errors"
local settings = require "mfakit.stack.settings"

local step = { id = "02", name = "user-pool", title = "Cognito user pool with SMS and TOTP MFA" }

local function sms_configuration(ctx)
    -- no SnsRegion: Cognito then sends from the region AWS maps this one to
    -- (some regions send their SMS from another; see docs/DOCTOR.md sms-region)
    return { SnsCallerArn = ctx.role_arn, ExternalId = ctx.external_id }
end

-- Forgotten passwords are reset through the verified email only: Cognito's
-- default also offers the phone, which is the MFA device.
local ACCOUNT_RECOVERY = { RecoveryMechanisms = { { Name = "verified_email", Priority = 1 } } }

local PASSWORD_POLICY = { MinimumLength = 8, RequireUppercase = true, RequireLowercase = true,
                          RequireNumbers = true, RequireSymbols = false }

-- Settings UpdateUserPool takes; it resets whatever it is not given, so
-- every update sends all of them.
local function mutable_config(ctx)
    return {
        Policies = { PasswordPolicy = PASSWORD_POLICY },
        AutoVerifiedAttributes = json.array({ "email" }),
        SmsAuthenticationMessage = ctx.settings.sms_message,
        MfaConfiguration = ctx.settings.mfa,
        SmsConfiguration = sms_configuration(ctx),
        -- whether (and when) a remembered device signs in with device SRP instead of an MFA code
        DeviceConfiguration = settings.DEVICE_TRACKING[ctx.settings.device_tracking],
        UserPoolTags = { [settings.TAG] = ctx.settings.stack },
        AccountRecoverySetting = ACCOUNT_RECOVERY,
    }
end

local function mfa_config(ctx, pool_id)
    local p = { UserPoolId = pool_id, MfaConfiguration = ctx.settings.mfa }
    -- Cognito refuses "turn off MFA and configure an MFA together"
    if ctx.settings.mfa == "OFF" then return p end
    p.SoftwareTokenMfaConfiguration = { Enabled = ctx.settings.totp }
    if ctx.settings.sms then
        p.SmsMfaConfiguration = { SmsAuthenticationMessage = ctx.settings.sms_message,
                                  SmsConfiguration = sms_configuration(ctx) }
    end
    return p
end

function step.inspect(ctx)
    if not ctx.role_arn then
        local r = ctx.state:get("role")
        ctx.role_arn = r and r.arn
    end
    local id, err = guide.find_pool(ctx)
    if err then return nil, err end
    if not id then
        return { exists = false, changes = { string.format("create user pool %s (MFA %s, device tracking %s)",
            ctx.settings.names.pool, ctx.settings.mfa, ctx.settings.device_tracking) } }
    end
    local d
    d, err = ctx.idp:call("DescribeUserPool", { UserPoolId = id })
    if not d then return nil, err end
    local m
    m, err = ctx.idp:call("GetUserPoolMfaConfig", { UserPoolId = id })
    if not m then return nil, err end
    local pool, changes = guide.member(d, "UserPool", "cognito-idp:DescribeUserPool"), {}
    if not pool then return nil, changes end
    local want = mfa_config(ctx, id)
    local methods = ctx.settings.mfa ~= "OFF"
    local mfa_differs = m.MfaConfiguration ~= want.MfaConfiguration
        or (methods and ((m.SoftwareTokenMfaConfiguration or {}).Enabled or false) ~= ctx.settings.totp)
        or (methods and ctx.settings.sms and not guide.same_fields((m.SmsMfaConfiguration or {}).SmsConfiguration,
            want.SmsMfaConfiguration.SmsConfiguration, { "SnsCallerArn", "ExternalId" }))
        or (methods and ctx.settings.sms and
            (m.SmsMfaConfiguration or {}).SmsAuthenticationMessage ~= ctx.settings.sms_message)
    if mfa_differs then changes[#changes + 1] = "MFA configuration (" .. ctx.settings.mfa .. ")" end
    local policy_differs = not guide.same_fields((pool.Policies or {}).PasswordPolicy, PASSWORD_POLICY,
        { "MinimumLength", "RequireUppercase", "RequireLowercase", "RequireNumbers", "RequireSymbols" })
    if policy_differs then changes[#changes + 1] = "password policy" end
    if not guide.same_fields(pool.SmsConfiguration, sms_configuration(ctx), { "SnsCallerArn", "ExternalId" }) then
        changes[#changes + 1] = "SMS configuration (role, ExternalId)"
        policy_differs = true
    end
    if (pool.UserPoolTags or {})[settings.TAG] ~= ctx.settings.stack then
        changes[#changes + 1] = "tag " .. settings.TAG
        policy_differs = true
    end
    if not guide.same(pool.AutoVerifiedAttributes, { "email" }) then
        changes[#changes + 1] = "auto-verified attributes"
        policy_differs = true
    end
    local recovery = (pool.AccountRecoverySetting or {}).RecoveryMechanisms
    if not guide.same(recovery, ACCOUNT_RECOVERY.RecoveryMechanisms) then
        changes[#changes + 1] = "account recovery: verified email only"
        policy_differs = true
    end
    local tracking = settings.device_tracking_of(pool.DeviceConfiguration)
    if tracking ~= ctx.settings.device_tracking then
        changes[#changes + 1] = string.format("device tracking %s -> %s", tracking or "mixed",
            ctx.settings.device_tracking)
        policy_differs = true
    end
    return { exists = true, id = id, arn = pool.Arn, changes = changes, mfa = mfa_differs, pool = policy_differs,
             detail = string.format("%s (MFA %s, device tracking %s)", id, tostring(m.MfaConfiguration),
                 tracking or "mixed") }
end

local function create(ctx)
    local names = ctx.settings.names
    assert(ctx.state:set("pool", { name = names.pool, status = "creating", made = true }))
    local params = mutable_config(ctx)
    params.PoolName = names.pool
    params.UsernameAttributes = { "email" }
    params.UsernameConfiguration = { CaseSensitive = false }
    params.Schema = {
        { Name = "email", AttributeDataType = "String", Required = true, Mutable = true },
        { Name = "phone_number", AttributeDataType = "String", Required = false, Mutable = true },
        { Name = "name", AttributeDataType = "String", Required = true, Mutable = true },
    }
    local out, err = guide.retry_iam(ctx, function() return ctx.idp:call("CreateUserPool", params) end)
    if not out then return nil, err end
    local pool
    pool, err = guide.member(out, "UserPool", "cognito-idp:CreateUserPool")
    if not pool or type(pool.Id) ~= "string" then
        return nil, err or errors.new{ code = "InvalidResponse", message = "CreateUserPool answered without an Id" }
    end
    assert(ctx.state:set("pool", { id = pool.Id, arn = pool.Arn, status = "created" }))
    return pool.Id
end

function step.up(ctx)
    local now, err = step.inspect(ctx)
    if not now then return nil, err end
    local verb, id = "exists", now.id
    if not now.exists then
        id, err = create(ctx)
        if not id then return nil, err end
        now = { mfa = true }
        verb = "created"
    end
    assert(ctx.state:set("pool", { id = id, name = ctx.settings.names.pool, status = "created" }))
    local ok
    if now.pool then
        local params = mutable_config(ctx)
        params.UserPoolId = id
        ok, err = guide.retry_iam(ctx, function() return ctx.idp:call("UpdateUserPool", params) end)
        if not ok then return nil, err end
        verb = "updated"
    end
    if now.mfa then
        ok, err = guide.retry_iam(ctx, function() return ctx.idp:call("SetUserPoolMfaConfig", mfa_config(ctx, id)) end)
        if not ok then return nil, err end
        if verb == "exists" then verb = "updated" end
    end
    ctx.pool_id = id
    return verb, guide.what_changed(verb, id, now.changes)
end

function step.down(ctx)
    local ids, err = guide.find_pools(ctx)
    if not ids then return nil, err end
    if #ids == 0 then
        ctx.state:forget("pool")
        return "absent", ctx.settings.names.pool
    end
    for _, id in ipairs(ids) do
        local ok
        ok, err = ctx.idp:call("DeleteUserPool", { UserPoolId = id })
        if not ok and err.code ~= "ResourceNotFoundException" then return nil, err end
    end
    ctx.state:forget("pool")
    return "deleted", table.concat(ids, ", ")
end

-- The pools of this stack that still exist after down.
function step.left(ctx)
    local ids, err = guide.find_pools(ctx)
    if not ids then return nil, err end
    local left = {}
    for _, id in ipairs(ids) do left[#left + 1] = { what = "user pool " .. id } end
    return left
end

return step
