-- A custom load scenario on mfakit.load: each arrival signs in and then
-- reads the user's profile (GetUser) with the new access token, so the
-- summary shows both steps' latency. For plain sign-ins use `mfakit load`;
-- copy this file to load-test your own flow. Docs: docs/LOAD.md.
-- usage:
--   mfakit --local scripts/scenarios/login-load.lua --users 3 --rate 20 --logins 100 [--threshold p95<800ms]
-- Options: --users K (made on the local emulator), --rate N, --logins N or --duration D,
-- --concurrency C, --threshold EXPR (repeatable), --progress auto|always|never.
local cli = require "mfakit.cli"
local cognito = require "mfakit.cognito"
local load = require "mfakit.load"
local local_users = require "mfakit.load.local_users"
local sys = require "mfakit.sys"

local DEF = {
    name = "login-load.lua",
    usage = "--users K --rate N (--logins N | --duration D) [options]   (with mfakit --local)",
    summary = "Sign in, then GetUser, as a paced load: a short example of a custom mfakit.load scenario.",
    options = {
        { "users", "number", "K", "make a pool with K users on the local emulator (default 3)" },
        { "rate", "number", "N", "arrivals a second (default 5)" },
        { "logins", "number", "N", "how many arrivals" },
        { "duration", "string", "D", "or for how long: 30s, 2m" },
        { "concurrency", "number", "C", "in flight at most (default 10)" },
        { "threshold", "list", "EXPR", "p95<800ms, failed<1%, GetUser.p95<200ms; repeatable" },
        { "progress", "string", "auto|always|never", "the live line on stderr" },
    },
}

local o, pos = cli.open(DEF, arg)
if not o then return pos end
if #pos > 0 then return cli.usage(DEF.name, "unexpected argument '" .. pos[1] .. "'") end
local pace = { rate = o.rate or 5, logins = o.logins or (not o.duration and 20 or nil), duration = o.duration }
local plan_ok, why = load.pacing.plan(pace)
if not plan_ok then return cli.usage(DEF.name, why) end
if not require("mfakit.config")["local"] then return cli.usage(DEF.name, "run it with mfakit --local") end
local made = assert(local_users.make{ count = math.tointeger(o.users or 3) or 3, mfa = "none",
                                      tag = tostring(sys.getpid()) })
local idp = cognito.new{ user_pool_id = made.pool_id, client_id = made.client_id }

local s, r = load.run{
    name = "arrival", rate = pace.rate, logins = pace.logins, duration = pace.duration,
    concurrency = o.concurrency, thresholds = o.threshold, progress = o.progress or "auto",
    scenario = function(vu)
        local u = made.users[(vu.iteration - 1) % #made.users + 1]
        local t0 = sys.monotonic()
        local signed, err = idp:sign_in{ username = u.username, password = u.password }
        if not signed then return nil, err end
        vu:phase("sign-in", sys.monotonic() - t0)
        t0 = sys.monotonic()
        local me
        me, err = idp:get_user(signed.tokens.AccessToken)
        if not me then return nil, err end
        vu:phase("GetUser", sys.monotonic() - t0)
        return { flow = "sign-in>GetUser" }
    end,
}
if not s then return cli.usage(DEF.name, r) end
load.print(s, cli.json_output() and "json" or "text")
if #s.thresholds > 0 then return s.passed and 0 or 1 end
return s.failed == 0 and 0 or 1
