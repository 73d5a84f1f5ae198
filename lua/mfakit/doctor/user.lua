-- Doctor checks on one user (--username): confirmed, an E.164 phone that is
-- verified, and an MFA method a sign-in will ask for.
local phone_mod = require "mfakit.cognito.phone"
local fix = require "mfakit.doctor.fix"

local checks = {}


local function admin(ctx, what)
    return string.format("aws cognito-idp %s --user-pool-id %s --username %s%s", what, fix.q(ctx.pool_id),
        fix.q(ctx.username), fix.region_arg(ctx.pool_region))
end

local STATUS_FIX = {
    UNCONFIRMED = function(ctx) return admin(ctx, "admin-confirm-sign-up") end,
    FORCE_CHANGE_PASSWORD = function(ctx)
        return "sign in once and set a new password, or: " ..
            admin(ctx, "admin-set-user-password") .. ' --password "$NEW_PASSWORD" --permanent'
    end,
    RESET_REQUIRED = function(ctx)
        return "the user resets the password (forgot password), or: " ..
            admin(ctx, "admin-set-user-password") .. ' --password "$NEW_PASSWORD" --permanent'
    end,
}

checks[#checks + 1] = { id = "user-exists", title = "with --username: the user exists and is CONFIRMED",
    run = function(ctx)
        if not ctx.username then return "skip", "no --username given", "add --username NAME to check a user" end
        if not ctx:pool() then return "skip", "no user pool to look at (see pool-exists)" end
        local u, err = ctx:user()
        if not u then
            if err.code == "UserNotFoundException" then
                return "fail", "no user " .. ctx.username .. " in " .. ctx.pool_id,
                    "check the name: aws cognito-idp list-users --user-pool-id " .. fix.q(ctx.pool_id) ..
                    " --filter " .. fix.q('email = "' .. ctx.username .. '"') .. fix.region_arg(ctx.pool_region)
            end
            if ctx:unreachable(err) then return "skip", ctx:unreachable(err) end
            return "fail", "cannot read user " .. ctx.username .. ": " .. tostring(err),
                fix.for_error(ctx, err, "cognito-idp:AdminGetUser")
        end
        if u.Enabled == false then
            return "fail", ctx.username .. " is disabled", admin(ctx, "admin-enable-user")
        end
        if u.UserStatus ~= "CONFIRMED" then
            local f = STATUS_FIX[u.UserStatus]
            return "fail", string.format("%s is %s, not CONFIRMED: sign-in stops before MFA", ctx.username,
                tostring(u.UserStatus)), f and f(ctx) or "see the Cognito console > User pools > " ..
                ctx.pool_id .. " > Users > " .. ctx.username
        end
        return "pass", string.format("%s exists (%s), CONFIRMED", ctx.username, u.Username)
    end }

local function sms_wanted(ctx, u)
    for _, m in ipairs(u.UserMFASettingList or {}) do if m == "SMS_MFA" then return true end end
    return ctx.expect and ctx.expect.sms or false
end

checks[#checks + 1] = { id = "user-phone-format", title = "with --username: phone_number is E.164",
    run = function(ctx)
        local u, skip, why, f = ctx:user_or_skip()
        if not u then return skip, why, f end
        local phone = u.attributes.phone_number
        if not phone or phone == "" then
            if sms_wanted(ctx, u) then
                return "fail", ctx.username .. " has no phone_number: an SMS code has nowhere to go",
                    admin(ctx, "admin-update-user-attributes") ..
                    " --user-attributes Name=phone_number,Value=+15555550100"
            end
            return "skip", ctx.username .. " has no phone_number (no SMS MFA)"
        end
        local ok, err = phone_mod.check(phone)
        if ok then return "pass", "phone_number " .. phone .. " is E.164" end
        local better = err.suggestion
        return "fail", string.format("phone_number %q is not E.164 (+, country code, digits)%s", phone,
            better and (": it should probably be " .. better) or ""),
            admin(ctx, "admin-update-user-attributes") .. " --user-attributes Name=phone_number,Value=" ..
            (better or "+COUNTRYCODE-AND-NUMBER")
    end }

checks[#checks + 1] = { id = "user-phone-verified", title = "with --username: phone_number_verified is true",
    run = function(ctx)
        local u, skip, why, f = ctx:user_or_skip()
        if not u then return skip, why, f end
        if not u.attributes.phone_number or u.attributes.phone_number == "" then
            return "skip", ctx.username .. " has no phone_number"
        end
        if u.attributes.phone_number_verified == "true" then
            return "pass", u.attributes.phone_number .. " is verified"
        end
        return "fail", u.attributes.phone_number .. " is not verified: Cognito may still send SMS MFA to it, " ..
            "so a mistyped number locks the user out", "the user verifies it (GetUserAttributeVerificationCode, " ..
            "then VerifyUserAttribute), or once the number is known to be right: " ..
            admin(ctx, "admin-update-user-attributes") .. " --user-attributes Name=phone_number_verified,Value=true"
    end }

local function has(list, v)
    for _, x in ipairs(list or {}) do if x == v then return true end end
    return false
end

checks[#checks + 1] = { id = "user-mfa-preference",
    title = "with --username: the user's MFA methods, and whether sign-in prompts",
    run = function(ctx)
        local u, skip, why, f = ctx:user_or_skip()
        if not u then return skip, why, f end
        local methods = u.UserMFASettingList or {}
        local preferred = u.PreferredMfaSetting ~= "" and u.PreferredMfaSetting or nil
        local mode = ctx:mfa_mode()
        local notes = {}
        if mode == "OFF" and #methods > 0 then
            notes[#notes + 1] = "but the pool's MFA is OFF, so no sign-in prompts (see pool-mfa-config)"
        end
        local m = ctx:mfa()
        if has(methods, "SOFTWARE_TOKEN_MFA") and m and not (m.SoftwareTokenMfaConfiguration or {}).Enabled
            and mode ~= "OFF" then
            notes[#notes + 1] = "but the pool does not enable TOTP (see pool-totp)"
        end
        local tail = #notes > 0 and (", " .. table.concat(notes, "; ")) or ""
        if #methods == 0 then
            local set = admin(ctx, "admin-set-user-mfa-preference") ..
                " --sms-mfa-settings Enabled=true,PreferredMfa=true"
            if mode == "ON" then
                return "warn", ctx.username .. " has no MFA method: the next sign-in asks to set one up (MFA_SETUP)" ..
                    tail, set
            end
            return "fail", ctx.username .. " has no MFA method enabled: a sign-in will not ask for a code" ..
                (mode == "OFF" and " (nor will any while the pool's MFA is OFF: see pool-mfa-config)" or "") .. tail,
                set
        end
        if not preferred and #methods > 1 then
            return "warn", string.format("%s has %s and no preferred method: sign-in asks which (SELECT_MFA_TYPE)%s",
                ctx.username, table.concat(methods, " and "), tail), admin(ctx, "admin-set-user-mfa-preference") ..
                " --sms-mfa-settings Enabled=true,PreferredMfa=true"
        end
        return "pass", string.format("%s has %s%s: sign-in asks for %s%s", ctx.username, table.concat(methods, ", "),
            preferred and (", preferred " .. preferred) or "", preferred or methods[1], tail)
    end }

return checks
