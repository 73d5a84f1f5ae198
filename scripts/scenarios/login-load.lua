-- A load-style login scenario: many sign-ins, paced, concurrent, with
-- latency percentiles, failures by AWS code, challenge counts, and JUnit
-- XML for CI.
-- usage:
--   mfakit scripts/scenarios/login-load.lua --user-pool-id ID --client-id ID --username NAME
--       --password-env VAR [--totp-secret-env VAR] [--sms-code-from SOURCE] [--flow srp|password]
--       [--logins N (20)] [--rate PER_SECOND (5)] [--concurrency C (10)] [--junit PATH] [--output json]
--   mfakit --local scripts/scenarios/login-load.lua --users K [--logins N ...]
--       makes a pool with K users on the local emulator first
-- Mind the cost on a real account: every SMS_MFA sign-in sends an SMS.
-- Cognito counts failed sign-ins per user: a wrong password locks the user
-- out for a while after 5 failures, so check one sign-in first.
local cognito = require "mfakit.cognito"
local cli = require "mfakit.cli"
local config = require "mfakit.config"
local task = require "mfakit.task"
local sys = require "mfakit.sys"
local aws = require "mfakit.aws"

local DEF = {
    name = "login-load.lua",
    usage = "--user-pool-id ID --client-id ID --username NAME --password-env VAR [options]\n" ..
        "       mfakit --local scripts/scenarios/login-load.lua --users K [options]",
    summary = "Many sign-ins, paced and concurrent, with latency percentiles, failures by AWS code,\n" ..
        "challenge counts and JUnit XML. On a real account every SMS_MFA sign-in sends an SMS.",
    options = {
        { "user-pool-id", "string", "ID", "the user pool" },
        { "client-id", "string", "ID", "the app client" },
        { "username", "string", "NAME", "who signs in" },
        { "password-env", "string", "VAR", "the password is in VAR" },
        { "totp-secret-env", "string", "VAR", "answer TOTP challenges from the base32 secret in VAR" },
        { "sms-code-from", "string", "SOURCE", "where SMS codes come from" },
        require("mfakit.cognito.codes").TIMEOUT_OPTION,
        { "flow", "string", "srp|password", "the sign-in flow (default srp)" },
        { "logins", "number", "N", "how many sign-ins (default 20)" },
        { "rate", "number", "PER_SECOND", "sign-ins started a second (default 5)" },
        { "concurrency", "number", "C", "sign-ins in flight at most (default 10)" },
        { "junit", "string", "PATH", "write JUnit XML to PATH" },
        { "users", "number", "K", "with --local: make a pool with K users first" },
    },
}

local o, pos = cli.open(DEF, arg)
if not o then return pos end
if #pos > 0 then return cli.usage(DEF.name, "unexpected argument '" .. pos[1] .. "'") end
local logins = math.tointeger(o.logins or 20)
local rate, concurrency = o.rate or 5, math.tointeger(o.concurrency or 10)
if not logins or logins < 1 or rate <= 0 or not concurrency or concurrency < 1 then
    return cli.usage(DEF.name, "--logins and --concurrency must be positive integers, --rate positive")
end
if o.junit then
    local ok, why = cli.output_path("junit", o.junit)
    if not ok then return cli.usage(DEF.name, why) end
end
if o.users and (not math.tointeger(o.users) or o.users < 1 or o.users > 10000) then
    return cli.usage(DEF.name, "--users must be a whole number from 1 to 10000")
end
if o.flow and o.flow ~= "srp" and o.flow ~= "password" then
    return cli.usage(DEF.name, "--flow must be srp or password")
end
if o["sms-code-from"] then
    local kind, why = require("mfakit.cognito.codes").parse(o["sms-code-from"])
    if not kind then return cli.usage(DEF.name, "--sms-code-from: " .. why) end
end

-- Who signs in: a list of { username, password, totp }.
local users = {}
local pool_id, client_id = o["user-pool-id"], o["client-id"]
if config["local"] and o.users then
    local admin = aws.client("cognito-idp")
    pool_id = assert(admin:call("CreateUserPool", { PoolName = "load-" .. sys.getpid(),
        Policies = { PasswordPolicy = { MinimumLength = 8, RequireUppercase = true, RequireLowercase = true,
                                        RequireNumbers = true, RequireSymbols = false } } })).UserPool.Id
    client_id = assert(admin:call("CreateUserPoolClient", { UserPoolId = pool_id, ClientName = "load",
        ExplicitAuthFlows = { "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH" } }))
        .UserPoolClient.ClientId
    for i = 1, math.tointeger(o.users) or 1 do
        local u = { username = "load-user-" .. i, password = "Load-Passw0rd" }
        assert(admin:call("AdminCreateUser", { UserPoolId = pool_id, Username = u.username,
            MessageAction = "SUPPRESS", TemporaryPassword = u.password }))
        assert(admin:call("AdminSetUserPassword", { UserPoolId = pool_id, Username = u.username,
            Password = u.password, Permanent = true }))
        users[#users + 1] = u
    end
else
    if not (pool_id and client_id and o.username) then
        return cli.usage(DEF.name, "--user-pool-id, --client-id and --username are required (or --local --users K)")
    end
    local password, err = cli.secret_from_env(o["password-env"], "password")
    if not password then return cli.fail(DEF.name, err, nil, 2) end
    local totp
    if o["totp-secret-env"] then
        local secret = require("mfakit.secrets").from_env(o["totp-secret-env"])
        if not secret then
            return cli.fail(DEF.name, "environment variable " .. o["totp-secret-env"] .. " is not set", nil, 2)
        end
        totp = { totp_secret = secret }
    end
    users[1] = { username = o.username, password = password, totp = totp }
end

local made, idp = pcall(cognito.new, { user_pool_id = pool_id, client_id = client_id })
if not made then return cli.usage(DEF.name, (tostring(idp):gsub("^.-: ", ""))) end
local limiter = task.limiter(rate, 1) -- no burst: starts are evenly paced
local results, next_login = {}, 0
local started = sys.monotonic()

-- `concurrency` workers take logins in turn; the limiter paces the starts.
local function worker()
    while next_login < logins do
        next_login = next_login + 1
        local n = next_login
        local u = users[(n - 1) % #users + 1]
        limiter:take()
        local t0 = sys.monotonic()
        local r, err = idp:sign_in{ username = u.username, password = u.password, flow = o.flow, totp = u.totp,
                                    sms_code = o["sms-code-from"] }
        results[n] = { seconds = sys.monotonic() - t0, ok = r ~= nil, code = err and err.code,
                       message = err and tostring(err), challenges = r and table.concat(r.challenges, ">") or nil,
                       username = u.username }
    end
end

local workers = {}
for i = 1, math.min(concurrency, logins) do workers[i] = task.spawn(worker) end
for _, w in ipairs(workers) do assert(task.wait(w)) end
local wall = sys.monotonic() - started

local times, failures, flows, ok_count = {}, {}, {}, 0
for _, r in ipairs(results) do
    times[#times + 1] = r.seconds
    if r.ok then
        ok_count = ok_count + 1
        flows[r.challenges] = (flows[r.challenges] or 0) + 1
    else
        failures[r.code] = (failures[r.code] or 0) + 1
    end
end
table.sort(times)
local function pct(p) return times[math.max(1, math.ceil(#times * p))] * 1000 end
local summary = { logins = logins, ok = ok_count, failed = logins - ok_count, wall_seconds = wall,
                  rate_per_second = logins / wall, p50_ms = pct(0.5), p95_ms = pct(0.95), p99_ms = pct(0.99),
                  failures = failures, challenges = flows }

if o.junit then
    local function esc(s) return (tostring(s):gsub("[<>&\"]", { ["<"] = "&lt;", [">"] = "&gt;", ["&"] = "&amp;",
                                                                ['"'] = "&quot;" })) end
    local out = { string.format('<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="login-load" ' ..
        'tests="%d" failures="%d" time="%.3f">', logins, logins - ok_count, wall) }
    for i, r in ipairs(results) do
        out[#out + 1] = string.format('  <testcase classname="login-load" name="login %d %s" time="%.3f">', i,
            esc(r.username), r.seconds)
        if not r.ok then
            out[#out + 1] = string.format('    <failure type="%s" message="%s"/>', esc(r.code), esc(r.message))
        end
        out[#out + 1] = "  </testcase>"
    end
    out[#out + 1] = "</testsuite>\n"
    assert(sys.write_file_atomic(o.junit, table.concat(out, "\n"), tonumber("644", 8)))
end

if cli.json_output() then
    cli.print_json(summary)
else
    print(string.format("%s in %.2f s (%.1f/s): %d ok, %d failed", cli.count(logins, "sign-in"), wall, logins / wall,
        ok_count, logins - ok_count))
    print(string.format("latency p50 %.0f ms, p95 %.0f ms, p99 %.0f ms", summary.p50_ms, summary.p95_ms,
        summary.p99_ms))
    for flow, n in pairs(flows) do print(string.format("  %5d  %s", n, flow)) end
    for code, n in pairs(failures) do print(string.format("  %5d  failed: %s", n, code)) end
end
return ok_count == logins and 0 or 1
