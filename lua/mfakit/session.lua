-- mfakit.session: "sign in as the user the command line names", for the
-- small scripts in scripts/user/.
--   local idp, r, opts = session.open(arg, { summary = "...", options = { rows } })
--   if not idp then return r end       -- help or a failure, said; r is the exit status
-- Options: --user-pool-id ID --client-id ID (or --stack NAME: read them
-- from the guide's state), --username NAME, --password-env VAR (else the
-- terminal asks), --client-secret-env VAR, --sms-code-from SOURCE,
-- --totp-secret-env VAR, --device-file PATH, --flow srp|password, plus the
-- global options.
--   local idp, opts, pos, password = session.client(arg, def)
-- is the same without the sign-in, for what a user does before there is
-- one (sign-up, confirm, resend the code).
local cognito = require "mfakit.cognito"
local cli = require "mfakit.cli"

local M = {}

-- Who and where: what every script needs, signed in or not.
local POOL_OPTIONS = {
    { "stack", "string", "NAME", "the guide's stack: its state file gives the pool and client ids" },
    require("mfakit.stack.state").STATE_DIR_OPTION,
    { "user-pool-id", "string", "ID", "the user pool (instead of --stack)" },
    { "client-id", "string", "ID", "the app client (instead of --stack)" },
    { "username", "string", "NAME", "the user" },
    { "client-secret-env", "string", "VAR", "the app client's secret is in VAR" },
}

local PASSWORD_OPTION = { "password-env", "string", "VAR", "the password is in VAR (else the terminal asks)" }

-- What a sign-in needs on top.
local SIGN_IN_OPTIONS = {
    PASSWORD_OPTION,
    { "sms-code-from", "string", "SOURCE", "where SMS codes come from: env:VAR, file:PATH, cmd:COMMAND, prompt" },
    require("mfakit.cognito.codes").TIMEOUT_OPTION,
    { "totp-secret-env", "string", "VAR", "answer TOTP challenges from the base32 secret in VAR" },
    { "device-file", "string", "PATH", "a remembered device's keys" },
    -- cognito-local has no SRP: the password flow is how scripts run there
    { "flow", "string", "srp|password", "USER_SRP_AUTH (default) or USER_PASSWORD_AUTH" },
}

local function script_name()
    return (arg and arg[0] or "script"):match("[^/]*$")
end

-- One line on stderr, as every command says it (cli.fail: secrets scrubbed,
-- control characters escaped); returns the exit status (1, or `status`) for
-- the script to return: a library never ends the process itself.
function M.fail(err, status)
    return cli.fail(script_name(), err, nil, status)
end

-- A warning on stderr, one line, scrubbed as a failure is; the script goes on.
function M.warn(text)
    cli.fail(script_name(), "warning: " .. tostring(text))
end

-- from_stack(opts) -> pool id, client id | nil, message: the ids the
-- guide's state file for --stack (in --state-dir) holds.
local function from_stack(o)
    local state = require "mfakit.stack.state"
    local st, err = state.load(o["state-dir"] or state.default_dir(), o.stack)
    if not st then return nil, err end
    local pool, client = st:get("pool"), st:get("client")
    if not (pool and pool.id and client and client.id) then
        return nil, "stack " .. o.stack .. " has no pool and client (run mfakit guide up first)"
    end
    return pool.id, client.id
end

M.from_stack = from_stack
M.STACK_OPTIONS = { POOL_OPTIONS[1], POOL_OPTIONS[2] }

-- An older spec of extra options, { name = kind }, as rows.
local function rows_of(extra)
    if extra == nil or extra[1] or extra.options then return extra and (extra.options or extra) or {} end
    local rows = {}
    for k, v in pairs(extra) do
        if type(k) == "string" and not k:match("^__") then rows[#rows + 1] = { k, v } end
    end
    table.sort(rows, function(a, b) return a[1] < b[1] end)
    return rows
end

local USAGE = "(--stack NAME | --user-pool-id ID --client-id ID) --username NAME [options]"

-- Parses and checks the options, reads the secrets and makes the client:
-- -> idp, opts, positional, password | nil, exit status. Nothing is sent.
local function prepare(args, def, common, want_password)
    local options = {}
    for _, r in ipairs(common) do options[#options + 1] = r end
    for _, r in ipairs(rows_of(def)) do options[#options + 1] = r end
    local name = script_name()
    local o, pos = cli.open({ name = name, summary = def.summary, options = options,
        usage = def.usage or USAGE }, args)
    if not o then return nil, pos end
    local pool, client = o["user-pool-id"], o["client-id"]
    if o.stack and not (pool and client) then
        local p, c = from_stack(o)
        if not p then return nil, M.fail(c) end
        pool, client = pool or p, client or c
    end
    if not (pool and client) or not (o.username or def.username_optional) then
        return nil, cli.usage(name, "--user-pool-id and --client-id (or --stack) and --username are required")
    end
    if o.flow and o.flow ~= "srp" and o.flow ~= "password" then
        return nil, cli.usage(name, "--flow must be srp or password")
    end
    local codes = require "mfakit.cognito.codes"
    for _, row in ipairs(options) do
        -- every code source the script takes is checked before anything is sent
        if row[3] == "SOURCE" and o[row[1]] then
            local kind, why = codes.parse(o[row[1]])
            if not kind then return nil, cli.usage(name, "--" .. row[1] .. ": " .. why) end
        end
    end
    if def.validate then
        local why = def.validate(o, pos)
        if why then return nil, cli.usage(name, why) end
    end
    local password, perr
    if want_password then
        password, perr = cli.secret_from_env(o["password-env"], "password")
        if not password then return nil, M.fail(perr, 2) end
    end
    local secret
    if o["client-secret-env"] then
        secret, perr = cli.secret_from_env(o["client-secret-env"], "client secret")
        if not secret then return nil, M.fail(perr, 2) end
    end
    local made, idp = pcall(cognito.new, { user_pool_id = pool, client_id = client, client_secret = secret })
    if not made then return nil, cli.usage(name, (tostring(idp):gsub("^.-: ", ""))) end
    return idp, o, pos, password
end

-- client(args [, def]) -> idp, opts, positional, password | nil, exit status.
-- The pool, client, username and client secret options without a sign-in.
-- def as for open, plus password = true (take --password-env and read the
-- password: sign-up) and username_optional = true (the script finds the
-- username itself, e.g. from --email).
function M.client(args, def)
    def = def or {}
    local common = {}
    for _, r in ipairs(POOL_OPTIONS) do common[#common + 1] = r end
    if def.password then common[#common + 1] = PASSWORD_OPTION end
    return prepare(args, def, common, def.password)
end

-- open(args [, def]) -> idp, result, opts, positional | nil, exit status.
-- def: { summary, options = { rows }, remember = true, validate = function(opts)
-- -> nil | message } (the options the script adds to the common ones, and a
-- check of them made before anything is sent). Prints --help, or one line on
-- failure.
function M.open(args, def)
    def = def or {}
    local common = {}
    for _, r in ipairs(POOL_OPTIONS) do common[#common + 1] = r end
    for _, r in ipairs(SIGN_IN_OPTIONS) do common[#common + 1] = r end
    local idp, o, pos, password = prepare(args, def, common, true)
    if not idp then return nil, o end
    local totp
    if o["totp-secret-env"] then
        local v = require("mfakit.secrets").from_env(o["totp-secret-env"])
        if not v then return nil, M.fail("environment variable " .. o["totp-secret-env"] .. " is not set", 2) end
        totp = { totp_secret = v }
    end
    local r, err = idp:sign_in{ username = o.username, password = password, sms_code = o["sms-code-from"],
        totp = totp, device_file = o["device-file"], remember_device = def.remember or def.__remember or nil,
        flow = o.flow }
    if not r then return nil, M.fail("sign-in failed: " .. tostring(err)) end
    return idp, r, o, pos
end

function M.print(v, text)
    if cli.json_output() then cli.print_json(v) else print(text) end
end

return M
