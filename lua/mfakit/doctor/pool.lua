-- Doctor checks on the user pool: it exists, MFA is on, SMS and TOTP are set,
-- remembered devices behave as the stack wants.
local fix = require "mfakit.doctor.fix"
local settings = require "mfakit.stack.settings"

local checks = {}

local CONSOLE_SMS = "Cognito console > User pools > %s > Authentication methods > SMS > Edit: choose the IAM role " ..
    "(or create one) and save"

-- The pool, or the skip every later pool check gives when there is none.
local function need_pool(ctx)
    local p = ctx:pool()
    if p then return p end
    return nil, "skip", "no user pool to look at (see pool-exists)"
end

checks[#checks + 1] = { id = "pool-exists", title = "the user pool exists and can be read",
    run = function(ctx)
        local p, err = ctx:pool()
        if p then
            return "pass", string.format("%s (%s) in %s, estimated users: %s", p.Name, p.Id, ctx.pool_region,
                tostring(p.EstimatedNumberOfUsers or "?"))
        end
        if err.code == "NoPool" then
            if ctx.stack then return "fail", err.message, fix.guide_up(ctx) .. " (or pass --user-pool-id ID)" end
            return "fail", err.message, "pass --user-pool-id ID or --stack NAME (list pools: aws cognito-idp " ..
                "list-user-pools --max-results 60" .. fix.region_arg(ctx.region) .. ")"
        end
        if err.code == "ResourceNotFoundException" then
            return "fail", string.format("user pool %s does not exist in %s", ctx.pool_id, tostring(ctx.pool_region)),
                ctx.stack and fix.guide_up(ctx) or ("check the id and region: aws cognito-idp list-user-pools " ..
                "--max-results 60" .. fix.region_arg(ctx.pool_region))
        end
        if ctx:unreachable(err) then return "skip", ctx:unreachable(err) end
        return "fail", "cannot read the user pool: " .. tostring(err),
            fix.for_error(ctx, err, "cognito-idp:DescribeUserPool")
    end }

local MODES = {
    ON = "ON: every user must use MFA",
    OPTIONAL = "OPTIONAL: users with an MFA method are asked for a code",
}

checks[#checks + 1] = { id = "pool-mfa-config", title = "MFA is OPTIONAL or ON, as the stack wants",
    run = function(ctx)
        local _, skip, why = need_pool(ctx)
        if skip then return skip, why end
        local m, err = ctx:mfa()
        if not m then
            if ctx:unreachable(err) then return "skip", ctx:unreachable(err) end
            return "fail", "cannot read the MFA configuration: " .. tostring(err),
                fix.for_error(ctx, err, "cognito-idp:GetUserPoolMfaConfig")
        end
        local mode = ctx:mfa_mode() or "OFF"
        local want = ctx.expect and ctx.expect.mfa
        local totp = ctx.expect and ctx.expect.totp or (ctx.expect == nil)
        if mode == "OFF" then
            local f
            if ctx.stack and want ~= "OFF" then
                f = fix.guide_up(ctx)
            elseif ctx.stack then
                f = fix.guide_up(ctx, "--mfa OPTIONAL")
            else
                f = fix.set_mfa_config(ctx, "OPTIONAL", totp)
            end
            return "fail", "MFA is OFF: no sign-in asks for a code" ..
                (want == "OFF" and " (the stack was made with --mfa OFF)" or ""), f
        end
        if want and want ~= "OFF" and want ~= mode then
            return "fail", string.format("MFA is %s but stack %s wants %s", mode, ctx.stack, want), fix.guide_up(ctx)
        end
        return "pass", "MFA is " .. (MODES[mode] or mode)
    end }

checks[#checks + 1] = { id = "pool-sms-config", title = "SMS is configured: a role to send with and a {####} message",
    run = function(ctx)
        local p, skip, why = need_pool(ctx)
        if skip then return skip, why end
        if ctx.expect and ctx.expect.sms == false then
            return "skip", "stack " .. ctx.stack .. " was made with --no-sms"
        end
        local sc = p.SmsConfiguration
        if type(sc) ~= "table" or not sc.SnsCallerArn or sc.SnsCallerArn == "" then
            return "fail", "the pool has no SMS configuration (SnsCallerArn): Cognito cannot send SMS codes",
                ctx.stack and fix.guide_up(ctx) or CONSOLE_SMS:format(p.Name)
        end
        local msg = ctx:sms_message()
        if msg and not msg:find("{####}", 1, true) then
            return "fail", string.format("the SMS message %q has no {####}, so it carries no code", msg),
                (fix.set_mfa_config(ctx, ctx:mfa_mode() or "OPTIONAL", true):gsub(
                    '"SmsAuthenticationMessage":"[^"]*"', '"SmsAuthenticationMessage":"Your code is {####}"'))
        end
        local failure = p.SmsConfigurationFailure and tostring(p.SmsConfigurationFailure)
        return "pass", string.format("role %s, ExternalId %s, message %s%s", sc.SnsCallerArn,
            (sc.ExternalId and sc.ExternalId ~= "") and "set" or "not set",
            msg and string.format("%q", msg) or "Cognito's default (it has the code)",
            (failure and failure ~= "") and ("; Cognito reports SmsConfigurationFailure " .. failure ..
                " (see sms-role-sns-publish and sns-sandbox)") or "")
    end }

checks[#checks + 1] = { id = "pool-totp", title = "software token (TOTP) MFA is enabled when expected",
    run = function(ctx)
        local _, skip, why = need_pool(ctx)
        if skip then return skip, why end
        local m, err = ctx:mfa()
        if not m then return "skip", "cannot read the MFA configuration (see pool-mfa-config): " .. tostring(err) end
        local on = type(m.SoftwareTokenMfaConfiguration) == "table" and m.SoftwareTokenMfaConfiguration.Enabled == true
        local want = ctx.expect and ctx.expect.totp
        if ctx:mfa_mode() == "OFF" and not on then
            -- one cause, one failure: pool-mfa-config reports it
            return "pass", "not applicable while MFA is OFF (see pool-mfa-config)"
        end
        if on then
            return "pass", "TOTP MFA is enabled" .. (want == false and " (stack made with --no-totp)" or "")
        end
        if want == false then return "pass", "TOTP MFA is not enabled, as stack " .. ctx.stack .. " wants" end
        if want then
            return "fail", "TOTP MFA is not enabled but stack " .. ctx.stack .. " expects it", fix.guide_up(ctx)
        end
        return "warn", "TOTP MFA is not enabled: users cannot use an authenticator app",
            fix.set_mfa_config(ctx, ctx:mfa_mode() or "OPTIONAL", true)
    end }

local TRACKING = {
    always = "every confirmed device is remembered, and a remembered device skips MFA",
    ["opt-in"] = "a device is remembered when the app asks (UpdateDeviceStatus), then skips MFA",
    off = "no remembered device skips MFA: every sign-in asks for a code",
}

checks[#checks + 1] = { id = "pool-device-tracking", title = "remembered devices can skip MFA, as the stack wants",
    run = function(ctx)
        local p, skip, why = need_pool(ctx)
        if skip then return skip, why end
        local have = settings.device_tracking_of(p.DeviceConfiguration)
        local want = ctx.expect and ctx.expect.device_tracking
        if ctx:mfa_mode() == "OFF" then return "pass", "not applicable while MFA is OFF (see pool-mfa-config)" end
        local said = have and ("device tracking " .. have .. ": " .. TRACKING[have])
            or "device tracking mixed: devices are not remembered by default, and a remembered one skips MFA"
        if want and have ~= want then
            return "warn", said .. "; stack " .. ctx.stack .. " wants " .. want, fix.guide_up(ctx)
        end
        if have == "off" and want ~= "off" then
            return "warn", said, "mfakit guide up --device-tracking opt-in (or Cognito console > User pools > " ..
                p.Name .. " > Sign-in > Device tracking > Edit; UpdateUserPool resets every setting it is not given)"
        end
        return "pass", said
    end }

-- The pool's account recovery: with SMS MFA, a phone that can also reset the
-- password makes one lost or stolen phone both factors.
checks[#checks + 1] = { id = "pool-account-recovery", title = "account recovery by verified email only",
    run = function(ctx)
        local p, skip, why = need_pool(ctx)
        if skip then return skip, why end
        local names = {}
        for _, m in ipairs((p.AccountRecoverySetting or {}).RecoveryMechanisms or {}) do
            names[#names + 1] = tostring(m.Name)
        end
        local said = #names > 0 and table.concat(names, ", ") or "not set (Cognito's legacy default, which " ..
            "prefers SMS to email)"
        if #names == 1 and names[1] == "verified_email" then
            return "pass", "account recovery: verified_email only"
        end
        local phone = #names == 0
        for _, n in ipairs(names) do if n == "verified_phone_number" then phone = true end end
        if not phone then return "pass", "account recovery: " .. said end
        return "warn", "account recovery: " .. said .. ": a forgotten password can be reset with a code texted " ..
            "to the phone, the same phone that receives the MFA codes",
            ctx.stack and fix.guide_up(ctx) or ("aws cognito-idp update-user-pool --user-pool-id " .. p.Id ..
                " --account-recovery-setting 'RecoveryMechanisms=[{Name=verified_email,Priority=1}]' (with every " ..
                "other setting: UpdateUserPool resets what it is not given)")
    end }

return checks
