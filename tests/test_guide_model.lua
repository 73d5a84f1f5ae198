-- tests/test_guide_model.lua: a seeded, randomized, model-based test of a
-- stack's lifecycle against moto. Each seed draws a sequence of `up` with
-- random options (tests/guide_support.lua OPTION_GEN), `plan`, `status`,
-- hand drift made through the AWS API, and an `up` killed with SIGKILL at a
-- random moment; then `down`. Invariants:
--   after every up that exits 0: one pool, one role (the one the options
--   ask for now), one client (named as asked), the state's settings are
--   the options given so far; the spend alarm and its topic exist, with
--   the threshold asked for, once any up gave --alarm-email; step 11's role
--   once any up gave --sms-delivery-logs;
--   plan and status change nothing;
--   after down: no role, pool or client with the stack's tag or any name it
--   ever used, and no spend alarm or topic; a second down exits 0; the
--   state file is gone.
-- A failure prints the seed and the sequence. MFAKIT_LIFECYCLE_SEEDS=N runs
-- N more seeds drawn from the clock.
local sys = require "mfakit.sys"
local task = require "mfakit.task"
local rngmod = require "mfakit.cost.rng"
local gsupport = dofile("tests/guide_support.lua")

local FIXED_SEEDS = { 1, 2, 3, 4, 5, 6 }
local STEPS = 6

local function common_contains(list, v)
    for _, x in ipairs(list or {}) do if x == v then return true end end
    return false
end

-- Hand drift through the API: each returns a description.
local DRIFT = {
    function(g, st)
        local c = st.resources.client
        if not c then return "no client to delete" end
        g.idp:call("DeleteUserPoolClient", { UserPoolId = st.resources.pool.id, ClientId = c.id })
        return "deleted the client"
    end,
    function(g, st)
        g.idp:call("SetUserPoolMfaConfig", { UserPoolId = st.resources.pool.id, MfaConfiguration = "OFF" })
        return "turned MFA off"
    end,
    function(g, st)
        g.iam:call("PutRolePolicy", { RoleName = st.resources.role.name, PolicyName = "by-hand",
            PolicyDocument = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:*","Resource":"*"}]}' })
        return "added an inline policy"
    end,
    function(g, st)
        g.iam:call("AttachRolePolicy", { RoleName = st.resources.role.name,
            PolicyArn = "arn:aws:iam::aws:policy/AmazonSNSReadOnlyAccess" })
        return "attached a managed policy"
    end,
    function(g, st)
        g.iam:call("UpdateAssumeRolePolicy", { RoleName = st.resources.role.name, PolicyDocument =
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cognito-idp.amazonaws.com"},' ..
            '"Action":"sts:AssumeRole"}]}' })
        return "loosened the trust policy"
    end,
    function(g, st)
        g.idp:call("UpdateUserPool", { UserPoolId = st.resources.pool.id, DeviceConfiguration = {
            ChallengeRequiredOnNewDevice = false, DeviceOnlyRememberedOnUserPrompt = true } })
        return "changed device tracking"
    end,
}

-- the DeviceConfiguration each --device-tracking value sets
local TRACKING = {
    always = { ChallengeRequiredOnNewDevice = true, DeviceOnlyRememberedOnUserPrompt = false },
    ["opt-in"] = { ChallengeRequiredOnNewDevice = true, DeviceOnlyRememberedOnUserPrompt = true },
    off = { ChallengeRequiredOnNewDevice = false, DeviceOnlyRememberedOnUserPrompt = false },
}

local t = require "mfakit.test"
local moto = t.env("MFAKIT_TEST_MOTO")
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"
local g = moto and gsupport.new(moto, tmp .. "/model")

local function run_seed(seed)
    local rand = rngmod.stream(seed)
    local function rng(n) return 1 + math.floor(rand() * n) end
    local stack = "m" .. seed .. "-" .. sys.getpid() % 10000
    local log = {}
    local function fail(what)
        error(string.format("seed %d: %s\n#   sequence: %s", seed, what, table.concat(log, " | ")), 0)
    end
    local function check(cond, what) if not cond then fail(what) end end
    -- the model: every name used, and the options in force
    local used = { stack .. "-sms-role", stack .. "-pool", stack .. "-client" }
    local want = { role = stack .. "-sms-role", client = stack .. "-client", sns_policy = "inline",
                   device_tracking = "opt-in" }
    local first = true
    want.alarm_at = 80

    local function after_up()
        local st = g:state(stack)
        check(st, "up left no state")
        -- the SMS role, and step 11's role for SNS once any up asked for delivery logs
        local roles, logs_role = {}, false
        for _, r in ipairs(g:roles_of(stack, used)) do
            if r == stack .. "-sns-delivery-logs" then logs_role = true else roles[#roles + 1] = r end
        end
        check(#roles == 1 and roles[1] == want.role, "roles after up: " .. table.concat(roles, ","))
        check(logs_role == (want.delivery_logs == true), "delivery-logs role after up: " .. tostring(logs_role))
        local pools = g:pools_of(stack, used)
        check(#pools == 1 and pools[1] == st.resources.pool.id, "pools after up: " .. table.concat(pools, ","))
        local dc = (g.idp:call("DescribeUserPool", { UserPoolId = pools[1] }) or { UserPool = {} })
            .UserPool.DeviceConfiguration or {}
        local wdc = TRACKING[want.device_tracking]
        check(dc.ChallengeRequiredOnNewDevice == wdc.ChallengeRequiredOnNewDevice and
              dc.DeviceOnlyRememberedOnUserPrompt == wdc.DeviceOnlyRememberedOnUserPrompt and
              st.settings.device_tracking == want.device_tracking,
            "device tracking after up: want " .. want.device_tracking .. ", state " ..
            tostring(st.settings.device_tracking))
        local clients = g:clients_of(pools[1])
        check(#clients == 1 and clients[1] == want.client, "clients after up: " .. table.concat(clients, ","))
        local alarm, topic = g:alarm_of(stack)
        if want.alarm_email then
            -- without a stack spend limit: a share of the account's (us-east-1's), or of $1
            local limit = tonumber(st.settings.spend_limit) or
                tonumber((assert(g.sns:call("GetSMSAttributes")).attributes or {}).MonthlySpendLimit) or 1
            check(alarm and topic and common_contains(alarm.AlarmActions, topic) and
                  tonumber(alarm.Threshold) == math.floor(limit * want.alarm_at + 0.5) / 100 and
                  st.settings.alarm_email == want.alarm_email and st.settings.alarm_at == want.alarm_at,
                "spend alarm after up: want " .. want.alarm_email .. " at " .. want.alarm_at .. "%, got " ..
                tostring(alarm and alarm.Threshold) .. " " .. tostring(topic))
        else
            check(not alarm and not topic, "a spend alarm nobody asked for")
        end
        check(st.settings.role_name == want.role and st.settings.client_name == want.client and
              st.settings.sns_policy == want.sns_policy, "settings kept: " .. tostring(st.settings.role_name) ..
              " " .. tostring(st.settings.client_name) .. " " .. tostring(st.settings.sns_policy))
    end

    local function do_up(kill)
        local args, chosen = gsupport.random_options(rng, stack, first)
        for k, v in pairs(chosen) do
            if k:find("%-name$") then used[#used + 1] = v end
        end
        if not kill then
            log[#log + 1] = "up " .. args
            local out, err, rc = g:run("up --stack " .. stack .. " " .. args)
            check(rc == 0, "up exited " .. tostring(rc) .. ": " .. err .. out)
        else
            local delay = rand() * 1.5
            log[#log + 1] = string.format("up %s (killed at %.2f s)", args, delay)
            local pid = g:start("up --stack " .. stack .. " " .. args)
            task.sleep(delay)
            os.execute("kill -9 " .. pid .. " 2>/dev/null")
            task.sleep(0.1)
            -- a killed up may have done all, some or none of it: the
            -- next up converges to these options
            local out, err, rc = g:run("up --stack " .. stack .. " " .. args)
            log[#log + 1] = "up (again)"
            check(rc == 0, "up after a kill exited " .. tostring(rc) .. ": " .. err .. out)
        end
        first = false
        if chosen["role-name"] then want.role = chosen["role-name"] end
        if chosen["client-name"] then want.client = chosen["client-name"] end
        if chosen["sns-policy"] then want.sns_policy = chosen["sns-policy"] end
        if chosen["device-tracking"] then want.device_tracking = chosen["device-tracking"] end
        if chosen["sms-delivery-logs"] then want.delivery_logs = true end
        if chosen["alarm-email"] then
            -- a new address without --alarm-at keeps the threshold the stack had
            want.alarm_email, want.alarm_at = chosen["alarm-email"], tonumber(chosen["alarm-at"]) or want.alarm_at
        end
        after_up()
    end

    do_up(false)
    for _ = 1, STEPS do
        local op = rng(6)
        if op == 1 then
            do_up(false)
        elseif op == 2 then
            do_up(true)
        elseif op == 3 or op == 4 then
            local verb = op == 3 and "plan" or "status"
            log[#log + 1] = verb
            local before = #g:pools_of(stack, used) .. "/" .. #g:roles_of(stack, used)
            local _, err, rc = g:run(verb .. " --stack " .. stack)
            check(rc == 0 or (verb == "status" and rc == 1), verb .. " exited " .. tostring(rc) .. ": " .. err)
            check(before == #g:pools_of(stack, used) .. "/" .. #g:roles_of(stack, used), verb .. " changed something")
        else
            local st = g:state(stack)
            log[#log + 1] = "drift: " .. DRIFT[rng(#DRIFT)](g, st)
        end
    end
    log[#log + 1] = "down"
    local out, err, rc = g:run("down --stack " .. stack)
    check(rc == 0, "down exited " .. tostring(rc) .. ": " .. err .. out)
    local roles, pools = g:roles_of(stack, used), g:pools_of(stack, used)
    check(#roles == 0, "roles left after down: " .. table.concat(roles, ","))
    check(#pools == 0, "pools left after down: " .. table.concat(pools, ","))
    local alarm, topic = g:alarm_of(stack)
    check(not alarm and not topic, "spend alarm or topic left after down")
    check(g:state(stack) == nil, "state file left after down")
    out, err, rc = g:run("down --stack " .. stack)
    check(rc == 0 and out ~= nil, "a second down exited " .. tostring(rc) .. ": " .. err)
end

t.case("random sequences of up, plan, status, drift and kills, then down, leave nothing", function()
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    local seeds = {}
    for _, s in ipairs(FIXED_SEEDS) do seeds[#seeds + 1] = s end
    local more = tonumber(os.getenv("MFAKIT_LIFECYCLE_SEEDS") or "0") or 0
    local base = math.floor(sys.now() * 1000) % 1000000000
    for i = 1, more do seeds[#seeds + 1] = base + i end
    for _, seed in ipairs(seeds) do run_seed(seed) end
end)
