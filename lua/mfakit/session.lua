-- mfakit.session: "sign in as the user the command line names", for the
-- small scripts in scripts/user/.
--   local idp, r, opts = session.open(arg, { summary = "...", options = { rows } })
--   if not idp then return r end       -- help or a failure, said; r is the exit status
-- Options: --user-pool-id ID --client-id ID (or --stack NAME: read them
-- from the guide's state), --username NAME, --password-env VAR (else the
-- terminal asks), --client-secret-env VAR, --sms-code-from SOURCE,
-- --totp-secret-env VAR, --device-file PATH, plus the global options.
local cognito = require "mfakit.cognito"
local cli = require "mfakit.cli"

local M = {}

local OPTIONS = {
    { "stack", "string", "NAME", "the guide's stack: its state file gives the pool and client ids" },
    require("mfakit.stack.state").STATE_DIR_OPTION,
    { "user-pool-id", "string", "ID", "the user pool (instead of --stack)" },
    { "client-id", "string", "ID", "the app client (instead of --stack)" },
    { "username", "string", "NAME", "who signs in" },
    { "password-env", "string", "VAR", "the password is in VAR (else the terminal asks)" },
    { "client-secret-env", "string", "VAR", "the app client's secret is in VAR" },
    { "sms-code-from", "string", "SOURCE", "where SMS codes come from: env:VAR, file:PATH, cmd:COMMAND, prompt" },
    require("mfakit.cognito.codes").TIMEOUT_OPTION,
    { "totp-secret-env", "string", "VAR", "answer TOTP challenges from the base32 secret in VAR" },
    { "device-file", "string", "PATH", "a remembered device's keys" },
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

-- open(args [, def]) -> idp, result, opts, positional | nil, exit status.
-- def: { summary, options = { rows }, remember = true, validate = function(opts)
-- -> nil | message } (the options the script adds to the common ones, and a
-- check of them made before anything is sent). Prints --help, or one line on
-- failure.
function M.open(args, def)
    def = def or {}
    local options = {}
    for _, r in ipairs(OPTIONS) do options[#options + 1] = r end
    for _, r in ipairs(rows_of(def)) do options[#options + 1] = r end
    local name = script_name()
    local o, pos = cli.open({ name = name, summary = def.summary, options = options,
        usage = "(--stack NAME | --user-pool-id ID --client-id ID) --username NAME [options]" }, args)
    if not o then return nil, pos end
    local pool, client = o["user-pool-id"], o["client-id"]
    if o.stack and not (pool and client) then
        local p, c = from_stack(o)
        if not p then return nil, M.fail(c) end
        pool, client = pool or p, client or c
    end
    if not (pool and client and o.username) then
        return nil, cli.usage(name, "--user-pool-id and --client-id (or --stack) and --username are required")
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
    local password, perr = cli.secret_from_env(o["password-env"], "password")
    if not password then return nil, M.fail(perr, 2) end
    local secret
    if o["client-secret-env"] then
        secret, perr = cli.secret_from_env(o["client-secret-env"], "client secret")
        if not secret then return nil, M.fail(perr, 2) end
    end
    local made, idp = pcall(cognito.new, { user_pool_id = pool, client_id = client, client_secret = secret })
    if not made then return nil, cli.usage(name, (tostring(idp):gsub("^.-: ", ""))) end
    local totp
    if o["totp-secret-env"] then
        local v = require("mfakit.secrets").from_env(o["totp-secret-env"])
        if not v then return nil, M.fail("environment variable " .. o["totp-secret-env"] .. " is not set", 2) end
        totp = { totp_secret = v }
    end
    local r, err = idp:sign_in{ username = o.username, password = password, sms_code = o["sms-code-from"],
        totp = totp, device_file = o["device-file"], remember_device = def.remember or def.__remember or nil }
    if not r then return nil, M.fail("sign-in failed: " .. tostring(err)) end
    return idp, r, o, pos
end

function M.print(v, text)
    if cli.json_output() then cli.print_json(v) else print(text) end
end

return M
