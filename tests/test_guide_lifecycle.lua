-- tests/test_guide_lifecycle.lua: a stack is what it made. Each finding of
-- the lifecycle review is a named case: options kept across runs, renames,
-- roles with extra policies, --spend-limit 10.00, concurrent runs, names
-- checked before any call, down that says what it left.
local sys = require "mfakit.sys"
local task = require "mfakit.task"
local guide = require "mfakit.guide"
local errors = require "mfakit.errors"
local support = dofile("tests/support.lua")
local gsupport = dofile("tests/guide_support.lua")

local t = require "mfakit.test"
local moto = t.env("MFAKIT_TEST_MOTO")
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"
local function need() if not moto then t.skip("MFAKIT_TEST_MOTO not set") end end
local g = moto and gsupport.new(moto, tmp .. "/lifecycle")
local function unique(prefix) return prefix .. "-" .. sys.getpid() .. "-" .. math.random(1e6) end
local function up(args)
    local out, err, rc = g:run("up " .. args)
    t.eq(rc, 0, "up " .. args .. ": " .. err .. out)
    return out
end
local function down_clean(stack, names)
    local out, err, rc = g:run("down --stack " .. stack)
    t.eq(rc, 0, "down: " .. err .. out)
    t.eq(g:roles_of(stack, names), {}, "roles left")
    t.eq(g:pools_of(stack, names), {}, "pools left")
    t.eq(g:state(stack), nil, "state file left")
    local _
    _, err, rc = g:run("down --stack " .. stack)
    t.eq(rc, 0, "a second down: " .. err)
    return out
end

t.case("finding 1: names and --sns-policy given once are kept by later runs", function()
    need()
    local s = unique("lf1")
    up("--stack " .. s .. " --role-name " .. s .. "-Cognito --sns-policy full --client-name " .. s .. "-web")
    up("--stack " .. s)
    local out = up("--stack " .. s .. " --test-user u@example.com --phone +15555550100")
    t.ok(not out:find("created", 1, true) or out:find("08 test-user   created", 1, true), out)
    t.ok(not out:find("01 sms-role    created", 1, true), "no second role: " .. out)
    local st = g:state(s)
    t.eq({ st.settings.role_name, st.settings.sns_policy, st.settings.client_name },
        { s .. "-Cognito", "full", s .. "-web" })
    t.eq(g:roles_of(s, { s .. "-sms-role" }), { s .. "-Cognito" }, "one role, the first one")
    t.eq(g:clients_of(st.resources.pool.id), { s .. "-web" }, "one client, the first one")
    down_clean(s, { s .. "-Cognito", s .. "-sms-role", s .. "-pool" })
end)

t.case("finding 2: a role rename replaces the role; a client rename is in place; a pool rename is refused",
    function()
    need()
    local s = unique("lf2")
    up("--stack " .. s)
    local st = g:state(s)
    local pool, client = st.resources.pool.id, st.resources.client.id
    local out, err, rc = g:run("plan --stack " .. s .. " --role-name " .. s .. "-new --client-name " .. s .. "-c2")
    t.eq(rc, 0, err)
    t.ok(out:find("replace role " .. s .. "-sms-role with " .. s .. "-new", 1, true), out)
    t.ok(out:find("rename app client " .. s .. "-client to " .. s .. "-c2", 1, true), out)
    out = up("--stack " .. s .. " --role-name " .. s .. "-new --client-name " .. s .. "-c2")
    t.ok(out:find("01 sms-role    replaced", 1, true) and out:find("retired", 1, true), out)
    t.eq(g:roles_of(s, { s .. "-sms-role" }), { s .. "-new" }, "old role deleted")
    local p = assert(g.idp:call("DescribeUserPool", { UserPoolId = pool })).UserPool
    t.eq(p.SmsConfiguration.SnsCallerArn, g:state(s).resources.role.arn, "pool points at the new role")
    t.eq(g:state(s).resources.client.id, client, "same client id")
    t.eq(g:clients_of(pool), { s .. "-c2" })
    -- pool: refused, one line, exit 2, nothing changed
    out, err, rc = g:run("up --stack " .. s .. " --pool-name other")
    t.eq({ rc, out }, { 2, "" })
    t.ok(err:find("PoolRenameRefused", 1, true) and select(2, err:gsub("\n", "")) == 1, err)
    t.eq(g:pools_of(s, { "other" }), { pool })
    down_clean(s, { s .. "-sms-role", s .. "-new", s .. "-pool" })
end)

t.case("finding 2: a role replacement killed at any point is finished by up, or undone by down", function()
    need()
    for i = 1, 4 do
        local s = unique("lfk" .. i)
        up("--stack " .. s)
        local t0 = sys.monotonic()
        up("--stack " .. s .. " --role-name " .. s .. "-b")
        local full = sys.monotonic() - t0
        local pid = g:start("up --stack " .. s .. " --role-name " .. s .. "-c")
        task.sleep(full * i / 5)
        os.execute("kill -9 " .. pid .. " 2>/dev/null")
        task.sleep(0.1)
        if i % 2 == 0 then
            -- killed before it saved the new name, up converges to -b; after, to -c
            up("--stack " .. s .. " --lock-timeout 5")
            t.eq(g:roles_of(s, { s .. "-sms-role", s .. "-b", s .. "-c" }), { g:state(s).settings.role_name },
                "kill at " .. i .. "/5")
        end
        down_clean(s, { s .. "-sms-role", s .. "-b", s .. "-c", s .. "-pool" })
    end
end)

t.case("finding 3: down removes extra inline and managed policies and instance profiles first", function()
    need()
    local s = unique("lf3")
    up("--stack " .. s)
    local role = s .. "-sms-role"
    assert(g.iam:call("PutRolePolicy", { RoleName = role, PolicyName = "sns-publish",
        PolicyDocument = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:Publish",' ..
            '"Resource":"*"}]}' }))
    assert(g.iam:call("AttachRolePolicy", { RoleName = role,
        PolicyArn = "arn:aws:iam::aws:policy/AmazonSNSFullAccess" }))
    assert(g.iam:call("CreateInstanceProfile", { InstanceProfileName = s .. "-ip" }))
    assert(g.iam:call("AddRoleToInstanceProfile", { InstanceProfileName = s .. "-ip", RoleName = role }))
    local out = down_clean(s, { role, s .. "-pool" })
    t.ok(out:find("inline sns-publish", 1, true) and out:find("managed AmazonSNSFullAccess", 1, true) and
         out:find("instance profile " .. s .. "-ip", 1, true), out)
    assert(g.iam:call("DeleteInstanceProfile", { InstanceProfileName = s .. "-ip" }))
end)

t.case("down exits 1 naming what is left, and keeps the state", function()
    need()
    local s = unique("lfl")
    up("--stack " .. s)
    local ctx, ok, err = support.with_env(moto, function()
        local c, cerr = guide.context{ stack = s, state_dir = tmp .. "/lifecycle", lock = "test", say = function() end }
        t.ok(c, tostring(cerr))
        -- IAM refuses to delete the role, as it does while something still holds it
        local real = c.iam
        c.iam = { call = function(_, op, p)
            if op == "DeleteRole" then
                return nil, errors.new{ code = "DeleteConflict", message = "Cannot delete entity, must remove " ..
                    "roles from instance profile first." }
            end
            return real:call(op, p)
        end }
        return c, guide.down(c)
    end)
    t.fails("StackNotGone", ok, err)
    t.eq(#err.left, 1, tostring(err))
    t.eq(err.left[1].what, "role " .. s .. "-sms-role")
    t.ok(err.left[1].why:find("DeleteConflict", 1, true) and not err.left[1].again, err.left[1].why)
    t.ok(g:state(s), "state kept")
    ctx.lock:release()
    down_clean(s, { s .. "-sms-role", s .. "-pool" })
end)

t.case("finding 4: --spend-limit 10.00 is the guide's 10; a fraction is one line", function()
    need()
    local s = unique("lf4")
    up("--stack " .. s .. " --spend-limit 10.00")
    t.eq(assert(g.sns:call("GetSMSAttributes")).attributes.MonthlySpendLimit, "10")
    t.eq(g:state(s).settings.spend_limit, "10")
    local out, err, rc = g:run("up --stack " .. s .. " --spend-limit 10.50")
    t.eq({ rc, out }, { 2, "" })
    t.ok(err:find("whole US dollars", 1, true) and select(2, err:gsub("\n", "")) == 1, err)
    down_clean(s, { s .. "-sms-role", s .. "-pool" })
end)

t.case("finding 5: concurrent ups make one stack; up racing down leaves one stack or none", function()
    need()
    for n = 2, 3 do
        local s = unique("lf5")
        local pids = {}
        for i = 1, n do pids[i] = g:start("up --stack " .. s) end
        for i = 1, n do
            os.execute("while kill -0 " .. pids[i] .. " 2>/dev/null; do sleep 0.05; done")
        end
        t.eq(#g:pools_of(s, { s .. "-pool" }), 1, n .. " concurrent ups")
        local st = g:state(s)
        local p = assert(g.idp:call("DescribeUserPool", { UserPoolId = st.resources.pool.id })).UserPool
        t.eq(p.SmsConfiguration.ExternalId, st.external_id)
        local role = assert(g.iam:call("GetRole", { RoleName = s .. "-sms-role" })).Role
        t.eq(role.AssumeRolePolicyDocument.Statement[1].Condition.StringEquals["sts:ExternalId"], st.external_id)
        down_clean(s, { s .. "-sms-role", s .. "-pool" })
    end
    -- a refused writer says who holds the lock
    local s = unique("lf5l")
    local lock = assert(require("mfakit.stack.state").lock(tmp .. "/lifecycle", s, 0, "pid 1 (test)"))
    local out, err, rc = g:run("up --stack " .. s)
    t.eq({ rc, out }, { 1, "" })
    t.ok(err:find("StackLocked", 1, true) and err:find("pid 1 (test)", 1, true), err)
    t.eq(g:pools_of(s, { s .. "-pool" }), {})
    -- readers do not wait for a writer
    out, err, rc = g:run("plan --stack " .. s)
    t.eq(rc, 0, "plan while locked: " .. err .. out)
    -- --lock-timeout waits for the holder to finish
    local waiter = g:start("up --stack " .. s .. " --lock-timeout 20")
    task.sleep(0.5)
    t.eq(g:pools_of(s, { s .. "-pool" }), {}, "the waiter waits")
    lock:release()
    os.execute("while kill -0 " .. waiter .. " 2>/dev/null; do sleep 0.05; done")
    t.eq(#g:pools_of(s, { s .. "-pool" }), 1, "the waiter ran once the lock was free")
    down_clean(s, { s .. "-sms-role", s .. "-pool" })
    -- up and down 0.05 s apart
    for _, gap in ipairs{ 0.05, 0.3 } do
        s = unique("lf5r")
        local a = g:start("up --stack " .. s)
        task.sleep(gap)
        local b = g:start("down --stack " .. s)
        for _, pid in ipairs{ a, b } do
            os.execute("while kill -0 " .. pid .. " 2>/dev/null; do sleep 0.05; done")
        end
        local pools = g:pools_of(s, { s .. "-pool" })
        if g:state(s) then
            t.eq(#pools, 1, "up won: one whole stack")
            t.eq(#g:roles_of(s, { s .. "-sms-role" }), 1)
        else
            t.eq(pools, {}, "down won: nothing")
            t.eq(g:roles_of(s, { s .. "-sms-role" }), {})
        end
        down_clean(s, { s .. "-sms-role", s .. "-pool" })
    end
end)

t.case("review: a role the stack made stays its own after the state file is lost", function()
    need()
    local s = unique("lr1")
    up("--stack " .. s)
    os.remove(g:state_path(s))
    local out = up("--stack " .. s)
    t.ok(not out:find("created", 1, true) or out:find("02 user-pool   created", 1, true), out)
    t.eq(g:state(s).resources.role.made, true, "recorded as made, not adopted")
    -- the old pool is only findable by name and tag now; down takes both pools and the role
    down_clean(s, { s .. "-sms-role", s .. "-pool" })
end)

t.case("review: a rename killed mid-way, then renamed back, leaves nothing after down", function()
    need()
    local s = unique("lr2")
    up("--stack " .. s)
    -- as a run killed after journaling the retirement would leave it
    local st = g:state(s)
    st.resources.retired_roles = { { name = st.resources.role.name, arn = st.resources.role.arn,
                                     role_id = st.resources.role.role_id, made = true } }
    st.resources.role = { name = s .. "-b", status = "creating", made = true }
    st.settings.role_name = s .. "-b"
    g:write_state(s, require("mfakit.json").encode(st))
    -- killed before CreateRole of -b; now back to the first name
    up("--stack " .. s .. " --role-name " .. s .. "-sms-role")
    t.eq(g:state(s).resources.role.made, true)
    down_clean(s, { s .. "-sms-role", s .. "-b", s .. "-pool" })
end)

t.case("review: an adopted role is released, never deleted, with or without the state", function()
    need()
    for _, lose_state in ipairs{ false, true } do
        local s = unique("lr3")
        local role = s .. "-sms-role"
        assert(g.iam:call("CreateRole", { RoleName = role, AssumeRolePolicyDocument = "{}",
            Tags = { { Key = "mfakit:stack", Value = s } } }))
        up("--stack " .. s .. " --sns-policy full")
        t.eq(g:state(s).resources.role.made, false, "adopted")
        if lose_state then os.remove(g:state_path(s)) end
        local out, err, rc = g:run("down --stack " .. s)
        t.eq(rc, 0, err .. out)
        t.ok(out:find("released", 1, true), out)
        local kept = assert(g.iam:call("GetRole", { RoleName = role })).Role
        t.eq(kept.Tags or {}, {}, "the stack's tag is gone")
        t.fails("NoSuchEntity", g.iam:call("GetRolePolicy", { RoleName = role, PolicyName = s .. "-sns-publish" }))
        if not lose_state then
            t.eq(assert(g.iam:call("ListAttachedRolePolicies", { RoleName = role })).AttachedPolicies, {},
                "the managed policy the stack attached is detached")
        end
        g.iam:call("DetachRolePolicy", { RoleName = role, PolicyArn = "arn:aws:iam::aws:policy/AmazonSNSFullAccess" })
        assert(g.iam:call("DeleteRole", { RoleName = role }))
    end
end)

t.case("review: down never deletes a role the state names but the stack did not make", function()
    need()
    local s = unique("lr4")
    up("--stack " .. s)
    local victim = s .. "-victim"
    assert(g.iam:call("CreateRole", { RoleName = victim, AssumeRolePolicyDocument = "{}" }))
    local st = g:state(s)
    st.resources.retired_roles = { { name = victim, made = true } }
    g:write_state(s, require("mfakit.json").encode(st))
    local out, err, rc = g:run("down --stack " .. s)
    t.eq(rc, 0, err .. out)
    assert(g.iam:call("GetRole", { RoleName = victim }), "the victim role survives")
    t.ok(out:find(victim .. " skipped", 1, true), out)
    assert(g.iam:call("DeleteRole", { RoleName = victim }))
end)

t.case("review: up and down refuse credentials of another account", function()
    need()
    local s = unique("lr5")
    up("--stack " .. s)
    -- moto gives credentials of a role assumed in account 111111111111 that account
    local sts = support.admin("sts", moto)
    local c = assert(sts:call("AssumeRole", { RoleArn = "arn:aws:iam::111111111111:role/other",
                                              RoleSessionName = "t" })).Credentials
    local env = string.format("AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s",
        c.AccessKeyId, c.SecretAccessKey, c.SessionToken)
    for _, verb in ipairs{ "down", "up" } do
        local cmd = g:cmd(verb .. " --stack " .. s):gsub("AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing",
            env)
        local out, err, rc = support.run(cmd)
        t.eq({ rc, out }, { 2, "" }, verb .. ": " .. err)
        t.ok(err:find("AccountMismatch", 1, true) and err:find("111111111111", 1, true), err)
    end
    t.ok(g:state(s), "state kept")
    down_clean(s, { s .. "-sms-role", s .. "-pool" })
end)

t.case("review: down takes --pool-name; a refused --role-name is not remembered", function()
    need()
    local s = unique("lr6")
    up("--stack " .. s)
    assert(g.iam:call("CreateRole", { RoleName = s .. "-theirs", AssumeRolePolicyDocument = "{}" }))
    local out, err, rc = g:run("up --stack " .. s .. " --role-name " .. s .. "-theirs")
    t.eq(rc, 1, out)
    t.ok(err:find("RoleNotOurs", 1, true), err)
    t.eq(g:state(s).settings.role_name, s .. "-sms-role", "the refused name is not kept")
    up("--stack " .. s)
    out, err, rc = g:run("down --stack " .. s .. " --pool-name other")
    t.eq(rc, 0, err .. out)
    t.eq(g:pools_of(s, { s .. "-pool" }), {})
    assert(g.iam:call("DeleteRole", { RoleName = s .. "-theirs" }))
end)

t.case("review: plan shows the pool repointed by a role rename, and retired roles still to delete", function()
    need()
    local s = unique("lr7")
    up("--stack " .. s)
    local out, err, rc = g:run("plan --stack " .. s .. " --role-name " .. s .. "-n")
    t.eq(rc, 0, err)
    t.ok(out:find("02 user-pool   update", 1, true), out)
    local st = g:state(s)
    assert(g.iam:call("CreateRole", { RoleName = s .. "-old", AssumeRolePolicyDocument = "{}",
        Tags = { { Key = "mfakit:stack", Value = s }, { Key = "mfakit:made-by-stack", Value = s } } }))
    st.resources.retired_roles = { { name = s .. "-old", made = true } }
    g:write_state(s, require("mfakit.json").encode(st))
    out, err, rc = g:run("plan --stack " .. s)
    t.eq(rc, 0, err)
    t.ok(out:find("delete retired role " .. s .. "-old", 1, true), out)
    out = up("--stack " .. s)
    t.ok(out:find("retired   " .. s .. "-old", 1, true), out)
    down_clean(s, { s .. "-sms-role", s .. "-old", s .. "-n", s .. "-pool" })
end)

t.case("review: one step's down leaves the other steps' resources alone", function()
    need()
    local s = unique("lr8")
    up("--stack " .. s)
    local st = g:state(s)
    st.resources.pool.status = "creating"
    g:write_state(s, require("mfakit.json").encode(st))
    local out, err, rc = g:run("down --step 01 --stack " .. s)
    t.eq(rc, 0, err .. out)
    t.eq(#g:pools_of(s, { s .. "-pool" }), 1, "the pool is step 02's")
    down_clean(s, { s .. "-sms-role", s .. "-pool" })
end)

t.case("finding 7: names are checked like --stack, before any call", function()
    need()
    local s = unique("lf7")
    for _, bad in ipairs{ "--role-name ../x", "--pool-name " .. string.rep("p", 100000),
                          "--client-name '\240\159\152\128'", "--role-name " .. string.rep("r", 65) } do
        local out, err, rc = g:run("up --stack " .. s .. " " .. bad)
        t.eq({ rc, out }, { 2, "" }, bad:sub(1, 40))
        t.ok(select(2, err:gsub("\n", "")) == 1 and #err < 400, err:sub(1, 400))
        t.ok(not err:find("traceback", 1, true), err:sub(1, 400))
    end
    t.eq(g:roles_of(s, { "x" }), {})
    t.eq(g:pools_of(s), {})
    t.eq(g:state(s), nil)
end)
