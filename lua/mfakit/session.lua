-- mfakit.session: "sign in as the user the command line names", for the
-- small scripts in scripts/user/.
--   local idp, r, opts = session.open(arg, { extra options spec })
-- Options: --user-pool-id ID --client-id ID (or --stack NAME: read them
-- from the guide's state), --username NAME, --password-env VAR (else the
-- terminal asks), --client-secret-env VAR, --sms-code-from SOURCE,
-- --totp-secret-env VAR, --device-file PATH, plus the global options.
-- On failure it prints one line and exits (these are top-level scripts).
local cognito = require "mfakit.cognito"
local cli = require "mfakit.cli"
local config = require "mfakit.config"
local secrets = require "mfakit.secrets"

local M = {}

local SPEC = {
    ["user-pool-id"] = "string", ["client-id"] = "string", stack = "string", ["state-dir"] = "string",
    username = "string", ["password-env"] = "string", ["client-secret-env"] = "string",
    ["sms-code-from"] = "string", ["totp-secret-env"] = "string", ["device-file"] = "string",
}

-- These are top-level scripts: a failure ends the program, after the
-- clean-up (a --local emulator) that os.exit would otherwise skip.
local function stop(script, msg, status)
    io.stderr:write(script, ": ", secrets.scrub(tostring(msg)), "\n")
    os.exit(status or 1) -- mfakit's os.exit runs the clean-up first
end

local function from_stack(o)
    local state = require "mfakit.guide.state"
    local st, err = state.load(o["state-dir"] or (config["local"] and ".mfakit/local" or nil), o.stack)
    if not st then return nil, err end
    local pool, client = st:get("pool"), st:get("client")
    if not (pool and pool.id and client and client.id) then
        return nil, "stack " .. o.stack .. " has no pool and client (run mfakit guide up first)"
    end
    return pool.id, client.id
end

function M.open(args, extra, usage)
    local script = (arg and arg[0] or "script"):match("[^/]*$")
    local spec = {}
    for k, v in pairs(SPEC) do spec[k] = v end
    for k, v in pairs(extra or {}) do spec[k] = v end
    local o, pos = cli.parse(args, spec)
    if not o then stop(script, pos .. "\n" .. (usage or ""), 2) end
    if o["sms-code-from"] then
        local kind, why = require("mfakit.cognito.codes").parse(o["sms-code-from"])
        if not kind then stop(script, "--sms-code-from: " .. why, 2) end
    end
    if config["local"] then
        local ok, err = require("mfakit.emulator").ensure()
        if not ok then stop(script, err) end
    end
    local pool, client = o["user-pool-id"], o["client-id"]
    if o.stack and not (pool and client) then
        local p, c = from_stack(o)
        if not p then stop(script, c) end
        pool, client = pool or p, client or c
    end
    if not (pool and client and o.username) then
        stop(script, "--user-pool-id and --client-id (or --stack) and --username are required\n" .. (usage or ""), 2)
    end
    require("mfakit.sys").no_core_dumps()
    local password, perr = cli.secret_from_env(o["password-env"], "password")
    if not password then stop(script, perr, 2) end
    local secret
    if o["client-secret-env"] then
        secret, perr = cli.secret_from_env(o["client-secret-env"], "client secret")
        if not secret then stop(script, perr, 2) end
    end
    local idp = cognito.new{ user_pool_id = pool, client_id = client, client_secret = secret }
    local totp
    if o["totp-secret-env"] then
        local v = secrets.from_env(o["totp-secret-env"])
        if not v then stop(script, "environment variable " .. o["totp-secret-env"] .. " is not set", 2) end
        totp = { totp_secret = v }
    end
    local r, err = idp:sign_in{ username = o.username, password = password, sms_code = o["sms-code-from"],
        totp = totp, device_file = o["device-file"], remember_device = extra and extra.__remember or nil }
    if not r then stop(script, "sign-in failed: " .. tostring(err)) end
    return idp, r, o, pos
end

function M.fail(err)
    local script = (arg and arg[0] or "script"):match("[^/]*$")
    stop(script, err)
end

function M.print(v, text)
    if cli.json_output() then cli.print_json(v) else print(text) end
end

return M
