-- mfakit totp: the current code for a TOTP secret, or its otpauth:// URI.
-- The secret comes from the environment, a file or standard input; on the
-- command line (where `ps` shows it) it still works, with a warning.
local totp = require "mfakit.totp"
local cli = require "mfakit.cli"
local sys = require "mfakit.sys"
local secrets = require "mfakit.secrets"

local DEF = {
    name = "totp",
    usage = "SOURCE | --uri SOURCE --account NAME [--issuer NAME]",
    summary = "Prints the current code and seconds left, or with --uri the otpauth:// URI (and a QR code\n" ..
        "when the qrencode program is installed).\n" ..
        "SOURCE, where the base32 secret comes from:\n" ..
        "  --secret-env VAR    the environment variable VAR\n" ..
        "  --secret-file PATH  the first line of PATH\n" ..
        "  -                   the first line of standard input\n" ..
        "  SECRET              the secret itself (visible to other users in ps: avoid)",
    options = {
        { "secret-env", "string", "VAR", "the secret is in the environment variable VAR" },
        { "secret-file", "string", "PATH", "the secret is the first line of PATH" },
        { "uri", "flag", nil, "print the otpauth:// URI instead of a code" },
        { "account", "string", "NAME", "--uri: the account name shown in the app" },
        { "issuer", "string", "NAME", "--uri: the issuer shown in the app" },
        { "digits", "number", "N", "code length (default 6)" },
        { "period", "number", "S", "seconds a code lasts (default 30)" },
        { "algorithm", "string", "SHA1|SHA256|SHA512", "the HMAC (default SHA1)" },
    },
}

local function first_line(text)
    return ((text or ""):match("^[^\r\n]*"):match("^%s*(.-)%s*$"))
end

-- The secret and where it came from, or nil, message, exit status.
local function read_secret(opts, pos)
    local given = (opts["secret-env"] and 1 or 0) + (opts["secret-file"] and 1 or 0) + (pos[1] and 1 or 0)
    if given == 0 then return nil, "a secret is required: --secret-env VAR, --secret-file PATH or -", 2 end
    if given > 1 or #pos > 1 then return nil, "give the secret one way only", 2 end
    if opts["secret-env"] then
        local v = secrets.from_env(opts["secret-env"])
        if not v then return nil, "environment variable " .. opts["secret-env"] .. " is not set", 2 end
        return v
    end
    local text, what
    if opts["secret-file"] then
        what = opts["secret-file"]
        local st = sys.stat(what)
        local f = st and st.type == "file" and io.open(what, "r")
        if not f then return nil, "cannot read the secret from " .. what .. " (not a readable file)", 2 end
        text = f:read(4096)
        f:close()
    elseif pos[1] == "-" then
        what = "standard input"
        text = io.read("L")
    else
        io.stderr:write("mfakit totp: warning: a secret on the command line is visible to other users (ps); " ..
            "use --secret-env VAR, --secret-file PATH or -\n")
        return secrets.add(pos[1])
    end
    local secret = first_line(text)
    if secret == "" then return nil, "no secret in " .. what, 2 end
    return secrets.add(secret)
end

local function whole(opts, name)
    local v = opts[name]
    if v == nil then return nil end
    local i = math.tointeger(v)
    if not i then return nil, "--" .. name .. " must be a whole number, not " .. tostring(v) end
    return i
end

function DEF.run(opts, pos)
    sys.no_core_dumps()
    local secret, why, status = read_secret(opts, pos)
    if not secret then return status == 2 and cli.usage("totp", why) or cli.fail("totp", why) end
    local digits, period, err
    digits, err = whole(opts, "digits")
    if err then return cli.usage("totp", err) end
    period, err = whole(opts, "period")
    if err then return cli.usage("totp", err) end
    local o = { digits = digits, period = period, algorithm = opts.algorithm }
    local ok, code
    ok, code, err = pcall(totp.code, secret, sys.now(), o)
    if not ok then
        -- "bad argument #3 to 'code' (field 'period' must be 1 to 86400)" -> "--period must be 1 to 86400"
        local field, rule = tostring(code):match("field '(%w+)' (.-)%)$")
        return cli.usage("totp", field and ("--" .. field .. " " .. rule) or tostring(code):gsub("^.-: ", ""))
    end
    if not code then return cli.fail("totp", err, nil, 2) end
    if opts.uri then
        if not opts.account then return cli.usage("totp", "--uri needs --account") end
        if opts.issuer and (opts.issuer == "" or opts.issuer:find(":", 1, true)) then
            return cli.usage("totp", "--issuer must be non-empty and without ':'")
        end
        if opts.account == "" or opts.account:find(":", 1, true) then
            return cli.usage("totp", "--account must be non-empty and without ':'")
        end
        local uri = totp.uri{ secret = secret, account = opts.account, issuer = opts.issuer,
                              digits = o.digits, period = o.period, algorithm = o.algorithm }
        if cli.json_output() then cli.print_json{ uri = uri } return 0 end
        print(uri)
        if sys.isatty(1) and os.execute("command -v qrencode >/dev/null 2>&1") then
            local q = io.popen("qrencode -t ANSIUTF8", "w")
            if q then q:write(uri) q:close() end
        end
        return 0
    end
    local left = totp.seconds_left(o.period or 30)
    if cli.json_output() then cli.print_json{ code = code, seconds_left = left } return 0 end
    print(string.format("%s (valid %d s more)", code, left))
    return 0
end

return cli.command(DEF)
