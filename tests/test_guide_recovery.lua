-- tests/test_guide_recovery.lua: the stack's pool recovers accounts by
-- verified email only (a deliberate difference from the guide), up puts it
-- back after a change by hand, and doctor pool-account-recovery says so.
local sys = require "mfakit.sys"
local json = require "mfakit.json"
local support = dofile("tests/support.lua")
local gsupport = dofile("tests/guide_support.lua")

local t = require "mfakit.test"
local moto = t.env("MFAKIT_TEST_MOTO")
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"
local g = moto and gsupport.new(moto, tmp .. "/recovery")

t.case("verified email only; a phone added by hand is a difference up removes; doctor warns then passes", function()
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    local s = "rec-" .. sys.getpid() .. "-" .. math.random(1e6)
    local function recovery()
        local id = g:state(s).resources.pool.id
        local p = assert(g.idp:call("DescribeUserPool", { UserPoolId = id })).UserPool
        local names = {}
        for _, m in ipairs((p.AccountRecoverySetting or {}).RecoveryMechanisms or {}) do names[#names + 1] = m.Name end
        return names
    end
    local function doctor()
        local out = support.run(string.format("AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=testing " ..
            "AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 %s doctor --stack %s --state-dir %s " ..
            "--check pool-account-recovery --output json", moto, support.bin(), s, tmp .. "/recovery"))
        return assert(json.decode(out), out).checks[1]
    end
    local out, err, rc = g:run("up --stack " .. s)
    t.eq(rc, 0, err .. out)
    t.eq(recovery(), { "verified_email" })
    t.eq(doctor().status, "pass")
    -- UpdateUserPool without the setting brings back the default, which offers the phone
    assert(g.idp:call("UpdateUserPool", { UserPoolId = g:state(s).resources.pool.id }))
    t.eq(recovery(), { "verified_email", "verified_phone_number" })
    local c = doctor()
    t.eq(c.status, "warn", c.message)
    t.ok(c.message:find("the same phone that receives the MFA codes", 1, true), c.message)
    t.ok(c.fix:find("mfakit guide up --stack " .. s, 1, true), c.fix)
    local _
    out, _, rc = g:run("status --stack " .. s)
    t.eq(rc, 1, out)
    t.ok(out:find("account recovery: verified email only", 1, true), out)
    out, err, rc = g:run("up --stack " .. s)
    t.eq(rc, 0, err .. out)
    t.eq(recovery(), { "verified_email" })
    t.eq(doctor().status, "pass")
    out, err, rc = g:run("down --stack " .. s)
    t.eq(rc, 0, err .. out)
end)
