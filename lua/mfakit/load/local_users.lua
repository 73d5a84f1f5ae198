-- mfakit.load.local_users: a user pool with K users on a local emulator,
-- for `mfakit --local load --users K --mfa sms|totp|none`. With sms or totp
-- each user really meets the MFA challenge: SMS MFA is enabled and
-- preferred (the emulator accepts any code), or a TOTP token is enrolled
-- and its secret kept for the sign-ins.
--   local_users.make{ count = K, mfa = "none"|"sms"|"totp", tag = "..." }
--     -> { pool_id, client_id, users = { { username, password, totp_secret } } } | nil, err
local aws = require "mfakit.aws"
local cognito = require "mfakit.cognito"

local M = {}

M.PASSWORD = "Load-Passw0rd" -- made-up users on a throwaway local pool
M.SMS_CODE = "000000"        -- the emulator accepts any SMS code

function M.make(o)
    local admin = aws.client("cognito-idp")
    local sms = { SnsCallerArn = "arn:aws:iam::123456789012:role/mfakit-load-sms", ExternalId = "mfakit-load" }
    local pool, err = admin:call("CreateUserPool", { PoolName = "load-" .. o.tag, MfaConfiguration =
        o.mfa == "none" and "OFF" or "OPTIONAL", SmsConfiguration = sms,
        Policies = { PasswordPolicy = { MinimumLength = 8, RequireUppercase = true, RequireLowercase = true,
                                        RequireNumbers = true, RequireSymbols = false } } })
    if not pool then return nil, err end
    local pool_id = pool.UserPool.Id
    if o.mfa ~= "none" then
        local ok
        ok, err = admin:call("SetUserPoolMfaConfig", { UserPoolId = pool_id, MfaConfiguration = "OPTIONAL",
            SoftwareTokenMfaConfiguration = { Enabled = true },
            SmsMfaConfiguration = { SmsAuthenticationMessage = "Your code is {####}", SmsConfiguration = sms } })
        if not ok then return nil, err end
    end
    local client
    client, err = admin:call("CreateUserPoolClient", { UserPoolId = pool_id, ClientName = "load",
        ExplicitAuthFlows = { "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH" } })
    if not client then return nil, err end
    local client_id = client.UserPoolClient.ClientId
    local idp = cognito.new{ user_pool_id = pool_id, client_id = client_id }
    local users = {}
    for i = 1, o.count do
        local u = { username = "load-user-" .. i, password = M.PASSWORD }
        local ok
        ok, err = admin:call("AdminCreateUser", { UserPoolId = pool_id, Username = u.username,
            MessageAction = "SUPPRESS", TemporaryPassword = u.password,
            UserAttributes = { { Name = "phone_number", Value = string.format("+1555555%04d", i % 10000) },
                               { Name = "phone_number_verified", Value = "true" } } })
        if ok then
            ok, err = admin:call("AdminSetUserPassword", { UserPoolId = pool_id, Username = u.username,
                Password = u.password, Permanent = true })
        end
        if not ok then return nil, err end
        if o.mfa ~= "none" then
            local r
            r, err = idp:sign_in{ username = u.username, password = u.password }
            if not r then return nil, err end
            if o.mfa == "sms" then
                ok, err = idp:enable_sms_mfa(r.tokens.AccessToken)
            else
                ok, err = idp:setup_totp(r.tokens.AccessToken, { account = u.username })
                u.totp_secret = ok and ok.secret
            end
            if not ok then return nil, err end
        end
        users[#users + 1] = u
    end
    return { pool_id = pool_id, client_id = client_id, users = users }
end

return M
