-- Guide step 1: the IAM role Cognito assumes to send SMS through SNS.
-- Creates: role <stack>-sms-role, trusted by cognito-idp.amazonaws.com for
--   sts:AssumeRole only with the stack's ExternalId, tagged mfakit:stack; an
--   inline policy <stack>-sns-publish allowing sns:Publish (or, with
--   --sns-policy full, the managed AmazonSNSFullAccess attached, as the guide does).
-- IAM permissions: iam:GetRole, iam:CreateRole, iam:TagRole,
--   iam:UpdateAssumeRolePolicy, iam:PutRolePolicy, iam:GetRolePolicy,
--   iam:DeleteRolePolicy, iam:Attach/DetachRolePolicy,
--   iam:ListAttachedRolePolicies, iam:DeleteRole.
-- Run alone: mfakit scripts/guide/01-sms-role.lua up|down|plan|status [--stack NAME]
local guide = require "mfakit.guide"
local json = require "mfakit.json"
local settings = require "mfakit.guide.settings"
local errors = require "mfakit.errors"

local step = { id = "01", name = "sms-role", title = "IAM role for Cognito to send SMS" }

local function trust_policy(external_id)
    return { Version = "2012-10-17", Statement = { {
        Effect = "Allow", Principal = { Service = "cognito-idp.amazonaws.com" }, Action = "sts:AssumeRole",
        Condition = { StringEquals = { ["sts:ExternalId"] = external_id } },
    } } }
end

local function publish_policy()
    return { Version = "2012-10-17", Statement = { {
        Effect = "Allow", Action = "sns:Publish", Resource = "*",
    } } }
end

-- What exists, and what differs from what the stack wants.
function step.inspect(ctx)
    local s, names = ctx.settings, ctx.settings.names
    local role, err = ctx.iam:call("GetRole", { RoleName = names.role })
    if not role then
        if err.code == "NoSuchEntity" then return { exists = false, changes = { "create role " .. names.role } } end
        return nil, err
    end
    role = role.Role
    -- role names are unique: a role of that name made by someone else is not ours to change
    if not guide.has_tag(role.Tags, s.stack) and not (ctx.state:get("role") or {}).arn then
        return errors.fail("RoleNotOurs", "role %s exists but is not tagged %s=%s: choose another name " ..
            "(--role-name) or tag it to adopt it", names.role, settings.TAG, s.stack)
    end
    local out = { exists = true, arn = role.Arn, changes = {} }
    if not guide.same(role.AssumeRolePolicyDocument, trust_policy(ctx.external_id)) then
        out.changes[#out.changes + 1] = "trust policy (cognito-idp.amazonaws.com, sts:ExternalId)"
        out.trust = true
    end
    local inline = ctx.iam:call("GetRolePolicy", { RoleName = names.role, PolicyName = names.policy })
    local attached, aerr = ctx.iam:call("ListAttachedRolePolicies", { RoleName = names.role })
    if not attached then return nil, aerr end
    local has_full = false
    for _, p in ipairs(attached.AttachedPolicies or {}) do
        if p.PolicyArn == settings.SNS_FULL_ACCESS then has_full = true end
    end
    local want_inline = s.sns_policy == "inline"
    if want_inline and not (inline and guide.same(inline.PolicyDocument, publish_policy())) then
        out.changes[#out.changes + 1] = "inline policy " .. names.policy .. " (sns:Publish)"
        out.put_inline = true
    end
    if not want_inline and inline then
        out.changes[#out.changes + 1] = "remove inline policy " .. names.policy
        out.drop_inline = true
    end
    if not want_inline and not has_full then
        out.changes[#out.changes + 1] = "attach AmazonSNSFullAccess"
        out.attach_full = true
    end
    if want_inline and has_full and (ctx.state:get("role") or {}).attached_full then
        out.changes[#out.changes + 1] = "detach AmazonSNSFullAccess"
        out.detach_full = true
    end
    return out
end

function step.up(ctx)
    local names = ctx.settings.names
    local now, err = step.inspect(ctx)
    if not now then return nil, err end
    local verb = "exists"
    if not now.exists then
        assert(ctx.state:set("role", { name = names.role, status = "creating" }))
        local created
        created, err = ctx.iam:call("CreateRole", { RoleName = names.role,
            AssumeRolePolicyDocument = json.encode(trust_policy(ctx.external_id)),
            Description = "Lets Cognito (stack " .. ctx.settings.stack .. ") send SMS through SNS",
            Tags = { { Key = settings.TAG, Value = ctx.settings.stack } } })
        if not created and err.code ~= "EntityAlreadyExists" then return nil, err end
        now, err = step.inspect(ctx)
        if not now then return nil, err end
        verb = "created"
    elseif now.trust then
        local ok
        ok, err = ctx.iam:call("UpdateAssumeRolePolicy", { RoleName = names.role,
            PolicyDocument = json.encode(trust_policy(ctx.external_id)) })
        if not ok then return nil, err end
        verb = "updated"
    end
    assert(ctx.state:set("role", { name = names.role, arn = now.arn, status = "created" }))
    local ok
    if now.put_inline then
        ok, err = ctx.iam:call("PutRolePolicy", { RoleName = names.role, PolicyName = names.policy,
            PolicyDocument = json.encode(publish_policy()) })
        if not ok then return nil, err end
        if verb == "exists" then verb = "updated" end
    end
    if now.drop_inline then
        ok, err = ctx.iam:call("DeleteRolePolicy", { RoleName = names.role, PolicyName = names.policy })
        if not ok then return nil, err end
        if verb == "exists" then verb = "updated" end
    end
    if now.attach_full then
        assert(ctx.state:set("role", { attached_full = true }))
        ok, err = ctx.iam:call("AttachRolePolicy", { RoleName = names.role, PolicyArn = settings.SNS_FULL_ACCESS })
        if not ok then return nil, err end
        if verb == "exists" then verb = "updated" end
    end
    if now.detach_full then
        ok, err = ctx.iam:call("DetachRolePolicy", { RoleName = names.role, PolicyArn = settings.SNS_FULL_ACCESS })
        if not ok and err.code ~= "NoSuchEntity" then return nil, err end
        assert(ctx.state:set("role", { attached_full = false }))
        if verb == "exists" then verb = "updated" end
    end
    ctx.role_arn = now.arn
    return verb, now.arn
end

function step.down(ctx)
    local names = ctx.settings.names
    local role, err = ctx.iam:call("GetRole", { RoleName = names.role })
    if not role then
        if err.code ~= "NoSuchEntity" then return nil, err end
        ctx.state:forget("role")
        return "absent", names.role
    end
    -- Only a role this stack made: it carries the stack's tag.
    if not guide.has_tag(role.Role.Tags, ctx.settings.stack) then
        return "skipped", names.role .. " is not tagged " .. settings.TAG .. "=" .. ctx.settings.stack
    end
    local ok
    ok, err = ctx.iam:call("DeleteRolePolicy", { RoleName = names.role, PolicyName = names.policy })
    if not ok and err.code ~= "NoSuchEntity" then return nil, err end
    local attached
    attached, err = ctx.iam:call("ListAttachedRolePolicies", { RoleName = names.role })
    if not attached then return nil, err end
    for _, p in ipairs(attached.AttachedPolicies or {}) do
        ok, err = ctx.iam:call("DetachRolePolicy", { RoleName = names.role, PolicyArn = p.PolicyArn })
        if not ok and err.code ~= "NoSuchEntity" then return nil, err end
    end
    ok, err = ctx.iam:call("DeleteRole", { RoleName = names.role })
    if not ok and err.code ~= "NoSuchEntity" then return nil, err end
    ctx.state:forget("role")
    return "deleted", names.role
end

return guide.step(step, ...)
