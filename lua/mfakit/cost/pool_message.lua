-- mfakit.cost.pool_message: the MFA text a guide stack's pool sends, for
-- counting its SMS parts.
--   read(stack, state_dir) -> { text, from } | nil, err
-- GetUserPoolMfaConfig's SmsMfaConfiguration holds the message sent at
-- sign-in; DescribeUserPool's SmsAuthenticationMessage is the older place.
-- With neither, Cognito sends a default message whose text AWS does not
-- publish: it is counted as the guide's message, which is one part. A pool
-- without SMS MFA sends no SMS at sign-in: that is an error (NoSmsMfa), not a
-- price.
local aws = require "mfakit.aws"
local errors = require "mfakit.errors"
local state = require "mfakit.stack.state"
local settings = require "mfakit.stack.settings"

local M = {}

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
    if m.MfaConfiguration == "OFF" or type(m.SmsMfaConfiguration) ~= "table" then
        return errors.fail("NoSmsMfa", "the pool %s of stack %s has no SMS MFA: its sign-ins send no SMS " ..
            "(price a message anyway with --sms-message TEXT or --sms-parts N)", pool.id, stack)
    end
    local text = m.SmsMfaConfiguration.SmsAuthenticationMessage
    if type(text) ~= "string" then
        local d
        d, err = idp:call("DescribeUserPool", { UserPoolId = pool.id })
        if not d then return nil, err end
        text = type(d.UserPool) == "table" and d.UserPool.SmsAuthenticationMessage
    end
    if type(text) ~= "string" then
        return { text = settings.SMS_MESSAGE, from = "the pool " .. pool.id .. " (Cognito's default message)" }
    end
    return { text = text, from = "the pool " .. pool.id .. "'s MFA message" }
end

return M
