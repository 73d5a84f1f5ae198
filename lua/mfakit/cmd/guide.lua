-- mfakit guide up|down|status|env|plan: the guide's stack as one command.
local guide = require "mfakit.guide"
local cli = require "mfakit.cli"
local json = require "mfakit.json"
local sys = require "mfakit.sys"

local DEF = {
    name = "guide",
    usage = "up|down|status|env|plan [--stack NAME] [options]",
    summary = table.concat({
        "  up       create or converge the stack, one line per step, then the ids",
        "  down     delete everything the stack made (and nothing else), in reverse",
        "  status   each resource: does it exist, does it match",
        "  env      print the frontend's configuration: the .env lines, or with --format the",
        "           Amplify config (--write PATH writes the file)",
        "  plan     show what up would do, changing nothing" }, "\n"),
    options = {
        { "stack", "string", "NAME", "stack name (default mfa-sms); names are <stack>-sms-role, -pool, -client" },
        { "mfa", "string", "OFF|OPTIONAL|ON", "the pool's MFA setting (default OPTIONAL)" },
        { "device-tracking", "string", "always|opt-in|off",
          "remembered devices: always, opt-in (the app asks the user; default), off (none skips MFA)" },
        { "no-sms", "flag", nil, "leave out SMS MFA" },
        { "no-totp", "flag", nil, "leave out TOTP MFA" },
        { "sms", "flag", nil, "put SMS MFA back" },
        { "totp", "flag", nil, "put TOTP MFA back" },
        { "spend-limit", "string", "USD", "SNS MonthlySpendLimit to set, in whole dollars (10 or 10.00)" },
        { "sns-policy", "string", "inline|full",
          "inline sns:Publish (default) or AmazonSNSFullAccess, as the guide does" },
        { "test-user", "string", "EMAIL", "also make a test user with SMS MFA" },
        { "phone", "string", "E164", "the test user's phone, like +15555550100" },
        { "sms-code-from", "string", "SOURCE",
          "sign the test user in through SMS (env:VAR, file:PATH, cmd:..., prompt)" },
        require("mfakit.cognito.codes").TIMEOUT_OPTION,
        { "alarm-email", "string", "ADDRESS",
          "step 10: an SNS topic <stack>-sms-spend emailing ADDRESS, and a CloudWatch alarm on the SMS spend" },
        { "alarm-at", "string", "PERCENT", "the alarm's threshold, in percent of the spend limit (default 80)" },
        { "sms-delivery-logs", "flag", nil,
          "step 11: SNS logs every SMS's delivery to CloudWatch Logs (a role for SNS, sampling 100%)" },
        { "role-name", "string", "NAME", "the SMS role's name; a new name on a later up replaces the role" },
        { "pool-name", "string", "NAME", "the user pool's name (a pool cannot be renamed later)" },
        { "client-name", "string", "NAME", "the app client's name; a new name on a later up renames it" },
        require("mfakit.stack.state").STATE_DIR_OPTION,
        { "lock-timeout", "number", "SECONDS", "up and down: wait this long for another run on the stack (default " ..
            "0: refuse at once)" },
        { "step", "string", "NN", "up, down, plan, status: only that step (01 02 03 04 08 09 10 11)" },
        { "write", "string", "PATH", "env: write the lines to PATH" },
        { "format", "string", "dotenv|json|amplify|amplify-outputs", "env: what is written: the .env lines " ..
            "(default), them as JSON, Amplify v6's ResourcesConfig, or Gen 2's amplify_outputs.json" },
    },
    notes = "Docs: docs/PLAYBOOKS.md.",
}

-- failures the user fixes in the command line or the state file: exit 2
local USAGE_ERRORS = { InvalidOption = true, RegionMismatch = true, InvalidStateFile = true, PoolRenameRefused = true,
                       AccountMismatch = true }

local VERBS = { up = true, down = true, status = true, env = true, plan = true }

-- --sms / --no-sms: true, false, or nil (keep what the stack has)
local function choice(yes, no)
    if no then return false end
    if yes then return true end
    return nil
end

local function options(o)
    return {
        stack = o.stack, mfa = o.mfa, sms = choice(o.sms, o["no-sms"]), totp = choice(o.totp, o["no-totp"]),
        spend_limit = o["spend-limit"], sns_policy = o["sns-policy"], test_user = o["test-user"], phone = o.phone,
        sms_code = o["sms-code-from"], role_name = o["role-name"], pool_name = o["pool-name"],
        client_name = o["client-name"], state_dir = o["state-dir"], lock_timeout = o["lock-timeout"],
        device_tracking = o["device-tracking"], alarm_email = o["alarm-email"], alarm_at = o["alarm-at"],
        sms_delivery_logs = o["sms-delivery-logs"] or nil,
    }
end

local M = {}

local function print_ids(ctx)
    local pool, client, role = ctx.state:get("pool") or {}, ctx.state:get("client") or {}, ctx.state:get("role") or {}
    print("")
    print("region         " .. ctx.region)
    if pool.id then print("user pool id   " .. pool.id) end
    if client.id then print("app client id  " .. client.id) end
    if role.arn then print("SMS role       " .. role.arn) end
    print("state          " .. ctx.state.path)
end

function M.execute(verb, ctx, o)
    local quiet = cli.json_output()
    if quiet then ctx.say = function() end end
    if verb == "up" then
        local ok, err = guide.up(ctx)
        if not ok then return cli.fail("guide up", err, "fix it and run up again: it resumes where it stopped") end
        if quiet then
            cli.print_json{ stack = ctx.settings.stack, region = ctx.region,
                            resources = ctx.state.doc.resources, env = guide.env_lines(ctx) }
        else
            print_ids(ctx)
        end
        return 0
    elseif verb == "down" then
        local ok, err = guide.down(ctx)
        if not ok then
            if err.code ~= "StackNotGone" then return cli.fail("guide down", err) end
            -- one line per resource left, each with why and whether running again helps
            io.stderr:write(string.format("mfakit guide down: %d resource%s of stack %s left\n", #err.left,
                #err.left == 1 and "" or "s", ctx.settings.stack))
            for _, l in ipairs(err.left) do
                io.stderr:write("  ", l.what, ": ", l.why, l.again and " (run down again)" or "", "\n")
            end
            if quiet then
                cli.print_json{ stack = ctx.settings.stack, gone = false, deleted = json.array(guide.deleted(ctx)),
                                left = err.left }
            end
            return 1
        end
        -- what was deleted, each {step, result, detail}; gone: nothing is left
        if quiet then
            cli.print_json{ stack = ctx.settings.stack, gone = true, deleted = json.array(guide.deleted(ctx)),
                            left = json.array() }
        end
        return 0
    elseif verb == "plan" then
        if quiet then
            local out = {}
            for _, item in ipairs(guide.inspect(ctx)) do
                out[#out + 1] = { step = item.step.id .. "-" .. item.step.name,
                    changes = item.result and json.array(item.result.changes) or json.null,
                    error = item.err and tostring(item.err) or nil }
            end
            cli.print_json{ plan = out }
            return 0
        end
        guide.plan(ctx)
        return 0
    elseif verb == "status" then
        local rows, healthy = guide.status(ctx)
        if quiet then
            cli.print_json{ stack = ctx.settings.stack, healthy = healthy, resources = rows }
        else
            for _, r in ipairs(rows) do
                print(string.format("%-15s %-8s %-9s %s", r.step, r.exists and "exists" or "missing",
                    r.matches and "ok" or "DIFFERS", r.detail or ""))
            end
        end
        return healthy and 0 or 1
    elseif verb == "env" then
        local frontend = require "mfakit.guide.frontend"
        local text, value = frontend.render(ctx, o.format)
        if not text then
            return cli.fail("guide env", value, value.code == "NotReady" and "run mfakit guide up first" or nil,
                value.code == "InvalidOption" and 2 or 1)
        end
        if o.write then
            local ok, err = sys.write_file_atomic(o.write, text, tonumber("644", 8))
            if not ok then return cli.fail("guide env", err) end
        end
        if quiet then
            -- the command's result: the values, and what was written where
            local v = frontend.values(ctx)
            cli.print_json{ stack = ctx.settings.stack, format = o.format or "dotenv", env = frontend.env(v),
                            config = (o.format or "dotenv") ~= "dotenv" and value or nil,
                            written = o.write or json.null }
        elseif o.write then
            print("wrote " .. o.write)
        else
            io.write(text)
        end
        return 0
    end
end

-- --step NN -> that step's name in guide.STEPS, or nil, message
local function pick_step(id)
    for _, name in ipairs(guide.STEPS) do
        if name:sub(1, #id + 1) == id .. "-" or name == id then return name end
    end
    local ids = {}
    for _, name in ipairs(guide.STEPS) do ids[#ids + 1] = name:match("^(%d+)") end
    return nil, "--step must be one of " .. table.concat(ids, ", ") .. ", not '" .. id .. "'"
end

function DEF.run(o, pos, step_id)
    local verb = pos[1]
    if #pos > 1 then return cli.usage("guide", "unexpected argument '" .. cli._shown(pos[2]) .. "'") end
    if o.write then
        local ok, why = cli.output_path("write", o.write)
        if not ok then return cli.usage("guide", why) end
    end
    o.step = o.step or step_id
    if not VERBS[verb] or (o.step and verb == "env") then
        return cli.usage("guide", verb and ("unknown action '" .. verb .. "'") or "an action is needed")
    end
    if o.format and verb ~= "env" then return cli.usage("guide", "--format is for env only") end
    if o.format then
        local fine = false
        for _, f in ipairs(require("mfakit.guide.frontend").FORMATS) do fine = fine or f == o.format end
        if not fine then
            return cli.usage("guide", "--format must be dotenv, json, amplify or amplify-outputs, not '" ..
                cli._shown(o.format) .. "'")
        end
    end
    local step, serr
    if o.step then
        step, serr = pick_step(o.step)
        if not step then return cli.usage("guide", serr) end
    end
    if o["sms-code-from"] then
        local kind, why = require("mfakit.cognito.codes").parse(o["sms-code-from"])
        if not kind then return cli.usage("guide", "--sms-code-from: " .. why) end
    end
    local lo = options(o)
    if lo.lock_timeout and (lo.lock_timeout < 0 or lo.lock_timeout > 86400) then
        return cli.usage("guide", "--lock-timeout must be 0 to 86400 seconds")
    end
    -- up and down change the stack: one writer at a time
    if verb == "up" or verb == "down" then lo.lock = "guide " .. verb end
    lo.verb = verb
    local ctx, err = guide.context(lo)
    if not ctx then
        return cli.fail("guide " .. verb, err, nil, USAGE_ERRORS[err.code] and 2 or 1)
    end
    -- one step on its own: the same stack, state and options, one step
    if step then ctx.steps = { step } end
    return M.execute(verb, ctx, o)
end

-- For the shipped scripts/guide/NN-*.lua: `mfakit guide VERB --step NN ...`.
function M.run_step(id, args)
    local o, pos = cli.open(DEF, args)
    if not o then return pos end
    return DEF.run(o, pos, id)
end

for k, v in pairs(DEF) do M[k] = v end
return cli.command(M)
