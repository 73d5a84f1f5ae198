-- tests/test_audit.lua: mfakit audit against the fake Cognito's CloudTrail
-- LookupEvents (tests/fake_cloudtrail.py; moto has none), which enforces
-- the documented limits: one lookup attribute, 50 a page, 90 days, two
-- requests a second.
local json = require "mfakit.json"
local http = require "mfakit.http"
local sys = require "mfakit.sys"
local support = dofile("tests/support.lua")

local POOL, OTHER = "us-east-1_AuditPool", "us-east-1_OtherPool"
local OPS = "arn:aws:iam::123456789012:user/ops"

local function iso(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(t)) end

-- A record shaped as CloudTrail keeps one for cognito-idp (eventVersion 1.08).
local function record(age, name, params, extra)
    local r = {
        eventVersion = "1.08", eventTime = iso(sys.now() - age), eventSource = "cognito-idp.amazonaws.com",
        eventName = name, awsRegion = "us-east-1", sourceIPAddress = "192.0.2.1", userAgent = "aws-cli/2",
        requestParameters = params, responseElements = json.null, eventID = string.format("%08x-0000-4000-8000-%012x",
            math.random(0, 0x7fffffff), math.random(0, 0x7fffffff)),
        readOnly = false, eventType = "AwsApiCall", managementEvent = true, recipientAccountId = "123456789012",
        eventCategory = "Management",
        userIdentity = { type = "IAMUser", principalId = "AIDAEXAMPLE", arn = OPS, accountId = "123456789012",
                         accessKeyId = "AKIAEXAMPLE", userName = "ops" },
    }
    for k, v in pairs(extra or {}) do r[k] = v end
    return r
end

local t = require "mfakit.test"
local fake = t.env("MFAKIT_TEST_FAKE_COGNITO")
local bin = support.bin()
local function need() if not fake then t.skip("MFAKIT_TEST_FAKE_COGNITO not set") end end
local function control(path, body)
    local r = assert(http.request{ method = body and "POST" or "GET", url = fake .. "/_control/" .. path,
        body = body and json.encode(body) or nil })
    t.eq(r.status, 200, r.body)
    return json.decode(r.body)
end
local function audit(args)
    return support.run(string.format("AWS_ENDPOINT_URL_CLOUDTRAIL=%s AWS_ACCESS_KEY_ID=testing " ..
        "AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 %s audit %s", fake, bin, args))
end

local function load_history()
    control("reset", {})
    local day = 86400
    local events = {
        record(2 * day, "AdminSetUserMFAPreference", { userPoolId = POOL, username = "rita",
            sMSMfaSettings = { enabled = false }, softwareTokenMfaSettings = { enabled = false } }),
        -- a user's own call: the token is hidden and the record names no user
        record(1 * day, "SetUserMFAPreference", { accessToken = "HIDDEN_DUE_TO_SECURITY_REASONS",
            sMSMfaSettings = { enabled = true, preferredMfa = true } }, { userIdentity = { accountId = "123456789012" } }),
        record(3 * day, "UpdateUserPool", { userPoolId = POOL, mfaConfiguration = "ON" }),
        record(3 * day, "UpdateUserPool", { userPoolId = POOL, deviceConfiguration = {} }),  -- not MFA
        record(4 * day, "RespondToAuthChallenge", { clientId = "c", challengeName = "SMS_MFA",
            challengeResponses = "HIDDEN_DUE_TO_SECURITY_REASONS" },
            { errorCode = "CodeMismatchException", errorMessage = "Invalid code or auth state for the user.",
              userIdentity = { accountId = "123456789012" } }),
        record(4 * day, "RespondToAuthChallenge", { clientId = "c", challengeName = "SMS_MFA" }), -- a success
        record(5 * day, "AdminDisableUser", { userPoolId = OTHER, username = "rita" }),   -- another pool
        record(10 * day, "AdminDisableUser", { userPoolId = POOL, username = "rita" }),   -- outside 7d
        record(100 * day, "AdminDisableUser", { userPoolId = POOL, username = "old" }),   -- past 90 days
    }
    -- more than a page of one event name
    for i = 1, 55 do
        events[#events + 1] = record(6 * day + i, "AssociateSoftwareToken", { accessToken =
            "HIDDEN_DUE_TO_SECURITY_REASONS" }, { userIdentity = { accountId = "123456789012" } })
    end
    control("cloudtrail", { events = events })
end

t.case("lists a pool's MFA changes, one event name per lookup, 50 a page, paced, within 90 days", function()
    need()
    load_history()
    local out, err, rc = audit("--user-pool-id " .. POOL .. " --output json")
    t.eq(rc, 0, err)
    local r = assert(json.decode(out), out)
    local seen = {}
    for _, e in ipairs(r.events) do seen[#seen + 1] = e.event .. ":" .. e.detail end
    -- oldest first: the 55 TOTP set-ups, then the rest
    t.eq(#r.events, 59, table.concat(seen, "\n"))
    t.eq(seen[1], "AssociateSoftwareToken:TOTP secret issued")
    t.eq(seen[56], "RespondToAuthChallenge:wrong MFA code (CodeMismatchException)")
    t.eq(seen[57], "UpdateUserPool:pool MFA ON")
    t.eq(seen[58], "AdminSetUserMFAPreference:SMS off, TOTP off")
    t.eq(seen[59], "SetUserMFAPreference:SMS on (preferred)")
    t.eq({ r.events[58].by, r.events[58].user, r.events[58].pool }, { OPS, "rita", POOL })
    t.eq(r.lookups, 9, "8 event names, one of them 2 pages")
    -- what the fake saw: each request within LookupEvents' documented limits
    local n = 0
    for _, q in ipairs(control("requests")) do
        if q.operation == "CloudTrail.LookupEvents" then
            n = n + 1
            t.eq({ q.status, #q.json.LookupAttributes, q.json.LookupAttributes[1].AttributeKey, q.json.MaxResults },
                 { 200, 1, "EventName", 50 }, q.body)
        end
    end
    t.eq(n, 9)
    -- text: one line per event, then the count
    out, err, rc = audit("--user-pool-id " .. POOL .. " --since 30d")
    t.eq(rc, 0, err)
    t.ok(out:find("AdminDisableUser", 1, true) and out:find("user rita", 1, true), out)
    t.ok(out:find("60 MFA events since ", 1, true), out)
end)

t.case("--username is matched on the record, and says what it could not match", function()
    need()
    load_history()
    local out, err, rc = audit("--user-pool-id " .. POOL .. " --username rita --output json")
    t.eq(rc, 0, err)
    local r = assert(json.decode(out), out)
    -- the pool's own MFA setting applies to rita too
    t.eq(#r.events, 2)
    t.eq({ r.events[1].event, r.events[2].event, r.events[2].user },
         { "UpdateUserPool", "AdminSetUserMFAPreference", "rita" })
    t.eq(r.unattributed, 57, "the user's own calls and the wrong code name no user")
    out, err, rc = audit("--user-pool-id " .. POOL .. " --username rita")
    t.eq(rc, 0, err)
    t.ok(out:find("2 MFA events since", 1, true) and out:find("57 events named no user and could not be " ..
        "matched to rita", 1, true), out)
end)

t.case("lookups are paced under two a second, and a throttled one waits and asks again (no server)", function()
    local audit_mod = require "mfakit.audit"
    local errors = require "mfakit.errors"
    local now, sleeps, calls = 1000.0, {}, {}
    local throttle_next = true
    local client = { call = function(_, op, p)
        calls[#calls + 1] = { op = op, at = now, attrs = #p.LookupAttributes, max = p.MaxResults }
        if throttle_next and #calls == 3 then
            throttle_next = false
            return nil, errors.new{ code = "ThrottlingException", message = "Rate exceeded" }
        end
        return { Events = {} }
    end }
    local r = assert(audit_mod.lookup{ client = client, since = 3600, now = 1e9,
        clock = function() return now end, sleep = function(s) sleeps[#sleeps + 1] = s; now = now + s end })
    t.eq({ r.lookups, r.throttled, #calls }, { #audit_mod.EVENTS, 1, #audit_mod.EVENTS + 1 })
    for i = 2, #calls do
        t.ok(calls[i].at - calls[i - 1].at >= audit_mod.PACE - 1e-9, "call " .. i .. " paced")
        t.eq({ calls[i].attrs, calls[i].max }, { 1, 50 })
    end
    t.ok(audit_mod.PACE >= 0.5, "at most two a second")
end)

t.case("--since beyond 90 days or malformed is one line, exit 2, before any call", function()
    local _, err, rc = support.run(bin .. " audit --since 91d --region us-east-1 --endpoint http://127.0.0.1:9")
    t.eq(rc, 2)
    t.ok(err:find("longer than the 90 days CloudTrail's event history keeps", 1, true), err)
    _, err, rc = support.run(bin .. " audit --since soon --region us-east-1 --endpoint http://127.0.0.1:9")
    t.eq(rc, 2)
    t.ok(err:find("--since must be a number and m, h or d", 1, true), err)
end)
