-- guide env: the frontend's configuration from the stack's state file, in
-- each --format; the Amplify ones handed to the real aws-amplify package
-- (tests/oracle/amplify_config.js) when node and it are installed.
local support = dofile("tests/support.lua")
local json = require "mfakit.json"

local STATE = '{"version":2,"stack":"%s","region":"eu-west-1","external_id":"mfakit-00",' ..
    '"settings":{"stack":"%s","mfa":"%s","sms":%s,"totp":%s},' ..
    '"resources":{"pool":{"id":"eu-west-1_AbC123"},"client":{"id":"5abc7defclient"}}}'

local t = require "mfakit.test"
local dir = (t.env("MFAKIT_TEST_TMP") or "/tmp") .. "/guide-env-" .. require("mfakit.sys").getpid()
os.execute("mkdir -p " .. dir)
local bin = support.bin()

local function stack(name, mfa, sms, totp)
    local f = assert(io.open(dir .. "/" .. name .. ".json", "w"))
    f:write(STATE:format(name, name, mfa, tostring(sms), tostring(totp)))
    f:close()
end

local function env(args)
    return support.run("AWS_REGION=eu-west-1 " .. bin .. " guide env --state-dir " .. dir .. " " .. args)
end

stack("web", "ON", true, false)
stack("both", "OPTIONAL", true, true)
stack("off", "OFF", true, true)

t.case("dotenv (the default) and json: the Step 4 values", function()
    local out, err, rc = env("--stack web")
    t.eq({ rc, err, out }, { 0, "", "VITE_AWS_REGION=eu-west-1\nVITE_MFA_SMS_USER_POOL_ID=eu-west-1_AbC123\n" ..
        "VITE_MFA_SMS_CLIENT_ID=5abc7defclient\n" })
    out, err, rc = env("--stack web --format json")
    t.eq({ rc, err }, { 0, "" })
    t.eq(json.decode(out), { VITE_AWS_REGION = "eu-west-1", VITE_MFA_SMS_USER_POOL_ID = "eu-west-1_AbC123",
                             VITE_MFA_SMS_CLIENT_ID = "5abc7defclient" })
end)

t.case("--output json is the command's result, an object, whatever --format writes", function()
    local out, err, rc = env("--stack web --output json")
    t.eq({ rc, err }, { 0, "" })
    local r = json.decode(out)
    t.eq(r.env, { VITE_AWS_REGION = "eu-west-1", VITE_MFA_SMS_USER_POOL_ID = "eu-west-1_AbC123",
                  VITE_MFA_SMS_CLIENT_ID = "5abc7defclient" })
    t.eq({ r.stack, r.format, r.written }, { "web", "dotenv", json.null })
    out, err, rc = env("--stack web --format amplify --write " .. dir .. "/a.json --output json")
    t.eq({ rc, err }, { 0, "" })
    r = json.decode(out)
    t.eq({ r.format, r.written, r.config.Auth.Cognito.userPoolId }, { "amplify", dir .. "/a.json",
                                                                     "eu-west-1_AbC123" })
end)

t.case("amplify: Amplify v6's ResourcesConfig, no region, the stack's MFA", function()
    local out, _, rc = env("--stack web --format amplify")
    t.eq(rc, 0)
    t.eq(json.decode(out), { Auth = { Cognito = { userPoolId = "eu-west-1_AbC123",
        userPoolClientId = "5abc7defclient", loginWith = { email = true },
        mfa = { status = "on", smsEnabled = true, totpEnabled = false } } } })
    out = env("--stack off --format amplify")
    t.eq(json.decode(out).Auth.Cognito.mfa, { status = "off", smsEnabled = false, totpEnabled = false })
end)

t.case("amplify-outputs: Gen 2's amplify_outputs.json", function()
    local out, _, rc = env("--stack both --format amplify-outputs")
    t.eq(rc, 0)
    local auth = json.decode(out).auth
    t.eq({ auth.aws_region, auth.user_pool_id, auth.user_pool_client_id, auth.mfa_configuration, auth.mfa_methods },
         { "eu-west-1", "eu-west-1_AbC123", "5abc7defclient", "OPTIONAL", { "SMS", "TOTP" } })
    t.eq(json.decode(out).version, "1")
    t.eq(json.decode((env("--stack web --format amplify-outputs"))).auth.mfa_configuration, "REQUIRED")
    t.eq(json.decode((env("--stack off --format amplify-outputs"))).auth.mfa_methods, {})
end)

t.case("a bad --format, or --format on another verb, is one line and exit 2", function()
    local out, err, rc = env("--stack web --format yaml")
    t.eq({ rc, out }, { 2, "" })
    t.eq(err, "mfakit guide: --format must be dotenv, json, amplify or amplify-outputs, not 'yaml' " ..
        "(see mfakit guide --help)\n")
    out, err, rc = support.run("AWS_REGION=eu-west-1 " .. bin .. " guide status --state-dir " .. dir ..
        " --stack web --format json")
    t.eq({ rc, out }, { 2, "" })
    t.ok(err:find("--format is for env only", 1, true), err)
end)

t.case("the real aws-amplify reads both Amplify files back as the stack has them", function()
    if not os.execute("command -v node >/dev/null 2>&1") then return t.skip("node is not installed") end
    if not io.open("tests/oracle/node_modules/aws-amplify/package.json") then
        return t.skip("aws-amplify is not installed (cd tests/oracle && npm ci)")
    end
    for _, c in ipairs{ { "web", "on", true, false }, { "both", "optional", true, true },
                        { "off", "off", false, false } } do
        for _, format in ipairs{ "amplify", "amplify-outputs" } do
            local file = dir .. "/" .. c[1] .. "-" .. format .. ".json"
            local _, err, rc = env("--stack " .. c[1] .. " --format " .. format .. " --write " .. file)
            t.eq(rc, 0, err)
            local out
            out, err, rc = support.run("node tests/oracle/amplify_config.js " .. file)
            t.eq(rc, 0, err)
            local got = json.decode(out)
            t.eq({ got.userPoolId, got.userPoolClientId, got.email, got.status, got.smsEnabled, got.totpEnabled },
                 { "eu-west-1_AbC123", "5abc7defclient", true, c[2], c[3], c[4] }, c[1] .. " " .. format)
        end
    end
end)
