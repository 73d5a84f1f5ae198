-- tests/test_doctor.lua: mfakit doctor. A healthy stack made by `mfakit
-- guide up` has no failure; each fault planted by hand on a fresh stack is
-- named by its check id and changes nothing else; what moto cannot answer
-- (SMS sandbox, spend) is scripted on the fault server; the policy
-- evaluator and the SMS region table on their own; output, exit codes and
-- checks of one's own.
local json = require "mfakit.json"
local sys = require "mfakit.sys"
local http = require "mfakit.http"
local doctor = require "mfakit.doctor"
local policy = require "mfakit.doctor.policy_eval"
local sms_regions = require "mfakit.cognito.sms_regions"
local support = dofile("tests/support.lua")

local IDS = { "credentials", "clock-skew", "pool-exists", "pool-mfa-config", "pool-sms-config", "pool-totp",
              "pool-device-tracking", "pool-account-recovery",
              "sms-role-exists", "sms-role-trust", "sms-role-external-id", "sms-role-sns-publish", "sns-spend-limit",
              "sns-spend-alarm", "sns-sms-type", "sns-sandbox", "sms-region", "client-auth-flows", "user-exists",
              "user-phone-format", "user-phone-verified", "user-mfa-preference", "user-sms-delivery" }

local PHONE = "+15555550100"
-- The stacks live in a region no other test file uses: `guide up` changes
-- the region's account-wide SNS SMS attributes, which test_guide looks at.
local REGION = "eu-west-3"

local function xml_answer(op, inner)
    return { status = 200, headers = { ["Content-Type"] = "text/xml" }, body = string.format(
        '<%sResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><%sResult>%s</%sResult>' ..
        "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></%sResponse>", op, op, inner, op, op) }
end

local HTML_500 = { status = 500, headers = { ["Content-Type"] = "text/html; charset=utf-8" },
                   body = "<!doctype html>\n<html><title>500 Internal Server Error</title><h1>Internal Server Error</h1>" }

local function sandbox_status(on)
    return xml_answer("GetSMSSandboxAccountStatus", "<IsInSandbox>" .. tostring(on) .. "</IsInSandbox>")
end

local function sandbox_numbers(list)
    local members = {}
    for _, n in ipairs(list) do
        members[#members + 1] = string.format("<member><PhoneNumber>%s</PhoneNumber><Status>%s</Status></member>",
            n[1], n[2])
    end
    return xml_answer("ListSMSSandboxPhoneNumbers", "<PhoneNumbers>" .. table.concat(members) .. "</PhoneNumbers>")
end

local function sms_attributes(attrs)
    local entries = {}
    for k, v in pairs(attrs) do
        entries[#entries + 1] = string.format("<entry><key>%s</key><value>%s</value></entry>", k, v)
    end
    return xml_answer("GetSMSAttributes", "<attributes>" .. table.concat(entries) .. "</attributes>")
end

local function spend(max)
    local dp = max and string.format("<member><Timestamp>2026-11-02T00:00:00Z</Timestamp><Maximum>%s</Maximum>" ..
        "<Unit>None</Unit></member>", max) or ""
    local a = xml_answer("GetMetricStatistics", "<Label>SMSMonthToDateSpentUSD</Label><Datapoints>" .. dp ..
        "</Datapoints>")
    a.body = a.body:gsub("sns.amazonaws.com/doc/2010%-03%-31", "monitoring.amazonaws.com/doc/2010-08-01")
    return a
end

local function changed(before, after)
    local d = {}
    for id, s in pairs(after) do if before[id] ~= s then d[id] = s end end
    for id in pairs(before) do if after[id] == nil then d[id] = "missing" end end
    return d
end

local t = require "mfakit.test"
local moto = t.env("MFAKIT_TEST_MOTO")
local fault = t.env("MFAKIT_TEST_FAULT")
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"
local bin = support.bin()
local state_dir = tmp .. "/doctor-state"
local function need() if not moto then t.skip("MFAKIT_TEST_MOTO not set") end end
local function need_fault() need(); if not fault then t.skip("MFAKIT_TEST_FAULT not set") end end
local function admin(service)
    local c = support.admin(service, moto)
    c.opts.region = REGION
    return c
end
local iam = moto and admin("iam")
local idp = moto and admin("cognito-idp")
local function unique(prefix) return prefix .. "-" .. sys.getpid() .. "-" .. math.random(1e6) end

local function env(extra)
    return string.format("AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing " ..
        "AWS_REGION=%s %s%s", moto, REGION, extra and (extra .. " ") or "", bin)
end
local function guide(args)
    return support.run(env() .. " guide " .. args .. " --state-dir " .. state_dir)
end
-- runs mfakit doctor with --output json: id -> status, the document, exit status, stderr
local function run_doctor(args, extra_env)
    local out, err, rc = support.run(env(extra_env) .. " doctor " .. args .. " --state-dir " .. state_dir ..
        " --output json")
    local doc = json.decode(out)
    local map, by_id = {}, {}
    for _, c in ipairs(type(doc) == "table" and doc.checks or {}) do map[c.id], by_id[c.id] = c.status, c end
    return map, by_id, rc, err .. out, doc
end
local function make_stack(prefix, extra)
    local stack = unique(prefix)
    local out, err, rc = guide("up --stack " .. stack .. " --test-user ann@example.com --phone " .. PHONE ..
        " " .. (extra or ""))
    assert(rc == 0, err .. out)
    local f = assert(io.open(state_dir .. "/" .. stack .. ".json"))
    local st = json.decode(f:read("a"))
    f:close()
    local pool = st.resources.pool.id
    -- the user's own name (the sub): UpdateUserPool in moto drops the email alias
    local sub = assert(idp:call("AdminGetUser", { UserPoolId = pool, Username = "ann@example.com" })).Username
    return { stack = stack, pool = pool, sub = sub, role = stack .. "-sms-role", external_id = st.external_id,
             args = "--stack " .. stack .. " --username " .. sub }
end
local function teardown(s) guide("down --stack " .. s.stack) end
local function script_fault(answers)
    assert(http.request{ method = "POST", url = fault .. "/_reset", body = "" })
    assert(http.request{ method = "POST", url = fault .. "/_script", body = json.encode(answers) })
end
local function fault_requests()
    return json.decode(assert(http.request{ url = fault .. "/_requests" }).body)
end

-- Unit: the policy evaluator and the SMS region table -------------------------------

t.case("policy evaluation: wildcards, NotAction, Resource, explicit Deny wins", function()
    local function decide(stmts, action, resource)
        return policy.evaluate({ { label = "p", document = { Version = "2012-10-17", Statement = stmts } } },
            action or "sns:Publish", resource or "*").decision
    end
    local allow = function(a, extra)
        local s = { Effect = "Allow", Action = a, Resource = "*" }
        for k, v in pairs(extra or {}) do s[k] = v end
        return s
    end
    for _, a in ipairs{ "sns:Publish", "*", "sns:*", "sns:Pub*", "SNS:publish", "sns:Publis?",
                        { "s3:GetObject", "sns:Publish" } } do
        t.eq(decide({ allow(a) }), "allow", "Action " .. json.encode(a))
    end
    for _, a in ipairs{ "sns:Subscribe", "sns:Pub", "s3:*", "sns:Publish*x", { "sns:List*" } } do
        t.eq(decide({ allow(a) }), "implicit", "Action " .. json.encode(a))
    end
    t.eq(decide({ { Effect = "Allow", NotAction = "iam:*", Resource = "*" } }), "allow")
    t.eq(decide({ { Effect = "Allow", NotAction = { "sns:*" }, Resource = "*" } }), "implicit")
    t.eq(decide({ allow("sns:Publish", { Resource = "arn:aws:sns:us-east-1:123456789012:topic" }) }), "implicit",
        "a topic ARN does not cover publishing to a phone number")
    t.eq(decide({ allow("sns:Publish", { Resource = { "arn:aws:sns:*:*:x", "*" } }) }), "allow")
    t.eq(decide({ allow("sns:Publish", { NotResource = "arn:aws:sns:*:*:*" }) }), "allow")
    t.eq(decide({ allow("*"), { Effect = "Deny", Action = "sns:Pub*", Resource = "*" } }), "deny")
    t.eq(decide({ { Effect = "Deny", Action = "sns:Publish", Resource = "*" }, allow("sns:Publish") }), "deny")
    t.eq(decide({ allow("sns:Publish", { Condition = { Bool = { ["aws:SecureTransport"] = "true" } } }) }),
        "conditional")
    local v = policy.evaluate({ { label = "p", document = { Statement = allow("sns:Publish") } } }, "sns:Publish")
    t.eq({ v.decision, v.by }, { "allow", "p, statement 1" }, "Statement as one object")
    v = policy.evaluate({ { label = "p", document = '{"Statement":[{"Sid":"S","Effect":"Allow",' ..
        '"Action":"sns:*","Resource":"*"}]}' } }, "sns:Publish")
    t.eq({ v.decision, v.by }, { "allow", "p, statement S" }, "a document as JSON text")
    v = policy.evaluate({ { label = "bad", document = "not json" } }, "sns:Publish")
    t.eq({ v.decision, v.caveats }, { "implicit", { "bad is not readable JSON" } })
end)

t.case("trust policy helpers: principal and sts:ExternalId conditions", function()
    local s = { Effect = "Allow", Principal = { Service = { "lambda.amazonaws.com", "cognito-idp.amazonaws.com" } },
                Action = "sts:AssumeRole", Condition = { StringEquals = { ["sts:ExternalId"] = "abc" } } }
    t.ok(policy.names_service(s, "cognito-idp.amazonaws.com"))
    t.ok(not policy.names_service({ Principal = { Federated = "cognito-identity.amazonaws.com" } },
        "cognito-idp.amazonaws.com"))
    local conds = policy.external_ids(s)
    t.eq(#conds, 1)
    t.ok(policy.external_id_satisfies(conds[1], "abc"))
    t.ok(not policy.external_id_satisfies(conds[1], "abd"))
    t.ok(not policy.external_id_satisfies(conds[1], nil))
    local like = policy.external_ids{ Condition = { StringLike = { ["STS:EXTERNALID"] = { "mfakit-*" } } } }[1]
    t.ok(policy.external_id_satisfies(like, "mfakit-123"))
    t.ok(not policy.external_id_satisfies(like, "other"))
end)

t.case("SMS regions: the cited table, SnsRegion, legacy alternates, Seoul", function()
    local function r(pool, setting)
        local x = sms_regions.resolve(pool, setting)
        return { x.region, x.status }
    end
    t.eq(r("us-east-1"), { "us-east-1", "pass" })
    t.eq(r("ap-northeast-2"), { "ap-northeast-1", "pass" }, "Seoul sends from Tokyo")
    t.eq(r("ap-northeast-2", "ap-northeast-2"), { "ap-northeast-2", "fail" }, "Seoul cannot send from Seoul")
    t.eq(r("eu-central-1"), { "eu-west-1", "warn" }, "legacy alternate when SnsRegion is unset")
    t.eq(r("eu-central-1", "eu-central-1"), { "eu-central-1", "pass" })
    t.eq(r("eu-central-1", "eu-west-1"), { "eu-west-1", "pass" })
    t.eq(r("us-east-2", "us-east-1"), { "us-east-1", "pass" })
    t.eq(r("us-east-1", "eu-west-1"), { "eu-west-1", "fail" })
    t.eq(r("eu-central-2"), { "eu-central-2", "warn" }, "not in the 2023 table: a guess, said as one")
    local n = 0
    for _ in pairs(sms_regions.SAME) do n = n + 1 end
    for _ in pairs(sms_regions.ALTERNATE) do n = n + 1 end
    t.eq(n, 18, "the table's 18 regions")
end)

-- The engine -------------------------------------------------------------------------

t.case("every check runs: a crash is a fail, a bad status is a fail, the rest still run", function()
    local results = doctor.run{ stack = unique("none"), state_dir = tmp .. "/doctor-none", checks = {
        { id = "boom", run = function() error("kaboom") end },
        { id = "odd", run = function() return "maybe", "?" end },
        { id = "after", run = function(ctx) return "pass", "ran after; boom was " .. ctx:result("boom").status end },
    } }
    t.eq(#results, 3)
    t.eq({ results[1].status, results[2].status, results[3].status }, { "fail", "fail", "pass" })
    t.ok(results[1].message:find("^check crashed: .*kaboom"), results[1].message)
    t.ok(results[2].message:find("maybe", 1, true), results[2].message)
    t.eq(results[3].message, "ran after; boom was fail")
    t.raises("already a check 'pool-exists'", doctor.add, { id = "pool-exists", run = function() end })
    t.raises("check.run must be a function", doctor.add, { id = "x" })
    t.raises("check.id must be a name", doctor.add, { id = "has space", run = function() end })
    local ids = {}
    for i, c in ipairs(doctor.checks) do ids[i] = c.id end
    t.eq(ids, IDS, "the stable ids, in order")
end)

t.case("clock-skew compares the local clock with the server's Date header", function()
    need()
    local function skew(offset)
        local r = doctor.run{ only = { "clock-skew" }, stack = unique("none"), state_dir = tmp .. "/doctor-none",
            client = { endpoint = moto, region = "us-east-1", access_key = "testing", secret_key = "testing" },
            now = function() return sys.now() + offset end }
        return r[1]
    end
    t.eq(skew(0).status, "pass", skew(0).message)
    local r = skew(600)
    t.eq(r.status, "fail", r.message)
    t.ok(r.message:find("ahead", 1, true) and r.fix:find("timedatectl", 1, true), r.message)
    r = skew(-45)
    t.eq(r.status, "warn", r.message)
    t.ok(r.message:find("behind", 1, true) and r.message:find("TOTP", 1, true), r.message)
end)

-- A healthy stack, and the output ----------------------------------------------------------

t.case("a healthy guide stack has no failure; JSON shape and exit status 0", function()
    need()
    local s = make_stack("dh", "--alarm-email ops@example.com")
    local map, by_id, rc, err, doc = run_doctor(s.args)
    t.eq(rc, 0, err)
    local keys = {}
    for k in pairs(doc) do keys[#keys + 1] = k end
    t.eq(keys, { "checks" })
    for i, c in ipairs(doc.checks) do
        t.eq(c.id, IDS[i])
        local ck = {}
        for k in pairs(c) do ck[#ck + 1] = k end
        table.sort(ck)
        t.eq(ck, { "fix", "id", "message", "status" }, c.id)
        t.ok(type(c.message) == "string" and c.message ~= "", c.id .. " says what it found")
        t.ok(c.fix == json.null or (type(c.fix) == "string" and c.fix ~= ""), c.id)
        if c.status == "fail" or c.status == "warn" then t.ok(type(c.fix) == "string", c.id .. " has a fix") end
    end
    local want = {}
    for _, id in ipairs(IDS) do want[id] = "pass" end
    want["sns-sandbox"] = "skip"                                   -- moto answers HTTP 500
    want["user-sms-delivery"] = "skip"                             -- no delivery logs in this stack
    want["sns-spend-limit"] = map["sns-spend-limit"] == "pass" and "pass" or "warn" -- account-wide: other tests set it
    t.eq(map, want, err)
    t.ok(by_id["sns-sandbox"].message:find("did not answer GetSMSSandboxAccountStatus", 1, true),
        by_id["sns-sandbox"].message)
    t.ok(by_id["sms-region"].message:find("sends SMS from " .. REGION, 1, true) and
         by_id["sms-region"].message:find("the SNS checks ran there", 1, true), by_id["sms-region"].message)
    t.ok(by_id["sms-role-sns-publish"].message:find(s.stack .. "-sns-publish", 1, true))
    -- text: one line per check, then the counts
    local out, _, trc = support.run(env() .. " doctor " .. s.args .. " --state-dir " .. state_dir)
    t.eq(trc, 0)
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    t.eq(#lines, #IDS + 1, out)
    for i, id in ipairs(IDS) do
        t.ok(lines[i]:match("^(%a+)%s+(%S+)") == map[id] and lines[i]:find(" " .. id .. " ", 1, true), lines[i])
    end
    t.ok(lines[#lines]:find("23 checks: ", 1, true), lines[#lines])
    -- no --username: the user checks skip and say why
    map, by_id, rc = run_doctor("--stack " .. s.stack)
    t.eq(rc, 0)
    for _, id in ipairs{ "user-exists", "user-phone-format", "user-phone-verified", "user-mfa-preference",
                         "user-sms-delivery" } do
        t.eq(map[id], "skip", id)
        t.ok(by_id[id].message:find("no --username", 1, true), by_id[id].message)
    end
    -- a pool id alone (no stack to compare with) is healthy too
    map, _, rc, err = run_doctor("--user-pool-id " .. s.pool .. " --username " .. s.sub)
    t.eq(rc, 0, err)
    for id, status in pairs(map) do t.ok(status ~= "fail", id .. " " .. status) end
    teardown(s)
end)

t.case("--sns-policy full: sns:Publish allowed by the attached managed policy", function()
    need()
    local s = make_stack("df", "--sns-policy full")
    local map, by_id, rc, err = run_doctor(s.args)
    t.eq(rc, 0, err)
    t.eq(map["sms-role-sns-publish"], "pass")
    t.ok(by_id["sms-role-sns-publish"].message:find("managed policy AmazonSNSFullAccess", 1, true),
        by_id["sms-role-sns-publish"].message)
    teardown(s)
end)

-- Faults, one per fresh stack ------------------------------------------------------------------

local function trust(principal, action, external_id)
    local st = { Effect = "Allow", Principal = principal, Action = action }
    if external_id then st.Condition = { StringEquals = { ["sts:ExternalId"] = external_id } } end
    return json.encode{ Version = "2012-10-17", Statement = { st } }
end

local FAULTS = {
    { "ExternalId mismatch", "sms-role-external-id", function(s)
        assert(iam:call("UpdateAssumeRolePolicy", { RoleName = s.role, PolicyDocument =
            trust({ Service = "cognito-idp.amazonaws.com" }, "sts:AssumeRole", "someone-elses-id") }))
    end, "someone-elses-id" },
    { "identity-pool trust shape", "sms-role-trust", function(s)
        -- only the shape is wrong: the ExternalId condition stays as it was
        assert(iam:call("UpdateAssumeRolePolicy", { RoleName = s.role, PolicyDocument =
            trust({ Federated = "cognito-identity.amazonaws.com" }, "sts:AssumeRoleWithWebIdentity",
                s.external_id) }))
    end, "identity-pool" },
    { "sns:Publish removed", "sms-role-sns-publish", function(s)
        assert(iam:call("DeleteRolePolicy", { RoleName = s.role, PolicyName = s.stack .. "-sns-publish" }))
    end, "allows sns:Publish" },
    { "MFA OFF", "pool-mfa-config", function(s)
        assert(idp:call("SetUserPoolMfaConfig", { UserPoolId = s.pool, MfaConfiguration = "OFF" }))
    end, "MFA is OFF" },
    { "no SMS configuration", "pool-sms-config", function(s)
        -- UpdateUserPool resets what it is not given: everything else goes back as the guide set it
        assert(idp:call("UpdateUserPool", { UserPoolId = s.pool, MfaConfiguration = "OPTIONAL",
            Policies = { PasswordPolicy = { MinimumLength = 8, RequireUppercase = true, RequireLowercase = true,
                RequireNumbers = true, RequireSymbols = false } },
            AutoVerifiedAttributes = json.array({ "email" }), SmsAuthenticationMessage = "Your MFA code is {####}",
            DeviceConfiguration = { ChallengeRequiredOnNewDevice = true, DeviceOnlyRememberedOnUserPrompt = true },
            AccountRecoverySetting = { RecoveryMechanisms = { { Name = "verified_email", Priority = 1 } } },
            UserPoolTags = { ["mfakit:stack"] = s.stack } }))
    end, "no SMS configuration" },
    { "phone not E.164", "user-phone-format", function(s)
        assert(idp:call("AdminUpdateUserAttributes", { UserPoolId = s.pool, Username = s.sub,
            UserAttributes = { { Name = "phone_number", Value = "555-0100" } } }))
    end, "555-0100" },
    { "phone not verified", "user-phone-verified", function(s)
        assert(idp:call("AdminUpdateUserAttributes", { UserPoolId = s.pool, Username = s.sub,
            UserAttributes = { { Name = "phone_number_verified", Value = "false" } } }))
    end, "not verified" },
    { "no MFA preference", "user-mfa-preference", function(s)
        assert(idp:call("AdminSetUserMFAPreference", { UserPoolId = s.pool, Username = s.sub,
            SMSMfaSettings = { Enabled = false, PreferredMfa = false } }))
    end, "no MFA method" },
}

for i, f in ipairs(FAULTS) do
    local what, id, plant, says = f[1], f[2], f[3], f[4]
    t.case("fault: " .. what .. " fails " .. id .. " and changes no other check", function()
        need()
        local s = make_stack("d" .. i)
        local before, _, rc, err = run_doctor(s.args)
        t.eq(rc, 0, "healthy first: " .. err)
        plant(s)
        local after, by_id
        after, by_id, rc, err = run_doctor(s.args)
        t.eq(rc, 1, err)
        t.eq(changed(before, after), { [id] = "fail" }, err)
        t.ok(by_id[id].message:find(says, 1, true), by_id[id].message)
        t.ok(type(by_id[id].fix) == "string" and by_id[id].fix ~= "", id .. " gives a fix")
        teardown(s)
    end)
end

t.case("fixes are concrete: the guide's repair, or the exact AWS command", function()
    need()
    local s = make_stack("dx")
    assert(iam:call("UpdateAssumeRolePolicy", { RoleName = s.role, PolicyDocument =
        trust({ Service = "cognito-idp.amazonaws.com" }, "sts:AssumeRole", "someone-elses-id") }))
    assert(idp:call("AdminUpdateUserAttributes", { UserPoolId = s.pool, Username = s.sub,
        UserAttributes = { { Name = "phone_number", Value = "(555) 555-0100" } } }))
    local _, by_id = run_doctor(s.args)
    t.eq(by_id["sms-role-external-id"].fix, "mfakit guide up --stack " .. s.stack .. " --state-dir " ..
        state_dir .. " --region " .. REGION)
    local pf = by_id["user-phone-format"]
    t.ok(pf.message:find("+15555550100", 1, true), "the corrected form: " .. pf.message)
    t.ok(pf.fix:find("admin-update-user-attributes --user-pool-id " .. s.pool .. " --username " .. s.sub ..
        " --region " .. REGION .. " --user-attributes Name=phone_number,Value=+15555550100", 1, true), pf.fix)
    -- without a stack the fix is the AWS command itself, with the pool's ExternalId
    _, by_id = run_doctor("--user-pool-id " .. s.pool)
    local f = by_id["sms-role-external-id"].fix
    t.ok(f:find("^aws iam update%-assume%-role%-policy %-%-role%-name " .. s.role:gsub("%-", "%%-")) and
         f:find(s.external_id, 1, true) and f:find("cognito-idp.amazonaws.com", 1, true), f)
    teardown(s)
end)

t.case("the identity-pool trust as people write it: trust fails, the missing ExternalId warns", function()
    need()
    local s = make_stack("dw")
    assert(iam:call("UpdateAssumeRolePolicy", { RoleName = s.role, PolicyDocument = json.encode{
        Version = "2012-10-17", Statement = { { Effect = "Allow",
            Principal = { Federated = "cognito-identity.amazonaws.com" }, Action = "sts:AssumeRoleWithWebIdentity",
            Condition = { StringEquals = { ["cognito-identity.amazonaws.com:aud"] = "us-east-1:abc" } } } } } }))
    local map, by_id, rc = run_doctor(s.args)
    t.eq(rc, 1)
    t.eq({ map["sms-role-trust"], map["sms-role-external-id"] }, { "fail", "warn" })
    t.ok(by_id["sms-role-trust"].message:find("Federated cognito-identity.amazonaws.com", 1, true),
        by_id["sms-role-trust"].message)
    teardown(s)
end)

t.case("user-sms-delivery: the newest SNS delivery record for the user's phone says why a code did not come",
    function()
    need()
    local s = make_stack("dl")
    local function one(id)
        local map, by_id, _, err = run_doctor("--stack " .. s.stack .. " --username " .. s.sub .. " --check " .. id)
        return map[id], by_id[id] or { message = err }
    end
    local status, r = one("user-sms-delivery")
    t.eq(status, "skip", r.message)
    t.ok(r.message:find("delivery-status logging is off in " .. REGION, 1, true) and
         r.fix:find("--sms-delivery-logs", 1, true), r.message)
    -- SNS's records, as AWS documents them: the number's middle digits masked
    local logs = support.admin("logs", moto)
    logs.opts.region = REGION
    local base = "sns/" .. REGION .. "/123456789012/DirectPublishToPhoneNumber"
    local now = math.floor(require("mfakit.sys").now() * 1000)
    local function record(group, at, destination, status_, response)
        logs:call("CreateLogGroup", { logGroupName = group })
        logs:call("CreateLogStream", { logGroupName = group, logStreamName = "s" })
        assert(logs:call("PutLogEvents", { logGroupName = group, logStreamName = "s", logEvents = { {
            timestamp = at, message = json.encode{ notification = { messageId = "m" .. at },
                delivery = { destination = destination, providerResponse = response, smsType = "Transactional",
                             priceInUSD = 0.00645 }, status = status_ } } } }))
    end
    record(base, now - 600000, "+1XXX5550100", "SUCCESS", "Message has been accepted by phone carrier")
    record(base .. "/Failure", now - 60000, "+1XXX5550100", "FAILURE", "Phone number is opted out")
    record(base .. "/Failure", now - 1000, "+1XXX5550199", "FAILURE", "Unknown error attempting to reach phone")
    status, r = one("user-sms-delivery")
    t.eq(status, "fail", r.message)
    t.ok(r.message:find("the newest SMS to " .. PHONE .. " (+1XXX5550100)", 1, true) and
         r.message:find("FAILURE, Phone number is opted out", 1, true), r.message)
    t.ok(r.fix:find("aws sns opt-in-phone-number --phone-number " .. PHONE, 1, true), r.fix)
    record(base, now - 100, "+1XXX5550100", "SUCCESS", "Message has been accepted by phone carrier")
    status, r = one("user-sms-delivery")
    t.eq(status, "pass", r.message)
    t.ok(r.message:find("SUCCESS, Message has been accepted by phone carrier", 1, true), r.message)
    assert(logs:call("DeleteLogGroup", { logGroupName = base }))
    assert(logs:call("DeleteLogGroup", { logGroupName = base .. "/Failure" }))
    teardown(s)
end)

t.case("app clients, user status and TOTP beyond the planted faults", function()
    need()
    local s = make_stack("dc")
    local function one(args, id)
        local map, by_id, _, err = run_doctor(args .. " --check " .. id)
        return map[id], by_id[id] or { message = err }
    end
    local flows = { "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH" }
    local secret = assert(idp:call("CreateUserPoolClient", { UserPoolId = s.pool, ClientName = "with-secret",
        GenerateSecret = true, ExplicitAuthFlows = flows })).UserPoolClient.ClientId
    local status, r = one("--user-pool-id " .. s.pool .. " --client-id " .. secret, "client-auth-flows")
    t.eq(status, "warn", r.message)
    t.ok(r.message:find("client secret", 1, true) and r.fix:find("--no-generate-secret", 1, true), r.message)
    local srp_only = assert(idp:call("CreateUserPoolClient", { UserPoolId = s.pool, ClientName = "srp-only",
        ExplicitAuthFlows = { "ALLOW_USER_SRP_AUTH" } })).UserPoolClient.ClientId
    status, r = one("--user-pool-id " .. s.pool .. " --client-id " .. srp_only, "client-auth-flows")
    t.eq(status, "fail", r.message)
    t.ok(r.message:find("does not allow ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_PASSWORD_AUTH", 1, true), r.message)
    -- without --client-id every client of the pool is looked at
    status = one("--user-pool-id " .. s.pool, "client-auth-flows")
    t.eq(status, "fail")

    assert(idp:call("AdminCreateUser", { UserPoolId = s.pool, Username = "newbie@example.com",
        TemporaryPassword = "Temp0rary!x", MessageAction = "SUPPRESS" }))
    status, r = one("--stack " .. s.stack .. " --username newbie@example.com", "user-exists")
    t.eq(status, "fail", r.message)
    t.ok(r.message:find("FORCE_CHANGE_PASSWORD", 1, true) and r.fix:find("admin-set-user-password", 1, true),
        r.message)
    status, r = one("--stack " .. s.stack .. " --username nobody@example.com", "user-exists")
    t.eq(status, "fail", r.message)
    t.ok(r.fix:find("list-users", 1, true), r.fix)

    -- TOTP turned off by hand (SMS kept): the stack expects it
    local m = assert(idp:call("GetUserPoolMfaConfig", { UserPoolId = s.pool }))
    assert(idp:call("SetUserPoolMfaConfig", { UserPoolId = s.pool, MfaConfiguration = "OPTIONAL",
        SmsMfaConfiguration = m.SmsMfaConfiguration, SoftwareTokenMfaConfiguration = { Enabled = false } }))
    status, r = one("--stack " .. s.stack, "pool-totp")
    t.eq(status, "fail", r.message)
    status = one("--user-pool-id " .. s.pool, "pool-totp")
    t.eq(status, "warn", "without a stack, TOTP off is a warning")

    -- device tracking: the stack's (opt-in) passes; off by hand warns, with or without the stack
    status, r = one("--stack " .. s.stack, "pool-device-tracking")
    t.eq(status, "pass", r.message)
    t.ok(r.message:find("device tracking opt-in", 1, true), r.message)
    assert(idp:call("UpdateUserPool", { UserPoolId = s.pool, DeviceConfiguration = {
        ChallengeRequiredOnNewDevice = false, DeviceOnlyRememberedOnUserPrompt = false } }))
    status, r = one("--stack " .. s.stack, "pool-device-tracking")
    t.eq(status, "warn", r.message)
    t.ok(r.message:find("wants opt-in", 1, true) and r.fix:find("mfakit guide up", 1, true), r.message)
    status, r = one("--user-pool-id " .. s.pool, "pool-device-tracking")
    t.eq(status, "warn", r.message)
    t.ok(r.message:find("no remembered device skips MFA", 1, true), r.message)
    teardown(s)
end)

t.case("no pool: pool-exists fails with the fix, the checks that need it skip", function()
    need()
    local stack = unique("dn")
    local map, by_id, rc = run_doctor("--stack " .. stack .. " --username nobody")
    t.eq(rc, 1)
    t.eq(map.credentials, "pass")
    t.eq(map["pool-exists"], "fail")
    t.ok(by_id["pool-exists"].fix:find("mfakit guide up --stack " .. stack, 1, true), by_id["pool-exists"].fix)
    for _, id in ipairs{ "pool-mfa-config", "pool-sms-config", "pool-totp", "sms-role-exists", "sms-role-trust",
                         "client-auth-flows", "user-exists", "user-mfa-preference" } do
        t.eq(map[id], "skip", id)
    end
    t.eq(map["sms-region"], "pass", "the SNS checks still run, in the region's SMS region")
end)

t.case("no credentials: that one check fails, the AWS checks skip pointing at it", function()
    need()
    local out, err, rc = support.run(string.format("env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY " ..
        "-u AWS_SESSION_TOKEN -u AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent " ..
        "AWS_ENDPOINT_URL=%s AWS_REGION=us-east-1 %s doctor --user-pool-id us-east-1_none --username u " ..
        "--output json", moto, bin))
    t.eq(rc, 1, err)
    local doc = json.decode(out)
    for _, c in ipairs(doc.checks) do
        if c.id == "credentials" then
            t.eq(c.status, "fail")
            t.ok(c.fix:find("AWS_PROFILE", 1, true), c.fix)
        elseif c.id ~= "clock-skew" and c.id ~= "sms-region" then
            t.eq(c.status, "skip", c.id .. ": " .. c.message)
        end
    end
end)

-- What moto cannot answer, on the fault server ------------------------------------------------

t.case("sns-sandbox: out, in with the user's number verified, in without it, no answer", function()
    need_fault()
    local s = make_stack("ds")
    local sns_env = "AWS_ENDPOINT_URL_SNS=" .. fault
    local args = s.args .. " --check sns-sandbox"
    script_fault{ sandbox_status(false) }
    local map, _, rc, err = run_doctor(args, sns_env)
    t.eq({ map, rc }, { { ["sns-sandbox"] = "pass" }, 0 }, err)
    local by_id
    local req = fault_requests()[1]
    t.ok(req.body:find("Action=GetSMSSandboxAccountStatus", 1, true), req.body)
    t.ok(req.headers.authorization:find("/" .. REGION .. "/sns/aws4_request", 1, true), "signed for the SMS region")

    script_fault{ sandbox_status(true), sandbox_numbers{ { PHONE, "Verified" }, { "+15555550199", "Pending" } } }
    map, by_id, rc = run_doctor(args, sns_env)
    t.eq({ map["sns-sandbox"], rc }, { "warn", 0 })
    t.ok(by_id["sns-sandbox"].message:find("verified numbers: " .. PHONE, 1, true), by_id["sns-sandbox"].message)
    t.ok(not by_id["sns-sandbox"].message:find("+15555550199", 1, true), "pending numbers are not verified")

    script_fault{ sandbox_status(true), sandbox_numbers{ { "+15555550111", "Verified" } } }
    map, by_id, rc = run_doctor(args, sns_env)
    t.eq({ map["sns-sandbox"], rc }, { "fail", 1 })
    t.ok(by_id["sns-sandbox"].fix:find("create-sms-sandbox-phone-number --phone-number +15555550100 " ..
        "--region " .. REGION, 1, true), by_id["sns-sandbox"].fix)

    script_fault{ sandbox_status(true), sandbox_numbers{} }
    map, by_id = run_doctor("--stack " .. s.stack .. " --check sns-sandbox", sns_env)
    t.eq(map["sns-sandbox"], "warn", "no --username: in the sandbox is a warning")
    t.ok(by_id["sns-sandbox"].message:find("no verified numbers", 1, true), by_id["sns-sandbox"].message)

    script_fault{ HTML_500, HTML_500 }
    map, by_id, rc = run_doctor(args, sns_env)
    t.eq({ map["sns-sandbox"], rc }, { "skip", 0 })
    t.ok(by_id["sns-sandbox"].message:find("did not answer GetSMSSandboxAccountStatus (ServiceError, HTTP 500)",
        1, true), by_id["sns-sandbox"].message)
    teardown(s)
end)

t.case("SMS settings refused: sns-spend-limit fails with the fix; the checks after it skip, pointing at it", function()
    need_fault()
    local e = "AWS_ENDPOINT_URL_SNS=" .. fault .. " AWS_ENDPOINT_URL_CLOUDWATCH=" .. fault
    local denied = { status = 403, headers = { ["Content-Type"] = "text/xml" }, body = "<ErrorResponse><Error>" ..
        "<Type>Sender</Type><Code>AuthorizationError</Code><Message>not authorized to perform: " ..
        "sns:GetSMSAttributes</Message></Error><RequestId>r</RequestId></ErrorResponse>" }
    script_fault{ denied, denied, denied, denied, denied, denied }
    local map, by_id, rc, err = run_doctor("--stack " .. unique("dsd") ..
        " --check sns-spend-limit,sns-spend-alarm,sns-sms-type", e)
    t.eq({ map, rc }, { { ["sns-spend-limit"] = "fail", ["sns-spend-alarm"] = "skip", ["sns-sms-type"] = "skip" }, 1 },
        err)
    t.ok(by_id["sns-spend-limit"].message:find("AuthorizationError", 1, true), by_id["sns-spend-limit"].message)
    for _, id in ipairs{ "sns-spend-alarm", "sns-sms-type" } do
        t.ok(by_id[id].message:find("cannot read the SNS SMS settings (see sns-spend-limit)", 1, true),
            by_id[id].message)
    end
end)

t.case("sns-spend-limit: at the limit fails; under it passes; the $1 default warns", function()
    need_fault()
    local e = "AWS_ENDPOINT_URL_SNS=" .. fault .. " AWS_ENDPOINT_URL_CLOUDWATCH=" .. fault
    local args = "--stack " .. unique("dsp") .. " --check sns-spend-limit"
    script_fault{ sms_attributes{ MonthlySpendLimit = "5", DefaultSMSType = "Transactional" }, spend("5.0") }
    local map, by_id, rc, err = run_doctor(args, e)
    t.eq({ map, rc }, { { ["sns-spend-limit"] = "fail" }, 1 }, err)
    t.ok(by_id["sns-spend-limit"].message:find("$5.00 of the $5.00 MonthlySpendLimit", 1, true),
        by_id["sns-spend-limit"].message)
    t.ok(by_id["sns-spend-limit"].fix:find("Support case", 1, true), by_id["sns-spend-limit"].fix)
    local reqs = fault_requests()
    t.ok(reqs[2].body:find("MetricName=SMSMonthToDateSpentUSD", 1, true) and
         reqs[2].body:find("Namespace=AWS%2FSNS", 1, true), reqs[2].body)
    t.ok(reqs[2].body:find("StartTime=" .. os.date("!%Y-%m") .. "-01T00%3A00%3A00Z", 1, true), reqs[2].body)
    t.ok(reqs[2].headers.authorization:find("/" .. REGION .. "/monitoring/aws4_request", 1, true))

    script_fault{ sms_attributes{ MonthlySpendLimit = "5" }, spend("1.25") }
    map, by_id = run_doctor(args, e)
    t.eq(map["sns-spend-limit"], "pass")
    t.ok(by_id["sns-spend-limit"].message:find("$1.25 spent this month", 1, true), by_id["sns-spend-limit"].message)

    script_fault{ sms_attributes{ MonthlySpendLimit = "1" }, spend(nil) }
    map, by_id = run_doctor(args, e)
    t.eq(map["sns-spend-limit"], "warn")
    t.ok(by_id["sns-spend-limit"].message:find("new-account default", 1, true) and
         by_id["sns-spend-limit"].message:find("no spend recorded", 1, true), by_id["sns-spend-limit"].message)

    -- spend data that does not come: the limit is still checked
    script_fault{ sms_attributes{ MonthlySpendLimit = "20" }, HTML_500, HTML_500 }
    map, by_id = run_doctor(args, e)
    t.eq(map["sns-spend-limit"], "pass")
    t.ok(by_id["sns-spend-limit"].message:find("spend is unknown", 1, true), by_id["sns-spend-limit"].message)
end)

t.case("sms-region: a Seoul pool's SNS checks run in Tokyo", function()
    need_fault()
    local seoul = admin("cognito-idp")
    seoul.opts.region = "ap-northeast-2"
    local pool = assert(seoul:call("CreateUserPool", { PoolName = unique("seoul"), SmsConfiguration = {
        SnsCallerArn = "arn:aws:iam::123456789012:role/seoul-sms", ExternalId = "x" } })).UserPool.Id
    script_fault{ sms_attributes{ DefaultSMSType = "Transactional" } }
    local map, by_id, _, err = run_doctor("--user-pool-id " .. pool .. " --check sns-sms-type,sms-region",
        "AWS_ENDPOINT_URL_SNS=" .. fault)
    t.eq(map, { ["sns-sms-type"] = "pass", ["sms-region"] = "pass" }, err)
    t.ok(by_id["sms-region"].message:find("a pool in ap-northeast-2 sends SMS from ap-northeast-1", 1, true) and
         by_id["sms-region"].message:find("the SNS checks ran there", 1, true), by_id["sms-region"].message)
    t.ok(fault_requests()[1].headers.authorization:find("/ap-northeast-1/sns/aws4_request", 1, true))
    assert(seoul:call("DeleteUserPool", { UserPoolId = pool }))
end)

-- Checks of one's own -----------------------------------------------------------------------------

t.case("a check added from a script runs after the built-in ones; --extra loads one from a file", function()
    need()
    local s = make_stack("du")
    local script = tmp .. "/doctor-extra-" .. sys.getpid() .. ".lua"
    local f = assert(io.open(script, "w"))
    f:write([[
local doctor = require "mfakit.doctor"
doctor.add{ id = "org-tagged", title = "the pool carries our tag", run = function(ctx)
    local p = ctx:pool()
    if not p then return "skip", "no pool" end
    local tag = (p.UserPoolTags or {})["mfakit:stack"]
    if tag then return "pass", "tagged " .. tag end
    return "fail", "not tagged", "tag it"
end }
return require("mfakit.cmd.doctor")(arg)
]])
    f:close()
    local out, err, rc = support.run(env() .. " " .. script .. " --stack " .. s.stack .. " --state-dir " ..
        state_dir .. " --output json")
    t.eq(rc, 0, err .. out)
    local doc = json.decode(out)
    t.eq(#doc.checks, #IDS + 1)
    t.eq(doc.checks[#doc.checks], { id = "org-tagged", status = "pass", message = "tagged " .. s.stack,
                                    fix = json.null })
    -- the same check as a file for --extra, returning the check
    f = assert(io.open(script, "w"))
    f:write('return { id = "always-fails", run = function(ctx) return "fail", "pool " .. ctx.pool_id, "none" end }\n')
    f:close()
    local map, by_id
    map, by_id, rc, err = run_doctor("--stack " .. s.stack .. " --extra " .. script ..
        " --check always-fails,pool-exists")
    t.eq({ map, rc }, { { ["always-fails"] = "fail", ["pool-exists"] = "pass" }, 1 }, err)
    t.eq(by_id["always-fails"].message, "pool " .. s.pool)
    os.remove(script)
    teardown(s)
end)

t.case("usage errors exit 2; --list names every check", function()
    local out, err, rc = support.run(bin .. " doctor --check no-such-check")
    t.eq({ out, rc }, { "", 2 })
    t.ok(err:find("unknown check 'no-such-check'", 1, true), err)
    out, err, rc = support.run(bin .. " doctor sideways")
    t.eq({ out, rc }, { "", 2 })
    t.ok(err:find("unexpected argument 'sideways'", 1, true), err)
    out, err, rc = support.run(bin .. " doctor --stack ../etc")
    t.eq({ out, rc }, { "", 2 }, err)
    out, err, rc = support.run(bin .. " doctor --extra /nonexistent/x.lua")
    t.eq({ out, rc }, { "", 2 }, err)
    out, err, rc = support.run(bin .. " doctor --list")
    t.eq(rc, 0, err)
    local listed = {}
    for id in out:gmatch("([%w%-]+)[^\n]*\n") do listed[#listed + 1] = id end
    t.eq(listed, IDS)
end)

t.case("fixes outside a stack carry --region and the policy name down knows", function()
    need()
    local s = make_stack("dfix")
    -- by pool id, not by stack: the fixes are aws commands, not guide up
    assert(iam:call("DeleteRolePolicy", { RoleName = s.role, PolicyName = s.stack .. "-sns-publish" }))
    local client = assert(idp:call("ListUserPoolClients", { UserPoolId = s.pool, MaxResults = 60 }))
        .UserPoolClients[1].ClientId
    assert(idp:call("UpdateUserPoolClient", { UserPoolId = s.pool, ClientId = client,
        ExplicitAuthFlows = { "ALLOW_REFRESH_TOKEN_AUTH" } }))
    local map, by_id = run_doctor("--user-pool-id " .. s.pool .. " --username " .. s.sub)
    t.eq({ map["sms-role-sns-publish"], map["client-auth-flows"] }, { "fail", "fail" })
    local publish_fix = by_id["sms-role-sns-publish"].fix
    t.ok(publish_fix:find("--policy-name " .. s.stack .. "-sns-publish ", 1, true), publish_fix)
    local flows_fix = by_id["client-auth-flows"].fix
    t.ok(flows_fix:find("aws cognito-idp update-user-pool-client", 1, true) and
         flows_fix:find("--region " .. REGION, 1, true), flows_fix)
    teardown(s)
end)

t.case("--local starts its own emulator: an empty account has no pool", function()
    if not require("mfakit.emulator").find() then t.skip("moto_server not installed") end
    local out, err, rc = support.run(bin .. " --local doctor --stack " .. unique("dl") .. " --state-dir " ..
        tmp .. "/doctor-local --output json")
    t.eq(rc, 1, err)
    local map = {}
    for _, c in ipairs(json.decode(out).checks) do map[c.id] = c.status end
    t.eq({ map.credentials, map["pool-exists"] }, { "pass", "fail" })
end)

t.case("trust conditions as IAM reads them: all must hold, Not inverts, IfExists, NotPrincipal", function()
    local function stmt(cond) return { Effect = "Allow", Action = "sts:AssumeRole", Condition = cond,
                                       Principal = { Service = "cognito-idp.amazonaws.com" } } end
    t.eq(policy.statement_allows_id(stmt{ StringEquals = { ["sts:ExternalId"] = "X" } }, "X"), true)
    t.eq(policy.statement_allows_id(stmt{ StringEquals = { ["sts:ExternalId"] = { "A", "X" } } }, "X"), true)
    t.eq(policy.statement_allows_id(stmt{ StringEquals = { ["sts:ExternalId"] = "X" },
                                          StringLike = { ["sts:ExternalId"] = "zzz*" } }, "X"), false)
    t.eq(policy.statement_allows_id(stmt{ StringNotEquals = { ["sts:ExternalId"] = "X" } }, "X"), false)
    t.eq(policy.statement_allows_id(stmt{ StringEqualsIfExists = { ["sts:ExternalId"] = "X" } }, nil), true)
    t.eq(policy.statement_allows_id(stmt{ StringEquals = { ["sts:ExternalId"] = "X" } }, nil), false)
    t.eq(policy.names_service({ Principal = { AWS = { "*" } } }, "cognito-idp.amazonaws.com"), true)
    t.eq(policy.names_service({ NotPrincipal = { Service = "ec2.amazonaws.com" } }, "cognito-idp.amazonaws.com"), true)
    t.eq(policy.names_service({ NotPrincipal = { Service = "cognito-idp.amazonaws.com" } },
        "cognito-idp.amazonaws.com"), false)
end)
