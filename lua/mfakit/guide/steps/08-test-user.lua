-- Guide step 8: a test user (only with --test-user EMAIL --phone E164):
--   sign up (password from MFAKIT_TEST_USER_PASSWORD, else a random one
--   that is never shown or stored), confirm, mark the phone verified, enable
--   SMS MFA, and, given --sms-code-from, sign in through the SMS challenge
--   (on --local any code works: moto does not check SMS codes).
-- Creates: the user in the step-2 pool.
-- IAM permissions: cognito-idp:AdminGetUser, AdminConfirmSignUp,
--   AdminUpdateUserAttributes, AdminSetUserMFAPreference, AdminDeleteUser
--   (SignUp and InitiateAuth are public).
-- Run alone: mfakit guide up|down|plan|status --step 08 --test-user EMAIL --phone E164
local guide = require "mfakit.guide.common"
local errors = require "mfakit.errors"
local cognito = require "mfakit.cognito"
local crypto = require "mfakit.crypto"

local step = { id = "08", name = "test-user", title = "a test user with SMS MFA" }

-- A password the guide's policy accepts: upper, lower and digits.
local function random_password()
    local s = crypto.base64(crypto.random(18)):gsub("[^%w]", "")
    return "Mfa" .. s:sub(1, 16) .. "7x"
end

function step.inspect(ctx)
    local email = ctx.settings.test_user
    if not email then return { exists = false, skip = true, changes = {} } end
    local pool_id = ctx.pool_id or (ctx.state:get("pool") or {}).id
    if not pool_id then return { exists = false, changes = { "create test user " .. email } } end
    local u, err = ctx.idp:call("AdminGetUser", { UserPoolId = pool_id, Username = email })
    if not u then
        if err.code == "UserNotFoundException" or err.code == "ResourceNotFoundException" then
            return { exists = false, pool_id = pool_id, changes = { "create test user " .. email } }
        end
        return nil, err
    end
    local changes = {}
    if u.UserStatus ~= "CONFIRMED" then changes[#changes + 1] = "confirm" end
    if ctx.settings.sms and not guide.contains(u.UserMFASettingList, "SMS_MFA") then
        changes[#changes + 1] = "enable SMS MFA"
    end
    local attrs = {}
    for _, a in ipairs(u.UserAttributes or {}) do attrs[a.Name] = a.Value end
    if attrs.phone_number ~= ctx.settings.phone then changes[#changes + 1] = "phone number" end
    return { exists = true, pool_id = pool_id, changes = changes, sub = attrs.sub }
end

function step.up(ctx)
    local now, err = step.inspect(ctx)
    if not now then return nil, err end
    if now.skip then return "skipped", "no --test-user" end
    local s, pool_id = ctx.settings, now.pool_id
    if not pool_id then
        return errors.fail("NoPool", "the test user needs the user pool: run up (or --step 02) first")
    end
    local client_id = ctx.client_id or (ctx.state:get("client") or {}).id
    local idp = cognito.new{ user_pool_id = pool_id, client_id = client_id, endpoint = ctx.endpoint,
                             region = ctx.region }
    local verb = "exists"
    local password = require("mfakit.secrets").from_env("MFAKIT_TEST_USER_PASSWORD")
    if not now.exists then
        password = (password and password ~= "") and password or random_password()
        assert(ctx.state:set("user", { username = s.test_user, status = "creating" }))
        local ok
        ok, err = idp:sign_up{ username = s.test_user, password = password,
            attributes = { email = s.test_user, name = "mfakit test user", phone_number = s.phone } }
        if not ok and err.code ~= "UsernameExistsException" then return nil, err end
        verb = "created"
    end
    ctx.test_password = password
    local ok
    ok, err = ctx.idp:call("AdminConfirmSignUp", { UserPoolId = pool_id, Username = s.test_user })
    if not ok and not (err.code == "NotAuthorizedException" and err.message:find("CONFIRMED")) then
        if verb == "created" or err.code ~= "NotAuthorizedException" then return nil, err end
    end
    local attrs = { { Name = "phone_number_verified", Value = "true" } }
    if s.phone then table.insert(attrs, 1, { Name = "phone_number", Value = s.phone }) end
    ok, err = ctx.idp:call("AdminUpdateUserAttributes", { UserPoolId = pool_id, Username = s.test_user,
                                                           UserAttributes = attrs })
    if not ok then return nil, err end
    if s.sms then
        ok, err = ctx.idp:call("AdminSetUserMFAPreference", { UserPoolId = pool_id, Username = s.test_user,
            SMSMfaSettings = { Enabled = true, PreferredMfa = true } })
        if not ok then return nil, err end
    end
    if verb == "exists" and #now.changes > 0 then verb = "updated" end
    assert(ctx.state:set("user", { username = s.test_user, status = "created" }))
    local detail = guide.what_changed(verb, s.test_user, now.changes)
    if ctx.sms_code and password and s.sms then
        local r
        r, err = idp:sign_in{ username = s.test_user, password = password, sms_code = ctx.sms_code }
        if not r then return nil, err end
        ctx.test_sign_in = r
        detail = detail .. ", signed in through " .. table.concat(r.challenges, " -> ")
    elseif s.sms and not ctx.sms_code then
        detail = detail .. " (no sign-in: --sms-code-from SOURCE signs in through SMS)"
    elseif s.sms and not password then
        detail = detail .. " (no sign-in: set MFAKIT_TEST_USER_PASSWORD to the user's password)"
    end
    return verb, detail
end

function step.down(ctx)
    local user = ctx.state:get("user")
    local pool_id = (ctx.state:get("pool") or {}).id
    if not user or not pool_id then
        ctx.state:forget("user")
        return "absent", ctx.settings.test_user or "no test user"
    end
    local ok, err = ctx.idp:call("AdminDeleteUser", { UserPoolId = pool_id, Username = user.username })
    if not ok and err.code ~= "UserNotFoundException" and err.code ~= "ResourceNotFoundException" then
        return nil, err
    end
    ctx.state:forget("user")
    return ok and "deleted" or "absent", user.username
end

return step
