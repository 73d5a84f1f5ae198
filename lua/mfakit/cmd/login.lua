-- mfakit login: one Cognito sign-in from the command line (the QA front
-- door). Secrets come from environment variables or the terminal, never
-- from argv. Prints who signed in, the challenges met and token expiry
-- (text), or the tokens themselves (--output json).
local cognito = require "mfakit.cognito"
local cli = require "mfakit.cli"
local sys = require "mfakit.sys"
local codes = require "mfakit.cognito.codes"
local secrets = require "mfakit.secrets"
local session = require "mfakit.session"

local DEF = {
    name = "login",
    usage = "(--stack NAME | --user-pool-id ID --client-id ID) --username NAME [--password-env VAR] [options]",
    summary = "One Cognito sign-in, answering every challenge. Without --password-env the password is asked for.",
    options = {
        session.STACK_OPTIONS[1],
        session.STACK_OPTIONS[2],
        { "user-pool-id", "string", "ID", "the user pool (instead of --stack; its region is taken from the id)" },
        { "client-id", "string", "ID", "the app client (instead of --stack)" },
        { "username", "string", "NAME", "the user's name, email or phone, as the pool takes it" },
        { "password-env", "string", "VAR", "the password is in the environment variable VAR" },
        { "client-secret-env", "string", "VAR", "the app client's secret is in VAR" },
        { "sms-code-from", "string", "SOURCE", "where SMS codes come from (below)" },
        require("mfakit.cognito.codes").TIMEOUT_OPTION,
        { "totp-secret-env", "string", "VAR", "answer TOTP challenges from the base32 secret in VAR" },
        { "new-password-env", "string", "VAR", "answer NEW_PASSWORD_REQUIRED with the password in VAR" },
        { "mfa-type", "string", "SMS_MFA|SOFTWARE_TOKEN_MFA", "the choice for SELECT_MFA_TYPE" },
        { "remember-device", "flag", nil, "remember this device after the sign-in" },
        { "device-file", "string", "PATH", "a remembered device's keys: read, and written when remembered" },
        { "device-name", "string", "NAME", "the name given to a device being remembered" },
        { "flow", "string", "srp|password", "USER_SRP_AUTH (default) or USER_PASSWORD_AUTH" },
    },
    notes = "SOURCE: env:VAR, file:PATH (waits for the code to be written), cmd:COMMAND,\n" ..
        "        totp-env:VAR, totp-file:PATH, prompt (totp:SECRET works too, visible in ps).\n" ..
        "Docs: docs/QA.md.",
}

local HINTS = {
    NotAuthorizedException = "wrong username or password, or the app client does not allow this flow",
    UserNotConfirmedException = "confirm the user first (ConfirmSignUp, or AdminConfirmSignUp as an admin)",
    UserNotFoundException = "no such user in this pool: check --username and --user-pool-id",
    CodeMismatchException = "the code was wrong or already used; sign in again for a new one",
    ExpiredCodeException = "the code expired; sign in again for a new one",
    PasswordResetRequiredException = "the user must reset the password (ForgotPassword)",
    ResourceNotFoundException = "check --user-pool-id and --client-id (and the region)",
    MissingInput = "give the missing input: --sms-code-from, --totp-secret-env or --new-password-env",
    TooManyRequestsException = "Cognito is throttling: slow down",
    LimitExceededException = "too many attempts for this user: wait before trying again",
    NoRegion = "pass --region, or use a user pool id that starts with its region",
}

local function hint_for(err, opts)
    local msg = (err.message or ""):lower()
    if msg:find("secret hash", 1, true) or msg:find("secret_hash", 1, true) then
        return opts["client-secret-env"] and "the client secret is wrong" or
            "the app client has a secret: pass --client-secret-env VAR"
    end
    if err.session_expired then return "sign in again" end
    local flow_error = err.code == "NotAuthorizedException" or err.code == "InvalidParameterException"
    if flow_error and msg:find("flow", 1, true) then
        return "enable the flow on the app client (ExplicitAuthFlows), or use --flow"
    end
    return HINTS[err.code]
end

local function iso(t)
    return os.date("!%Y-%m-%d %H:%M:%S UTC", math.floor(t))
end

function DEF.run(opts, extra)
    if #extra > 0 then return cli.usage("login", "unexpected argument '" .. extra[1] .. "'") end
    if opts.stack and not (opts["user-pool-id"] and opts["client-id"]) then
        local pool, client = session.from_stack(opts)
        if not pool then return cli.fail("login", client) end
        opts["user-pool-id"], opts["client-id"] = opts["user-pool-id"] or pool, opts["client-id"] or client
    end
    for _, need in ipairs{ "user-pool-id", "client-id", "username" } do
        if not opts[need] or opts[need] == "" then
            return cli.usage("login", "--" .. need .. " is required" ..
                (need ~= "username" and " (or --stack NAME)" or ""))
        end
    end
    sys.no_core_dumps()
    local source = opts["sms-code-from"]
    if source then
        local kind, why = codes.parse(source)
        if not kind then return cli.usage("login", "--sms-code-from: " .. why) end
        if kind == "totp" then
            secrets.add(source:sub(6))
            io.stderr:write("mfakit login: warning: a TOTP secret on the command line is visible to other users " ..
                "(ps); use --sms-code-from totp-env:VAR or totp-file:PATH\n")
        end
    end
    if opts["mfa-type"] and opts["mfa-type"] ~= "SMS_MFA" and opts["mfa-type"] ~= "SOFTWARE_TOKEN_MFA" then
        return cli.usage("login", "--mfa-type must be SMS_MFA or SOFTWARE_TOKEN_MFA")
    end
    if opts.flow and opts.flow ~= "srp" and opts.flow ~= "password" then
        return cli.usage("login", "--flow must be srp or password")
    end
    -- read before any cmd: source runs, so that its variable is withheld too
    if opts["new-password-env"] then secrets.from_env(opts["new-password-env"]) end
    local password, perr = cli.secret_from_env(opts["password-env"], "password")
    if not password then return cli.fail("login", perr, nil, 2) end
    local secret
    if opts["client-secret-env"] then
        secret, perr = cli.secret_from_env(opts["client-secret-env"], "client secret")
        if not secret then return cli.fail("login", perr, nil, 2) end
    end
    local sign_in = {
        username = opts.username, password = password, flow = opts.flow, sms_code = opts["sms-code-from"],
        remember_device = opts["remember-device"], device_file = opts["device-file"],
        device_name = opts["device-name"], mfa_type = opts["mfa-type"],
    }
    if opts["totp-secret-env"] then
        local v = secrets.from_env(opts["totp-secret-env"])
        if not v then return cli.fail("login", "environment variable " .. opts["totp-secret-env"] ..
            " (TOTP secret) is not set", nil, 2) end
        sign_in.totp = { totp_secret = v }
    end
    if opts["new-password-env"] then sign_in.new_password_source = "env:" .. opts["new-password-env"] end
    if not sign_in.sms_code and sys.isatty(0) then sign_in.sms_code = "prompt" end
    local ok, idp = pcall(cognito.new, { user_pool_id = opts["user-pool-id"], client_id = opts["client-id"],
                                         client_secret = secret })
    if not ok then return cli.usage("login", (tostring(idp):gsub("^.-: ", ""))) end
    local r, err = idp:sign_in(sign_in)
    if not r then return cli.fail("login", err, hint_for(err, opts)) end
    if opts["remember-device"] and not r.device then
        -- signed in, but what was asked for did not happen: saying nothing
        -- (exit 0, no file) would let a CI job go on without its device
        return cli.fail("login", "signed in, but Cognito returned no device to remember: the pool does not " ..
            "track devices (DeviceConfiguration), or the emulator never returns one (moto)")
    end
    local device = r.device and { DeviceKey = r.device.key, DeviceGroupKey = r.device.group_key,
                                  DeviceName = r.device.name, Remembered = r.device.remembered } or nil
    if cli.json_output() then
        cli.print_json{ challenges = r.challenges, AuthenticationResult = r.tokens, device = device,
                        TOTPSecret = r.totp_secret }
        return 0
    end
    local now = sys.now()
    print(string.format("signed in as %s (user pool %s, client %s)", r.username, idp.user_pool_id, idp.client_id))
    print("challenges: " .. (#r.challenges > 0 and table.concat(r.challenges, ", ") or "none"))
    print(string.format("tokens: id, access%s; they expire in %d s (%s)", r.tokens.RefreshToken and ", refresh" or "",
        r.tokens.ExpiresIn or 0, iso(now + (r.tokens.ExpiresIn or 0))))
    if device and r.device_confirmed then
        print(string.format("device: %s %s%s", device.DeviceKey, device.Remembered and "remembered" or "confirmed",
            opts["device-file"] and (", saved to " .. opts["device-file"]) or ""))
    elseif device then
        print(string.format("device: %s (remembered, from %s)", device.DeviceKey, opts["device-file"] or "options"))
    end
    if r.totp_secret then
        -- the only moment the new secret exists: show it, as an enrolment must
        print("TOTP was enrolled during sign-in; add this to an authenticator app and keep it secret:")
        print("  " .. r.totp_secret)
    end
    return 0
end

return cli.command(DEF)
