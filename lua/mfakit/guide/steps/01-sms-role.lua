-- Guide step 1: the IAM role Cognito assumes to send SMS through SNS.
-- Creates: role <stack>-sms-role, trusted by cognito-idp.amazonaws.com for
--   sts:AssumeRole only with the stack's ExternalId, tagged mfakit:stack; an
--   inline policy <stack>-sns-publish allowing sns:Publish (or, with
--   --sns-policy full, the managed AmazonSNSFullAccess attached, as the guide does).
-- Renaming (--role-name on a later up): IAM cannot rename a role, so a new
--   one is made, the pool repointed to it, then the old one deleted.
-- Down deletes every role the stack made (all its inline policies,
--   managed policies and instance profiles first); an adopted role (one
--   found tagged, not made) is only untagged.
-- IAM permissions: iam:GetRole, iam:CreateRole, iam:TagRole, iam:UntagRole,
--   iam:UpdateAssumeRolePolicy, iam:PutRolePolicy, iam:GetRolePolicy,
--   iam:ListRolePolicies, iam:DeleteRolePolicy, iam:Attach/DetachRolePolicy,
--   iam:ListAttachedRolePolicies, iam:ListInstanceProfilesForRole,
--   iam:RemoveRoleFromInstanceProfile, iam:DeleteRole.
-- Run alone: mfakit guide up|down|plan|status --step 01 [--stack NAME]
local guide = require "mfakit.guide.common"
local json = require "mfakit.json"
local settings = require "mfakit.stack.settings"
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

-- GetRole's Role, or nil and NoSuchEntity (or another failure).
local function get_role(ctx, name)
    local out, err = ctx.iam:call("GetRole", { RoleName = name })
    if not out then return nil, err end
    return guide.member(out, "Role", "iam:GetRole")
end

local function recorded(ctx)
    return ctx.state:get("role") or {}
end

-- The state's record of the role called `name`: the current one, or one a
-- rename left behind.
local function record_of(ctx, name)
    local rec = recorded(ctx)
    if rec.name == name then return rec end
    for _, r in ipairs(ctx.state:get("retired_roles") or {}) do
        if r.name == name then return r end
    end
end

-- Whose role this is: "made" (this stack created it: it carries the made
-- tag, or its RoleId is the one recorded at creation, or, for a record
-- older than RoleIds, it is recorded as made and carries the stack's tag),
-- "adopted" (it carries the stack's tag only), or "foreign". A state file
-- alone never makes a role ours: a name in it may now be someone else's
-- role, in this account or another.
local function ownership(ctx, role, rec)
    local stack = ctx.settings.stack
    if guide.has_tag(role.Tags, stack, settings.MADE_TAG) then return "made" end
    rec = rec or {}
    local tagged = guide.has_tag(role.Tags, stack)
    if rec.made == false then return tagged and "adopted" or "foreign" end
    if rec.role_id and rec.role_id == role.RoleId then return "made" end
    if rec.made == true and rec.role_id == nil and tagged then return "made" end
    return tagged and "adopted" or "foreign"
end

-- What exists, and what differs from what the stack wants.
function step.inspect(ctx)
    local s, names = ctx.settings, ctx.settings.names
    local rec = recorded(ctx)
    local role, err = get_role(ctx, names.role)
    local replacing = rec.name and rec.name ~= names.role
    if not role then
        if err.code ~= "NoSuchEntity" then return nil, err end
        local change = "create role " .. names.role
        if replacing then change = "replace role " .. rec.name .. " with " .. names.role end
        local changes = { change }
        for _, r in ipairs(ctx.state:get("retired_roles") or {}) do
            if r.name ~= names.role then changes[#changes + 1] = "delete retired role " .. r.name end
        end
        return { exists = false, changes = changes, replacing = replacing }
    end
    -- role names are unique: a role of that name made by someone else is not ours to change
    local owner = ownership(ctx, role, record_of(ctx, names.role))
    if owner == "foreign" then
        return errors.fail("RoleNotOurs", "role %s exists but is not tagged %s=%s: choose another name " ..
            "(--role-name) or tag it to adopt it", names.role, settings.TAG, s.stack)
    end
    local out = { exists = true, arn = role.Arn, role_id = role.RoleId, made = owner == "made", changes = {},
                  replacing = replacing }
    if out.made and not (guide.has_tag(role.Tags, s.stack) and guide.has_tag(role.Tags, s.stack, settings.MADE_TAG))
    then
        out.changes[#out.changes + 1] = "tags " .. settings.TAG .. ", " .. settings.MADE_TAG
        out.retag = true
    end
    if replacing then out.changes[#out.changes + 1] = "replace role " .. rec.name .. " with " .. names.role end
    for _, r in ipairs(ctx.state:get("retired_roles") or {}) do
        if r.name ~= names.role then out.changes[#out.changes + 1] = "delete retired role " .. r.name end
    end
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
    if want_inline and has_full and rec.name == names.role and rec.attached_full then
        out.changes[#out.changes + 1] = "detach AmazonSNSFullAccess"
        out.detach_full = true
    end
    return out
end

-- A renamed role cannot be renamed in IAM: the old one is journaled as
-- retired, the new one made, the pool repointed (step 2), then the old one
-- deleted (step.retire). Killed anywhere, up or down finishes the job.
local function retire_recorded(ctx)
    local rec = recorded(ctx)
    if not rec.name or rec.name == ctx.settings.names.role then return true end
    local retired = ctx.state:get("retired_roles") or json.array{}
    retired[#retired + 1] = { name = rec.name, arn = rec.arn, role_id = rec.role_id, made = rec.made ~= false }
    ctx.state.doc.resources.retired_roles = retired
    ctx.state.doc.resources.role = nil
    return ctx.state:save()
end

function step.up(ctx)
    local names = ctx.settings.names
    local now, err = step.inspect(ctx)
    if not now then return nil, err end
    local ok
    local replacing = now.replacing
    if replacing then
        ok, err = retire_recorded(ctx)
        if not ok then return nil, err end
    end
    local verb = "exists"
    if not now.exists then
        assert(ctx.state:set("role", { name = names.role, status = "creating", made = true }))
        local created
        created, err = ctx.iam:call("CreateRole", { RoleName = names.role,
            AssumeRolePolicyDocument = json.encode(trust_policy(ctx.external_id)),
            Description = "Lets Cognito (stack " .. ctx.settings.stack .. ") send SMS through SNS",
            Tags = { { Key = settings.TAG, Value = ctx.settings.stack },
                     { Key = settings.MADE_TAG, Value = ctx.settings.stack } } })
        if not created and err.code ~= "EntityAlreadyExists" then return nil, err end
        now, err = step.inspect(ctx)
        if not now then return nil, err end
        verb = replacing and "replaced" or "created"
    elseif now.trust then
        ok, err = ctx.iam:call("UpdateAssumeRolePolicy", { RoleName = names.role,
            PolicyDocument = json.encode(trust_policy(ctx.external_id)) })
        if not ok then return nil, err end
        verb = "updated"
    end
    -- a tagged role this stack did not make was adopted: down leaves it
    assert(ctx.state:set("role", { name = names.role, arn = now.arn, role_id = now.role_id, status = "created",
                                   made = now.made }))
    if now.retag then
        ok, err = ctx.iam:call("TagRole", { RoleName = names.role, Tags = {
            { Key = settings.TAG, Value = ctx.settings.stack },
            { Key = settings.MADE_TAG, Value = ctx.settings.stack } } })
        if not ok then return nil, err end
        if verb == "exists" then verb = "updated" end
    end
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
    return verb, guide.what_changed(verb, now.arn, now.changes)
end

-- A role cannot be deleted while it has policies or sits in an instance
-- profile; those belong to the role, so they go first. Returns what it removed.
local function strip(ctx, name)
    local removed = {}
    local ok, err = guide.each_page(ctx.iam, "ListRolePolicies", { RoleName = name }, "PolicyNames", function(p)
        local done, derr = ctx.iam:call("DeleteRolePolicy", { RoleName = name, PolicyName = p })
        if not done and derr.code ~= "NoSuchEntity" then return nil, derr end
        removed[#removed + 1] = "inline " .. p
        return true
    end)
    if not ok then return nil, err end
    ok, err = guide.each_page(ctx.iam, "ListAttachedRolePolicies", { RoleName = name }, "AttachedPolicies", function(p)
        local done, derr = ctx.iam:call("DetachRolePolicy", { RoleName = name, PolicyArn = p.PolicyArn })
        if not done and derr.code ~= "NoSuchEntity" then return nil, derr end
        removed[#removed + 1] = "managed " .. (p.PolicyName or p.PolicyArn)
        return true
    end)
    if not ok then return nil, err end
    ok, err = guide.each_page(ctx.iam, "ListInstanceProfilesForRole", { RoleName = name }, "InstanceProfiles",
        function(ip)
            local done, derr = ctx.iam:call("RemoveRoleFromInstanceProfile", { RoleName = name,
                InstanceProfileName = ip.InstanceProfileName })
            if not done and derr.code ~= "NoSuchEntity" then return nil, derr end
            removed[#removed + 1] = "instance profile " .. ip.InstanceProfileName
            return true
        end)
    if not ok then return nil, err end
    return removed
end

-- Every role name the stack knows, each with the state's record of it
-- (nil for a name known only from the options or the names used).
local function candidates(ctx)
    local out, seen = {}, {}
    local function add(name)
        if name and not seen[name] then
            out[#out + 1], seen[name] = { name = name, rec = record_of(ctx, name) }, true
        end
    end
    for _, r in ipairs(ctx.state:get("retired_roles") or {}) do add(r.name) end
    add(recorded(ctx).name)
    for _, n in ipairs(guide.names_of(ctx, "role")) do add(n) end
    return out
end

-- An adopted role is not the stack's to delete: it lets go of it, taking
-- back only what it added (its policy, the managed policy it attached, its
-- tag), so no later down takes it for the stack's.
local function release(ctx, c)
    local rec = c.rec or {}
    local ok, err = ctx.iam:call("DeleteRolePolicy", { RoleName = c.name, PolicyName = ctx.settings.names.policy })
    if not ok and err.code ~= "NoSuchEntity" then return nil, err end
    if rec.attached_full then
        ok, err = ctx.iam:call("DetachRolePolicy", { RoleName = c.name, PolicyArn = settings.SNS_FULL_ACCESS })
        if not ok and err.code ~= "NoSuchEntity" then return nil, err end
    end
    ok, err = ctx.iam:call("UntagRole", { RoleName = c.name, TagKeys = { settings.TAG } })
    if not ok and err.code ~= "NoSuchEntity" then return nil, err end
    return "released", "adopted, not made by this stack: kept, without what the stack added"
end

local function delete_role(ctx, c)
    local role, err = get_role(ctx, c.name)
    if not role then
        if err.code == "NoSuchEntity" then return "absent" end
        return nil, err
    end
    local owner = ownership(ctx, role, c.rec)
    if owner == "adopted" then return release(ctx, c) end
    if owner == "foreign" then
        return "skipped", "not made by this stack (no " .. settings.TAG .. "=" .. ctx.settings.stack .. " tag)"
    end
    local removed
    removed, err = strip(ctx, c.name)
    if not removed then return nil, err end
    local ok
    ok, err = ctx.iam:call("DeleteRole", { RoleName = c.name })
    if not ok and err.code ~= "NoSuchEntity" then return nil, err end
    return "deleted", #removed > 0 and ("removed " .. table.concat(removed, ", ")) or nil
end

local function forget_retired(ctx, name)
    local kept = json.array{}
    for _, r in ipairs(ctx.state:get("retired_roles") or {}) do
        if r.name ~= name then kept[#kept + 1] = r end
    end
    ctx.state.doc.resources.retired_roles = #kept > 0 and kept or nil
    return ctx.state:save()
end

-- Deletes the roles a rename left behind (called once the pool points at
-- the new role).
function step.retire(ctx)
    for _, r in ipairs(ctx.state:get("retired_roles") or {}) do
        if r.name ~= ctx.settings.names.role then
            local verb, detail = delete_role(ctx, { name = r.name, rec = r })
            if not verb then return nil, detail end
            ctx.say(string.format("01 sms-role    %-9s %s%s", verb == "deleted" and "retired" or verb, r.name,
                detail and (" (" .. detail .. ")") or ""))
        end
        assert(forget_retired(ctx, r.name))
    end
    return true
end

function step.down(ctx)
    local done, verb, failed = {}, "absent", nil
    for _, c in ipairs(candidates(ctx)) do
        local v, detail = delete_role(ctx, c)
        if not v then
            failed = failed or detail
        else
            if v ~= "absent" then
                done[#done + 1] = c.name .. " " .. v .. (detail and (" (" .. detail .. ")") or "")
                if verb ~= "deleted" then verb = v end
            end
            assert(forget_retired(ctx, c.name))
        end
    end
    if failed then return nil, failed end
    ctx.state:forget("role")
    return verb, #done > 0 and table.concat(done, "; ") or ctx.settings.names.role
end

-- The roles of this stack that still exist after down.
function step.left(ctx)
    local left = {}
    for _, c in ipairs(candidates(ctx)) do
        local role, err = get_role(ctx, c.name)
        if role then
            if ownership(ctx, role, c.rec) == "made" then left[#left + 1] = { what = "role " .. c.name } end
        elseif err.code ~= "NoSuchEntity" then
            return nil, err
        end
    end
    return left
end

return step
