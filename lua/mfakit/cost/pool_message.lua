-- mfakit.cost.pool_message: the MFA text a pool sends at sign-in, for
-- counting its SMS parts (mfakit cost --stack, mfakit load's cost guard).
--   of(mfa_config, pool) -> text, from_default (either answer may be nil)
--   read(stack, state_dir) -> { text, from } | nil, err
-- GetUserPoolMfaConfig's SmsMfaConfiguration holds the message sent at
-- sign-in; DescribeUserPool's SmsAuthenticationMessage is the older place.
-- With neither, Cognito sends its default (mfakit.sms.COGNITO_DEFAULT).
local aws = require "mfakit.aws"
local errors = require "mfakit.errors"
local sms = require "mfakit.sms"
local state = require "mfakit.stack.state"

local M = {}

function M.of(mfa_config, pool)
    local text = type(mfa_config) == "table" and type(mfa_config.SmsMfaConfiguration) == "table"
        and mfa_config.SmsMfaConfiguration.SmsAuthenticationMessage
    if type(text) ~= "string" then text = type(pool) == "table" and pool.SmsAuthenticationMessage end
    if type(text) == "string" then return text, false end
    return sms.COGNITO_DEFAULT, true
end

function M.read(stack, state_dir)
    local st, err = state.load(state_dir or state.default_dir(), stack)
    if not st then return nil, err end
    local pool = st:get("pool")
    if not (st.existed and pool and pool.id) then
        return errors.fail("NoPool", "stack %s has no user pool (run mfakit guide up --stack %s first)", stack, stack)
    end
    local idp = aws.client("cognito-idp", { region = st.doc.region })
    local m
    m, err = idp:call("GetUserPoolMfaConfig", { UserPoolId = pool.id })
    if not m then return nil, err end
    -- a pool without SMS MFA sends no SMS at sign-in: an error, not a price
    if m.MfaConfiguration == "OFF" or type(m.SmsMfaConfiguration) ~= "table" then
        return errors.fail("NoSmsMfa", "the pool %s of stack %s has no SMS MFA: its sign-ins send no SMS " ..
            "(price a message anyway with --sms-message TEXT or --sms-parts N)", pool.id, stack)
    end
    local d
    if type(m.SmsMfaConfiguration.SmsAuthenticationMessage) ~= "string" then
        d, err = idp:call("DescribeUserPool", { UserPoolId = pool.id })
        if not d then return nil, err end
    end
    local text, default = M.of(m, d and d.UserPool)
    return { text = text, from = "the pool " .. pool.id .. (default and " (Cognito's default message)"
        or "'s MFA message") }
end

return M
