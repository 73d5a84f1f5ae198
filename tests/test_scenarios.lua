-- tests/test_scenarios.lua: the custom load scenario example on a local emulator.
local json = require "mfakit.json"
local support = dofile("tests/support.lua")

local t = require "mfakit.test"
t.case("login-load: sign-in then GetUser, both phases timed, threshold passed", function()
    if not require("mfakit.emulator").find() then t.skip("moto_server not installed") end
    local out, err, rc = support.run(support.bin() .. " --local --output json scripts/scenarios/login-load.lua " ..
        "--users 3 --logins 24 --rate 40 --concurrency 6 --progress never --threshold 'failed<1%'")
    t.eq(rc, 0, err)
    local s = assert(json.decode(out))
    t.eq({ s.count, s.ok, s.failed, s.passed }, { 24, 24, 0, true })
    t.eq(s.challenges, { ["sign-in>GetUser"] = 24 })
    local names = {}
    for _, p in ipairs(s.phases) do names[#names + 1] = p.name .. "=" .. p.count end
    t.eq(names, { "sign-in=24", "GetUser=24", "arrival=24" })
end)

t.case("login-load: bad numbers are one line, exit 2", function()
    local _, err, rc = support.run(support.bin() .. " scripts/scenarios/login-load.lua --logins 0")
    t.eq(rc, 2)
    t.ok(err:find("--logins must be a positive integer", 1, true), err)
end)

-- The shipped journey (scripts/scenarios/mfa_journey_test.lua) run by
-- `mfakit test`, as a CI job would run it: statuses per step.
local JOURNEY = "scripts/scenarios/mfa_journey_test.lua"
local function journey(env)
    local parts = {}
    for k, v in pairs(env) do parts[#parts + 1] = k .. "='" .. v .. "'" end
    table.sort(parts)
    local out, err, rc = support.run("env -u MFAKIT_TEST_SHARD " .. table.concat(parts, " ") .. " " .. support.bin() ..
        " test --output json " .. JOURNEY)
    local doc = json.decode(out)
    local steps = {}
    for _, c in ipairs(doc and doc.files[1].cases or {}) do
        steps[#steps + 1] = { c.name, c.status, c.message ~= json.null and c.message or nil }
    end
    return steps, rc, out .. err
end

t.case("mfa journey on moto: what moto can do passes, the rest skips with the reason", function()
    local moto = t.env("MFAKIT_TEST_MOTO")
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    local p = support.pool(moto, { secret = false })
    local steps, rc, all = journey{ MFAKIT_JOURNEY_TARGET = "moto", MFAKIT_JOURNEY_ENDPOINT = moto,
        MFAKIT_JOURNEY_POOL_ID = p.pool_id, MFAKIT_JOURNEY_CLIENT_ID = p.client_id,
        AWS_ACCESS_KEY_ID = "testing", AWS_SECRET_ACCESS_KEY = "testing", AWS_REGION = "us-east-1" }
    t.eq(rc, 0, all)
    t.eq(steps, {
        { "sign-up", "pass" },
        { "confirm with the code sent", "skip",
          "moto sends no confirmation code (confirmed with AdminConfirmSignUp instead)" },
        { "SMS MFA: enable, then sign in with the SMS code", "skip",
          "moto sends no SMS: there is no real code to answer SMS_MFA with" },
        { "TOTP: enrol, then sign in with a TOTP code", "pass" },
        { "remember this device", "skip", "moto does not implement ConfirmDevice or device SRP" },
        { "sign in on the remembered device: no MFA code asked", "skip", "needs an earlier step (device)" },
        { "sign out everywhere: the tokens stop working", "pass" },
    }, all)
end)

t.case("mfa journey against the fake Cognito: every step runs and passes", function()
    local fake = t.env("MFAKIT_TEST_FAKE_COGNITO")
    if not fake then t.skip("MFAKIT_TEST_FAKE_COGNITO not set (needs python3 cryptography)") end
    local http = require "mfakit.http"
    local id = "us-east-1_Journey" .. require("mfakit.sys").getpid()
    local r = assert(http.request{ method = "POST", url = fake .. "/_control/pool", headers =
        { ["content-type"] = "application/json" }, body = json.encode{ id = id, client_id = "journeyclient",
        mfa = "OPTIONAL", device_tracking = { challenge_required_on_new_device = true } } })
    t.eq(r.status, 200, r.body)
    local steps, rc, all = journey{ MFAKIT_JOURNEY_TARGET = "fake", MFAKIT_JOURNEY_ENDPOINT = fake,
        MFAKIT_JOURNEY_POOL_ID = id, MFAKIT_JOURNEY_CLIENT_ID = "journeyclient" }
    t.eq(rc, 0, all)
    local statuses = {}
    for _, s in ipairs(steps) do statuses[#statuses + 1] = s[1] .. ": " .. s[2] end
    t.eq(statuses, {
        "sign-up: pass", "confirm with the code sent: pass", "SMS MFA: enable, then sign in with the SMS code: pass",
        "TOTP: enrol, then sign in with a TOTP code: pass", "remember this device: pass",
        "sign in on the remembered device: no MFA code asked: pass",
        "sign out everywhere: the tokens stop working: pass",
    }, all)
end)
