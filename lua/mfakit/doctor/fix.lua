-- mfakit.doctor.fix: the fix strings the checks share. A fix is a command
-- to paste, or a console path when no single command is safe.
local json = require "mfakit.json"

local M = {}

-- Quotes one shell word.
function M.q(s)
    s = tostring(s)
    if s:match("^[%w@%%+=:,./_-]+$") then return s end
    return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- The guide's own repair: `up` converges the stack to its settings.
function M.guide_up(ctx, extra)
    local parts = { "mfakit guide up --stack", M.q(ctx.stack) }
    if ctx.opts.state_dir then parts[#parts + 1] = "--state-dir " .. M.q(ctx.opts.state_dir) end
    if ctx.pool_region then parts[#parts + 1] = "--region " .. ctx.pool_region end
    if extra then parts[#parts + 1] = extra end
    return table.concat(parts, " ")
end

-- When the doctor itself may not read something.
function M.grant(ctx, action)
    local who = ctx:identity()
    return string.format("grant %s to %s (IAM console > the identity > Add permissions)", action,
        who and who.Arn or "these credentials")
end

-- A fix for a failed read: a missing permission, or the error to look at.
function M.for_error(ctx, err, action)
    local code = type(err) == "table" and err.code or ""
    if code:find("AccessDenied", 1, true) or code == "AuthorizationError" or code == "UnauthorizedOperation"
        or code == "NotAuthorizedException" then
        return M.grant(ctx, action)
    end
    if code == "NoCredentials" or code == "ExpiredToken" or code == "InvalidClientTokenId"
        or code == "ExpiredCredentials" then
        return "fix the credentials first (see the credentials check)"
    end
    return "run again with --trace to see the request and the answer"
end

function M.region_arg(region)
    return region and (" --region " .. region) or ""
end

-- aws cognito-idp set-user-pool-mfa-config with the pool's SMS settings
-- kept (the call replaces the whole MFA configuration).
function M.set_mfa_config(ctx, mode, totp)
    local ref = ctx:sms_ref()
    local parts = { "aws cognito-idp set-user-pool-mfa-config --user-pool-id", M.q(ctx.pool_id),
                    "--mfa-configuration", mode }
    if ref then
        local sc = { SnsCallerArn = ref.arn, ExternalId = ref.external_id, SnsRegion = ref.sns_region }
        local smc = { SmsConfiguration = sc, SmsAuthenticationMessage = ctx:sms_message() }
        parts[#parts + 1] = "--sms-mfa-configuration " .. M.q(json.encode(smc))
    end
    parts[#parts + 1] = "--software-token-mfa-configuration Enabled=" .. tostring(totp)
    return table.concat(parts, " ") .. M.region_arg(ctx.pool_region)
end

return M
