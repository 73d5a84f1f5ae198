-- tests/test_hostile.lua: a hostile or broken server (tests/fault_hostile.py)
-- against the library and the commands. Each case runs mfakit as a child
-- and checks the error code, the child's peak RSS (under 64 MiB) and how
-- many requests reached the server.
local http = require "mfakit.http"
local json = require "mfakit.json"
local support = dofile("tests/support.lua")

local MAX_RSS_KIB = 64 * 1024

-- Library cases: a script run as `mfakit FILE`; ENDPOINT is replaced by the
-- case's endpoint; the script prints one JSON line about the error.
local REPORT = [[
local json = require "mfakit.json"
local function report(v, err)
    if v then print(json.encode{ ok = true }) return end
    print(json.encode{ code = err.code, attempts = err.attempts or json.null, message = tostring(err) })
end
local aws = require "mfakit.aws"
local cognito = require "mfakit.cognito"
local KEYS = { region = "us-east-1", access_key = "AKIDEXAMPLE", secret_key = "secret", retry_base = 0.01 }
local function client(service, extra)
    local o = { endpoint = ENDPOINT }
    for k, v in pairs(KEYS) do o[k] = v end
    for k, v in pairs(extra or {}) do o[k] = v end
    return aws.client(service, o)
end
local function idp(extra)
    local o = { user_pool_id = "us-east-1_abc", client_id = "client", endpoint = ENDPOINT, retry_base = 0.01 }
    for k, v in pairs(extra or {}) do o[k] = v end
    return cognito.new(o)
end
local _ = { client, idp }
]]

local PAGINATE = 'local paginate = require "mfakit.aws.paginate"\n'
local LIST_POOLS = 'report(client("cognito-idp"):call("ListUserPools", { MaxResults = 60 }))'
local SIGN_IN = 'report(idp():sign_in{ username = "u", password = "Passw0rd!", flow = "password" })'

local LIBRARY = {
    -- name, path, code, requests, script
    { "gzip bomb (2 GiB decoded)", "/hostile/gzip-bomb", "ResponseTooLarge", 1, LIST_POOLS },
    { "100 MB 200 answer", "/hostile/big/100", "ResponseTooLarge", 1, LIST_POOLS },
    { "100 MB error message on a 400", "/hostile/error/100", "ResponseTooLarge", 1, LIST_POOLS },
    { "10 MB response header", "/hostile/header/10", "ResponseTooLarge", 1, LIST_POOLS },
    { "10,000 response headers", "/hostile/headers/10000", "ResponseTooLarge", 1, LIST_POOLS },
    { "a smaller max_body per client", "/hostile/big/2", "ResponseTooLarge", 1,
      'report(client("iam", { max_body = 1024 * 1024 }):call("ListRoles"))' },
    { "128 KB of eyJ in an error message", "/hostile/eyj/128", "NotAuthorizedException", 1, LIST_POOLS },
    { "503 with 128 KB of <", "/hostile/lt/128", "ServiceError", 3, LIST_POOLS },
    { "repeated NextToken: ListUserPools", "/hostile/pages", "PaginationLoop", 2,
      PAGINATE .. 'report(paginate.all(client("cognito-idp"), "ListUserPools", { MaxResults = 60 }, "UserPools"))' },
    { "repeated NextToken: ListUserPoolClients", "/hostile/pages", "PaginationLoop", 2,
      PAGINATE .. 'report(paginate.all(client("cognito-idp"), "ListUserPoolClients", { UserPoolId = "us-east-1_abc" }, ' ..
      '"UserPoolClients"))' },
    { "repeated PaginationToken: list_devices", "/hostile/pages", "PaginationLoop", 2,
      'report(idp():list_devices("access-token"))' },
    { "repeated Marker: IAM ListRolePolicies", "/hostile/pages", "PaginationLoop", 2,
      PAGINATE .. 'report(paginate.all(client("iam"), "ListRolePolicies", { RoleName = "r" }, "PolicyNames"))' },
    { "page cap", "/hostile/pages", "PaginationLimit", 1,
      PAGINATE .. 'report(paginate.all(client("cognito-idp"), "ListUserPools", {}, "UserPools", { max_pages = 1 }))' },
    { "InitiateAuth (USER_PASSWORD_AUTH) to a silent server", "/hostile/silent/1", "NetworkError", 1, SIGN_IN },
    { "InitiateAuth (USER_PASSWORD_AUTH) past the timeout", "/hostile/silent/3", "Timeout", 1,
      'report(idp({ timeout = 1 }):sign_in{ username = "u", password = "Passw0rd!", flow = "password" })' },
    { "InitiateAuth (SRP) to a dropped connection", "/hostile/drop", "NetworkError", 1,
      'report(idp():sign_in{ username = "u", password = "Passw0rd!" })' },
    { "InitiateAuth after a 503", "/status/503", "ServiceError", 1, SIGN_IN },
    { "SignUp after a 500", "/status/500", "ServiceError", 1,
      'report(idp():sign_up{ username = "u", password = "Passw0rd!" })' },
    { "ForgotPassword after a 502", "/status/502", "ServiceError", 1,
      'report(idp():call("ForgotPassword", { ClientId = "client", Username = "u" }))' },
    -- not a server, but the same cap: a code source that never stops printing
    { "code source cmd:yes", "/unused", "CodeSourceTooLarge", 0,
      'report(require("mfakit.cognito.codes").source("cmd:yes", "SMS code")({}))' },
}

local t = require "mfakit.test"
local fault = t.env("MFAKIT_TEST_FAULT")
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"
local bin = support.bin()

local function reset()
    assert(http.request{ method = "POST", url = fault .. "/_reset", body = "" })
end
local function requests()
    local r = assert(http.request{ url = fault .. "/_requests" })
    return assert(json.decode(r.body))
end
-- Runs a shell command under tests/peak-rss: stdout, stderr, status, peak RSS (KiB).
local function measured(cmd)
    local out, err, rc = support.run("tests/peak-rss " .. cmd)
    local rss = tonumber(err:match("peak_rss_kib=(%d+)\n$"))
    return out, (err:gsub("peak_rss_kib=%d+\n$", "")), rc, rss
end
-- Under ASan the peak RSS is the sanitizer's (shadow memory, a quarantine
-- of freed blocks), not mfakit's: the bound is checked in plain builds.
local sanitized = os.getenv("ASAN_OPTIONS") ~= nil or bin:find("asan", 1, true) ~= nil
local function bounded(rss, what)
    t.ok(rss, what .. ": no peak RSS measured")
    print(string.format("# %s: peak RSS %d KiB", what, rss))
    if sanitized then return end
    t.ok(rss < MAX_RSS_KIB, string.format("%s: peak RSS %d KiB (limit %d)", what, rss, MAX_RSS_KIB))
end

for _, c in ipairs(LIBRARY) do
    local name, path, code, count, body = c[1], c[2], c[3], c[4], c[5]
    t.case("library: " .. name .. " -> " .. code, function()
        if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
        reset()
        local file = tmp .. "/hostile-case.lua"
        local f = assert(io.open(file, "w"))
        f:write(string.format("local ENDPOINT = %q\n", fault .. path), REPORT, body, "\n")
        f:close()
        local out, err, rc, rss = measured(bin .. " " .. file)
        t.eq(rc, 0, err)
        local doc = json.decode(out)
        t.ok(type(doc) == "table", "one JSON line: " .. out .. err)
        t.eq(doc.code, code, out)
        t.ok(#doc.message < 1500 and not doc.message:find("\n"), "one short line: " .. #doc.message)
        t.ok(not doc.message:find("eyJ", 1, true), "no token-shaped text: " .. doc.message)
        t.ok(doc.attempts == json.null or doc.attempts == count or code:match("^Pagination"),
            "attempts " .. tostring(doc.attempts))
        t.eq(#requests(), count, "requests that reached the server")
        bounded(rss, name)
    end)
end

t.case("login: USER_PASSWORD_AUTH to a silent server is sent once, one line", function()
    if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
    reset()
    local out, err, rc, rss = measured(string.format("env PW=Passw0rd! %s login --user-pool-id us-east-1_abc " ..
        "--client-id c --username u --password-env PW --flow password --region us-east-1 --endpoint %s " ..
        "</dev/null", bin, fault .. "/hostile/silent/1"))
    t.eq(rc, 1, out .. err)
    t.ok(err:match("^mfakit login: [^\n]*NetworkError: [^\n]*\n$"), err)
    t.ok(not (out .. err):find("Passw0rd!", 1, true), "no password in the output")
    local reqs = requests()
    t.eq(#reqs, 1, "InitiateAuth sent once")
    t.eq(reqs[1].headers["x-amz-target"], "AWSCognitoIdentityProviderService.InitiateAuth")
    bounded(rss, "login")
end)

t.case("login: a gzip bomb and a huge header stop at the cap, once", function()
    if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
    for _, path in ipairs{ "/hostile/gzip-bomb", "/hostile/header/10" } do
        reset()
        local out, err, rc, rss = measured(string.format("env PW=Passw0rd! %s login --user-pool-id " ..
            "us-east-1_abc --client-id c --username u --password-env PW --region us-east-1 --endpoint %s " ..
            "</dev/null", bin, fault .. path))
        t.eq(rc, 1, out .. err)
        t.ok(err:match("^mfakit login: [^\n]*ResponseTooLarge: [^\n]*\n$"), err)
        t.eq(#requests(), 1, path)
        bounded(rss, "login " .. path)
    end
end)

t.case("doctor: repeated tokens end in PaginationLoop, not an endless loop", function()
    if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
    reset()
    local out, err, rc, rss = measured(string.format("env AWS_ACCESS_KEY_ID=AKIDEXAMPLE " ..
        "AWS_SECRET_ACCESS_KEY=secret %s doctor --user-pool-id us-east-1_abc --region us-east-1 --endpoint %s " ..
        "--output json --state-dir %s/hostile-state", bin, fault .. "/hostile/pages", tmp))
    t.eq(rc, 1, err)
    local doc = assert(json.decode(out), out .. err)
    local by_id = {}
    for _, c in ipairs(doc.checks) do by_id[c.id] = c end
    t.eq(by_id["pool-exists"].status, "pass", out)
    t.ok(by_id["client-auth-flows"].message:find("PaginationLoop", 1, true), by_id["client-auth-flows"].message)
    t.ok(by_id["sns-sandbox"].message:find("PaginationLoop", 1, true), by_id["sns-sandbox"].message)
    t.ok(#requests() < 40, "requests: " .. #requests())
    bounded(rss, "doctor")
end)

t.case("guide plan, status and down: repeated tokens end in PaginationLoop, not an endless loop", function()
    if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
    for _, verb in ipairs{ "plan", "status", "down" } do
        reset()
        local out, err, rc, rss = measured(string.format("env AWS_ACCESS_KEY_ID=AKIDEXAMPLE " ..
            "AWS_SECRET_ACCESS_KEY=secret %s guide %s --stack hostile-pages --region us-east-1 --endpoint %s " ..
            "--state-dir %s/hostile-guide", bin, verb, fault .. "/hostile/pages", tmp))
        t.ok(rc ~= 0 or verb == "plan", verb .. " exited " .. tostring(rc))
        t.ok((out .. err):find("PaginationLoop", 1, true), verb .. ": " .. out .. err)
        t.ok(#requests() < 60, verb .. " requests: " .. #requests())
        bounded(rss, "guide " .. verb)
    end
end)

t.case("doctor: every check against a gzip bomb fails fast in bounded memory", function()
    if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
    reset()
    local out, err, rc, rss = measured(string.format("env AWS_ACCESS_KEY_ID=AKIDEXAMPLE " ..
        "AWS_SECRET_ACCESS_KEY=secret %s doctor --user-pool-id us-east-1_abc --region us-east-1 --endpoint %s " ..
        "--state-dir %s/hostile-state", bin, fault .. "/hostile/gzip-bomb", tmp))
    t.eq(rc, 1, err)
    t.ok(out:find("ResponseTooLarge", 1, true), out)
    t.ok(not out:find("check crashed", 1, true), out)
    bounded(rss, "doctor")
end)

t.case("script: list-devices against repeated PaginationTokens", function()
    if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
    reset()
    local signed = json.encode{ AuthenticationResult = { AccessToken = "access", IdToken = "id",
        RefreshToken = "refresh", ExpiresIn = 3600, TokenType = "Bearer" } }
    assert(http.request{ method = "POST", url = fault .. "/_script",
                         body = json.encode{ { status = 200, body = signed } } })
    local out, err, rc, rss = measured(string.format("env PW=Passw0rd! %s scripts/user/list-devices.lua " ..
        "--user-pool-id us-east-1_abc --client-id c --username u --password-env PW --region us-east-1 " ..
        "--endpoint %s </dev/null", bin, fault .. "/hostile/pages"))
    t.eq(rc, 1, out .. err)
    t.ok(err:find("PaginationLoop", 1, true), err)
    t.eq(#requests(), 3, "InitiateAuth and two ListDevices")
    bounded(rss, "list-devices")
end)

t.case("--trace of a 10 MB answer of eyJ: bounded output, no token-shaped run", function()
    if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
    reset()
    local file = tmp .. "/hostile-trace.lua"
    local f = assert(io.open(file, "w"))
    f:write(string.format("local ENDPOINT = %q\n", fault .. "/hostile/trace-eyj/10"), REPORT, LIST_POOLS, "\n")
    f:close()
    local out, err, rc, rss = measured(bin .. " --trace " .. file)
    t.eq(rc, 0, err)
    t.eq(json.decode(out), { ok = true })
    t.ok(#err < 100 * 1024, "trace size " .. #err)
    t.ok(err:find("more bytes)", 1, true), "the cut is said")
    t.ok(not err:find("eyJeyJ", 1, true), "no eyJ run left")
    bounded(rss, "--trace")
end)
