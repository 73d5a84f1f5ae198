-- Doctor checks on the IAM role Cognito assumes to send SMS: it exists,
-- Cognito may assume it with the pool's ExternalId, and it may sns:Publish.
local json = require "mfakit.json"
local fix = require "mfakit.doctor.fix"
local policy = require "mfakit.doctor.policy_eval"

local checks = {}

local COGNITO = "cognito-idp.amazonaws.com"

local function trust_document(external_id)
    local st = { Effect = "Allow", Principal = { Service = COGNITO }, Action = "sts:AssumeRole" }
    if external_id then st.Condition = { StringEquals = { ["sts:ExternalId"] = external_id } } end
    return json.encode{ Version = "2012-10-17", Statement = { st } }
end

local PUBLISH_DOCUMENT = json.encode{ Version = "2012-10-17",
    Statement = { { Effect = "Allow", Action = "sns:Publish", Resource = "*" } } }

-- The inline policy's name: the one `guide down` knows (<stack>-sns-publish)
-- when the role belongs to a stack, by the doctor's --stack or the role's tag.
local function policy_name(ctx, role)
    local stack = ctx.stack
    for _, t in ipairs(not stack and role and role.Tags or {}) do
        if t.Key == "mfakit:stack" then stack = t.Value end
    end
    return stack and (stack .. "-sns-publish") or "sns-publish"
end

local function trust_fix(ctx, ref)
    if ctx.stack then return fix.guide_up(ctx) end
    return "aws iam update-assume-role-policy --role-name " .. fix.q(ref.name) .. " --policy-document " ..
        fix.q(trust_document(ref.external_id))
end

-- The role, or the skip the later role checks give without one.
local function need_role(ctx)
    local ref = ctx:sms_ref()
    if not ref then
        if not ctx:pool() then return nil, nil, "skip", "no user pool to look at (see pool-exists)" end
        return nil, nil, "skip", "the pool names no SMS role (see pool-sms-config)"
    end
    local role = ctx:role()
    if not role then return nil, ref, "skip", "role " .. ref.arn .. " cannot be read (see sms-role-exists)" end
    return role, ref
end

checks[#checks + 1] = { id = "sms-role-exists", title = "the role named by SnsCallerArn exists",
    run = function(ctx)
        local ref = ctx:sms_ref()
        if not ref then
            if not ctx:pool() then return "skip", "no user pool to look at (see pool-exists)" end
            return "skip", "the pool names no SMS role (see pool-sms-config)"
        end
        local role, err = ctx:role()
        if role then
            return "pass", string.format("%s exists (from %s)", role.Arn, ref.source)
        end
        local who = ctx:identity()
        if who and ref.account and who.Account ~= ref.account then
            return "skip", string.format("%s is in account %s; these credentials are for %s", ref.arn,
                ref.account, who.Account), "run mfakit doctor with credentials of account " .. ref.account
        end
        if err.code == "NoSuchEntity" or err.code == "NoRole" then
            return "fail", string.format("role %s (from %s) does not exist: Cognito cannot send SMS", ref.arn,
                ref.source), ctx.stack and fix.guide_up(ctx) or ("aws iam create-role --role-name " ..
                fix.q(ref.name or "CognitoSMSRole") .. " --assume-role-policy-document " ..
                fix.q(trust_document(ref.external_id)) .. "; then aws iam put-role-policy --role-name " ..
                fix.q(ref.name or "CognitoSMSRole") .. " --policy-name " .. policy_name(ctx) .. " --policy-document " ..
                fix.q(PUBLISH_DOCUMENT))
        end
        if ctx:unreachable(err) then return "skip", ctx:unreachable(err) end
        return "fail", "cannot read role " .. ref.arn .. ": " .. tostring(err), fix.for_error(ctx, err, "iam:GetRole")
    end }

local function wrong_shape(doc)
    for _, s in ipairs(policy.statements(doc) or {}) do
        local p = type(s.Principal) == "table" and s.Principal or {}
        for _, f in ipairs(policy.list(p.Federated)) do
            if tostring(f):find("cognito-identity", 1, true) then
                return "it trusts the identity-pool principal Federated " .. f .. " with " ..
                    table.concat(policy.list(s.Action), ", ") .. ", the shape for Cognito identity pools"
            end
        end
        for _, sv in ipairs(policy.list(p.Service)) do
            if sv == "cognito-identity.amazonaws.com" then
                return "it trusts cognito-identity.amazonaws.com (identity pools), not " .. COGNITO
            end
        end
        for _, a in ipairs(policy.list(s.Action)) do
            if tostring(a):lower() == "sts:assumerolewithwebidentity" then
                return "it allows sts:AssumeRoleWithWebIdentity (the identity-pool shape), not sts:AssumeRole"
            end
        end
    end
    return "no statement lets the service " .. COGNITO .. " call sts:AssumeRole"
end

checks[#checks + 1] = { id = "sms-role-trust",
    title = "the trust policy lets cognito-idp.amazonaws.com sts:AssumeRole",
    run = function(ctx)
        local role, ref, skip, why = need_role(ctx)
        if not role then return skip, why end
        local doc = role.AssumeRolePolicyDocument
        local v = policy.evaluate({ { label = "trust policy", document = doc } }, "sts:AssumeRole", nil,
            function(s) return policy.names_service(s, COGNITO) end)
        if v.decision == "allow" or v.decision == "conditional" then
            return "pass", string.format("%s may be assumed by %s (%s)", role.RoleName, COGNITO, v.by)
        end
        if v.decision == "deny" then
            return "fail", "the trust policy denies " .. COGNITO .. " sts:AssumeRole: " .. v.by, trust_fix(ctx, ref)
        end
        return "fail", "Cognito cannot assume " .. role.RoleName .. ": " .. wrong_shape(doc), trust_fix(ctx, ref)
    end }

-- The Allow statements that let Cognito assume the role: those naming it
-- for sts:AssumeRole; else every Allow statement for sts:AssumeRole; else
-- (a policy of the wrong shape, which sms-role-trust reports) every Allow
-- statement, so its ExternalId is still judged and one fault fails once.
local function assume_statements(doc)
    local mine, assume, all = {}, {}, {}
    for _, s in ipairs(policy.statements(doc) or {}) do
        if s.Effect == "Allow" then
            all[#all + 1] = s
            if policy.action_matches(s, "sts:AssumeRole") then
                assume[#assume + 1] = s
                if policy.names_service(s, COGNITO) then mine[#mine + 1] = s end
            end
        end
    end
    if #mine > 0 then return mine end
    if #assume > 0 then return assume end
    return all
end

checks[#checks + 1] = { id = "sms-role-external-id",
    title = "the trust policy's sts:ExternalId is the pool's ExternalId",
    run = function(ctx)
        local role, ref, skip, why = need_role(ctx)
        if not role then return skip, why end
        local stmts = assume_statements(role.AssumeRolePolicyDocument)
        local have = ref.external_id
        local open_stmt, wanted = false, {}
        for _, st in ipairs(stmts) do
            local conds = policy.external_ids(st)
            if #conds == 0 then open_stmt = true end
            for _, c in ipairs(conds) do
                for _, v in ipairs(c.values) do wanted[#wanted + 1] = tostring(v) end
            end
        end
        if open_stmt or #stmts == 0 then
            if have then
                return "warn", "the trust policy lets Cognito assume " .. role.RoleName .. " without an " ..
                    "sts:ExternalId, so any user pool that names the role can send SMS through it (the pool's " ..
                    "ExternalId is " .. have .. ")", trust_fix(ctx, ref)
            end
            return "warn", "neither the pool nor the trust policy uses an ExternalId: any user pool that names " ..
                role.RoleName .. " can send SMS through it", ctx.stack and fix.guide_up(ctx) or
                ("set an ExternalId on the pool (Cognito console > User pools > " .. tostring(ctx.pool_id) ..
                 " > Authentication methods > SMS > Edit) and require it in the trust policy")
        end
        for _, st in ipairs(stmts) do
            if policy.statement_allows_id(st, have) then
                return "pass", "the trust policy requires ExternalId " .. tostring(have) .. ", which " ..
                    ref.source .. " sends"
            end
        end
        if not have then
            return "fail", "the trust policy requires ExternalId " .. table.concat(wanted, " or ") ..
                " but the pool sends none", ctx.stack and fix.guide_up(ctx) or
                ("set the pool's ExternalId to " .. tostring(wanted[1]) .. ": Cognito console > User pools > " ..
                 tostring(ctx.pool_id) .. " > Authentication methods > SMS > Edit")
        end
        return "fail", string.format("the trust policy's ExternalId conditions (%s) do not admit what the pool " ..
            "sends, %s (%s)", table.concat(wanted, ", "), have, ref.source), trust_fix(ctx, ref)
    end }

local function publish_fix(ctx, ref)
    if ctx.stack then return fix.guide_up(ctx) end
    return "aws iam put-role-policy --role-name " .. fix.q(ref.name) .. " --policy-name " ..
        policy_name(ctx, ctx:role()) .. " --policy-document " .. fix.q(PUBLISH_DOCUMENT)
end

checks[#checks + 1] = { id = "sms-role-sns-publish", title = "the role's policies allow sns:Publish",
    run = function(ctx)
        local role, ref, skip, why = need_role(ctx)
        if not role then return skip, why end
        local docs, boundary = ctx:role_policies()
        if not docs then
            if ctx:unreachable(boundary) then return "skip", ctx:unreachable(boundary) end
            return "fail", "cannot read the role's policies: " .. tostring(boundary),
                fix.for_error(ctx, boundary, "iam:ListRolePolicies, iam:GetRolePolicy, " ..
                    "iam:ListAttachedRolePolicies, iam:GetPolicy and iam:GetPolicyVersion")
        end
        -- Publishing to a phone number names no topic: only Resource "*" covers it.
        local v = policy.evaluate(docs, "sns:Publish", "*")
        if v.decision == "deny" then
            return "fail", "sns:Publish is explicitly denied by " .. v.by, publish_fix(ctx, ref)
        elseif v.decision == "implicit" then
            local which = #docs == 0 and "the role has no policies, so nothing allows sns:Publish" or
                string.format("none of the role's %d policies allows sns:Publish on Resource \"*\"", #docs)
            return "fail", which .. (#v.caveats > 0 and (" (" .. table.concat(v.caveats, "; ") .. ")") or ""),
                publish_fix(ctx, ref)
        end
        if #boundary > 0 then
            local b = policy.evaluate(boundary, "sns:Publish", "*")
            if b.decision == "deny" or b.decision == "implicit" then
                return "fail", "the policies allow sns:Publish but the " .. boundary[1].label .. " does not",
                    "allow sns:Publish in the permissions boundary, or remove it: aws iam " ..
                    "delete-role-permissions-boundary --role-name " .. fix.q(role.RoleName)
            end
            if b.decision == "conditional" then
                return "warn", "the " .. boundary[1].label .. " allows sns:Publish only under a condition: " .. b.by,
                    "check the condition in the permissions boundary of " .. role.RoleName
            end
        end
        local pool = ctx:pool()
        local failure = pool and tostring(pool.SmsConfigurationFailure or "")
        if v.decision == "conditional" then
            return "warn", "sns:Publish is allowed only under a condition: " .. v.by, publish_fix(ctx, ref)
        elseif failure and failure:find("InvalidSmsRoleAccessPolicy", 1, true) then
            return "warn", "allowed by " .. v.by .. ", yet Cognito reports InvalidSmsRoleAccessPolicyException: " ..
                "a service control policy may block sns:Publish", "ask the AWS Organizations admin to check the " ..
                "SCPs on account " .. tostring(ref.account)
        elseif #v.caveats > 0 then
            return "warn", "allowed by " .. v.by .. ", but " .. table.concat(v.caveats, "; "), publish_fix(ctx, ref)
        end
        return "pass", "sns:Publish is allowed by " .. v.by
    end }

return checks
