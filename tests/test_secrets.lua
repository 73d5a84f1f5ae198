-- tests/test_secrets.lua: a server that echoes the secrets it was sent gets
-- none of them printed, in any form they arrived; children get no secrets;
-- core dumps are off once a secret is held.
local json = require "mfakit.json"
local http = require "mfakit.http"
local cognito = require "mfakit.cognito"
local secrets = require "mfakit.secrets"
local support = dofile("tests/support.lua")

local PASSWORD = "Echo-Pa55word!x"
local CODE = "734921"
local SESSION = "SESSION-echo-4fd2a9c1"
local ACCESS = "ACCESSTOKENnotajwt-81be"

local function script(fault, answers)
    assert(http.request{ method = "POST", url = fault .. "/_reset", body = "" })
    assert(http.request{ method = "POST", url = fault .. "/_script", body = json.encode(answers) })
end

local function err400(message)
    return { status = 400, echo = true, headers = { ["x-echo"] = message },
             body = json.encode{ __type = "NotAuthorizedException", message = message } }
end

-- InitiateAuth answers with an SMS_MFA challenge; the answer to it is refused
-- with an error that echoes the code and the session.
local function sms_then_echo()
    return {
        { status = 200, body = json.encode{ ChallengeName = "SMS_MFA", Session = SESSION,
            ChallengeParameters = { USERNAME = "alice", CODE_DELIVERY_DESTINATION = "+*******0100" } } },
        err400("code was {SMS_MFA_CODE}, session {Session}, secret hash {SECRET_HASH}"),
    }
end

local function no_secret_in(t, text, list)
    for _, s in ipairs(list) do
        t.ok(not text:find(s, 1, true), "shows the secret " .. s .. ":\n" .. text)
    end
end

local function write(path, text)
    local f = assert(io.open(path, "w"))
    f:write(text)
    f:close()
end

local function read(path)
    local f = io.open(path)
    if not f then return nil end
    local s = f:read("a")
    f:close()
    return s
end

local t = require "mfakit.test"
local fault = t.env("MFAKIT_TEST_FAULT")
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"
local bin = support.bin()

local function login(env, extra)
    return support.run(string.format("%s %s login --user-pool-id us-east-1_echo --client-id c --username alice " ..
        "--endpoint %s --region us-east-1 %s < /dev/null", env, bin, fault, extra))
end

t.case("login: an echoed password is not printed, with or without --trace", function()
    if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
    for _, trace in ipairs{ "", "--trace" } do
        script(fault, { err400("password was {PASSWORD}") })
        local out, err, rc = login("PW='" .. PASSWORD .. "'", "--password-env PW --flow password " .. trace)
        t.eq(rc, 1, err)
        t.eq(out, "")
        t.ok(err:find("password was <redacted>", 1, true), err)
        no_secret_in(t, out .. err, { PASSWORD })
        if trace == "" then t.eq(select(2, err:gsub("\n", "")), 1, "one line: " .. err) end
    end
end)

t.case("login --trace: an echoed SMS code, session and secret hash are not printed", function()
    if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
    script(fault, sms_then_echo())
    local out, err, rc = login("PW='" .. PASSWORD .. "' CODE=" .. CODE .. " CS=client-SECRET-9f3e",
        "--password-env PW --client-secret-env CS --flow password --sms-code-from env:CODE --trace")
    t.eq(rc, 1, err)
    t.ok(err:find("code was <redacted>, session <redacted>", 1, true), err)
    t.ok(err:find("x-echo: code was <redacted>", 1, true), "echoed header scrubbed too:\n" .. err)
    no_secret_in(t, out .. err, { PASSWORD, CODE, SESSION, "client-SECRET-9f3e" })
    local hash = cognito.secret_hash("alice", "c", "client-SECRET-9f3e")
    no_secret_in(t, out .. err, { hash })
end)

-- The Lua API, for every form a password or code can take.
local forms = {
    { "a plain string", function() return PASSWORD end },
    { "a function", function() return function() return PASSWORD end end },
    { "env:", function() require("mfakit.sys").setenv("MFAKIT_ECHO_PW", PASSWORD) return "env:MFAKIT_ECHO_PW" end },
    { "cmd:", function() return "cmd:echo '" .. PASSWORD .. "'" end },
}
for _, form in ipairs(forms) do
    t.case("sign_in: an echoed password given as " .. form[1] .. " is scrubbed from err", function()
        if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
        script(fault, { err400("password was {PASSWORD}") })
        local idp = cognito.new{ user_pool_id = "us-east-1_echo", client_id = "c", endpoint = fault,
                                 region = "us-east-1", access_key = "AKID", secret_key = "x" }
        local spec = form[2]()
        local opts = { username = "alice", flow = "password" }
        if type(spec) == "string" and not spec:find(":", 1, true) then opts.password = spec
        else opts.password_source = spec end
        local e = t.fails("NotAuthorizedException", idp:sign_in(opts))
        t.eq(e.message, "password was <redacted>")
        no_secret_in(t, tostring(e), { PASSWORD })
    end)
end

t.case("sign_in: echoed codes (any source), sessions and tokens are scrubbed", function()
    if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
    local idp = cognito.new{ user_pool_id = "us-east-1_echo", client_id = "c", endpoint = fault,
                             region = "us-east-1", access_key = "AKID", secret_key = "x" }
    for _, code in ipairs{ CODE, function() return CODE end, "cmd:echo " .. CODE } do
        script(fault, sms_then_echo())
        local e = t.fails("NotAuthorizedException", idp:sign_in{ username = "alice", password = PASSWORD,
            flow = "password", sms_code = code })
        no_secret_in(t, tostring(e), { CODE, SESSION })
    end
    -- a token from a sign-in, echoed by a later call
    script(fault, { { status = 200, body = json.encode{ AuthenticationResult = { AccessToken = ACCESS,
        IdToken = "IDTOKENnotajwt-77", RefreshToken = "REFRESHnotajwt-55", ExpiresIn = 3600 } } },
        err400("no such token {AccessToken}") })
    local r = assert(idp:sign_in{ username = "alice", password = PASSWORD, flow = "password" })
    t.ok(r, "signed in")
    local e = t.fails("NotAuthorizedException", idp.client:call("GetUser", { AccessToken = ACCESS }))
    t.eq(e.message, "no such token <redacted>")
end)

t.case("scrub: longest value first, JSON-escaped forms, short values left alone", function()
    secrets.add("abcd")
    secrets.add("abcdefgh")
    secrets.add('q"uo/te')
    secrets.add("ab")
    t.eq(secrets.scrub("x abcdefgh abcd ab"), "x <redacted> <redacted> ab")
    t.eq(secrets.scrub('{"m":"q\\"uo\\/te"}'), '{"m":"<redacted>"}')
    t.eq(require("mfakit.redact").text("said abcdefgh"), "said <redacted>")
end)

t.case("held: longest first as values come and go; the oldest beyond MAX_VALUES is forgotten", function()
    local max = secrets.MAX_VALUES
    secrets.add("first-secret")
    secrets.add('sh"ared')          -- two forms: as is, and JSON-escaped
    for i = 1, max - 2 do secrets.add(string.rep("v", 4 + i % 37) .. i) end
    t.eq(#secrets.held(), max + 1)   -- 'sh"ared' has two forms
    local held = secrets.held()
    for i = 2, #held do t.ok(#held[i - 1] >= #held[i], "longest first at " .. i) end
    t.eq(secrets.scrub("first-secret"), "<redacted>")
    secrets.add("one-more-secret")   -- the oldest, first-secret, goes
    t.eq(secrets.scrub("first-secret"), "first-secret")
    t.eq(secrets.scrub('x sh\\"ared'), "x <redacted>")
    secrets.add("and-another-one")   -- 'sh"ared' goes, both its forms with it
    t.eq(#secrets.held(), max)
    t.eq(secrets.scrub('sh"ared'), 'sh"ared')
    held = secrets.held()
    for i = 2, #held do t.ok(#held[i - 1] >= #held[i], "still longest first at " .. i) end
end)

t.case("cmd: children get the environment minus the secrets' variables; AWS credentials pass", function()
    if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
    local dump = tmp .. "/cmd-env.txt"
    os.remove(dump)
    script(fault, { sms_then_echo()[1], { status = 200, body = json.encode{ AuthenticationResult = {
        AccessToken = ACCESS, IdToken = ACCESS, ExpiresIn = 3600 } } } })
    local env = "PW=pw-secret-1 CS=cs-secret-2 TS=GEZDGNBVGY3TQOJQ NP=np-secret-3 AWS_ACCESS_KEY_ID=AKIDCHILD " ..
        "AWS_SECRET_ACCESS_KEY=aws-secret-4 UNRELATED=stays"
    local out, err, rc = login(env, "--password-env PW --client-secret-env CS --totp-secret-env TS " ..
        "--new-password-env NP --flow password --sms-code-from 'cmd:env > " .. dump .. "; echo 123456'")
    t.eq(rc, 0, err .. out)
    local seen = assert(read(dump), "the command ran")
    for _, name in ipairs{ "PW", "CS", "TS", "NP" } do
        t.ok(not seen:find("\n" .. name .. "=", 1, true) and not seen:find("^" .. name .. "="), name .. " passed")
    end
    no_secret_in(t, seen, { "pw-secret-1", "cs-secret-2", "np-secret-3", "GEZDGNBVGY3TQOJQ" })
    t.ok(seen:find("AWS_SECRET_ACCESS_KEY=aws-secret-4", 1, true), "AWS credentials pass")
    t.ok(seen:find("UNRELATED=stays", 1, true), "other variables pass")
end)

t.case("cmd: output is capped (a command that never stops printing)", function()
    local codes = require "mfakit.cognito.codes"
    local started = require("mfakit.sys").monotonic()
    local e = t.fails("CodeSourceTooLarge", codes.source("cmd:yes", "SMS code")())
    t.ok(e.message:find("more than 4096 bytes", 1, true), e.message)
    t.ok(require("mfakit.sys").monotonic() - started < 5, "stopped at once")
    t.eq(codes.source("cmd:printf '%04000d\\n' 7", "SMS code")(), string.rep("0", 3999) .. "7")
end)

t.case("--local: the emulator child gets no credentials or secrets", function()
    local dump = tmp .. "/moto-env.txt"
    local fake = tmp .. "/fake-moto"
    os.remove(dump)
    write(fake, "#!/bin/sh\nenv > " .. dump .. "\nexit 3\n")
    os.execute("chmod +x " .. fake)
    local _, err, rc = support.run(string.format("MFAKIT_MOTO_SERVER=%s AWS_ACCESS_KEY_ID=AKIDUSER " ..
        "AWS_SECRET_ACCESS_KEY=user-secret-5 AWS_SESSION_TOKEN=user-token-6 PW=pw-7 AWS_PROFILE=prod " ..
        "%s --local login --user-pool-id us-east-1_x --client-id c --username u --password-env PW", fake, bin))
    t.eq(rc, 1, err)
    t.ok(err:find("EmulatorFailed", 1, true), err)
    local seen = assert(read(dump), "the fake emulator ran")
    t.ok(not seen:find("AWS_", 1, true), "no AWS_ variable:\n" .. seen)
    no_secret_in(t, seen, { "user-secret-5", "user-token-6", "pw-7", "AKIDUSER" })
    t.ok(seen:find("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true", 1, true), seen)
    t.ok(seen:find("PATH=", 1, true), seen)
end)

t.case("core dumps are off once a secret is held (login, and the library)", function()
    if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
    -- from outside: the cmd: child reads mfakit's limits
    local limits = tmp .. "/limits.txt"
    script(fault, { sms_then_echo()[1], err400("no") })
    local _, err = support.run("ulimit -S -c unlimited; " .. string.format("PW=x %s login --user-pool-id " ..
        "us-east-1_echo --client-id c --username alice --endpoint %s --region us-east-1 --password-env PW " ..
        "--flow password --sms-code-from 'cmd:grep core /proc/$PPID/limits > %s; echo 1234' < /dev/null",
        bin, fault, limits))
    local seen = assert(read(limits), err)
    t.ok(seen:match("^Max core file size%s+0%s"), seen)
    -- from within: the dumpable flag, before and after a secret
    local out = support.run(bin .. [[ -e 'local sys = require "mfakit.sys"
            print((select(2, sys.dumpable())))
            require("mfakit.secrets").add("a-secret-value")
            print(sys.dumpable())']])
    t.eq(out, "true\nfalse\tfalse\tfalse\n")
end)
