-- tests/test_guide_state.lua: the state file read as input from outside.
-- Every corrupt shape, given to every guide command, is InvalidStateFile
-- with the field's path and exit 2, never a traceback; non-regular files
-- are refused without hanging or reading them; today's (version 1) file
-- keeps working and is migrated on the next write.
local sys = require "mfakit.sys"
local gsupport = dofile("tests/guide_support.lua")
local support = dofile("tests/support.lua")

local VALID = '{"version":2,"stack":"%s","region":"us-east-1","external_id":"mfakit-00","resources":{}}'

-- field path (or what) -> the broken document, %s is the stack
local CORRUPT = {
    { "not JSON", "{not json" },
    { "empty file", "" },
    { "JSON null", "null" },
    { "a list", "[]" },
    { "a number", "42" },
    { "another stack", '{"stack":"someone-else","resources":{}}' },
    { "resources", '{"stack":"%s","resources":[]}' },
    { "resources", '{"stack":"%s","resources":[1]}' },
    { "resources", '{"stack":"%s","resources":"x"}' },
    { "settings", '{"stack":"%s","settings":"x","resources":{}}' },
    { "settings.mfa", '{"stack":"%s","settings":{"mfa":"SOMETIMES"},"resources":{}}' },
    { "settings.sms", '{"stack":"%s","settings":{"sms":"yes"},"resources":{}}' },
    { "settings.role_name", '{"stack":"%s","settings":{"role_name":{"a":1}},"resources":{}}' },
    { "settings.spend_limit", '{"stack":"%s","settings":{"spend_limit":10},"resources":{}}' },
    { "external_id", '{"stack":"%s","external_id":{"a":1},"resources":{}}' },
    { "external_id", '{"stack":"%s","external_id":"has spaces in it","resources":{}}' },
    { "version", '{"stack":"%s","version":"2","resources":{}}' },
    { "a newer version", '{"stack":"%s","version":3,"resources":{}}' },
    { "version", '{"stack":"%s","version":1.5,"resources":{}}' },
    { "region", '{"stack":"%s","region":5,"resources":{}}' },
    { "region", '{"stack":"%s","region":"../../x","resources":{}}' },
    { "stack", '{"stack":7,"resources":{}}' },
    { "resources.role", '{"stack":"%s","resources":{"role":"x"}}' },
    { "resources.role.name", '{"stack":"%s","resources":{"role":{"name":5}}}' },
    { "resources.role.arn", '{"stack":"%s","resources":{"role":{"name":"r","arn":{}}}}' },
    { "resources.role.status", '{"stack":"%s","resources":{"role":{"name":"r","status":"gone"}}}' },
    { "resources.role.made", '{"stack":"%s","resources":{"role":{"name":"r","made":"yes"}}}' },
    { "resources.pool.id", '{"stack":"%s","resources":{"pool":{"id":[]}}}' },
    { "resources.pool.id", '{"stack":"%s","resources":{"pool":{"id":"not a pool id"}}}' },
    { "resources.client.id", '{"stack":"%s","resources":{"client":{"id":true}}}' },
    { "resources.user.username", '{"stack":"%s","resources":{"user":{"username":1}}}' },
    { "resources.sns.previous", '{"stack":"%s","resources":{"sns":{"previous":"x"}}}' },
    { "resources.sns.set", '{"stack":"%s","resources":{"sns":{"set":[1]}}}' },
    { "resources.sns.set.DefaultSMSType", '{"stack":"%s","resources":{"sns":{"set":{"DefaultSMSType":1}}}}' },
    { "resources.retired_roles", '{"stack":"%s","resources":{"retired_roles":"x"}}' },
    { "resources.retired_roles[1]", '{"stack":"%s","resources":{"retired_roles":[5]}}' },
    { "resources.bucket", '{"stack":"%s","resources":{"bucket":"x"}}' },
    { "resources.group.name", '{"stack":"%s","resources":{"group":{"name":{"a":1}}}}' },
    { "names_used.role", '{"stack":"%s","resources":{},"names_used":{"role":"x"}}' },
    { "names_used.role[1]", '{"stack":"%s","resources":{},"names_used":{"role":[1]}}' },
    { "a key with a line break", '{"stack":"%s","resources":{"a\\nb":"x"}}' },
    { "control characters", '{"stack":"%s","resources":{"role":{"name":"a\\nb"}}}' },
}

local VERBS = { "up", "down", "plan", "status", "env" }

local t = require "mfakit.test"
local moto = t.env("MFAKIT_TEST_MOTO")
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"
local dir = tmp .. "/state-table"
-- the endpoint is never reached: every command stops at the state file
local g = gsupport.new(moto or "http://127.0.0.1:9", dir)

local function refused(stack, label)
    for _, verb in ipairs(VERBS) do
        local out, err, rc = g:run(verb .. " --stack " .. stack)
        t.eq({ rc, out }, { 2, "" }, label .. ", " .. verb .. ": " .. err)
        t.ok(err:find("InvalidStateFile", 1, true), label .. ", " .. verb .. ": " .. err)
        t.eq(select(2, err:gsub("\n", "")), 1, "one line: " .. err)
        t.ok(not err:find("traceback", 1, true), err)
    end
end

t.case("finding 6: every corrupt shape is InvalidStateFile with the field's path, for every command", function()
    for i, case in ipairs(CORRUPT) do
        local stack = "bad" .. i
        g:write_state(stack, (case[2]:gsub("%%s", stack)))
        refused(stack, case[1])
        if not case[1]:find(" ", 1, true) then
            local _, err = g:run("status --stack " .. stack)
            t.ok(err:find(": " .. case[1] .. ":", 1, true), "names the field " .. case[1] .. ": " .. err)
        end
        os.remove(g:state_path(stack))
    end
end)

t.case("finding 6: a directory, a FIFO, a link, a huge file are refused without hanging", function()
    os.execute("mkdir -p " .. dir .. "/nr1.json")
    refused("nr1", "directory")
    os.execute("mkfifo " .. dir .. "/nr2.json")
    refused("nr2", "fifo")
    os.execute("ln -sf /dev/zero " .. dir .. "/nr3.json")
    refused("nr3", "link to /dev/zero")
    g:write_state("nr4-real", VALID:format("nr4"))
    os.execute("ln -sf " .. dir .. "/nr4-real.json " .. dir .. "/nr4.json")
    refused("nr4", "link to a state file")
    g:write_state("nr5", '{"stack":"nr5","resources":{},"pad":"' .. string.rep("x", 2 * 1024 * 1024) .. '"}')
    refused("nr5", "2 MiB")
    local _, err = g:run("status --stack nr5")
    t.ok(err:find("FileTooLarge", 1, true) or err:find("bytes", 1, true), err)
end)

t.case("finding 6: an unreadable state file is an error, never 'no state'", function()
    g:write_state("nr6", VALID:format("nr6"))
    os.execute("chmod 000 " .. g:state_path("nr6"))
    -- root reads any file: run as nobody when we are root
    local prefix = ""
    local uid = support.run("id -u")
    if uid == "0\n" then
        if not support.run("command -v setpriv") or support.run("command -v setpriv") == "" then
            t.skip("running as root without setpriv")
        end
        os.execute("chmod 755 " .. dir .. " && chmod 755 " .. tmp)
        prefix = "setpriv --reuid=65534 --regid=65534 --clear-groups "
    end
    local cmd = g:cmd("plan --stack nr6"):gsub("^(AWS_ENDPOINT_URL=%S+ %S+ %S+ %S+) ", "%1 " .. prefix)
    local out, err, rc = support.run(cmd)
    t.eq({ rc, out }, { 2, "" }, err)
    t.ok(err:find("InvalidStateFile", 1, true) and err:find("ermission", 1, true), err)
    os.execute("chmod 600 " .. g:state_path("nr6"))
end)

t.case("finding 6: --state-dir must name a usable directory", function()
    local bin = support.bin()
    local _, err, rc = support.run(bin .. " guide up --region us-east-1 --state-dir ''")
    t.eq(rc, 2, err)
    t.ok(err:find("--state-dir must name a directory", 1, true), err)
    g:write_state("plain", "x")
    _, err, rc = support.run(bin .. " guide plan --region us-east-1 --state-dir " .. g:state_path("plain"))
    t.eq(rc, 2, err)
    t.ok(err:find("not a directory", 1, true), err)
end)

t.case("finding 6: a file without a version is read as version 1 and written as version 2", function()
    local state = require "mfakit.stack.state"
    g:write_state("nover", '{"stack":"nover","resources":{"role":{"name":"nover-sms-role","status":"creating"}}}')
    local st = assert(state.load(dir, "nover"))
    t.eq({ st.doc.version, st.doc.settings.role_name, st.doc.resources.role.made }, { 2, "nover-sms-role", true })
    assert(st:save())
    t.eq(g:state("nover").version, 2)
    g:write_state("newer", '{"stack":"newer","version":3,"resources":{}}')
    local bad, err = state.load(dir, "newer")
    t.fails("InvalidStateFile", bad, err)
    t.ok(err.message:find("written by a newer mfakit", 1, true), err.message)
end)

t.case("a version 1 file keeps working: up converges to it, writes version 2, down removes it", function()
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    local stack = "v1-" .. sys.getpid() .. "-" .. math.random(1e6)
    local _, err, rc = g:run("up --stack " .. stack .. " --role-name " .. stack .. "-custom-role --sns-policy full")
    t.eq(rc, 0, err)
    local now = g:state(stack)
    local f = assert(io.open("tests/fixtures/guide-state-v1.json"))
    local fixture = f:read("a"):gsub("{{(%u+_?%u*)}}", {
        STACK = stack, EXTERNAL_ID = now.external_id, CLIENT_ID = now.resources.client.id,
        POOL_ID = now.resources.pool.id, POOL_ARN = now.resources.pool.arn, ROLE_ARN = now.resources.role.arn })
    f:close()
    g:write_state(stack, fixture)
    local out
    out, err, rc = g:run("up --stack " .. stack)
    t.eq(rc, 0, err)
    t.ok(not out:find("created", 1, true), "nothing new: " .. out)
    local doc = g:state(stack)
    t.eq({ doc.version, doc.settings.role_name, doc.settings.sns_policy, doc.resources.role.made },
        { 2, stack .. "-custom-role", "full", true })
    t.eq(g:roles_of(stack, { stack .. "-sms-role" }), { stack .. "-custom-role" })
    _, err, rc = g:run("down --stack " .. stack)
    t.eq(rc, 0, err)
    t.eq(g:roles_of(stack, { stack .. "-sms-role", stack .. "-custom-role" }), {})
    t.eq(g:state(stack), nil)
end)
