-- mfakit.stack.settings: what the guide's stack should look like, from the
-- user's choices. Names carry the stack name; every taggable resource is
-- tagged mfakit:stack=<stack>.
local phone = require "mfakit.cognito.phone"
local errors = require "mfakit.errors"

local M = {}

M.TAG = "mfakit:stack"
-- Set only on a role the stack created (not on one it adopted), so that
-- even without the state file down can tell the two apart.
M.MADE_TAG = "mfakit:made-by-stack"
M.SMS_MESSAGE = "Your MFA code is {####}"
M.SNS_FULL_ACCESS = "arn:aws:iam::aws:policy/AmazonSNSFullAccess"

local MFA = { OFF = true, OPTIONAL = true, ON = true }

-- AWS's limits for each name (IAM CreateRole RoleName; Cognito
-- CreateUserPool PoolName and CreateUserPoolClient ClientName), checked
-- before any call so a bad name is one line, not a half-made stack. Only
-- ASCII letters and digits count as word characters here.
local NAME_RULES = {
    { key = "role", option = "--role-name", max = 64, class = "[%w_+=,.@%-]", what = "letters, digits and _+=,.@-" },
    { key = "pool", option = "--pool-name", max = 128, class = "[%w_ +=,.@%-]",
      what = "letters, digits, spaces and _+=,.@-" },
    { key = "client", option = "--client-name", max = 128, class = "[%w_ +=,.@%-]",
      what = "letters, digits, spaces and _+=,.@-" },
    { key = "policy", option = "--stack", max = 128, class = "[%w_+=,.@%-]", what = "letters, digits and _+=,.@-" },
}

local function check_name(rule, name)
    if type(name) ~= "string" or #name == 0 or #name > rule.max or name:gsub(rule.class, "") ~= "" then
        return errors.fail("InvalidOption", "%s must be 1 to %d characters of %s, not '%s'", rule.option, rule.max,
            rule.what, errors.shown(name, 40))
    end
    return true
end

-- "10", "10.00" -> "10"; a fraction of a dollar is refused, since SNS is
-- not known to accept one for MonthlySpendLimit.
function M.spend_limit(v)
    if v == nil then return nil end
    local text = tostring(v)
    local whole, cents = text:match("^0*(%d+)%.?(%d*)$")
    if not whole or #whole > 9 or (cents ~= "" and not cents:match("^0+$")) then
        return errors.fail("InvalidOption",
            "--spend-limit must be whole US dollars, like 10 or 10.00 (SNS is not known to take cents), not '%s'",
            errors.shown(text, 40))
    end
    return whole
end

-- --device-tracking: the pool's DeviceConfiguration. ChallengeRequiredOnNewDevice
-- true lets a remembered device sign in with device SRP instead of an MFA code;
-- DeviceOnlyRememberedOnUserPrompt true remembers a device only when the app
-- asks (UpdateDeviceStatus), false remembers every confirmed device.
M.DEVICE_TRACKING = {
    always = { ChallengeRequiredOnNewDevice = true, DeviceOnlyRememberedOnUserPrompt = false },
    ["opt-in"] = { ChallengeRequiredOnNewDevice = true, DeviceOnlyRememberedOnUserPrompt = true },
    off = { ChallengeRequiredOnNewDevice = false, DeviceOnlyRememberedOnUserPrompt = false },
}
M.DEVICE_TRACKING_DEFAULT = "opt-in"

-- The --device-tracking value a pool's DeviceConfiguration amounts to
-- ("off" when it has none), or nil for a mix no value sets.
function M.device_tracking_of(config)
    config = type(config) == "table" and config or {}
    local challenge = config.ChallengeRequiredOnNewDevice == true
    local prompt = config.DeviceOnlyRememberedOnUserPrompt == true
    if not challenge then return not prompt and "off" or nil end
    return prompt and "opt-in" or "always"
end

-- --alarm-at: the spend alarm's threshold, a whole percent of the spend limit.
M.ALARM_AT_DEFAULT = 80

local function alarm_at(v)
    if v == nil then return nil end
    local n = tonumber(tostring(v):match("^%d+$") or "")
    if not n or n < 1 or n > 100 then
        return errors.fail("InvalidOption", "--alarm-at must be a whole percent from 1 to 100, not '%s'",
            errors.shown(tostring(v), 40))
    end
    return math.tointeger(n)
end

-- opts: stack, mfa, sms (bool), totp (bool), spend_limit, sns_policy
-- ("inline"|"full"), test_user, phone, role_name, pool_name, client_name,
-- device_tracking ("always"|"opt-in"|"off"), alarm_email, alarm_at (1-100),
-- sms_delivery_logs (bool)
function M.from(opts)
    local stack = opts.stack or "mfa-sms"
    if not stack:match("^[%w][%w%-]*$") or #stack > 40 then
        return errors.fail("InvalidOption", "--stack must be letters, digits and dashes (at most 40), not '%s'",
            errors.shown(stack))
    end
    local mfa = (opts.mfa or "OPTIONAL"):upper()
    if not MFA[mfa] then
        return errors.fail("InvalidOption", "--mfa must be OFF, OPTIONAL or ON, not '%s'", errors.shown(opts.mfa))
    end
    local sms, totp = opts.sms ~= false, opts.totp ~= false
    if mfa ~= "OFF" and not sms and not totp then
        return errors.fail("InvalidOption", "--mfa %s needs SMS or TOTP (drop --no-sms or --no-totp)", mfa)
    end
    local policy = opts.sns_policy or "inline"
    if policy ~= "inline" and policy ~= "full" then
        return errors.fail("InvalidOption", "--sns-policy must be inline or full, not '%s'", errors.shown(policy))
    end
    local tracking = opts.device_tracking or M.DEVICE_TRACKING_DEFAULT
    if not M.DEVICE_TRACKING[tracking] then
        return errors.fail("InvalidOption", "--device-tracking must be always, opt-in or off, not '%s'",
            errors.shown(tracking))
    end
    local limit, err = M.spend_limit(opts.spend_limit)
    if err then return nil, err end
    if opts.test_user and not opts.test_user:match("^[^@%s]+@[^@%s]+%.[^@%s]+$") then
        return errors.fail("InvalidOption", "--test-user must be an email address, not '%s'",
            errors.shown(opts.test_user))
    end
    if opts.test_user and not opts.phone and sms then
        return errors.fail("InvalidOption", "--test-user needs --phone (E.164, like +15555550100) for SMS MFA")
    end
    if opts.phone then
        local ok, perr = phone.check(opts.phone)
        if not ok then return errors.fail("InvalidOption", "--phone: %s", perr.message) end
    end
    if opts.alarm_email and not opts.alarm_email:match("^[^@%s]+@[^@%s]+%.[^@%s]+$") then
        return errors.fail("InvalidOption", "--alarm-email must be an email address, not '%s'",
            errors.shown(opts.alarm_email))
    end
    local at
    at, err = alarm_at(opts.alarm_at)
    if err then return nil, err end
    if at and not opts.alarm_email then
        return errors.fail("InvalidOption", "--alarm-at needs --alarm-email (where the alarm is sent)")
    end
    local names = {
        role = opts.role_name or (stack .. "-sms-role"),
        policy = stack .. "-sns-publish",
        pool = opts.pool_name or (stack .. "-pool"),
        client = opts.client_name or (stack .. "-client"),
        -- the spend alarm's SNS topic and CloudWatch alarm share one name
        alarm = stack .. "-sms-spend",
    }
    for _, n in ipairs(NAME_RULES) do
        local ok
        ok, err = check_name(n, names[n.key])
        if not ok then return nil, err end
    end
    return {
        stack = stack, mfa = mfa, sms = sms, totp = totp, sns_policy = policy,
        spend_limit = limit, test_user = opts.test_user, phone = opts.phone,
        sms_message = M.SMS_MESSAGE, names = names, device_tracking = tracking,
        alarm_email = opts.alarm_email, alarm_at = opts.alarm_email and (at or M.ALARM_AT_DEFAULT) or nil,
        sms_delivery_logs = opts.sms_delivery_logs == true,
    }
end

return M
