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
local sys = require "mfakit.sys"
local state = require "mfakit.guide.state"
local settings = require "mfakit.guide.settings"

local M = {}

-- for steps of one's own (docs/SCRIPTING.md "Writing a step")
M.errors = errors

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
    local names = {}
    for _, n in ipairs(M.names_of(ctx, "pool")) do names[n] = true end
    local ok, err = M.each_page(ctx.idp, "ListUserPools", { MaxResults = 60 }, "UserPools", function(p)
        if names[p.Name] and not seen[p.Id] then
            local tagged, terr = pool_tagged(ctx, p.Id)
            if tagged == nil then return nil, terr end
            if tagged == true then ids[#ids + 1], seen[p.Id] = p.Id, true end
        end
        return true
    end)
    if not ok then return nil, err end
    return ids
end

-- Every name the stack has used for a kind (role, pool, client), and the
-- one it wants now: down looks for all of them.
function M.names_of(ctx, kind)
    local out, seen = {}, {}
    local function add(n) if n and not seen[n] then out[#out + 1], seen[n] = n, true end end
    add(ctx.settings.names[kind])
    for _, n in ipairs(ctx.state:names(kind)) do add(n) end
    return out
end

M.MAX_PAGES = 1000

-- Calls fn(item) for every item of a paginated list (JSON NextToken or IAM
-- Marker/IsTruncated), stopping on a repeated token or after MAX_PAGES: a
-- server that never ends a list must not keep us looping.
function M.each_page(client, op, params, key, fn)
    local p, seen = {}, {}
    for k, v in pairs(params) do p[k] = v end
    for _ = 1, M.MAX_PAGES do
        local out, err = client:call(op, p)
        if not out then return nil, err end
        for _, item in ipairs(out[key] or {}) do
            local ok, ferr = fn(item)
            if not ok then return nil, ferr end
        end
        local token = out.NextToken or (out.IsTruncated and out.Marker) or nil
        if not token then return true end
        if seen[token] then return errors.fail("PaginationLoop", "%s answered the same page token twice", op) end
        seen[token] = true
        if out.Marker then p.Marker = token else p.NextToken = token end
    end
    return errors.fail("PaginationLimit", "%s gave more than %d pages", op, M.MAX_PAGES)
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
-- The options that shape the stack, kept in the state so a later run
-- without them converges to the same stack.
local SHAPING = { "mfa", "sms", "totp", "sns_policy", "spend_limit", "test_user", "phone", "role_name", "pool_name",
                  "client_name" }

-- A pool cannot be renamed, and replacing it would lose its users.
local function check_pool_rename(st, s)
    local pool = st.doc.resources.pool
    if pool and pool.name and pool.name ~= s.names.pool then
        return errors.fail("PoolRenameRefused", "stack %s's user pool is named %s: a pool cannot be renamed, " ..
            "and replacing it would lose its users (drop --pool-name, or run down first)", s.stack, pool.name)
    end
    return true
end

-- opts.lock: take the stack's lock first (up and down), waiting up to
-- opts.lock_timeout seconds.
function M.context(opts)
    if type(opts) ~= "table" then
        error("bad argument #1 to 'context' (table expected, got " .. type(opts) .. ")", 2)
    end
    local dir = opts.state_dir or (config["local"] and ".mfakit/local" or nil)
    local stack = opts.stack or "mfa-sms"
    local s, err = settings.from{ stack = stack }
    if not s then return nil, err end
    local lock
    if opts.lock then
        lock, err = state.lock(dir, stack, opts.lock_timeout, string.format("pid %d (%s, since %s)", sys.getpid(),
            opts.lock, os.date("!%Y-%m-%dT%H:%M:%SZ")))
        if not lock then return nil, err end
    end
    local st
    st, err = state.load(dir, stack)
    if not st then return nil, err end
    -- a later run keeps every choice the stack was made with unless told otherwise
    local merged = {}
    for _, k in ipairs(SHAPING) do merged[k] = st.doc.settings and st.doc.settings[k] end
    for k, v in pairs(opts) do merged[k] = v end
    s, err = settings.from(merged)
    if not s then return nil, err end
    if opts.lock ~= "down" then
        local ok
        ok, err = check_pool_rename(st, s)
        if not ok then return nil, err end
    end
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
        sns = aws.client("sns", client_opts), options = opts, lock = lock,
    }
end

local function remember_settings(ctx)
    local s = ctx.settings
    ctx.state.doc.settings = {
        stack = s.stack, mfa = s.mfa, sms = s.sms, totp = s.totp, sns_policy = s.sns_policy,
        spend_limit = s.spend_limit, test_user = s.test_user, phone = s.phone,
        role_name = s.names.role, pool_name = s.names.pool, client_name = s.names.client,
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

-- Roles left behind by a rename (--role-name changed): deleted once the
-- pool points at the new one, each step journaled in the state.
function M.retire_roles(ctx)
    local step = M.load_step("01-sms-role")
    if not step.retire then return true end
    return step.retire(ctx)
end

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
        if name == "02-user-pool" then
            ok, err = M.retire_roles(ctx)
            if not ok then return nil, err end
        end
    end
    return true
end

-- resource in the state -> the step that makes it
local RESOURCE_STEP = { role = "01-sms-role", pool = "02-user-pool", client = "03-app-client", user = "08-test-user",
                        retired_roles = "01-sms-role" }

M.settle_seconds = 2

local function down_steps(ctx, names, failures)
    for i = #names, 1, -1 do
        local step = M.load_step(names[i])
        local verb, detail = step.down(ctx)
        if not verb then
            line(ctx, step, "FAILED", tostring(detail))
            failures[names[i]] = detail
        else
            failures[names[i]] = nil
            line(ctx, step, verb, detail)
        end
    end
end

-- What the stack made that still exists after down, each {what, why,
-- again}: again is true when running down again can help.
local function leftovers(ctx, names, failures)
    local left = {}
    for i = #names, 1, -1 do
        local name = names[i]
        local step = M.load_step(name)
        local failed = failures[name]
        local items, err
        if step.left then items, err = step.left(ctx) else items = {} end
        if not items then
            left[#left + 1] = { what = step.name, why = "could not check: " .. tostring(err), again = true }
        else
            for _, item in ipairs(items) do
                item.why = item.why or (failed and tostring(failed)) or "still exists"
                if item.again == nil then item.again = failed == nil or failed.retryable == true end
                left[#left + 1] = item
            end
            if failed and #items == 0 and not step.left then
                left[#left + 1] = { what = step.title, why = tostring(failed), again = failed.retryable == true }
            end
        end
    end
    return left
end

function M.down(ctx)
    if not ctx.state.existed and ctx.state:empty() then
        ctx.say("no state for stack " .. ctx.settings.stack .. ": looking for its resources by name and tag")
    end
    -- A create that was sent when a run was killed may still land after we
    -- look: those steps are checked again once it had time to.
    local pending, seen = {}, {}
    for name, r in pairs(ctx.state.doc.resources) do
        local step = RESOURCE_STEP[name]
        if step and not seen[step] and (r.status == "creating" or name == "retired_roles") then
            pending[#pending + 1], seen[step] = step, true
        end
    end
    table.sort(pending)
    local failures = {}
    down_steps(ctx, M.STEPS, failures)
    if next(failures) == nil and #pending > 0 then
        ctx.say(string.format("   a create was in flight when the last run stopped: checking again in %d s",
            M.settle_seconds))
        task.sleep(M.settle_seconds)
        down_steps(ctx, pending, failures)
    end
    local left = leftovers(ctx, M.STEPS, failures)
    if #left > 0 then
        local lines = {}
        for _, l in ipairs(left) do
            lines[#lines + 1] = l.what .. ": " .. l.why .. (l.again and " (run down again)" or "")
        end
        return nil, errors.new{ code = "StackNotGone", left = left,
            message = string.format("%d resource%s of stack %s left: %s", #left, #left == 1 and "" or "s",
                ctx.settings.stack, table.concat(lines, "; ")) }
    end
    -- the file goes with the last resource (one step run alone keeps it)
    if ctx.state:empty() then
        ctx.state:remove_file()
        if ctx.lock then os.remove(ctx.state.dir .. "/" .. ctx.settings.stack .. ".lock") end
    end
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
