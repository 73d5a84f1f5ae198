-- tests/test_cmd_load.lua: mfakit load against moto: threshold exit codes,
-- every phase in the summary, errors by code with their message, --out and
-- `load merge` (exact counts), JUnit, local users that meet MFA, and the
-- progress line on a pseudo-terminal.
local json = require "mfakit.json"
local xml = require "mfakit.xml"
local support = dofile("tests/support.lua")

local function read(path)
    local f = assert(io.open(path, "rb"))
    local s = f:read("a")
    f:close()
    return s
end

local t = require "mfakit.test"
local moto = t.env("MFAKIT_TEST_MOTO")
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"
local function need()
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
end
local function cmd(p, rest)
    return string.format("MFAKIT_TEST_PW=%s %s --endpoint %s --region us-east-1 load --user-pool-id %s " ..
        "--client-id %s --username %s --password-env MFAKIT_TEST_PW --progress never %s", p.user.password,
        support.bin(), moto, p.pool_id, p.client_id, p.user.username, rest)
end

t.case("load: a passing threshold exits 0, a failing one 1; every phase is summarised", function()
    need()
    local p = support.pool(moto)
    local out, err, rc = support.run(cmd(p, "--rate 200 --logins 12 --concurrency 4 --threshold 'p95<1h' " ..
        "--threshold 'failed<1%'"))
    t.eq(rc, 0, err)
    for _, want in ipairs{ "12 sign-ins", "InitiateAuth", "PASSWORD_VERIFIER", "sign-in", "p95", "max",
                           "threshold p95<1h: passed" } do
        t.ok(out:find(want, 1, true), want .. " in\n" .. out)
    end
    out, err, rc = support.run(cmd(p, "--rate 200 --logins 4 --threshold 'p95<0.001ms' --output json"))
    t.eq(rc, 1, err)
    local s = assert(json.decode(out))
    t.eq({ s.passed, s.thresholds[1].ok, s.ok }, { false, false, 4 })
end)

t.case("load: errors by code with the first message; no threshold: exit 1 on failures", function()
    need()
    local p = support.pool(moto)
    local out, err, rc = support.run(string.format("MFAKIT_TEST_PW=Wrong-Passw0rd %s --endpoint %s --region " ..
        "us-east-1 load --user-pool-id %s --client-id %s --username %s --password-env MFAKIT_TEST_PW " ..
        "--progress never --rate 100 --logins 2 --concurrency 1 --flow password", support.bin(), moto,
        p.pool_id, p.client_id, p.user.username))
    t.eq(rc, 1, err)
    t.ok(out:find("2  failed: NotAuthorizedException: ", 1, true), out)
    t.ok(not out:find("Wrong-Passw0rd", 1, true), "no password in the output")
end)

t.case("load: two shards' --out files merge to exact counts; JUnit per threshold and error", function()
    need()
    local p = support.pool(moto)
    local a, b, x = tmp .. "/shard-a.json", tmp .. "/shard-b.json", tmp .. "/load-junit.xml"
    local _, err, rc = support.run(cmd(p, "--rate 300 --logins 7 --out " .. a))
    t.eq(rc, 0, err)
    _, err, rc = support.run(cmd(p, "--rate 300 --logins 5 --out " .. b))
    t.eq(rc, 0, err)
    local out
    out, err, rc = support.run(support.bin() .. " --output json load merge " .. a .. " " .. b ..
        " --threshold 'p99<1h' --junit " .. x)
    t.eq(rc, 0, err)
    local s = assert(json.decode(out))
    t.eq({ s.count, s.ok, s.workers }, { 12, 12, 2 })
    local ra, rb = json.decode(read(a)), json.decode(read(b))
    -- bucket counts add up exactly, phase by phase
    for i, ph in ipairs(s.phases) do
        t.eq(ph.count, ra.phases[i].histogram.count + rb.phases[i].histogram.count)
    end
    local doc = assert(xml.decode(read(x)))
    t.eq({ doc[1].attr.tests, doc[1].attr.failures, doc[1][1].attr.name }, { "1", "0", "threshold p99<1h" })
    _, err, rc = support.run(support.bin() .. " load merge " .. tmp .. "/none.json")
    t.eq(rc, 2)
    t.ok(err:find("cannot read", 1, true), err)
end)

t.case("load: --shard splits the arrivals, --workers 2 runs two processes and merges exactly", function()
    need()
    local p = support.pool(moto)
    local a, b = tmp .. "/s1.json", tmp .. "/s2.json"
    local _, err, rc = support.run(cmd(p, "--rate 300 --logins 7 --shard 1/2 --out " .. a))
    t.eq(rc, 0, err)
    _, err, rc = support.run(cmd(p, "--rate 300 --logins 7 --shard 2/2 --out " .. b))
    t.eq(rc, 0, err)
    t.eq({ json.decode(read(a)).started, json.decode(read(b)).started }, { 4, 3 })
    local out
    out, err, rc = support.run(cmd(p, "--rate 300 --logins 9 --workers 2 --output json --threshold 'failed<1%'"))
    t.eq(rc, 0, err)
    local s = assert(json.decode(out))
    t.eq({ s.count, s.ok, s.workers, s.passed }, { 9, 9, 2, true })
    t.eq(s.phases[#s.phases].count, 9)
end)

t.case("load: --local --users K --mfa sms|totp meet the MFA challenge", function()
    if not require("mfakit.emulator").find() then t.skip("moto_server not installed") end
    for _, mfa in ipairs{ "sms", "totp" } do
        local out, err, rc = support.run(support.bin() .. " --local --output json load --users 2 --mfa " .. mfa ..
            " --rate 100 --logins 4 --progress never" .. (mfa == "totp" and " --workers 2" or ""))
        t.eq(rc, 0, err)
        local s = assert(json.decode(out))
        local path = "PASSWORD_VERIFIER>" .. (mfa == "sms" and "SMS_MFA" or "SOFTWARE_TOKEN_MFA")
        t.eq(s.challenges, { [path] = 4 })
        t.eq(s.phases[3].name, "MFA")
    end
end)

t.case("load: the progress line is redrawn in place on a terminal", function()
    need()
    local p = support.pool(moto)
    -- python's pty runs the command on a pseudo-terminal; the run lasts
    -- over 1 s (arrivals at 0, 0.5, ... 2.0 s), so a line is drawn at least once
    local c = cmd(p, "--rate 2 --logins 5"):gsub("%-%-progress never", "--progress auto")
    local out, err, rc = support.run("python3 -c 'import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)' " ..
        "sh -c \"" .. c:gsub('"', '\\"') .. "\"")
    t.eq(rc, 0, err)
    t.ok(out:find("\r%s*%d+s%s+[%d.]+/s%s+%d+ in flight%s+p95") ~= nil, "a redrawn progress line in " .. out)
    t.ok(out:find("\27[K", 1, true), "erased to the end of the line")
    -- and none without a terminal (auto)
    out, err = support.run(c)
    t.ok(not err:find("in flight", 1, true), err)
    t.ok(out:find("5 sign-ins", 1, true), out)
end)

t.case("load: cost guard: headroom from SNS and CloudWatch; skipped on an emulator, and said", function()
    need()
    local guard = require "mfakit.load.cost_guard"
    local sns = support.admin("sns", moto)
    local function client(service) return support.admin(service, moto) end
    assert(sns:call("SetSMSAttributes", { attributes = { MonthlySpendLimit = "" } }))
    local room = assert(guard.headroom{ region = "us-east-1", now = os.time(), client = client })
    -- no limit set: the account default, 1 USD, not unlimited
    t.eq({ room.region, room.limit, room.spent, room.left }, { "us-east-1", 1, 0, 1 })
    t.ok(room.notes[1]:find("1 USD", 1, true), room.notes[1])
    assert(sns:call("SetSMSAttributes", { attributes = { MonthlySpendLimit = "25" } }))
    room = assert(guard.headroom{ region = "us-east-1", now = os.time(), client = client })
    t.eq({ room.limit, room.left }, { 25, 25 })
    -- a pool in eu-central-1 without SnsRegion sends from eu-west-1
    room = assert(guard.headroom{ region = "eu-central-1", now = os.time(), client = client })
    t.eq(room.region, "eu-west-1")
    local p = support.pool(moto)
    local _, err, rc = support.run(cmd(p, "--rate 100 --logins 2 --sms-code-from env:X --max-cost 0"))
    t.eq(rc, 0, err)
    t.ok(err:find("cost guard skipped: an emulator endpoint sends no SMS", 1, true), err)
end)

t.case("load: open files: raised to the concurrency, or a warning naming the hard limit", function()
    need()
    local p = support.pool(moto)
    -- a hard limit of 200 (any process may lower its own) cannot hold 500 in flight
    local _, err, rc = support.run("ulimit -n 200 && ulimit -Hn 200 && " ..
        cmd(p, "--rate 100 --logins 2 --concurrency 500"))
    t.eq(rc, 0, err)
    t.ok(err:find("--concurrency 500 needs about 564 open files, but the hard limit is 200", 1, true), err)
    _, err, rc = support.run("ulimit -Sn 100 && " .. cmd(p, "--rate 100 --logins 2 --concurrency 500"))
    t.eq(rc, 0, err)
    t.ok(not err:find("open files", 1, true), "raised without a word: " .. err)
end)

t.case("load: usage errors are one line, exit 2", function()
    for _, case in ipairs{
        { "--rate 5", "give --duration or --logins" },
        { "--rate 5 --logins 2 --threshold 'p95 800'", "is not like p95<800ms" },
        { "--stages 10s:0", "nothing would run" },
        { "--rate 5 --logins 2 --progress sometimes", "--progress must be" },
        { "--rate 5 --logins 2 --users 3", "add --local" },
        { "--rate 5 --logins 2", "--user-pool-id is required" },
        { "--rate 5 --logins 2 --workers 0", "--workers must be auto or" },
        { "--rate 5 --logins 2 --shard 3/2", "--shard must be I/N" },
    } do
        local _, err, rc = support.run(support.bin() .. " load " .. case[1])
        t.eq(rc, 2, case[1])
        t.ok(err:find(case[2], 1, true), case[1] .. ": " .. err)
    end
end)
