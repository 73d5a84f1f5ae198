-- mfakit.guide.settings: what the guide's stack should look like, from the
-- user's choices. Names carry the stack name; every taggable resource is
-- tagged mfakit:stack=<stack>.
local phone = require "mfakit.cognito.phone"
local errors = require "mfakit.errors"

local M = {}

M.TAG = "mfakit:stack"
M.SMS_MESSAGE = "Your MFA code is {####}"
M.SNS_FULL_ACCESS = "arn:aws:iam::aws:policy/AmazonSNSFullAccess"

local MFA = { OFF = true, OPTIONAL = true, ON = true }

-- opts: stack, mfa, sms (bool), totp (bool), spend_limit, sns_policy
-- ("inline"|"full"), test_user, phone, role_name, pool_name, client_name
function M.from(opts)
    local stack = opts.stack or "mfa-sms"
    if not stack:match("^[%w][%w%-]*$") or #stack > 40 then
        return errors.fail("InvalidOption", "--stack must be letters, digits and dashes (at most 40), not '%s'", stack)
    end
    local mfa = (opts.mfa or "OPTIONAL"):upper()
    if not MFA[mfa] then
        return errors.fail("InvalidOption", "--mfa must be OFF, OPTIONAL or ON, not '%s'", opts.mfa)
    end
    local sms, totp = opts.sms ~= false, opts.totp ~= false
    if mfa ~= "OFF" and not sms and not totp then
        return errors.fail("InvalidOption", "--mfa %s needs SMS or TOTP (drop --no-sms or --no-totp)", mfa)
    end
    local policy = opts.sns_policy or "inline"
    if policy ~= "inline" and policy ~= "full" then
        return errors.fail("InvalidOption", "--sns-policy must be inline or full, not '%s'", policy)
    end
    local limit = opts.spend_limit
    if limit ~= nil and (not tostring(limit):match("^%d+$")) then
        return errors.fail("InvalidOption", "--spend-limit must be whole US dollars, not '%s'", tostring(limit))
    end
    if opts.test_user and not opts.test_user:match("^[^@%s]+@[^@%s]+%.[^@%s]+$") then
        return errors.fail("InvalidOption", "--test-user must be an email address, not '%s'", opts.test_user)
    end
    if opts.test_user and not opts.phone and sms then
        return errors.fail("InvalidOption", "--test-user needs --phone (E.164, like +15555550100) for SMS MFA")
    end
    if opts.phone then
        local ok, err = phone.check(opts.phone)
        if not ok then return errors.fail("InvalidOption", "--phone: %s", err.message) end
    end
    return {
        stack = stack, mfa = mfa, sms = sms, totp = totp, sns_policy = policy,
        spend_limit = limit and tostring(limit) or nil, test_user = opts.test_user, phone = opts.phone,
        sms_message = M.SMS_MESSAGE,
        names = {
            role = opts.role_name or (stack .. "-sms-role"),
            policy = stack .. "-sns-publish",
            pool = opts.pool_name or (stack .. "-pool"),
            client = opts.client_name or (stack .. "-client"),
        },
    }
end

return M
