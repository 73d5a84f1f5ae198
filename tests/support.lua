-- tests/support.lua: shared set-up for tests that need a user pool on moto.
--   local support = dofile("tests/support.lua")
--   local p = support.pool(endpoint, { mfa = "OPTIONAL", secret = false })
--   -> { idp, admin, pool_id, client_id, client_secret, user = { username, password } }
local aws = require "mfakit.aws"
local cognito = require "mfakit.cognito"
local sys = require "mfakit.sys"

local M = {}

M.ADMIN = { region = "us-east-1", access_key = "testing", secret_key = "testing" }

function M.admin(service, endpoint)
    local o = { endpoint = endpoint }
    for k, v in pairs(M.ADMIN) do o[k] = v end
    return aws.client(service, o)
end

function M.pool(endpoint, opts)
    opts = opts or {}
    local admin = M.admin("cognito-idp", endpoint)
    local name = "test-" .. sys.getpid() .. "-" .. math.random(1e6)
    local sms = { SnsCallerArn = "arn:aws:iam::123456789012:role/sms", ExternalId = "x" }
    local pool = assert(admin:call("CreateUserPool", { PoolName = name, MfaConfiguration = opts.mfa or "OPTIONAL",
        SmsConfiguration = sms, Policies = { PasswordPolicy = { MinimumLength = 8, RequireUppercase = true,
            RequireLowercase = true, RequireNumbers = true, RequireSymbols = false } } })).UserPool.Id
    assert(admin:call("SetUserPoolMfaConfig", { UserPoolId = pool, MfaConfiguration = opts.mfa or "OPTIONAL",
        SoftwareTokenMfaConfiguration = { Enabled = true },
        SmsMfaConfiguration = { SmsAuthenticationMessage = "Your MFA code is {####}", SmsConfiguration = sms } }))
    local client = assert(admin:call("CreateUserPoolClient", { UserPoolId = pool, ClientName = name,
        GenerateSecret = opts.secret or false,
        ExplicitAuthFlows = { "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH" } }))
        .UserPoolClient
    local idp = cognito.new{ user_pool_id = pool, client_id = client.ClientId, client_secret = client.ClientSecret,
                             endpoint = endpoint }
    local user = { username = "user-" .. math.random(1e6), password = "Passw0rdOk" }
    assert(idp:sign_up{ username = user.username, password = user.password,
        attributes = { email = user.username .. "@example.com", phone_number = "+15555550100" } })
    assert(idp:confirm_sign_up{ username = user.username, code = "000000" })
    return { idp = idp, admin = admin, pool_id = pool, client_id = client.ClientId,
             client_secret = client.ClientSecret, user = user }
end

-- Calls fn(...) with this process's AWS environment pointed at `endpoint`
-- (moto's region and test keys, as M.ADMIN), then puts the environment back,
-- even when fn raises; returns fn's results. For code that resolves its
-- clients from the environment, as guide.context does.
function M.with_env(endpoint, fn, ...)
    local want = { AWS_ENDPOINT_URL = endpoint, AWS_REGION = M.ADMIN.region, AWS_ACCESS_KEY_ID = M.ADMIN.access_key,
                   AWS_SECRET_ACCESS_KEY = M.ADMIN.secret_key }
    local saved = {}
    for k, v in pairs(want) do
        saved[k] = os.getenv(k)
        sys.setenv(k, v)
    end
    local res = table.pack(pcall(fn, ...))
    for k in pairs(want) do sys.setenv(k, saved[k]) end
    if not res[1] then error(res[2], 0) end
    return table.unpack(res, 2, res.n)
end

-- Runs a shell command; returns stdout, stderr, exit status.
function M.run(cmd)
    local tmp = os.tmpname()
    local p = assert(io.popen(cmd .. " 2>" .. tmp .. "; echo \"rc=$?\""))
    local out = p:read("a")
    p:close()
    local f = io.open(tmp)
    local err = f and f:read("a") or ""
    if f then f:close() end
    os.remove(tmp)
    local rc = tonumber(out:match("rc=(%d+)\n$"))
    return (out:gsub("rc=%d+\n$", "")), err, rc
end

function M.bin()
    local b = arg[-1] or "./mfakit"
    return b:find("/") and b or "./" .. b
end

return M
