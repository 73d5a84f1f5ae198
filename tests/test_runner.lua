-- tests/test_runner.lua: `mfakit test` itself: its reporters' exact shapes
-- (TAP 14, JUnit XML, JSON), exit codes, timeouts, hooks, fixtures'
-- clean-up after a failing case, files that do not load, the leak check.
-- Each case writes small test files and runs the binary on them.
local t = require "mfakit.test"
local xml = require "mfakit.xml"
local json = require "mfakit.json"
local sys = require "mfakit.sys"
local support = dofile("tests/support.lua")

local n = 0
-- A fresh directory holding the given files { name = text }.
local function dir_with(files)
    n = n + 1
    local dir = (t.env("MFAKIT_TEST_TMP") or "/tmp") .. "/runner-" .. sys.getpid() .. "-" .. n
    os.execute("rm -rf '" .. dir .. "' && mkdir -p '" .. dir .. "'")
    for name, text in pairs(files) do
        local f = assert(io.open(dir .. "/" .. name, "w"))
        f:write(text)
        f:close()
    end
    return dir
end

local function bin()
    local b = support.bin()
    local cwd = os.getenv("PWD") or "."
    return b:sub(1, 1) == "/" and b or (cwd .. "/" .. b:gsub("^%./", ""))
end

-- runs `mfakit test ARGS` in dir: out, err, rc (not in the shard this
-- run may be: make check's MFAKIT_TEST_SHARD is not the inner run's)
local function run(dir, args)
    return support.run("cd '" .. dir .. "' && env -u MFAKIT_TEST_SHARD " .. bin() .. " test " .. args)
end

local MIXED = [[
local t = require "mfakit.test"
t.case("passes", function() t.eq({ 1, { a = "x" } }, { 1, { a = "x" } }) end)
t.case("fails", function() t.eq({ a = 1 }, { a = 2 }, "a differs") end)
t.case("errors", function() error("boom") end)
t.case("skips # really", function() t.skip("no emulator here") end)
t.case("matches", function() t.match("abc", "^ab") end)
]]

local OTHER = [[
local t = require "mfakit.test"
t.case("also passes", function() t.ok(true) end)
]]

-- A TAP 14 parser for what the runner writes: version line, plan first,
-- test points numbered from 1, SKIP directives, YAML blocks under failures.
local function parse_tap(text)
    local lines = {}
    for l in text:gmatch("([^\n]*)\n") do lines[#lines + 1] = l end
    assert(lines[1] == "TAP version 14", "first line: " .. tostring(lines[1]))
    local plan = tonumber((lines[2] or ""):match("^1%.%.(%d+)$"))
    assert(plan, "plan on line 2: " .. tostring(lines[2]))
    local points, i = {}, 3
    while i <= #lines do
        local l = lines[i]
        local notok, num, desc = l:match("^(n?o?t? ?)ok (%d+) %- (.*)$")
        if num then
            local p = { ok = notok == "", num = tonumber(num) }
            -- a directive starts at the first " # " that is not escaped
            local body, directive = desc:match("^(.-[^\\]) # (.*)$")
            p.desc = body or desc
            if directive then p.skip = directive:match("^SKIP%s*(.*)$") end
            points[#points + 1] = p
            if lines[i + 1] == "  ---" then
                local j = i + 2
                p.yaml = {}
                while lines[j] and lines[j] ~= "  ..." do
                    local k, v = lines[j]:match("^  (%w+): (.*)$")
                    assert(k, "YAML line: " .. tostring(lines[j]))
                    p.yaml[k] = v:sub(1, 1) == '"' and json.decode(v) or v
                    j = j + 1
                end
                assert(lines[j] == "  ...", "YAML block not closed")
                i = j
            end
        else
            assert(l:match("^#") or l == "", "not TAP: " .. l)
        end
        i = i + 1
    end
    for k, p in ipairs(points) do assert(p.num == k, "test point " .. k .. " numbered " .. p.num) end
    assert(#points == plan, "plan " .. plan .. " but " .. #points .. " test points")
    return points
end

t.case("TAP: version, plan first, numbered points, SKIP directives, YAML under failures", function()
    local dir = dir_with{ ["a_test.lua"] = MIXED, ["test_b.lua"] = OTHER }
    local out, err, rc = run(dir, ". --tap")
    t.eq(rc, 1, err)
    local p = parse_tap(out)
    t.eq(#p, 6)
    t.eq(p[1], { ok = true, num = 1, desc = "./a_test.lua: passes" })
    t.eq({ p[2].ok, p[2].yaml.severity, p[2].yaml.message, p[2].yaml.at }, { false, "fail", "a differs", "./a_test.lua:3" })
    t.eq({ p[3].ok, p[3].yaml.severity }, { false, "error" })
    t.match(p[3].yaml.message, "boom")
    t.eq({ p[4].ok, p[4].desc, p[4].skip }, { true, "./a_test.lua: skips \\# really", "no emulator here" })
    t.eq({ p[5].ok, p[6].ok, p[6].desc }, { true, true, "./test_b.lua: also passes" })
end)

t.case("JUnit: parses as XML, counts agree with the run, failure, error and skip each shown", function()
    local dir = dir_with{ ["a_test.lua"] = MIXED, ["test_b.lua"] = OTHER }
    local out, err, rc = run(dir, ". --junit report.xml --output json")
    t.eq(rc, 1, err)
    local doc = assert(json.decode(out))
    local f = assert(io.open(dir .. "/report.xml"))
    local x = assert(xml.decode(f:read("a")))
    f:close()
    t.eq(x.tag, "testsuites")
    t.eq({ x.attr.tests, x.attr.failures, x.attr.errors, x.attr.skipped }, { "6", "1", "1", "1" })
    t.eq({ doc.totals.pass, doc.totals.fail, doc.totals.error, doc.totals.skip }, { 3, 1, 1, 1 })
    t.eq(#x, 2)
    local s = x[1]
    t.eq({ s.tag, s.attr.name, s.attr.tests, s.attr.failures, s.attr.errors, s.attr.skipped },
        { "testsuite", "./a_test.lua", "5", "1", "1", "1" })
    t.ok(tonumber(s.attr.time), "suite time is a number")
    local by = {}
    for _, c in ipairs(s) do by[c.attr.name] = c end
    t.eq(by.passes.attr.classname, "a_test")
    t.eq(#by.passes, 0, "a passing case has no child")
    t.eq(by.fails[1].tag, "failure")
    t.eq(by.fails[1].attr.message, "a differs")
    t.match(by.fails[1][1], "a_test%.lua:3")
    t.eq(by.errors[1].tag, "error")
    t.match(by.errors[1].attr.message, "boom")
    t.eq(by["skips # really"][1].tag, "skipped")
    t.eq(by["skips # really"][1].attr.message, "no emulator here")
    t.eq({ x[2].attr.name, x[2].attr.tests, x[2].attr.failures }, { "./test_b.lua", "1", "0" })
    local st = assert(sys.stat(dir .. "/report.xml"))
    t.eq(st.mode, tonumber("644", 8))
end)

t.case("--output json: files, cases with status, seconds and message, totals", function()
    local dir = dir_with{ ["a_test.lua"] = MIXED }
    local out, _, rc = run(dir, ". --output json")
    t.eq(rc, 1)
    local doc = assert(json.decode(out))
    t.eq(#doc.files, 1)
    t.eq(doc.files[1].file, "./a_test.lua")
    local statuses = {}
    for _, c in ipairs(doc.files[1].cases) do
        statuses[#statuses + 1] = c.status
        t.eq(type(c.seconds), "number")
    end
    t.eq(statuses, { "pass", "fail", "error", "skip", "pass" })
    t.eq(doc.files[1].cases[2].message, "a differs")
    t.eq(doc.files[1].cases[4].message, "no emulator here")
    t.eq(doc.files[1].cases[1].message, json.null)
    t.eq({ doc.totals.pass, doc.totals.fail, doc.totals.error, doc.totals.skip }, { 2, 1, 1, 1 })
    t.eq(type(doc.totals.seconds), "number")
end)

t.case("text: one line per case; a failure shows its message and its line", function()
    local dir = dir_with{ ["a_test.lua"] = MIXED }
    local out = run(dir, "a_test.lua")
    t.match(out, "^ok   a_test%.lua: passes %(%d+%.%d%d s%)\n")
    t.match(out, "\nFAIL a_test%.lua: fails %([%d.]+ s%)\n     a_test%.lua:3: a differs\n")
    t.match(out, "\n         want {a=2}\n")
    t.match(out, "\nskip a_test%.lua: skips # really %([%d.]+ s%) # no emulator here\n")
    -- an error is not a failure: it says ERROR
    t.match(out, "\nERROR a_test%.lua: errors %([%d.]+ s%)\n     a_test%.lua:4: error: .*boom")
    t.match(out, "\n2 passed, 1 failed, 1 errored, 1 skipped %([%d.]+ s%)\n$")
end)

t.case("exit codes: 0 passed or skipped, 1 failed, 2 usage or nothing matched", function()
    local dir = dir_with{ ["a_test.lua"] = MIXED, ["test_b.lua"] = OTHER, ["skip_test.lua"] =
        'local t = require "mfakit.test"\nt.case("s", function() t.skip("why") end)\n' }
    t.eq(select(3, run(dir, "test_b.lua")), 0)
    t.eq(select(3, run(dir, "skip_test.lua")), 0)
    t.eq(select(3, run(dir, ". --filter 'a_test.lua: passes'")), 0)
    t.eq(select(3, run(dir, ".")), 1)
    local _, err, rc = run(dir, ". --filter nothing-like-this")
    t.eq(rc, 2)
    t.match(err, "^mfakit test: no case matches %-%-filter")
    _, err, rc = run(dir, "no-such-dir")
    t.eq(rc, 2)
    t.match(err, "no such file or directory: no%-such%-dir")
    t.eq(select(3, run(dir, "--jobs 0")), 2)
    t.eq(select(3, run(dir, "--tap --output json")), 2)
    t.eq(select(3, run(dir, "--shard 3/2")), 2)
    t.eq(select(3, run(dir, "--no-such-option")), 2)
    local empty = dir_with{ ["notes.txt"] = "x" }
    t.eq(select(3, run(empty, ".")), 2)
end)

t.case("a file with a syntax error is one errored case; the other files still run", function()
    local dir = dir_with{ ["a_test.lua"] = 'local t = require "mfakit.test"\nt.case("x", function() end\n',
        ["b_test.lua"] = OTHER, ["c_test.lua"] = 'local t = require "mfakit.test"\nerror("outside a case")\n',
        ["d_test.lua"] = 'return function(t) t.test("old style", function() end) end\n' }
    local out, _, rc = run(dir, ". --tap")
    t.eq(rc, 1)
    local p = parse_tap(out)
    t.eq(#p, 4)
    t.eq({ p[4].ok, p[4].desc }, { false, "./d_test.lua: (load)" })
    t.match(p[4].yaml.message, "returns a function %(the old test harness's shape%)")
    t.eq({ p[1].ok, p[1].desc, p[1].yaml.severity }, { false, "./a_test.lua: (load)", "error" })
    t.match(p[1].yaml.message, "a_test%.lua:3: .*expected")
    t.eq({ p[2].ok, p[2].desc }, { true, "./b_test.lua: also passes" })
    t.eq({ p[3].ok, p[3].desc }, { false, "./c_test.lua: (load)" })
    t.match(p[3].yaml.message, "outside a case")
end)

t.case("--case-timeout: a case that sleeps and one that spins are stopped, the next ones run", function()
    local dir = dir_with{ ["slow_test.lua"] = [[
local t = require "mfakit.test"
local task = require "mfakit.task"
t.case("sleeps", function() task.sleep(600) end)
t.case("spins", function() while true do end end)
t.case("after them", function() t.ok(true) end)
]] }
    local out, err, rc = run(dir, ". --output json --case-timeout 0.5")
    t.eq(rc, 1, err)
    local cases = assert(json.decode(out)).files[1].cases
    t.eq({ cases[1].status, cases[1].message }, { "error", "timed out after 0.5 s (--case-timeout)" })
    t.eq({ cases[2].status, cases[2].message }, { "error", "timed out after 0.5 s (--case-timeout)" })
    t.eq(cases[3].status, "pass")
end)

t.case("hooks run in order; after_each and clean-up run after a failing case", function()
    local dir = dir_with{ ["hooks_test.lua"] = [[
local t = require "mfakit.test"
local log = {}
local function note(s) log[#log + 1] = s end
t.before_all(function() note("before_all") end)
t.before_each(function() note("before_each") end)
t.after_each(function() note("after_each") end)
t.after_all(function()
    note("after_all")
    local f = assert(io.open("log.txt", "w")) f:write(table.concat(log, ",")) f:close()
end)
t.case("one", function() note("one"); t.defer(function() note("cleanup one") end) end)
t.case("two fails", function() t.defer(function() note("cleanup two") end); t.fail("two") end)
]] }
    local _, err, rc = run(dir, ".")
    t.eq(rc, 1, err)
    local f = assert(io.open(dir .. "/log.txt"))
    t.eq(f:read("a"), "before_all,before_each,one,after_each,cleanup one,before_each,after_each,cleanup two,after_all")
    f:close()
end)

t.case("a failing before_all errors every case of its file; a failing after_all errors the last", function()
    local dir = dir_with{ ["ba_test.lua"] = [[
local t = require "mfakit.test"
t.before_all(function() error("no stack") end)
t.case("one", function() end)
t.case("two", function() end)
]], ["aa_test.lua"] = [[
local t = require "mfakit.test"
t.after_all(function() error("teardown broke") end)
t.case("one", function() end)
t.case("two", function() end)
]] }
    local out, _, rc = run(dir, ". --output json")
    t.eq(rc, 1)
    local files = assert(json.decode(out)).files
    t.eq(files[1].file, "./aa_test.lua")
    t.eq({ files[1].cases[1].status, files[1].cases[2].status }, { "pass", "error" })
    t.match(files[1].cases[2].message, "^after_all failed: .*teardown broke")
    t.eq({ files[2].cases[1].status, files[2].cases[2].status }, { "error", "error" })
    t.match(files[2].cases[1].message, "^before_all failed: .*no stack")
end)

t.case("--jobs runs cases side by side; --list lists without running; --filter on \"file: case\"", function()
    -- each case waits for the other: only side by side can both end
    local dir = dir_with{ ["pair_test.lua"] = [[
local t = require "mfakit.test"
local task = require "mfakit.task"
local seen = {}
t.case("a", function() seen.a = true; while not seen.b do task.sleep(0.01) end end)
t.case("b", function() seen.b = true; while not seen.a do task.sleep(0.01) end end)
t.case("never run by --list", function() os.exit(9) end)
]] }
    local out, err, rc = run(dir, ". --jobs 2 --filter 'pair_test.lua: [ab]$'")
    t.eq(rc, 0, out .. err)
    t.match(out, "2 passed, 0 failed, 0 errored, 0 skipped")
    out, err, rc = run(dir, ". --list")
    t.eq(rc, 0, err)
    t.eq(out, "./pair_test.lua: a\n./pair_test.lua: b\n./pair_test.lua: never run by --list\n")
end)

t.case("a case that leaves a task or a child process behind fails (the leak check)", function()
    local dir = dir_with{ ["leak_test.lua"] = [[
local t = require "mfakit.test"
local task = require "mfakit.task"
local sys = require "mfakit.sys"
t.case("leaves a task", function() task.spawn(function() task.sleep(0.3) end) end)
t.case("leaves a child", function()
    local pid = assert(sys.spawn{ "sleep", "0.5" })
    local f = io.open("child.pid", "w") f:write(pid) f:close()
end)
t.case("ends what it starts", function() task.wait(task.spawn(function() task.sleep(0.01) end)) end)
]] }
    local out, err, rc = run(dir, ". --output json")
    t.eq(rc, 1, err)
    local cases = assert(json.decode(out)).files[1].cases
    t.eq({ cases[1].status, cases[1].message }, { "fail", "the case left behind: 1 task(s) still running" })
    t.eq(cases[2].status, "fail")
    t.match(cases[2].message, "^the case left behind: child process%(es%) %d+ sleep$")
    t.eq(cases[3].status, "pass")
    local pf = io.open(dir .. "/child.pid")
    if pf then os.execute("kill " .. pf:read("a") .. " 2>/dev/null") pf:close() end
end)

t.case("t.err, t.match, t.fail and t.eq's diff say what differed", function()
    local dir = dir_with{ ["checks_test.lua"] = [[
local t = require "mfakit.test"
local errors = require "mfakit.errors"
local function f() return errors.fail("NotFound", "gone") end
t.case("err with fn", function() t.err(f, "NotFound") end)
t.case("err with results", function() t.err(nil, select(2, f()), "NotFound") end)
t.case("err wrong code", function() t.err(f, "Other") end)
t.case("err got a value", function() t.err(function() return 1 end, "NotFound") end)
t.case("eq deep", function() t.eq({ a = { b = { 1, 2 } } }, { a = { b = { 1, 3 } } }) end)
]] }
    local out = run(dir, ". --output json")
    local cases = assert(json.decode(out)).files[1].cases
    t.eq({ cases[1].status, cases[2].status, cases[3].status, cases[4].status, cases[5].status },
        { "pass", "pass", "fail", "fail", "fail" })
    t.match(cases[3].message, "expected an err with code Other, got .*NotFound")
    t.match(cases[4].message, "expected nil, err %(NotFound%), got 1")
    local text = run(dir, ". --filter 'eq deep'")
    t.match(text, "at   %[\"a\"%]%[\"b\"%]%[2%]\n +want 3\n +got  2\n")
end)

t.case("t.user on moto: a confirmed user, deleted after the case even when it fails", function()
    local moto = t.env("MFAKIT_TEST_MOTO")
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    local p = support.pool(moto)
    local dir = dir_with{ ["user_test.lua"] = string.format([[
local t = require "mfakit.test"
local o = { pool = %q, client = %q, client_secret = %q, endpoint = %q, region = "us-east-1",
    access_key = "testing", secret_key = "testing" }
t.case("makes a user, then fails", function()
    o.mfa = "sms"; o.phone = "+15555550100"
    local u = t.user(o)
    local f = io.open("user.txt", "w") f:write(u.username) f:close()
    t.fail("on purpose")
end)
]], p.pool_id, p.client_id, p.client_secret or "", moto) }
    local out, err, rc = run(dir, ". --output json")
    t.eq(rc, 1, out .. err)
    local cases = assert(json.decode(out)).files[1].cases
    t.eq({ cases[1].status, cases[1].message }, { "fail", "on purpose" })
    local f = assert(io.open(dir .. "/user.txt"))
    local username = f:read("a")
    f:close()
    t.match(username, "^mfakit%-%x+@example%.com$")
    t.fails("UserNotFoundException", p.admin:call("AdminGetUser", { UserPoolId = p.pool_id, Username = username }))
end)

t.case("t.user on moto: the password signs in; mfa = totp is enrolled", function()
    local moto = t.env("MFAKIT_TEST_MOTO")
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    local p = support.pool(moto)
    local o = { pool = p.pool_id, client = p.client_id, client_secret = p.client_secret, endpoint = moto,
        region = "us-east-1", access_key = "testing", secret_key = "testing" }
    local u = t.user(o)
    t.ok(u.password and #u.password >= 8)
    local admin_user = assert(p.admin:call("AdminGetUser", { UserPoolId = p.pool_id, Username = u.username }))
    t.eq(admin_user.UserStatus, "CONFIRMED")
    o.mfa = "totp"
    local u2 = t.user(o)
    t.ok(u2.totp_secret, "a TOTP secret")
    local got = assert(p.admin:call("AdminGetUser", { UserPoolId = p.pool_id, Username = u2.username }))
    t.eq(got.PreferredMfaSetting, "SOFTWARE_TOKEN_MFA")
end)

t.case("a case that calls os.exit errors; the run goes on, reports, exits 1, cleans up", function()
    local dir = dir_with{ ["exit_test.lua"] = [[
local t = require "mfakit.test"
t.case("exits", function()
    t.defer(function() local f = io.open("cleaned.txt", "w") f:write("yes") f:close() end)
    os.exit(0)
end)
t.case("after it", function() t.ok(true) end)
]] }
    local out, err, rc = run(dir, ". --output json --junit r.xml")
    t.eq(rc, 1, err)
    local cases = assert(json.decode(out)).files[1].cases
    t.eq({ cases[1].status, cases[2].status }, { "error", "pass" })
    t.match(cases[1].message, "^os%.exit called in a test case")
    t.ok(io.open(dir .. "/r.xml"), "the JUnit report was written")
    local f = assert(io.open(dir .. "/cleaned.txt"), "the case's clean-up ran")
    f:close()
end)

-- Starts `mfakit test ARGS` in dir, sends it SIGNAL once the file
-- `started` appears, and returns its stdout, stderr and exit status.
local function run_signalled(dir, args, signal, env)
    return support.run("(cd '" .. dir .. "' && env -u MFAKIT_TEST_SHARD " .. (env or "") .. " " .. bin() .. " test " ..
        args .. " & p=$!; i=0; while [ ! -f '" .. dir .. "/started' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; " ..
        "kill -" .. signal .. " $p; wait $p)")
end

local SIGNALLED = [[
local t = require "mfakit.test"
local task = require "mfakit.task"
local function note(s) local f = io.open("log.txt", "a") f:write(s, "\n") f:close() end
t.after_each(function() note("after_each") end)
t.after_all(function() note("after_all") end)
t.case("waits", function()
    t.defer(function() note("clean-up") end)
    io.open("started", "w"):close()
    if os.getenv("SPIN") then while true do end end
    task.sleep(60)
end)
t.case("never started", function() note("never") end)
]]

t.case("SIGINT while a case waits: it errors, hooks and clean-up run, reports written, exit 130", function()
    local dir = dir_with{ ["sig_test.lua"] = SIGNALLED }
    local out, err, rc = run_signalled(dir, ". --junit r.xml", "INT")
    t.eq(rc, 130, out .. err)
    t.match(out, "ERROR %./sig_test%.lua: waits .*interrupted by SIGINT")
    t.match(out, "skip %./sig_test%.lua: never started %([%d.]+ s%) # not run: interrupted by SIGINT")
    t.match(err, "interrupted by SIGINT")
    local f = assert(io.open(dir .. "/log.txt"))
    t.eq(f:read("a"), "after_each\nclean-up\nafter_all\n")
    f:close()
    f = assert(io.open(dir .. "/r.xml"), "the JUnit report was written")
    local x = assert(xml.decode(f:read("a")))
    f:close()
    t.eq({ x.attr.tests, x.attr.errors, x.attr.skipped }, { "2", "1", "1" })
end)

t.case("SIGTERM while a case spins: it errors, the TAP report is whole, exit 143", function()
    local dir = dir_with{ ["sig_test.lua"] = SIGNALLED }
    local out, err, rc = run_signalled(dir, ". --tap", "TERM", "SPIN=1")
    t.eq(rc, 143, out .. err)
    local p = parse_tap(out)
    t.eq({ p[1].ok, p[1].yaml.message, p[2].skip }, { false, "interrupted by SIGTERM", "not run: interrupted by SIGTERM" })
    local f = assert(io.open(dir .. "/log.txt"))
    t.eq(f:read("a"), "after_each\nclean-up\nafter_all\n")
    f:close()
end)

t.case("a second SIGTERM while clean-up hangs ends the run at once, without the rest of the clean-up", function()
    local dir = dir_with{ ["hang_test.lua"] = [[
local t = require "mfakit.test"
local task = require "mfakit.task"
t.after_all(function() io.open("after_all", "w"):close() end)
t.case("waits", function()
    t.defer(function() io.open("cleaning", "w"):close(); task.sleep(30) end)
    io.open("started", "w"):close()
    task.sleep(60)
end)
]] }
    local started = sys.monotonic()
    local out, err, rc = support.run("(cd '" .. dir .. "' && env -u MFAKIT_TEST_SHARD " .. bin() .. " test . & p=$!; " ..
        "i=0; while [ ! -f '" .. dir .. "/started' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; kill -TERM $p; " ..
        "i=0; while [ ! -f '" .. dir .. "/cleaning' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; " ..
        "kill -TERM $p; wait $p)")
    t.eq(rc, 143, out .. err)
    t.ok(sys.monotonic() - started < 20, "ended at the second signal, not after the 30 s clean-up")
    t.match(err, "a second signal: ending at once, without cleaning up")
    t.eq(io.open(dir .. "/after_all"), nil, "the rest of the clean-up did not run")
end)

t.case("--case-timeout: a case held past its time by a blocking call is reported as timed out", function()
    local dir = dir_with{ ["block_test.lua"] = [[
local t = require "mfakit.test"
t.case("blocks", function() os.execute("sleep 1.2") end)
]] }
    local out, err, rc = run(dir, ". --output json --case-timeout 0.3")
    t.eq(rc, 1, err)
    local c = assert(json.decode(out)).files[1].cases[1]
    t.eq(c.status, "error")
    t.match(c.message, "^timed out after 0%.3 s: a blocking call held it for %d+%.%d s$")
end)

t.case("--tap and --output json: what a test prints goes to stderr, the report stays whole", function()
    local dir = dir_with{ ["print_test.lua"] = [[
local t = require "mfakit.test"
print("printed at load")
t.case("prints", function() print("from print"); io.write("from io.write\n"); io.stdout:write("from io.stdout\n") end)
]] }
    local out, err, rc = run(dir, ". --tap")
    t.eq(rc, 0, err)
    t.eq(#parse_tap(out), 1)
    t.match(err, "printed at load\nfrom print\nfrom io.write\nfrom io.stdout\n")
    out, err, rc = run(dir, ". --output json")
    t.eq(rc, 0, err)
    t.eq(assert(json.decode(out)).totals.pass, 1)
    t.match(err, "from print")
    out = run(dir, ".") -- text: the output stays on stdout
    t.match(out, "from print\n")
end)

t.case("--tap and --output json: what a child process prints goes to stderr too, at load and in cases", function()
    local dir = dir_with{ ["child_test.lua"] = [[
local t = require "mfakit.test"
os.execute("echo CHILD at load")
t.case("a child prints", function() os.execute("echo CHILD in a case; printf 'ok 99 - fake\\n'") end)
]] }
    local out, err, rc = run(dir, ". --tap")
    t.eq(rc, 0, err)
    t.eq(#parse_tap(out), 1, out)
    t.ok(not out:find("CHILD", 1, true), "no child output in the TAP report: " .. out)
    t.match(err, "CHILD at load\nCHILD in a case\nok 99 %- fake\n")
    out, err, rc = run(dir, ". --output json")
    t.eq(rc, 0, err)
    t.eq(assert(json.decode(out), out).totals.pass, 1)
    t.match(err, "CHILD in a case")
    out = run(dir, ".") -- text: the child's output stays on stdout
    t.match(out, "CHILD in a case\n")
end)

t.case("--tap with stdout closed: the run still goes on and its status says how it went", function()
    local dir = dir_with{ ["closed_test.lua"] = 'local t = require "mfakit.test"\nt.case("x", function() end)\n' }
    local _, err, rc = run(dir, ". --tap >&-")
    t.eq(rc, 0, err)
    t.ok(not err:find("DivertFailed", 1, true), err)
end)

t.case("a NUL byte in a case name or message: every reporter writes it as \\0", function()
    local dir = dir_with{ ["nul_test.lua"] = 'local t = require "mfakit.test"\n' ..
        't.case("a\\0b", function() error("x\\0y", 0) end)\n' }
    local out, err, rc = run(dir, ". --output json --junit r.xml")
    t.eq(rc, 1, err)
    local c = assert(json.decode(out), out .. err).files[1].cases[1]
    t.eq({ c.name, c.message }, { "a\\0b", "x\\0y" })
    local f = assert(io.open(dir .. "/r.xml"))
    local x = assert(xml.decode(f:read("a")))
    f:close()
    t.eq(x[1][1].attr.name, "a\\0b")
    out = run(dir, ". --tap")
    local p = parse_tap(out)
    t.eq({ p[1].desc, p[1].yaml.message }, { "./nul_test.lua: a\\\\0b", "x\\0y" })
    out = run(dir, ". --list --output json")
    t.eq(assert(json.decode(out)).files[1].cases, { "a\\0b" })
end)

t.case("t.eq on cyclic tables ends: equal cycles are equal, different ones differ", function()
    local dir = dir_with{ ["cycle_test.lua"] = [[
local t = require "mfakit.test"
local function ring(v) local a = { v = v } a.next = { v = v, next = a } return a end
t.case("same", function() t.eq(ring(1), ring(1)) end)
t.case("differ", function() t.eq(ring(1), ring(2)) end)
]] }
    local out, err, rc = run(dir, ". --output json --case-timeout 20")
    t.eq(rc, 1, err)
    local cases = assert(json.decode(out)).files[1].cases
    t.eq({ cases[1].status, cases[2].status }, { "pass", "fail" })
end)

t.case("--jobs: every report lists cases in declaration order; the total is the run's wall time", function()
    -- "first" ends only after "second" has ended
    local dir = dir_with{ ["order_test.lua"] = [[
local t = require "mfakit.test"
local task = require "mfakit.task"
local done = false
t.case("first", function() while not done do task.sleep(0.01) end end)
t.case("second", function() task.sleep(0.2); done = true end)
t.case("third", function() end)
]] }
    local out, err, rc = run(dir, ". --jobs 2 --tap")
    t.eq(rc, 0, err)
    local p = parse_tap(out)
    t.eq({ p[1].desc, p[2].desc, p[3].desc }, { "./order_test.lua: first", "./order_test.lua: second",
        "./order_test.lua: third" })
    out = run(dir, ". --jobs 2")
    t.match(out, "first.*\n.*second.*\n.*third")
    out = run(dir, ". --jobs 2 --output json")
    local doc = assert(json.decode(out))
    local sum = 0
    for _, c in ipairs(doc.files[1].cases) do sum = sum + c.seconds end
    -- "first" held on while "second" ran: the sum counts that time twice
    t.ok(doc.totals.seconds < sum, "total " .. doc.totals.seconds .. " is the wall time, not the sum " .. sum)
end)

t.case("JUnit classnames of absolute and ../ paths never start with a dot", function()
    local dir = dir_with{ ["x_test.lua"] = OTHER }
    local _, err, rc = run(dir, "'" .. dir .. "/x_test.lua' --junit abs.xml")
    t.eq(rc, 0, err)
    local f = assert(io.open(dir .. "/abs.xml"))
    local x = assert(xml.decode(f:read("a")))
    f:close()
    local want = (dir:gsub("^/", ""):gsub("/", ".")) .. ".x_test"
    t.eq(x[1][1].attr.classname, want)
    _, err, rc = run(dir, "../" .. dir:match("[^/]+$") .. "/x_test.lua --junit up.xml")
    t.eq(rc, 0, err)
    f = assert(io.open(dir .. "/up.xml"))
    x = assert(xml.decode(f:read("a")))
    f:close()
    t.eq(x[1][1].attr.classname, dir:match("[^/]+$") .. ".x_test")
end)

t.case("an empty shard: --list and a run both exit 0 with a note on stderr", function()
    local dir = dir_with{ ["x_test.lua"] = OTHER }
    local out, err, rc = run(dir, ". --shard 2/2 --list")
    t.eq({ rc, out }, { 0, "" })
    t.match(err, "^mfakit test: shard 2/2 has no case")
    out, err, rc = run(dir, ". --shard 2/2")
    t.eq(rc, 0, out .. err)
    t.match(err, "^mfakit test: shard 2/2 has no case")
end)

t.case("fixture errors are one line naming the test's line, not a traceback through mfakit", function()
    local dir = dir_with{ ["fix_test.lua"] = [[
local t = require "mfakit.test"
t.case("no stack", function() t.stack("no-such-stack", ".") end)
t.case("no pool", function()
    t.user{ pool = "us-east-1_nothere", client = "c", endpoint = "http://127.0.0.1:9", region = "us-east-1",
        access_key = "k", secret_key = "s" }
end)
t.case("bad mfa", function() t.user{ pool = "p", client = "c", mfa = "email" } end)
]] }
    local out, err, rc = run(dir, ". --output json")
    t.eq(rc, 1, err)
    local cases = assert(json.decode(out)).files[1].cases
    t.match(cases[1].message, "^t%.stack: ")
    t.match(cases[2].message, "^t%.user: AdminCreateUser: ")
    t.match(cases[3].message, "^t%.user: mfa must be none, sms or totp")
    local text = run(dir, ".")
    t.ok(not text:find("fixtures.lua", 1, true), text)
    t.ok(not text:find("stack traceback", 1, true), text)
    t.match(text, "fix_test%.lua:2: error: t%.stack")
    t.match(text, "fix_test%.lua:4: error: t%.user: AdminCreateUser")
    -- run as a script, a test file says how to run it, in one line
    local _, serr, src = support.run("cd '" .. dir .. "' && " .. bin() .. " fix_test.lua")
    t.eq(src, 1)
    t.eq(serr, "mfakit: fix_test.lua:2: t.case registers with the test runner: this is a test file, run it " ..
        "with `mfakit test fix_test.lua`\n")
end)

t.case("t.user on moto: a pool that signs in by e-mail (UsernameAttributes) takes its users", function()
    local moto = t.env("MFAKIT_TEST_MOTO")
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    local admin = support.admin("cognito-idp", moto)
    local pool = assert(admin:call("CreateUserPool", { PoolName = "email-" .. sys.getpid(),
        UsernameAttributes = { "email" } })).UserPool.Id
    local client = assert(admin:call("CreateUserPoolClient", { UserPoolId = pool, ClientName = "c",
        ExplicitAuthFlows = { "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH" } }))
        .UserPoolClient.ClientId
    local u = t.user{ pool = pool, client = client, endpoint = moto, region = "us-east-1", access_key = "testing",
        secret_key = "testing" }
    t.match(u.username, "^mfakit%-%x+@example%.com$")
    local got = assert(admin:call("AdminGetUser", { UserPoolId = pool, Username = u.username }))
    t.eq(got.UserStatus, "CONFIRMED")
end)

t.case("t.user on moto: SIGINT during the case still deletes its user", function()
    local moto = t.env("MFAKIT_TEST_MOTO")
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    local p = support.pool(moto)
    local dir = dir_with{ ["user_test.lua"] = string.format([[
local t = require "mfakit.test"
local task = require "mfakit.task"
t.case("makes a user, then waits", function()
    local u = t.user{ pool = %q, client = %q, client_secret = %q, endpoint = %q, region = "us-east-1",
        access_key = "testing", secret_key = "testing" }
    local f = io.open("user.txt", "w") f:write(u.username) f:close()
    io.open("started", "w"):close()
    task.sleep(60)
end)
]], p.pool_id, p.client_id, p.client_secret or "", moto) }
    local out, err, rc = run_signalled(dir, ". --output json", "INT")
    t.eq(rc, 130, out .. err)
    local c = assert(json.decode(out)).files[1].cases[1]
    t.eq({ c.status, c.message }, { "error", "interrupted by SIGINT" })
    local f = assert(io.open(dir .. "/user.txt"))
    local username = f:read("a")
    f:close()
    t.fails("UserNotFoundException", p.admin:call("AdminGetUser", { UserPoolId = p.pool_id, Username = username }))
end)
