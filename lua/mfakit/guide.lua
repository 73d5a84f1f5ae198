-- mfakit.guide: runs the guide's steps (scripts/guide/NN-*.lua) as one
-- stack: up, down, plan, status, env. Each step is a table {id, name,
-- title, inspect(ctx), up(ctx), down(ctx)}: inspect reads only and says
-- what differs; up converges; down removes what the stack made.
local aws = require "mfakit.aws"
local crypto = require "mfakit.crypto"
local json = require "mfakit.json"
local config = require "mfakit.config"
local errors = require "mfakit.errors"
local task = require "mfakit.task"
local state = require "mfakit.guide.state"
local settings = require "mfakit.guide.settings"

local M = {}

M.STEPS = { "01-sms-role", "02-user-pool", "03-app-client", "04-env", "08-test-user", "09-sns-sms" }

-- Steps are compiled into mfakit as scripts.guide.NN-name; in development
-- (MFAKIT_LUA_DIR) they are read from the source tree.
function M.load_step(name)
    local dir = os.getenv("MFAKIT_LUA_DIR")
    if dir and dir ~= "" then
        local chunk = loadfile(dir .. "/../scripts/guide/" .. name .. ".lua")
        if chunk then return chunk("scripts.guide." .. name) end
    end
    return require("scripts.guide." .. name)
end

-- Helpers the steps share ---------------------------------------------------

local function plain(v)
    if type(v) ~= "table" then return v end
    local out = {}
    for k, x in pairs(v) do out[k] = plain(x) end
    return out
end

local function deep_equal(a, b)
    if type(a) ~= "table" or type(b) ~= "table" then return a == b end
    for k, v in pairs(a) do if not deep_equal(v, b[k]) then return false end end
    for k in pairs(b) do if a[k] == nil then return false end end
    return true
end

-- Policy documents and settings compared as data (IAM may hand a document
-- back as a string or decoded).
function M.same(a, b)
    if type(a) == "string" then a = json.decode(a) or a end
    return deep_equal(plain(a), plain(b))
end

function M.same_fields(have, want, keys)
    have = have or {}
    for _, k in ipairs(keys) do
        if have[k] ~= want[k] then return false end
    end
    return true
end

function M.contains(list, v)
    for _, x in ipairs(list or {}) do if x == v then return true end end
    return false
end

function M.has_tag(tags, stack)
    for _, t in ipairs(tags or {}) do
        if t.Key == settings.TAG and t.Value == stack then return true end
    end
    return false
end

M.iam_wait = { attempts = 8, base = 1, cap = 10 }

-- What Cognito says while a new role or policy is not yet visible to it.
M.PROPAGATION = { InvalidSmsRoleTrustRelationshipException = true, InvalidSmsRoleAccessPolicyException = true }

-- Cognito checks the SMS role when the pool is created or changed, and IAM
-- takes a few seconds to show a new role everywhere. That failure is
-- retried with backoff, saying why; any other is returned at once.
function M.retry_iam(ctx, fn)
    local w = ctx.iam_wait or M.iam_wait
    local attempt = 0
    while true do
        attempt = attempt + 1
        local out, err = fn()
        if out or not M.PROPAGATION[err.code] or attempt >= w.attempts then
            return out, err
        end
        local delay = math.min(w.cap, w.base * 2 ^ (attempt - 1))
        ctx.say(string.format("   waiting %.0f s for IAM to make the new role visible to Cognito (%s)",
            delay, err.message))
        task.sleep(delay)
    end
end

-- true when the pool exists and carries the stack's tag; "untagged" when
-- it exists without it.
local function pool_tagged(ctx, id)
    local d, err = ctx.idp:call("DescribeUserPool", { UserPoolId = id })
    if not d then
        if err.code == "ResourceNotFoundException" then return false end
        return nil, err
    end
    local tags = d.UserPool.UserPoolTags or {}
    return tags[settings.TAG] == ctx.settings.stack or "untagged"
end

-- Every pool of this stack: the one whose id the state recorded (ours even
-- if its tag was lost: UpdateUserPool without tags drops them) and any
-- other pool of the same name carrying the stack's tag (a run killed
-- between CreateUserPool and its answer).
function M.find_pools(ctx)
    local ids, seen = {}, {}
    local rec = ctx.state:get("pool")
    if rec and rec.id then
        local ok, err = pool_tagged(ctx, rec.id)
        if ok == nil then return nil, err end
        if ok then ids[1], seen[rec.id] = rec.id, true end
    end
    local token
    repeat
        local out, err = ctx.idp:call("ListUserPools", { MaxResults = 60, NextToken = token })
        if not out then return nil, err end
        for _, p in ipairs(out.UserPools or {}) do
            if p.Name == ctx.settings.names.pool and not seen[p.Id] then
                local ok
                ok, err = pool_tagged(ctx, p.Id)
                if ok == nil then return nil, err end
                if ok == true then ids[#ids + 1], seen[p.Id] = p.Id, true end
            end
        end
        token = out.NextToken
    until not token
    return ids
end

function M.find_pool(ctx)
    local ids, err = M.find_pools(ctx)
    if not ids then return nil, err end
    return ids[1]
end

function M.env_lines(ctx)
    local pool, client = ctx.state:get("pool"), ctx.state:get("client")
    if not (pool and pool.id and client and client.id) then return nil end
    return { "VITE_AWS_REGION=" .. ctx.region, "VITE_MFA_SMS_USER_POOL_ID=" .. pool.id,
             "VITE_MFA_SMS_CLIENT_ID=" .. client.id }
end

-- Context -------------------------------------------------------------------

-- opts: the settings options (see mfakit.guide.settings) plus state_dir,
-- sms_code, say (a function(line), default print).
function M.context(opts)
    require("mfakit.args").check(1, "guide.context", opts, "table")
    local st, err = state.load(opts.state_dir or (config["local"] and ".mfakit/local" or nil), opts.stack or "mfa-sms")
    if not st then return nil, err end
    -- down, status and env use the names the stack was made with
    local saved = st.doc.settings or {}
    local merged = {}
    for k, v in pairs(saved) do merged[k] = v end
    for k, v in pairs(opts) do merged[k] = v end
    local s
    s, err = settings.from(merged)
    if not s then return nil, err end
    -- a stack lives in the region it was made in: acting on it from another
    -- would find nothing there and forget what exists
    local region = st.doc.region
    local asked = aws.region()
    if region and asked and asked ~= region then
        return errors.fail("RegionMismatch", "stack %s is in %s, not %s: run with --region %s", s.stack, region,
            asked, region)
    end
    if not region then
        region, err = aws.region()
        if not region then return nil, err end
    end
    local client_opts = { region = region }
    return {
        settings = s, state = st, region = region, endpoint = config.endpoint,
        external_id = st.doc.external_id, sms_code = opts.sms_code, say = opts.say or print,
        iam = aws.client("iam", client_opts), idp = aws.client("cognito-idp", client_opts),
        sns = aws.client("sns", client_opts), options = opts,
    }
end

local function remember_settings(ctx)
    local o = ctx.options
    ctx.state.doc.settings = {
        stack = ctx.settings.stack, mfa = ctx.settings.mfa, sms = ctx.settings.sms, totp = ctx.settings.totp,
        sns_policy = ctx.settings.sns_policy, spend_limit = ctx.settings.spend_limit,
        test_user = ctx.settings.test_user, phone = ctx.settings.phone,
        role_name = o.role_name, pool_name = o.pool_name, client_name = o.client_name,
    }
    ctx.state.doc.region = ctx.region
    if not ctx.external_id then
        -- random per stack, so no two stacks (or copies of the guide) share one
        ctx.external_id = "mfakit-" .. crypto.hex(crypto.random(16))
        ctx.state.doc.external_id = ctx.external_id
    end
    return ctx.state:save()
end

local function line(ctx, step, verb, detail)
    ctx.say(string.format("%s %-11s %-9s %s", step.id, step.name, verb, detail or ""))
end

-- Commands ------------------------------------------------------------------

function M.up(ctx)
    local ok, err = remember_settings(ctx)
    if not ok then return nil, err end
    for _, name in ipairs(M.STEPS) do
        local step = M.load_step(name)
        local verb, detail = step.up(ctx)
        if not verb then
            line(ctx, step, "FAILED", tostring(detail))
            return nil, detail
        end
        line(ctx, step, verb, detail)
    end
    return true
end

-- resource in the state -> the step that makes it
local RESOURCE_STEP = { role = "01-sms-role", pool = "02-user-pool", client = "03-app-client", user = "08-test-user" }

M.settle_seconds = 2

local function down_steps(ctx, names)
    local failed
    for i = #names, 1, -1 do
        local step = M.load_step(names[i])
        local verb, detail = step.down(ctx)
        if not verb then
            line(ctx, step, "FAILED", tostring(detail))
            failed = failed or detail
        else
            line(ctx, step, verb, detail)
        end
    end
    return failed
end

function M.down(ctx)
    if not ctx.state.existed and ctx.state:empty() then
        ctx.say("no state for stack " .. ctx.settings.stack .. ": looking for its resources by name and tag")
    end
    -- A create that was sent when a run was killed may still land after we
    -- look: those steps are checked again once it had time to.
    local pending = {}
    for name, r in pairs(ctx.state.doc.resources) do
        if r.status == "creating" and RESOURCE_STEP[name] then pending[#pending + 1] = RESOURCE_STEP[name] end
    end
    table.sort(pending)
    local failed = down_steps(ctx, M.STEPS)
    if not failed and #pending > 0 then
        ctx.say(string.format("   a create was in flight when the last run stopped: checking again in %d s",
            M.settle_seconds))
        task.sleep(M.settle_seconds)
        failed = down_steps(ctx, pending)
    end
    if failed then return nil, failed end
    -- the file goes with the last resource (one step run alone keeps it)
    if ctx.state:empty() then ctx.state:remove_file() end
    return true
end

-- inspect every step: { {step=, result=, err=} }
function M.inspect(ctx)
    local out = {}
    ctx.inspecting, ctx.pool_id = true, nil
    for _, name in ipairs(M.STEPS) do
        local step = M.load_step(name)
        local r, err = step.inspect(ctx)
        out[#out + 1] = { step = step, result = r, err = err }
        if r and r.id and step.name == "user-pool" then ctx.pool_id = r.id end
        if r and r.arn and step.name == "sms-role" then ctx.role_arn = r.arn end
    end
    return out
end

function M.plan(ctx)
    if not ctx.external_id then ctx.external_id = "(new random ExternalId)" end
    local any = false
    for _, item in ipairs(M.inspect(ctx)) do
        local r = item.result
        if not r then
            line(ctx, item.step, "ERROR", tostring(item.err))
        elseif r.skip then
            line(ctx, item.step, "skip", "")
        elseif #r.changes == 0 then
            line(ctx, item.step, "no change", "")
        else
            any = true
            line(ctx, item.step, r.exists and "update" or "create", table.concat(r.changes, "; "))
        end
    end
    ctx.say(any and "(plan only: nothing was changed)" or "(up to date: nothing to do)")
    return true
end

function M.status(ctx)
    local rows, healthy = {}, true
    for _, item in ipairs(M.inspect(ctx)) do
        local r = item.result
        local row = { step = item.step.id .. "-" .. item.step.name }
        if not r then
            row.exists, row.matches, row.detail, healthy = false, false, tostring(item.err), false
        elseif r.skip then
            row.exists, row.matches, row.detail = false, true, "not asked for"
        else
            row.exists = r.exists
            row.matches = r.exists and #r.changes == 0
            row.detail = #r.changes > 0 and table.concat(r.changes, "; ") or (r.id or r.arn or "")
            healthy = healthy and row.matches
        end
        rows[#rows + 1] = row
    end
    return rows, healthy
end

-- Running one step file on its own ------------------------------------------

-- A step file ends with `return guide.step(step, ...)`: required, it gives
-- the step table; run as a script, it runs that step alone.
function M.step(step, first, ...)
    if type(first) == "string" and first:match("^scripts%.guide%.") then return step end
    local cmd = require "mfakit.cmd.guide"
    return cmd.run_single(step, { first, ... })
end

return M
