-- A bare `mfakit doctor` where the state folder has stacks but not the
-- default one lists them; counts read as a person writes them.
local support = dofile("tests/support.lua")

local t = require "mfakit.test"
local bin = support.bin()
local tmp = (t.env("MFAKIT_TEST_TMP") or "/tmp") .. "/doctor-bare-" .. require("mfakit.sys").getpid()
os.execute("mkdir -p " .. tmp .. "/st " .. tmp .. "/empty")
for _, s in ipairs{ "web", "qa" } do
    local f = assert(io.open(tmp .. "/st/" .. s .. ".json", "w"))
    f:write("{}")
    f:close()
end
-- offline: a check that needs no AWS call answers before any is made
local env = "AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y AWS_ENDPOINT_URL=http://127.0.0.1:9 "

t.case("several stacks and no mfa-sms: they are listed, exit 2, nothing checked", function()
    local out, err, rc = support.run(env .. bin .. " doctor --state-dir " .. tmp .. "/st")
    t.eq({ rc, out }, { 2, "" })
    t.eq(err, "mfakit doctor: no --stack given, and " .. tmp .. "/st has 2 stacks and no mfa-sms: qa, web; " ..
        "give --stack NAME or --user-pool-id ID (see mfakit doctor --help)\n")
end)

t.case("one check is '1 check', not '1 checks'", function()
    local out, err, rc = support.run(env .. bin .. " doctor --state-dir " .. tmp .. "/empty --check " ..
        "user-mfa-preference")
    t.eq({ rc, err }, { 0, "" })
    t.ok(out:find("\n1 check: 0 pass, 0 warn, 0 fail, 1 skip\n", 1, true), out)
end)

t.case("cli.count", function()
    local cli = require "mfakit.cli"
    t.eq({ cli.count(1, "check"), cli.count(2, "check"), cli.count(0, "sign-in"), cli.count(1, "sign-in") },
         { "1 check", "2 checks", "0 sign-ins", "1 sign-in" })
end)
