-- mfakit load: paced Cognito sign-ins with latency percentiles per phase,
-- thresholds for CI, a live progress line, and results that merge across
-- workers and machines. `mfakit load merge FILE...` merges --out files.
-- The engine is mfakit.load; this is the command line over it. Docs:
-- docs/LOAD.md.
local cli = require "mfakit.cli"
local config = require "mfakit.config"
local json = require "mfakit.json"
local sys = require "mfakit.sys"
local load = require "mfakit.load"
local results = require "mfakit.load.results"
local progress = require "mfakit.load.progress"
local signin = require "mfakit.load.signin"
local local_users = require "mfakit.load.local_users"
local codes = require "mfakit.cognito.codes"
local secrets = require "mfakit.secrets"
local cognito = require "mfakit.cognito"
local quotas = require "mfakit.load.quotas"
local checks = require "mfakit.cmd.load_checks"
local load_workers = require "mfakit.cmd.load_workers"

local DEF = {
    name = "load",
    usage = "--user-pool-id ID --client-id ID --username NAME --password-env VAR\n" ..
        "           (--rate N (--duration D | --logins N) | --stages S) [options]\n" ..
        "       mfakit --local load --users K [--mfa sms|totp|none] --rate N --logins N [options]\n" ..
        "       mfakit load merge FILE...",
    summary = "Paced, concurrent Cognito sign-ins: latency per phase (min, mean, p50, p90, p95, p99, max),\n" ..
        "errors by code, thresholds. On a real account every SMS_MFA sign-in sends a paid SMS.",
    options = {
        { "user-pool-id", "string", "ID", "the user pool" },
        { "client-id", "string", "ID", "the app client" },
        { "username", "string", "NAME", "who signs in" },
        { "password-env", "string", "VAR", "the password is in VAR" },
        { "client-secret-env", "string", "VAR", "the app client's secret is in VAR" },
        { "totp-secret-env", "string", "VAR", "answer TOTP challenges from the base32 secret in VAR" },
        { "sms-code-from", "string", "SOURCE", "where SMS codes come from (as for mfakit login)" },
        { "flow", "string", "srp|password", "the sign-in flow (default srp)" },
        { "rate", "number", "N", "sign-ins started a second" },
        { "duration", "string", "D", "how long to start sign-ins: 30s, 5m, 1m30s" },
        { "logins", "number", "N", "how many sign-ins (with --duration: whichever ends first)" },
        { "stages", "string", "S", "ramping rate, DURATION:RATE,...: 30s:10,1m:50,30s:0" },
        { "concurrency", "number", "C", "sign-ins in flight at most (default 10)" },
        { "threshold", "list", "EXPR", "p95<800ms, failed<1%, InitiateAuth.p99<300ms, rate>=40; repeatable" },
        { "progress", "string", "auto|always|never", "the live line on stderr (default auto: on a terminal)" },
        { "out", "string", "FILE", "write the full results (histograms) as JSON, for load merge" },
        { "junit", "string", "PATH", "write JUnit XML: one testcase per threshold and per error code" },
        { "workers", "string", "N|auto", "run N worker processes (auto: one per core), each 1/N of the rate" },
        { "shard", "string", "I/N", "run shard I of N: every N-th arrival from the I-th (many machines)" },
        { "quota", "list", "OP=RPS", "a raised quota: InitiateAuth=200, RespondToAuthChallenge=600 or\n" ..
          "UserAuthentication=200 (both); repeatable" },
        { "max-cost", "number", "USD", "refuse (exit 2) when the run's SMS would cost more than USD" },
        { "yes", "flag", nil, "run even when the SMS cost is over --max-cost or the SNS headroom" },
        { "users", "number", "K", "with --local: make a pool with K users first" },
        { "mfa", "string", "sms|totp|none", "with --users: the MFA those users meet (default none)" },
        { "users-file", "string", "FILE", "the pool and users to sign in, as --workers hands them on (JSON)" },
    },
    notes = "Exit status: 0 when every threshold passed (with no --threshold: when no sign-in failed),\n" ..
        "1 when one failed, 2 on a usage error or when the cost guard refuses the run. Docs: docs/LOAD.md.",
}

local function merge(files)
    if #files == 0 then return cli.usage("load", "merge needs at least one FILE") end
    local total
    for _, path in ipairs(files) do
        local f, ferr = io.open(path, "rb")
        if not f then return cli.fail("load", "cannot read " .. path .. ": " .. tostring(ferr), nil, 2) end
        local doc = json.decode(f:read("a"))
        f:close()
        local r, err = results.import(doc)
        if not r then return cli.fail("load", path .. ": " .. err, nil, 2) end
        total = total and total:merge(r) or r
    end
    return total
end

local function finish(opts, s, r)
    load.print(s, cli.json_output() and "json" or "text")
    if opts.out then
        local ok, err = sys.write_file_atomic(opts.out, json.encode(r:export()) .. "\n", tonumber("644", 8))
        if not ok then return cli.fail("load", err) end
    end
    if opts.junit then
        local ok, err = require("mfakit.load.junit").write(opts.junit, s)
        if not ok then return cli.fail("load", err) end
    end
    if #s.thresholds > 0 then return s.passed and 0 or 1 end
    return s.failed == 0 and 0 or 1
end

-- Who signs in, and where: the users of a pool made on the local emulator
-- (--local --users K), or the one user the options name. Returns the
-- scenario's options, or nil and a usage message, or { fail = message }.
local function target(opts)
    local mfa = opts.mfa or "none"
    if mfa ~= "none" and mfa ~= "sms" and mfa ~= "totp" then return nil, "--mfa must be sms, totp or none" end
    if opts.flow and opts.flow ~= "srp" and opts.flow ~= "password" then
        return nil, "--flow must be srp or password"
    end
    if opts["sms-code-from"] then
        local kind, why = codes.parse(opts["sms-code-from"])
        if not kind then return nil, "--sms-code-from: " .. why end
    end
    if opts["users-file"] then
        local f = io.open(opts["users-file"], "rb")
        local doc = f and json.decode(f:read("a"))
        if f then f:close() end
        if type(doc) ~= "table" or type(doc.users) ~= "table" or #doc.users == 0 then
            return nil, "--users-file " .. opts["users-file"] .. " holds no users"
        end
        for _, u in ipairs(doc.users) do
            secrets.add(u.password)
            secrets.add(u.totp_secret)
        end
        local idp = cognito.new{ user_pool_id = doc.pool_id, client_id = doc.client_id }
        return { idp = idp, users = doc.users, flow = opts.flow, mfa = doc.mfa,
                 sms_code = doc.mfa == "sms" and (opts["sms-code-from"] or local_users.SMS_CODE) or nil }
    end
    if opts.users then
        if not config["local"] then return nil, "--users makes users on the local emulator: add --local" end
        local k = math.tointeger(opts.users)
        if not k or k < 1 or k > 10000 then return nil, "--users must be a whole number from 1 to 10000" end
        local made, err = local_users.make{ count = k, mfa = mfa, tag = tostring(sys.getpid()) }
        if not made then return { fail = "making the local users: " .. tostring(err) } end
        local idp = cognito.new{ user_pool_id = made.pool_id, client_id = made.client_id }
        local sms_code
        if mfa == "sms" then sms_code = opts["sms-code-from"] or function() return local_users.SMS_CODE end end
        return { idp = idp, users = made.users, flow = opts.flow, sms_code = sms_code, made = made, mfa = mfa }
    end
    if opts.mfa then return nil, "--mfa goes with --local --users K" end
    for _, need in ipairs{ "user-pool-id", "client-id", "username" } do
        if not opts[need] or opts[need] == "" then
            return nil, "--" .. need .. " is required (or --local --users K)"
        end
    end
    local password, perr = cli.secret_from_env(opts["password-env"], "password")
    if not password then return { fail = perr, status = 2 } end
    local secret
    if opts["client-secret-env"] then
        secret, perr = cli.secret_from_env(opts["client-secret-env"], "client secret")
        if not secret then return { fail = perr, status = 2 } end
    end
    local user = { username = opts.username, password = password }
    if opts["totp-secret-env"] then
        user.totp_secret = secrets.from_env(opts["totp-secret-env"])
        if not user.totp_secret then
            return { fail = "environment variable " .. opts["totp-secret-env"] .. " (TOTP secret) is not set",
                     status = 2 }
        end
    end
    local made, idp = pcall(cognito.new, { user_pool_id = opts["user-pool-id"], client_id = opts["client-id"],
                                           client_secret = secret })
    if not made then return nil, (tostring(idp):gsub("^.-: ", "")) end
    return { idp = idp, users = { user }, flow = opts.flow, sms_code = opts["sms-code-from"] }
end

-- --workers N|auto -> N (1 when not given)
local function worker_count(v)
    if v == nil then return 1 end
    if v == "auto" then return sys.cpu_count() end
    local n = math.tointeger(tonumber(v))
    if not n or n < 1 or n > 256 then return nil, "--workers must be auto or a whole number from 1 to 256" end
    return n
end

-- --shard I/N -> I, N
local function shard_of(v)
    if v == nil then return 1, 1 end
    local i, n = v:match("^(%d+)/(%d+)$")
    i, n = math.tointeger(tonumber(i)), math.tointeger(tonumber(n))
    if not i or i < 1 or n < 1 or i > n then return nil, "--shard must be I/N with 1 <= I <= N, like 2/4" end
    return i, n
end

-- Room for every sign-in's socket: one descriptor each, and some for the
-- process's own files and the connection cache.
local function raise_nofile(concurrency)
    local need = concurrency + 64
    local soft, hard = sys.raise_nofile(need)
    if soft and soft < need then
        io.stderr:write(string.format("mfakit load: warning: --concurrency %d needs about %d open files, but the " ..
            "hard limit is %d, so at most about %d sign-ins can be in flight: raise the hard limit (ulimit -Hn " ..
            "as root, LimitNOFILE= in systemd, --ulimit nofile= in docker)\n", concurrency, need, hard,
            math.max(1, soft - 64)))
    end
end

local function check_paths(opts)
    for _, o in ipairs{ "out", "junit" } do
        if opts[o] then
            local ok, why = cli.output_path(o, opts[o])
            if not ok then return nil, why end
        end
    end
    return true
end

function DEF.run(opts, pos)
    if pos[1] == "merge" then
        local ok, why = check_paths(opts)
        if not ok then return cli.usage("load", why) end
        local files = table.move(pos, 2, #pos, 1, {})
        local r = merge(files)
        if type(r) ~= "table" then return r end
        local s, err = load.report(r, opts.threshold)
        if not s then return cli.usage("load", err) end
        return finish(opts, s, r)
    end
    if #pos > 0 then return cli.usage("load", "unexpected argument '" .. pos[1] .. "'") end
    if opts.progress and not progress.valid(opts.progress) then
        return cli.usage("load", "--progress must be auto, always or never")
    end
    local ok, why = check_paths(opts)
    if not ok then return cli.usage("load", why) end
    local plan_err = select(2, load.pacing.plan(opts))
    if plan_err then return cli.usage("load", plan_err) end
    for _, t in ipairs(opts.threshold or {}) do
        local p, err = load.thresholds.parse(t)
        if not p then return cli.usage("load", err) end
    end
    if opts.concurrency and (math.tointeger(opts.concurrency) == nil or opts.concurrency < 1) then
        return cli.usage("load", "--concurrency must be a positive integer")
    end
    local w, werr = worker_count(opts.workers)
    if not w then return cli.usage("load", werr) end
    local si, sn = shard_of(opts.shard)
    if not si then return cli.usage("load", sn) end
    for _, q in ipairs(opts.quota or {}) do
        local op, qwhy = quotas.parse(q)
        if not op then return cli.usage("load", qwhy) end
    end
    local who, err = target(opts)
    if not who then return cli.usage("load", err) end
    if who.fail then return cli.fail("load", who.fail, nil, who.status or 1) end
    -- a worker's parent has warned already, for the whole run
    local qok, qerr = true, nil
    if os.getenv("MFAKIT_LOAD_WORKER") ~= "1" then qok, qerr = checks.quotas(opts, who) end
    if not qok then return cli.usage("load", qerr) end
    local est
    if os.getenv("MFAKIT_LOAD_WORKER") ~= "1" then
        local refused
        est, refused = checks.cost(opts, who)
        if refused then return cli.fail("load", refused, nil, 2) end
    end
    local function after(r)
        if est then io.stderr:write("mfakit load: cost: ", checks.after(est, r), "\n") end
    end
    if w > 1 then
        local r
        r, err = load_workers.run(DEF.options, opts, who, w, si, sn)
        if not r then return cli.fail("load", err) end
        after(r)
        return finish(opts, assert(load.report(r, opts.threshold)), r)
    end
    raise_nofile(math.tointeger(opts.concurrency or 10))
    local s, r = load.run{
        share = sn, offset = si,
        name = "sign-in", scenario = signin.scenario(who), rate = opts.rate, duration = opts.duration,
        logins = opts.logins, stages = opts.stages, concurrency = opts.concurrency, thresholds = opts.threshold,
        progress = opts.progress or "auto",
    }
    if not s then return cli.usage("load", r) end
    after(r)
    return finish(opts, s, r)
end

return cli.command(DEF)
