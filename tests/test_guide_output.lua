-- What guide up, plan and down print for the user to read or script
-- against, on moto: up says what changed as plan does, plan has no trailing
-- blanks, down --output json lists what it deleted.
local json = require "mfakit.json"
local sys = require "mfakit.sys"
local support = dofile("tests/support.lua")

local t = require "mfakit.test"
local moto = t.env("MFAKIT_TEST_MOTO")
local tmp = (t.env("MFAKIT_TEST_TMP") or "/tmp") .. "/guide-output-" .. sys.getpid()
local function run(args)
    return support.run(string.format("AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing " ..
        "AWS_REGION=us-east-1 %s guide %s --state-dir %s", moto, support.bin(), args, tmp))
end

t.case("up says what it changed, in plan's words; plan lines end without blanks", function()
    if not moto then return t.skip("MFAKIT_TEST_MOTO not set") end
    local stack = "out-" .. sys.getpid()
    local _, err, rc = run("up --stack " .. stack)
    t.eq(rc, 0, err)
    local plan, out
    plan, err, rc = run("plan --stack " .. stack .. " --mfa ON --client-name " .. stack .. "-web")
    t.eq(rc, 0, err)
    t.ok(plan:find("\n02 user-pool   update    MFA configuration (ON)\n", 1, true), plan)
    t.ok(plan:find("\n03 app-client  update    rename app client " .. stack .. "-client to " .. stack .. "-web\n", 1,
        true), plan)
    t.ok(plan:find("\n04 env         no change\n", 1, true), plan)
    t.eq(plan:find("[ \t]\n"), nil, plan)
    out, err, rc = run("up --stack " .. stack .. " --mfa ON --client-name " .. stack .. "-web")
    t.eq(rc, 0, err)
    t.ok(out:find("\n02 user%-pool   updated   us%-east%-1_%w+: MFA configuration %(ON%)\n"), out)
    t.ok(out:find("\n03 app%-client  updated   %w+: rename app client " .. stack:gsub("%-", "%%-") .. "%-client to " ..
        stack:gsub("%-", "%%-") .. "%-web\n"), out)
    t.ok(out:find("^01 sms%-role    exists    arn:"), out)
    t.eq(out:find("[ \t]\n"), nil, out)

    out, err, rc = run("down --stack " .. stack .. " --output json")
    t.eq({ rc, err }, { 0, "" })
    local r = json.decode(out)
    t.eq({ r.stack, r.gone, r.left }, { stack, true, {} })
    local steps = {}
    for i, d in ipairs(r.deleted) do steps[i] = d.step .. " " .. d.result end
    t.eq(steps, { "03-app-client deleted", "02-user-pool deleted", "01-sms-role deleted" })
    t.ok(r.deleted[2].detail:match("^us%-east%-1_"), out)
end)
