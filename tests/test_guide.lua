-- tests/test_guide.lua: mfakit guide against moto: exact settings, idempotent
-- up, convergence, down that removes the stack and nothing else, plan that
-- changes nothing, runs killed at many points, the IAM propagation retry.
local json = require "mfakit.json"
local sys = require "mfakit.sys"
local task = require "mfakit.task"
local http = require "mfakit.http"
local guide = require "mfakit.guide"
local aws = require "mfakit.aws"
local support = dofile("tests/support.lua")

local t = require "mfakit.test"
local moto = t.env("MFAKIT_TEST_MOTO")
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"
local bin = support.bin()
local function need() if not moto then t.skip("MFAKIT_TEST_MOTO not set") end end
local iam = moto and support.admin("iam", moto)
local idp = moto and support.admin("cognito-idp", moto)
local sns = moto and support.admin("sns", moto)

local function cmd(args)
    return string.format("AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing " ..
        "AWS_REGION=us-east-1 %s guide %s --state-dir %s/state", moto, bin, args, tmp)
end
local function guide_run(args)
    return support.run(cmd(args))
end
local function state_of(stack)
    local f = io.open(tmp .. "/state/" .. stack .. ".json")
    if not f then return nil end
    local doc = json.decode(f:read("a"))
    f:close()
    return doc
end
local function pools_named(name)
    local out = assert(idp:call("ListUserPools", { MaxResults = 60 }))
    local ids = {}
    for _, p in ipairs(out.UserPools) do if p.Name == name then ids[#ids + 1] = p.Id end end
    return ids
end
local function unique(prefix) return prefix .. "-" .. sys.getpid() .. "-" .. math.random(1e6) end

t.case("up creates exactly the guide's resources with the guide's settings", function()
    need()
    local stack = unique("g1")
    -- SMS settings are account-wide: start from known values, which down must put back
    assert(sns:call("SetSMSAttributes", { attributes = { DefaultSMSType = "Promotional", MonthlySpendLimit = "1" } }))
    local out, err, rc = guide_run("up --stack " .. stack .. " --spend-limit 7 --test-user bob@example.com " ..
        "--phone +15555550100")
    t.eq(rc, 0, err .. out)
    for _, n in ipairs{ "01 sms-role    created", "02 user-pool   created", "03 app-client  created",
                         "08 test-user   created", "09 sns-sms     updated" } do
        t.ok(out:find(n, 1, true), "line '" .. n .. "' in:\n" .. out)
    end
    local st = state_of(stack)
    t.ok(st.external_id and st.external_id:match("^mfakit%-%x+$"), "random ExternalId in the state")
    t.eq(sys.stat(tmp .. "/state/" .. stack .. ".json").mode, tonumber("600", 8))
    -- role and trust policy
    local role = assert(iam:call("GetRole", { RoleName = stack .. "-sms-role" })).Role
    t.eq(role.AssumeRolePolicyDocument, { Version = "2012-10-17", Statement = { {
        Effect = "Allow", Principal = { Service = "cognito-idp.amazonaws.com" }, Action = "sts:AssumeRole",
        Condition = { StringEquals = { ["sts:ExternalId"] = st.external_id } } } } })
    table.sort(role.Tags, function(a, b) return a.Key < b.Key end)
    t.eq(role.Tags, { { Key = "mfakit:made-by-stack", Value = stack }, { Key = "mfakit:stack", Value = stack } })
    local inline = assert(iam:call("GetRolePolicy", { RoleName = stack .. "-sms-role",
                                                      PolicyName = stack .. "-sns-publish" }))
    t.eq(inline.PolicyDocument, { Version = "2012-10-17",
        Statement = { { Effect = "Allow", Action = "sns:Publish", Resource = "*" } } })
    t.eq(assert(iam:call("ListAttachedRolePolicies", { RoleName = stack .. "-sms-role" })).AttachedPolicies, {})
    -- pool
    local pool_id = st.resources.pool.id
    local p = assert(idp:call("DescribeUserPool", { UserPoolId = pool_id })).UserPool
    t.eq(p.Name, stack .. "-pool")
    t.eq(p.UsernameAttributes, { "email" })
    t.eq(p.AutoVerifiedAttributes, { "email" })
    t.eq(p.UsernameConfiguration, { CaseSensitive = false })
    local pp = p.Policies.PasswordPolicy
    t.eq({ pp.MinimumLength, pp.RequireUppercase, pp.RequireLowercase, pp.RequireNumbers, pp.RequireSymbols },
        { 8, true, true, true, false })
    t.eq({ p.SmsConfiguration.SnsCallerArn, p.SmsConfiguration.ExternalId }, { role.Arn, st.external_id })
    t.eq(p.SmsAuthenticationMessage, "Your MFA code is {####}")
    t.eq(p.UserPoolTags, { ["mfakit:stack"] = stack })
    local schema = {}
    for _, a in ipairs(p.SchemaAttributes) do schema[a.Name] = a end
    t.eq({ schema.email.Required, schema.name.Required, schema.phone_number ~= nil }, { true, true, true })
    local m = assert(idp:call("GetUserPoolMfaConfig", { UserPoolId = pool_id }))
    t.eq(m.MfaConfiguration, "OPTIONAL")
    t.eq(m.SoftwareTokenMfaConfiguration, { Enabled = true })
    t.eq(m.SmsMfaConfiguration.SmsAuthenticationMessage, "Your MFA code is {####}")
    -- client
    local c = assert(idp:call("DescribeUserPoolClient", { UserPoolId = pool_id,
                                                          ClientId = st.resources.client.id })).UserPoolClient
    table.sort(c.ExplicitAuthFlows)
    t.eq(c.ExplicitAuthFlows, { "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH" })
    t.eq({ c.ClientName, c.ClientSecret, c.PreventUserExistenceErrors, c.EnableTokenRevocation,
           c.AuthSessionValidity, c.AccessTokenValidity, c.IdTokenValidity, c.RefreshTokenValidity },
         { stack .. "-client", nil, "ENABLED", true, 3, 60, 60, 30 })
    t.eq(c.TokenValidityUnits, { AccessToken = "minutes", IdToken = "minutes", RefreshToken = "days" })
    -- test user and SNS
    local u = assert(idp:call("AdminGetUser", { UserPoolId = pool_id, Username = "bob@example.com" }))
    t.eq({ u.UserStatus, u.PreferredMfaSetting }, { "CONFIRMED", "SMS_MFA" })
    local attrs = assert(sns:call("GetSMSAttributes")).attributes
    t.eq({ attrs.DefaultSMSType, attrs.MonthlySpendLimit }, { "Transactional", "7" })
    -- env
    out, err, rc = guide_run("env --stack " .. stack .. " --write " .. tmp .. "/dot.env")
    t.eq({ rc, out }, { 0, "wrote " .. tmp .. "/dot.env\n" }, err)
    local f = assert(io.open(tmp .. "/dot.env"))
    t.eq(f:read("a"), "VITE_AWS_REGION=us-east-1\nVITE_MFA_SMS_USER_POOL_ID=" .. pool_id ..
        "\nVITE_MFA_SMS_CLIENT_ID=" .. st.resources.client.id .. "\n")
    f:close()
    -- no secret in the state file
    local text = assert(io.open(tmp .. "/state/" .. stack .. ".json")):read("a")
    t.ok(not text:lower():find("password", 1, true), text)
    out, err, rc = guide_run("down --stack " .. stack)
    t.eq(rc, 0, err)
    t.ok(out:find("09 sns-sms     restored", 1, true), out)
    attrs = assert(sns:call("GetSMSAttributes")).attributes
    t.eq({ attrs.DefaultSMSType, attrs.MonthlySpendLimit }, { "Promotional", "1" })
end)

t.case("a second up changes nothing; a setting changed by hand is converged", function()
    need()
    local stack = unique("g2")
    local _, err, rc = guide_run("up --stack " .. stack)
    t.eq(rc, 0, err)
    local out
    out, err, rc = guide_run("up --stack " .. stack)
    t.eq(rc, 0, err)
    t.ok(not out:find("created", 1, true) and not out:find("updated", 1, true), out)
    local st = state_of(stack)
    local pool_id = st.resources.pool.id
    -- by hand: MFA off, symbols required, trust policy loosened, inline policy gone, shorter tokens
    assert(idp:call("SetUserPoolMfaConfig", { UserPoolId = pool_id, MfaConfiguration = "OFF" }))
    assert(idp:call("UpdateUserPool", { UserPoolId = pool_id, Policies = { PasswordPolicy = {
        MinimumLength = 12, RequireUppercase = true, RequireLowercase = true, RequireNumbers = true,
        RequireSymbols = true } } }))
    assert(iam:call("UpdateAssumeRolePolicy", { RoleName = stack .. "-sms-role", PolicyDocument =
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cognito-idp.amazonaws.com"},' ..
        '"Action":"sts:AssumeRole"}]}' }))
    assert(iam:call("DeleteRolePolicy", { RoleName = stack .. "-sms-role", PolicyName = stack .. "-sns-publish" }))
    assert(idp:call("UpdateUserPoolClient", { UserPoolId = pool_id, ClientId = st.resources.client.id,
        AccessTokenValidity = 5, ExplicitAuthFlows = { "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH" } }))
    out, err, rc = guide_run("plan --stack " .. stack)
    t.eq(rc, 0, err)
    t.ok(out:find("01 sms-role    update", 1, true) and out:find("02 user-pool   update", 1, true) and
         out:find("03 app-client  update", 1, true), out)
    out, err, rc = guide_run("up --stack " .. stack)
    t.eq(rc, 0, err)
    t.ok(out:find("01 sms-role    updated", 1, true) and out:find("02 user-pool   updated", 1, true) and
         out:find("03 app-client  updated", 1, true), out)
    t.eq(assert(idp:call("GetUserPoolMfaConfig", { UserPoolId = pool_id })).MfaConfiguration, "OPTIONAL")
    local pp = assert(idp:call("DescribeUserPool", { UserPoolId = pool_id })).UserPool.Policies.PasswordPolicy
    t.eq({ pp.MinimumLength, pp.RequireSymbols }, { 8, false })
    local doc = assert(iam:call("GetRole", { RoleName = stack .. "-sms-role" })).Role.AssumeRolePolicyDocument
    t.eq(doc.Statement[1].Condition, { StringEquals = { ["sts:ExternalId"] = st.external_id } })
    assert(iam:call("GetRolePolicy", { RoleName = stack .. "-sms-role", PolicyName = stack .. "-sns-publish" }))
    local c = assert(idp:call("DescribeUserPoolClient", { UserPoolId = pool_id,
                                                          ClientId = st.resources.client.id })).UserPoolClient
    t.eq({ c.AccessTokenValidity, #c.ExplicitAuthFlows }, { 60, 3 })
    out, _, rc = guide_run("status --stack " .. stack)
    t.eq(rc, 0, out)
    guide_run("down --stack " .. stack)
end)

t.case("--sns-policy full attaches AmazonSNSFullAccess instead of the inline policy", function()
    need()
    local stack = unique("g3")
    local _, err, rc = guide_run("up --stack " .. stack .. " --sns-policy full")
    t.eq(rc, 0, err)
    t.eq(assert(iam:call("ListAttachedRolePolicies", { RoleName = stack .. "-sms-role" })).AttachedPolicies,
        { { PolicyName = "AmazonSNSFullAccess", PolicyArn = "arn:aws:iam::aws:policy/AmazonSNSFullAccess" } })
    t.fails("NoSuchEntity", iam:call("GetRolePolicy", { RoleName = stack .. "-sms-role",
                                                        PolicyName = stack .. "-sns-publish" }))
    _, err, rc = guide_run("down --stack " .. stack)
    t.eq(rc, 0, err)
    t.fails("NoSuchEntity", iam:call("GetRole", { RoleName = stack .. "-sms-role" }))
end)

t.case("down removes the stack and nothing else; plan changes nothing", function()
    need()
    local a, b = unique("ga"), unique("gb")
    local _, err, rc = guide_run("up --stack " .. a)
    t.eq(rc, 0, err)
    _, err, rc = guide_run("up --stack " .. b)
    t.eq(rc, 0, err)
    -- someone else's pool with the same name, and a role of theirs
    local foreign = assert(idp:call("CreateUserPool", { PoolName = a .. "-pool" })).UserPool.Id
    assert(iam:call("CreateRole", { RoleName = a .. "-other-role", AssumeRolePolicyDocument = "{}" }))
    local c = unique("gc")
    local before = #assert(idp:call("ListUserPools", { MaxResults = 60 })).UserPools
    local out
    out, err, rc = guide_run("plan --stack " .. c)
    t.eq(rc, 0, err)
    t.ok(out:find("01 sms-role    create", 1, true) and out:find("nothing was changed", 1, true), out)
    t.eq(#assert(idp:call("ListUserPools", { MaxResults = 60 })).UserPools, before)
    t.fails("NoSuchEntity", iam:call("GetRole", { RoleName = c .. "-sms-role" }))
    t.eq(state_of(c), nil)
    _, err, rc = guide_run("down --stack " .. a)
    t.eq(rc, 0, err)
    t.fails("NoSuchEntity", iam:call("GetRole", { RoleName = a .. "-sms-role" }))
    t.eq(pools_named(a .. "-pool"), { foreign })
    assert(iam:call("GetRole", { RoleName = a .. "-other-role" }))
    assert(iam:call("GetRole", { RoleName = b .. "-sms-role" }))
    t.eq(#pools_named(b .. "-pool"), 1)
    t.eq(state_of(a), nil)
    _, err, rc = guide_run("down --stack " .. a)
    t.eq(rc, 0, "a second down is fine: " .. err)
    guide_run("down --stack " .. b)
    assert(idp:call("DeleteUserPool", { UserPoolId = foreign }))
    assert(iam:call("DeleteRole", { RoleName = a .. "-other-role" }))
end)

t.case("runs killed with SIGKILL at many points, then down, leak nothing", function()
    need()
    local t0 = sys.monotonic()
    local probe = unique("gk")
    local _, err, rc = guide_run("up --stack " .. probe)
    t.eq(rc, 0, err)
    local full = sys.monotonic() - t0
    guide_run("down --stack " .. probe)
    for i = 1, 8 do
        local stack = unique("gk" .. i)
        local p = assert(io.popen(cmd("up --stack " .. stack) .. " >/dev/null 2>&1 & echo $!"))
        local pid = p:read("l")
        p:close()
        task.sleep(full * i / 9)
        os.execute("kill -9 " .. pid .. " 2>/dev/null")
        task.sleep(0.1)
        local out
        out, err, rc = guide_run("down --stack " .. stack)
        t.eq(rc, 0, "down after a kill at " .. i .. "/9: " .. err .. out)
        t.fails("NoSuchEntity", iam:call("GetRole", { RoleName = stack .. "-sms-role" }))
        t.eq(pools_named(stack .. "-pool"), {}, "pools left after a kill at " .. i .. "/9")
        t.eq(state_of(stack), nil)
    end
end)

t.case("Cognito's IAM propagation error is retried with backoff and a message", function()
    local fault = t.env("MFAKIT_TEST_FAULT")
    if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
    assert(http.request{ method = "POST", url = fault .. "/_reset", body = "" })
    local e = json.encode{ __type = "InvalidSmsRoleTrustRelationshipException",
                           message = "Role does not have a trust relationship allowing Cognito to assume the role" }
    assert(http.request{ method = "POST", url = fault .. "/_script", body = json.encode{
        { status = 400, body = e }, { status = 400, body = e }, { status = 400, body = e },
        { status = 200, body = '{"UserPool": {"Id": "us-east-1_ok"}}' } } })
    local said = {}
    local ctx = { iam_wait = { attempts = 5, base = 0.01, cap = 0.05 },
                  say = function(l) said[#said + 1] = l end,
                  idp = aws.client("cognito-idp", { region = "us-east-1", endpoint = fault, access_key = "a",
                                                    secret_key = "b" }) }
    local out = assert(guide.retry_iam(ctx, function() return ctx.idp:call("CreateUserPool", { PoolName = "p" }) end))
    t.eq(out.UserPool.Id, "us-east-1_ok")
    t.eq(#said, 3)
    t.ok(said[1]:find("waiting", 1, true) and said[1]:find("trust relationship", 1, true), said[1])
    -- bounded: gives up after the attempts
    assert(http.request{ method = "POST", url = fault .. "/_script", body = json.encode{
        { status = 400, body = e }, { status = 400, body = e }, { status = 400, body = e },
        { status = 400, body = e }, { status = 400, body = e } } })
    t.fails("InvalidSmsRoleTrustRelationshipException",
        guide.retry_iam(ctx, function() return ctx.idp:call("CreateUserPool", { PoolName = "p" }) end))
end)

t.case("--local starts its own emulator and stops it", function()
    if not require("mfakit.emulator").find() then t.skip("moto_server not installed") end
    local out, err, rc = support.run(bin .. " --local --trace guide plan --stack " .. unique("gl") ..
        " --state-dir " .. tmp .. "/local-state")
    t.eq(rc, 0, err)
    t.ok(out:find("01 sms-role    create", 1, true), out)
    local port = err:match("POST http://127%.0%.0%.1:(%d+)/")
    t.ok(port, "the trace names the emulator's port: " .. err:sub(1, 300))
    t.fails("ConnectFailed", http.request{ url = "http://127.0.0.1:" .. port .. "/moto-api/", timeout = 2 })
end)

t.case("--no-sms gives a TOTP-only pool; --sms puts SMS back; one step's down keeps the rest", function()
    need()
    local stack = unique("gs")
    local _, err, rc = guide_run("up --stack " .. stack .. " --no-sms")
    t.eq(rc, 0, err)
    local pool_id = state_of(stack).resources.pool.id
    local m = assert(idp:call("GetUserPoolMfaConfig", { UserPoolId = pool_id }))
    t.eq({ m.SmsMfaConfiguration, m.SoftwareTokenMfaConfiguration }, { nil, { Enabled = true } })
    _, err, rc = guide_run("up --stack " .. stack .. " --sms")
    t.eq(rc, 0, err)
    m = assert(idp:call("GetUserPoolMfaConfig", { UserPoolId = pool_id }))
    t.eq(m.SmsMfaConfiguration.SmsAuthenticationMessage, "Your MFA code is {####}")
    local out
    out, err, rc = support.run(string.format("AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=testing " ..
        "AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 %s scripts/guide/03-app-client.lua down --stack %s " ..
        "--state-dir %s/state", moto, bin, stack, tmp))
    t.eq(rc, 0, err .. out)
    local st = state_of(stack)
    t.ok(st and st.resources.pool and st.external_id, "the state keeps the pool and the ExternalId")
    t.eq(st.resources.client, nil)
    -- the same through the guide command
    out, err, rc = guide_run("up --step 03 --stack " .. stack)
    t.eq(rc, 0, err)
    t.ok(out:find("03 app-client  created", 1, true) and not out:find("01 sms-role", 1, true), out)
    t.ok(state_of(stack).resources.client.id, "client recorded")
    out, err, rc = guide_run("plan --step 02 --stack " .. stack)
    t.eq(rc, 0, err)
    t.ok(out:find("02 user-pool   no change", 1, true) and not out:find("03 app-client", 1, true), out)
    out, err, rc = guide_run("plan --step 07 --stack " .. stack)
    t.eq(rc, 2, out)
    t.ok(err:find("--step must be one of 01, 02, 03, 04, 08, 09", 1, true), err)
    guide_run("down --stack " .. stack)
end)

t.case("a same-named role of someone else's is not adopted", function()
    need()
    local stack = unique("gr")
    assert(iam:call("CreateRole", { RoleName = stack .. "-sms-role", AssumeRolePolicyDocument = "{}" }))
    local out, err, rc = guide_run("up --stack " .. stack)
    t.eq(rc, 1, out)
    t.ok(err:find("RoleNotOurs", 1, true) and err:find("--role-name", 1, true), err)
    local doc = assert(iam:call("GetRole", { RoleName = stack .. "-sms-role" })).Role.AssumeRolePolicyDocument
    t.eq(doc, {}, "left as it was")
    assert(iam:call("DeleteRole", { RoleName = stack .. "-sms-role" }))
    guide_run("down --stack " .. stack)
end)

t.case("a stack is acted on in the region it was made in", function()
    need()
    local stack = unique("gg")
    local _, err, rc = guide_run("up --stack " .. stack)
    t.eq(rc, 0, err)
    local out
    out, err, rc = support.run(cmd("down --stack " .. stack):gsub("AWS_REGION=us%-east%-1", "AWS_REGION=eu-west-1"))
    t.eq({ rc, out }, { 2, "" })
    t.ok(err:find("RegionMismatch", 1, true) and err:find("--region us-east-1", 1, true), err)
    t.eq(#pools_named(stack .. "-pool"), 1, "nothing deleted")
    t.ok(state_of(stack), "state kept")
    _, err, rc = guide_run("down --stack " .. stack)
    t.eq(rc, 0, err)
end)

t.case("--device-tracking sets the pool's DeviceConfiguration; plan, status and the state show it", function()
    need()
    local stack = unique("dt")
    local function device_config()
        local id = state_of(stack).resources.pool.id
        local dc = assert(idp:call("DescribeUserPool", { UserPoolId = id })).UserPool.DeviceConfiguration or {}
        return { dc.ChallengeRequiredOnNewDevice, dc.DeviceOnlyRememberedOnUserPrompt }
    end
    local _
    local out, err, rc = guide_run("plan --stack " .. stack)
    t.eq(rc, 0, err)
    t.ok(out:find("(MFA OPTIONAL, device tracking opt-in)", 1, true), out)
    _, err, rc = guide_run("up --stack " .. stack)
    t.eq(rc, 0, err)
    -- the default is opt-in: remembered on the user's say-so, then skips MFA
    t.eq(device_config(), { true, true })
    t.eq(state_of(stack).settings.device_tracking, "opt-in")
    out, err, rc = guide_run("status --stack " .. stack)
    t.eq(rc, 0, err)
    t.ok(out:find("device tracking opt-in)", 1, true), out)
    out, err, rc = guide_run("plan --stack " .. stack .. " --device-tracking always")
    t.eq(rc, 0, err)
    t.ok(out:find("02 user-pool   update    device tracking opt-in -> always", 1, true), out)
    _, err, rc = guide_run("up --stack " .. stack .. " --device-tracking always")
    t.eq(rc, 0, err)
    t.eq(device_config(), { true, false })
    -- kept in the state: a later up without the option keeps it
    out, err, rc = guide_run("up --stack " .. stack)
    t.eq(rc, 0, err)
    t.ok(not out:find("updated", 1, true), out)
    t.eq(state_of(stack).settings.device_tracking, "always")
    _, err, rc = guide_run("up --stack " .. stack .. " --device-tracking off")
    t.eq(rc, 0, err)
    t.eq(device_config(), { false, false })
    -- changed by hand: status says so and up puts it back
    assert(idp:call("UpdateUserPool", { UserPoolId = state_of(stack).resources.pool.id, DeviceConfiguration = {
        ChallengeRequiredOnNewDevice = true, DeviceOnlyRememberedOnUserPrompt = true } }))
    out, _, rc = guide_run("status --stack " .. stack)
    t.eq(rc, 1, out)
    t.ok(out:find("device tracking opt-in -> off", 1, true), out)
    _, err, rc = guide_run("up --stack " .. stack)
    t.eq(rc, 0, err)
    t.eq(device_config(), { false, false })
    guide_run("down --stack " .. stack)
end)

t.case("bad options are one line and exit 2", function()
    local _, err, rc = support.run(bin .. " guide up --mfa SOMETIMES --region us-east-1")
    t.eq(rc, 2)
    t.ok(err:find("--mfa must be OFF, OPTIONAL or ON", 1, true), err)
    _, err, rc = support.run(bin .. " guide up --test-user bob@example.com --phone 555-0100 --region us-east-1")
    t.eq(rc, 2)
    t.ok(err:find("not an E.164", 1, true), err)
    _, err, rc = support.run(bin .. " guide up --device-tracking sometimes --region us-east-1")
    t.eq(rc, 2)
    t.ok(err:find("--device-tracking must be always, opt-in or off, not 'sometimes'", 1, true), err)
    _, err, rc = support.run(bin .. " guide sideways")
    t.eq(rc, 2)
    t.ok(err:find("unknown action 'sideways'", 1, true), err)
end)
