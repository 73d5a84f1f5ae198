-- bench/guide_flow.lua ENDPOINT TAG: the guide's calls as one mfakit script.
--   mfakit bench/guide_flow.lua http://127.0.0.1:PORT round1
-- The same calls, in the same order, as bench/guide_flow.py (boto3): an SMS
-- role for Cognito, a pool with optional SMS MFA, a user who logs in twice
-- with a password, then again through the SMS_MFA challenge, the account's
-- SMS settings, and the teardown. TAG makes the names unique per round.
-- Exits 0 when every call succeeded; the first failure raises. Prints
-- cpu_ms=N: this process's CPU time from its start (os.clock).
local aws = require "mfakit.aws"
local json = require "mfakit.json"

local endpoint, tag = arg[1], arg[2]
assert(endpoint and tag, "usage: mfakit bench/guide_flow.lua ENDPOINT TAG")

local POLICY = "arn:aws:iam::aws:policy/AmazonSNSFullAccess"
local PASSWORD = "Bench-Passw0rd!"
local opts = { endpoint = endpoint, region = "us-east-1", access_key = "testing", secret_key = "testing" }
local iam, idp, sns = aws.client("iam", opts), aws.client("cognito-idp", opts), aws.client("sns", opts)

local function call(client, operation, params)
    local out, err = client:call(operation, params)
    if not out then error(tostring(err), 0) end
    return out
end

local role_name = "mfakit-bench-sms-" .. tag
local external_id = "mfakit-bench-" .. tag
local trust = json.encode{ Version = "2012-10-17", Statement = { {
    Effect = "Allow", Principal = { Service = "cognito-idp.amazonaws.com" }, Action = "sts:AssumeRole",
    Condition = { StringEquals = { ["sts:ExternalId"] = external_id } } } } }
call(iam, "CreateRole", { RoleName = role_name, AssumeRolePolicyDocument = trust })
call(iam, "AttachRolePolicy", { RoleName = role_name, PolicyArn = POLICY })
local role_arn = call(iam, "GetRole", { RoleName = role_name }).Role.Arn

local sms = { SnsCallerArn = role_arn, ExternalId = external_id }
local pool_id = call(idp, "CreateUserPool", {
    PoolName = "mfakit-bench-" .. tag, MfaConfiguration = "OPTIONAL", AutoVerifiedAttributes = { "email" },
    SmsConfiguration = sms,
}).UserPool.Id
call(idp, "SetUserPoolMfaConfig", { UserPoolId = pool_id, MfaConfiguration = "OPTIONAL",
    SmsMfaConfiguration = { SmsConfiguration = sms }, SoftwareTokenMfaConfiguration = { Enabled = true } })
local client_id = call(idp, "CreateUserPoolClient", {
    UserPoolId = pool_id, ClientName = "mfakit-bench", GenerateSecret = false,
    ExplicitAuthFlows = { "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH" },
}).UserPoolClient.ClientId

local user = "qa-" .. tag
call(idp, "SignUp", { ClientId = client_id, Username = user, Password = PASSWORD, UserAttributes = {
    { Name = "email", Value = user .. "@example.com" }, { Name = "phone_number", Value = "+15555550100" } } })
call(idp, "AdminConfirmSignUp", { UserPoolId = pool_id, Username = user })
local auth = { USERNAME = user, PASSWORD = PASSWORD }
for _ = 1, 2 do
    local r = call(idp, "InitiateAuth", { ClientId = client_id, AuthFlow = "USER_PASSWORD_AUTH",
        AuthParameters = auth })
    assert(r.AuthenticationResult and r.AuthenticationResult.AccessToken, "no tokens before MFA")
end
call(idp, "AdminSetUserMFAPreference", { UserPoolId = pool_id, Username = user,
    SMSMfaSettings = { Enabled = true, PreferredMfa = true } })
local r = call(idp, "InitiateAuth", { ClientId = client_id, AuthFlow = "USER_PASSWORD_AUTH", AuthParameters = auth })
assert(r.ChallengeName == "SMS_MFA", tostring(r.ChallengeName))
r = call(idp, "RespondToAuthChallenge", { ClientId = client_id, ChallengeName = "SMS_MFA", Session = r.Session,
    ChallengeResponses = { USERNAME = user, SMS_MFA_CODE = "123456" } })
assert(r.AuthenticationResult and r.AuthenticationResult.IdToken, "no tokens after SMS MFA")

call(sns, "SetSMSAttributes", { attributes = { DefaultSMSType = "Transactional", MonthlySpendLimit = "1" } })
local got = call(sns, "GetSMSAttributes", { attributes = { "DefaultSMSType", "MonthlySpendLimit" } }).attributes
assert(got.DefaultSMSType == "Transactional", "SMS attributes not kept")

call(idp, "DeleteUserPoolClient", { UserPoolId = pool_id, ClientId = client_id })
call(idp, "DeleteUserPool", { UserPoolId = pool_id })
call(iam, "DetachRolePolicy", { RoleName = role_name, PolicyArn = POLICY })
call(iam, "DeleteRole", { RoleName = role_name })
print(string.format("cpu_ms=%.1f", os.clock() * 1000))
return 0
