-- mfakit totp: the current code for a TOTP secret, or its otpauth:// URI.
local totp = require "mfakit.totp"
local cli = require "mfakit.cli"
local sys = require "mfakit.sys"

local USAGE = [[
usage: mfakit totp SECRET | --secret-env VAR     print the current code and seconds left
       mfakit totp --uri (SECRET | --secret-env VAR) --account NAME [--issuer NAME]
                                                 print the otpauth:// URI (and a QR code when
                                                 the qrencode program is installed)
Options: --digits N (6), --period S (30), --algorithm SHA1|SHA256|SHA512
]]

local SPEC = { uri = "flag", ["secret-env"] = "string", account = "string", issuer = "string",
               digits = "number", period = "number", algorithm = "string", help = "flag" }

return function(args)
    local opts, pos = cli.parse(args, SPEC)
    if not opts then return cli.usage("totp", pos, USAGE) end
    if opts.help then io.write(USAGE) return 0 end
    local secret = pos[1]
    if opts["secret-env"] then
        secret = os.getenv(opts["secret-env"])
        if not secret or secret == "" then
            return cli.fail("totp", "environment variable " .. opts["secret-env"] .. " is not set", nil, 2)
        end
    end
    if not secret then return cli.usage("totp", "a secret is required", USAGE) end
    local o = { digits = opts.digits and math.tointeger(opts.digits) or nil, period = opts.period,
                algorithm = opts.algorithm }
    local ok, code, err = pcall(totp.code, secret, sys.now(), o)
    if not ok then return cli.usage("totp", tostring(code):gsub("^.-: ", ""), USAGE) end
    if not code then return cli.fail("totp", err, nil, 2) end
    if opts.uri then
        if not opts.account then return cli.usage("totp", "--uri needs --account", USAGE) end
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
