-- tests/test_scenarios.lua: the custom load scenario example on a local emulator.
local json = require "mfakit.json"
local support = dofile("tests/support.lua")

return function(t)
    t.test("login-load: sign-in then GetUser, both phases timed, threshold passed", function()
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

    t.test("login-load: bad numbers are one line, exit 2", function()
        local _, err, rc = support.run(support.bin() .. " scripts/scenarios/login-load.lua --logins 0")
        t.eq(rc, 2)
        t.ok(err:find("--logins must be a positive integer", 1, true), err)
    end)
end
