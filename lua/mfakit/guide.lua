-- mfakit.guide: runs the guide's steps (mfakit.guide.steps.NN-*) as one
-- stack: up, down, plan, status, env. Each step is a table {id, name,
-- title, inspect(ctx), up(ctx), down(ctx)}: inspect reads only and says
-- what differs; up converges; down removes what the stack made.
local aws = require "mfakit.aws"
local crypto = require "mfakit.crypto"
local config = require "mfakit.config"
local errors = require "mfakit.errors"
local task = require "mfakit.task"
local sys = require "mfakit.sys"
local state = require "mfakit.stack.state"
local settings = require "mfakit.stack.settings"
local common = require "mfakit.guide.common"

local M = {}

-- for steps of one's own (docs/SCRIPTING.md "Writing a step")
M.errors = errors

M.STEPS = { "01-sms-role", "02-user-pool", "03-app-client", "04-env", "08-test-user", "09-sns-sms", "10-spend-alarm",
            "11-sms-delivery-logs" }

-- A step is a table, or the name of one of the built-in steps under
-- mfakit.guide.steps.
function M.load_step(name)
    if type(name) == "table" then return name end
    return require("mfakit.guide.steps." .. name)
end

-- The steps this context runs: ctx.steps (one step run alone), else STEPS.
local function steps_of(ctx)
    return ctx.steps or M.STEPS
end

-- The helpers steps share live in mfakit.guide.common; they are here too
-- for scripts written against the engine.
for k, v in pairs(common) do M[k] = v end

-- Context -------------------------------------------------------------------

-- The options that shape the stack, kept in the state so a later run
-- without them converges to the same stack.
local SHAPING = { "mfa", "sms", "totp", "sns_policy", "spend_limit", "test_user", "phone", "role_name", "pool_name",
                  "client_name", "device_tracking", "alarm_email", "alarm_at", "sms_delivery_logs" }

-- A pool cannot be renamed, and replacing it would lose its users.
local function check_pool_rename(st, s)
    local pool = st.doc.resources.pool
    if pool and pool.name and pool.name ~= s.names.pool then
        return errors.fail("PoolRenameRefused", "stack %s's user pool is named %s: a pool cannot be renamed, " ..
            "and replacing it would lose its users (drop --pool-name, or run down first)", s.stack, pool.name)
    end
    return true
end

-- The account the stack lives in, read from the ARNs it recorded.
local function recorded_account(doc)
    local records = { doc.resources.role, doc.resources.pool, table.unpack(doc.resources.retired_roles or {}) }
    for _, r in pairs(records) do
        local account = r.arn and r.arn:match("^arn:[^:]+:[^:]+:[^:]*:(%d+):")
        if account then return account end
    end
end

-- A stack is changed only with credentials of the account it was made in:
-- elsewhere its names may belong to someone else, and what it made would
-- look absent and be forgotten.
local function check_account(doc, stack, client_opts)
    local want = recorded_account(doc)
    if not want then return true end
    local me, err = aws.client("sts", client_opts):call("GetCallerIdentity")
    if not me then return nil, err end
    if me.Account ~= want then
        return errors.fail("AccountMismatch", "stack %s was made in account %s, but these credentials are for " ..
            "account %s: use credentials of account %s (--profile)", stack, want, tostring(me.Account), want)
    end
    return true
end

-- opts: the settings options (see mfakit.stack.settings) plus state_dir,
-- sms_code, say (a function(line), default print); lock: take the stack's
-- lock first (up and down), waiting up to lock_timeout seconds; verb: the
-- action ("down" may name another pool than the recorded one).
function M.context(opts)
    require("mfakit.args").check(1, "guide.context", opts, "table")
    local dir = opts.state_dir
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
    if opts.verb ~= "down" then
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
    if opts.lock then
        local ok
        ok, err = check_account(st.doc, s.stack, client_opts)
        if not ok then return nil, err end
    end
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
        device_tracking = s.device_tracking, alarm_email = s.alarm_email, alarm_at = s.alarm_at,
        sms_delivery_logs = s.sms_delivery_logs or nil,
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
    -- no trailing blanks when there is no detail
    ctx.say((string.format("%s %-11s %-9s %s", step.id, step.name, verb, detail or ""):gsub("%s+$", "")))
end

-- Commands ------------------------------------------------------------------

-- Roles left behind by a rename (--role-name changed): deleted once the
-- pool points at the new one, each step journaled in the state.
function M.retire_roles(ctx)
    local step = M.load_step("01-sms-role")
    if not step.retire then return true end
    return step.retire(ctx)
end

-- Failures that mean "this choice cannot be made here", after which the
-- stack keeps the choices it had (the options are not remembered).
local REFUSED = { RoleNotOurs = true }

function M.up(ctx)
    local before = ctx.state.doc.settings
    local ok, err = remember_settings(ctx)
    if not ok then return nil, err end
    for _, name in ipairs(steps_of(ctx)) do
        local step = M.load_step(name)
        local verb, detail = step.up(ctx)
        if not verb then
            line(ctx, step, "FAILED", tostring(detail))
            if REFUSED[detail.code] then
                if ctx.state.existed then
                    ctx.state.doc.settings = before
                    ctx.state:save()
                elseif ctx.state:empty() then
                    ctx.state:remove_file()
                end
            end
            return nil, detail
        end
        line(ctx, step, verb, detail)
        if step.id == "02" and step.name == "user-pool" then
            ok, err = M.retire_roles(ctx)
            if not ok then return nil, err end
        end
    end
    return true
end

-- resource in the state -> the step that makes it
local RESOURCE_STEP = { role = "01-sms-role", pool = "02-user-pool", client = "03-app-client", user = "08-test-user",
                        alarm = "10-spend-alarm", delivery_logs = "11-sms-delivery-logs",
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
            -- what down did, for --output json: each step once, its last word
            ctx.done = ctx.done or {}
            ctx.done[names[i]] = { step = step.id .. "-" .. step.name, result = verb, detail = detail }
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
        ctx.say("no state for stack " .. ctx.settings.stack .. ": looking for its resources by name and tag " ..
            "(give --role-name, --pool-name again if up was given them)")
    end
    -- A create that was sent when a run was killed may still land after we
    -- look: those steps are checked again once it had time to.
    local pending, seen, running = {}, {}, {}
    for _, name in ipairs(steps_of(ctx)) do running[name] = true end
    for name, r in pairs(ctx.state.doc.resources) do
        local step = RESOURCE_STEP[name]
        if step and running[step] and not seen[step] and (r.status == "creating" or name == "retired_roles") then
            pending[#pending + 1], seen[step] = step, true
        end
    end
    table.sort(pending)
    local failures = {}
    down_steps(ctx, steps_of(ctx), failures)
    if next(failures) == nil and #pending > 0 then
        ctx.say(string.format("   a create was in flight when the last run stopped: checking again in %d s",
            M.settle_seconds))
        task.sleep(M.settle_seconds)
        down_steps(ctx, pending, failures)
    end
    local left = leftovers(ctx, steps_of(ctx), failures)
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

-- What the last down deleted, in the order it went: { {step=, result=,
-- detail=} } for each step that deleted something.
function M.deleted(ctx)
    local out = {}
    local names = steps_of(ctx)
    for i = #names, 1, -1 do
        local d = (ctx.done or {})[names[i]]
        if d and d.result == "deleted" then out[#out + 1] = d end
    end
    return out
end

-- inspect every step: { {step=, result=, err=} }
function M.inspect(ctx)
    local out = {}
    ctx.inspecting, ctx.pool_id = true, nil
    for _, name in ipairs(steps_of(ctx)) do
        local step = M.load_step(name)
        local r, err = step.inspect(ctx)
        out[#out + 1] = { step = step, result = r, err = err }
        if r and r.id and step.name == "user-pool" then ctx.pool_id = r.id end
        if r and r.arn and step.name == "sms-role" then ctx.role_arn = r.arn end
        -- a role up would make: the pool would point at it, so the pool changes too
        if r and not r.exists and not r.skip and step.name == "sms-role" then ctx.role_arn = "(the new role)" end
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
            row.detail = #r.changes > 0 and table.concat(r.changes, "; ") or (r.detail or r.id or r.arn or "")
            healthy = healthy and row.matches
        end
        rows[#rows + 1] = row
    end
    return rows, healthy
end

return M
