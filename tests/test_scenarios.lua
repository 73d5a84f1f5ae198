-- tests/test_scenarios.lua: the load-style login scenario on a local emulator.
local json = require "mfakit.json"
local xml = require "mfakit.xml"
local support = dofile("tests/support.lua")

local t = require "mfakit.test"
t.case("login-load: paced concurrent sign-ins, percentiles, JUnit XML", function()
    if not require("mfakit.emulator").find() then t.skip("moto_server not installed") end
    local junit = (t.env("MFAKIT_TEST_TMP") or "/tmp") .. "/load.xml"
    local out, err, rc = support.run(support.bin() .. " --local --output json scripts/scenarios/login-load.lua " ..
        "--users 3 --logins 24 --rate 40 --concurrency 6 --junit " .. junit)
    t.eq(rc, 0, err)
    local s = assert(json.decode(out))
    t.eq({ s.logins, s.ok, s.failed }, { 24, 24, 0 })
    t.eq(s.challenges, { PASSWORD_VERIFIER = 24 })
    t.ok(s.wall_seconds >= 23 / 40, "paced at 40/s: " .. s.wall_seconds)
    t.ok(s.p50_ms <= s.p95_ms and s.p95_ms <= s.p99_ms, "percentiles ordered")
    local f = assert(io.open(junit))
    local doc = assert(xml.decode(f:read("a")))
    f:close()
    t.eq({ doc.tag, doc.attr.tests, doc.attr.failures }, { "testsuite", "24", "0" })
end)

t.case("login-load: bad numbers are one line, exit 2", function()
    local _, err, rc = support.run(support.bin() .. " scripts/scenarios/login-load.lua --logins 0")
    t.eq(rc, 2)
    t.ok(err:find("--logins and --concurrency must be positive", 1, true), err)
end)
