-- tests/test_front_door.lua: the findings of a fresh-eyes review of the front
-- door, each a named case: mistyped options are never arguments, scripts
-- check their options before anything is sent, a server's text is one safe
-- line, echoed secrets in any JSON spelling are scrubbed, output files are
-- plain files, huge page tokens are bounded, creates are not repeated after
-- a 5xx, a step that needs the pool says so.
local json = require "mfakit.json"
local http = require "mfakit.http"
local aws = require "mfakit.aws"
local paginate = require "mfakit.aws.paginate"
local secrets = require "mfakit.secrets"
local support = dofile("tests/support.lua")

local function one_line(err) return select(2, err:gsub("\n", "")) == 1 end

local t = require "mfakit.test"
local fault = t.env("MFAKIT_TEST_FAULT")
local moto = t.env("MFAKIT_TEST_MOTO")
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"
local bin = support.bin()
local function need_fault() if not fault then t.skip("MFAKIT_TEST_FAULT not set") end end
local function script(answers)
    assert(http.request{ method = "POST", url = fault .. "/_reset", body = "" })
    assert(http.request{ method = "POST", url = fault .. "/_script", body = json.encode(answers or {}) })
end
local function requests()
    return json.decode(assert(http.request{ url = fault .. "/_requests" }).body)
end

t.case("a mistyped option is a usage error, never an argument", function()
    local dir = tmp .. "/front-state"
    for _, args in ipairs{ "totp --stack_name x", "guide down --stack_name other", "guide down -stack s5",
                           "guide down \226\128\148stack s5", "guide down --st\195\164ck s5",
                           "guide status extra words" } do
        local out, err, rc = support.run(bin .. " " .. args .. " --region us-east-1 --endpoint http://127.0.0.1:9" ..
            " --state-dir " .. dir)
        t.eq({ rc, out }, { 2, "" }, args .. ": " .. err)
        t.ok(one_line(err) and (err:find("unknown option", 1, true) or err:find("unexpected argument", 1, true)),
            args .. ": " .. err)
    end
end)

t.case("user scripts check their options before anything is sent", function()
    need_fault()
    local base = " --client-id c --username u --password-env PW --region us-east-1 --endpoint " .. fault
    for _, case in ipairs{
        { "scripts/user/setup-totp.lua", "--issuer=", "--issuer must be non-empty" },
        { "scripts/user/setup-totp.lua", "--code-from bogus:1", "unknown code source" },
        { "scripts/user/remember-device.lua", "", "--device-file PATH is required" },
        { "scripts/user/forget-device.lua", "", "--device-key KEY or --device-file PATH is required" },
        { "scripts/user/verify-phone.lua", "--code-from bogus:1", "unknown code source" },
        { "scripts/user/user-info.lua", "--user-pool-id bad-id", "user_pool_id looks like" },
        { "load --rate 1 --logins 1 --progress never", "--flow weird", "--flow must be srp or password" },
        { "load --rate 1 --logins 1 --progress never", "--totp-secret-env MFAKIT_UNSET_VAR", "is not set" },
        { "load --rate 1 --logins 1 --progress never", "--quota InitiateAuth", "--quota takes OPERATION=RPS" },
    } do
        script()
        local pool = case[2]:find("--user-pool-id", 1, true) and "" or " --user-pool-id us-east-1_abc"
        local out, err, rc = support.run("PW=Passw0rd1 " .. bin .. " " .. case[1] .. base .. pool .. " " .. case[2])
        t.eq({ rc, out }, { 2, "" }, case[1] .. " " .. case[2] .. ": " .. err)
        t.ok(one_line(err) and err:find(case[3], 1, true), case[1] .. " " .. case[2] .. ": " .. err)
        t.eq(#requests(), 0, case[1] .. " " .. case[2] .. " sent a request")
    end
end)

t.case("a server's error text is one line without control characters", function()
    need_fault()
    local nasty = "line1\nFAKE: all good\27[2J\27]0;pwned\7"
    local answer = { status = 400, body = json.encode{ __type = "NotAuthorizedException", message = nasty } }
    script{ answer }
    local out, err, rc = support.run("PW=Passw0rd1 " .. bin .. " scripts/user/user-info.lua --user-pool-id " ..
        "us-east-1_abc --client-id c --username u --password-env PW --region us-east-1 --endpoint " .. fault)
    t.eq({ rc, out }, { 1, "" }, err)
    t.ok(one_line(err) and not err:find("\27", 1, true) and err:find("FAKE: all good", 1, true), err)
    script{ answer, answer }
    out, err = support.run(bin .. " guide status --stack front-x --region us-east-1 --endpoint " .. fault ..
        " --state-dir " .. tmp .. "/front-state")
    t.ok(not (out .. err):find("\27", 1, true), out .. err)
end)

t.case("an echoed non-ASCII password, in \\u escapes, is scrubbed from --trace", function()
    need_fault()
    local pw = "p\195\164ssw\195\182rd-S\195\169cret9"
    script{ { status = 400, echo = true,
              body = '{"__type":"NotAuthorizedException","message":"Incorrect password {PASSWORD}"}' } }
    local out, err = support.run("PW='" .. pw .. "' " .. bin .. " --trace login --flow password " ..
        "--user-pool-id us-east-1_abc --client-id c --username u --password-env PW --region us-east-1 " ..
        "--endpoint " .. fault)
    local all = out .. err
    t.ok(all:find("Incorrect password", 1, true), "the server answered: " .. all:sub(1, 300))
    t.ok(not all:find("ssw\\u00f6rd", 1, true) and not all:find("ssw\\u00F6rd", 1, true) and
         not all:find(pw, 1, true), "echoed password shown")
    secrets._reset()
    secrets.add(pw)
    t.eq(secrets.scrub("a p\\u00e4ssw\\u00f6rd-S\\u00e9cret9 b P\\u00C4SSW"), "a <redacted> b P\\u00C4SSW")
end)

t.case("output files must be plain files: a FIFO or a link is refused, not replaced", function()
    local dir = tmp .. "/front-out"
    os.execute("rm -rf " .. dir .. " && mkdir -p " .. dir .. " && mkfifo " .. dir .. "/fifo && ln -s " ..
        dir .. "/target " .. dir .. "/link")
    for _, args in ipairs{ "guide env --write " .. dir .. "/fifo", "guide env --write " .. dir .. "/link",
                           "cost --mau 10 --chart " .. dir .. "/fifo" } do
        local out, err, rc = support.run(bin .. " " .. args .. " --region us-east-1")
        t.eq({ rc, out }, { 2, "" }, args .. ": " .. err)
        t.ok(err:find("not a regular file", 1, true), err)
    end
    t.eq(support.run("stat -c %F " .. dir .. "/fifo"), "fifo\n")
    t.eq(support.run("stat -c %F " .. dir .. "/link"), "symbolic link\n")
end)

t.case("huge page tokens are refused, and seen tokens are kept as digests", function()
    local n = 0
    local big = string.rep("t", paginate.max_token + 1)
    local items, err = paginate.all(function()
        n = n + 1
        return { Items = { n }, NextToken = big }
    end, "ListUserPools", {}, "Items")
    t.fails("InvalidResponse", items, err)
    t.eq(n, 1)
end)

t.case("a create is not sent again after a 5xx", function()
    need_fault()
    script{ { status = 500, body = '{"__type":"InternalErrorException","message":"boom"}' },
            { status = 200, body = '{"UserPool":{"Id":"us-east-1_x"}}' } }
    local c = aws.client("cognito-idp", { region = "us-east-1", endpoint = fault, access_key = "a",
                                          secret_key = "b", retry_base = 0.01 })
    t.fails("InternalErrorException", c:call("CreateUserPool", { PoolName = "p" }))
    t.eq(#requests(), 1)
    -- a read is retried as before
    script{ { status = 500, body = '{"__type":"InternalErrorException","message":"boom"}' },
            { status = 200, body = '{"UserPool":{"Id":"us-east-1_x"}}' } }
    assert(c:call("DescribeUserPool", { UserPoolId = "us-east-1_x" }))
    t.eq(#requests(), 2)
end)

t.case("a step that needs the pool says so instead of sending a half request", function()
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    local stack = "front-np-" .. math.random(1e6)
    local out, err, rc = support.run(string.format("AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=testing " ..
        "AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 %s guide up --step 03 --stack %s --state-dir %s",
        moto, bin, stack, tmp .. "/front-np"))
    t.eq(rc, 1, out .. err)
    t.ok(err:find("NoPool", 1, true) and err:find("--step 02", 1, true), err)
end)

t.case("an option given twice, and --local with --endpoint, are usage errors", function()
    for _, args in ipairs{ "guide plan --step 01 --step 02", "totp --digits 6 --digits 8 --secret-env X",
                           "--region a guide plan --region b --region c", "--local --endpoint http://x guide plan" } do
        local out, err, rc = support.run(bin .. " " .. args)
        t.eq({ rc, out }, { 2, "" }, args .. ": " .. err)
        t.ok(one_line(err) and (err:find("given twice", 1, true) or err:find("not both", 1, true)), args .. ": " .. err)
    end
end)

t.case("doctor --list --output json is JSON; an --extra file returning a string is an error", function()
    local out, err, rc = support.run(bin .. " doctor --list --output json")
    t.eq(rc, 0, err)
    local doc = assert(json.decode(out), out)
    t.eq(doc.checks[1].id, "credentials")
    local f = assert(io.open(tmp .. "/extra-bad.lua", "w"))
    f:write('return "oops"\n')
    f:close()
    out, err, rc = support.run(bin .. " doctor --list --extra " .. tmp .. "/extra-bad.lua")
    t.eq({ rc, out }, { 2, "" }, err)
    t.ok(err:find("returned a string", 1, true), err)
end)

t.case("Ctrl-C during sys.sleep ends the script with status 130 once signals are trapped", function()
    local out, err, rc = support.run(bin .. " -e 'local sys = require \"mfakit.sys\" sys.trap_signals() " ..
        "os.execute(\"(sleep 0.3; kill -INT \" .. sys.getpid() .. \") &\") sys.sleep(20) print(\"after\")'")
    t.eq(rc, 130, out .. err)
    t.ok(not out:find("after", 1, true), out)
    t.ok(err:find("interrupted by SIGINT", 1, true), err)
end)
