-- admin-reset-mfa.lua: an operator resets a user's MFA after a lost phone.
-- Cognito has no backup codes, so this is the recovery path: it turns the
-- user's SMS and TOTP MFA off (AdminSetUserMFAPreference), optionally sets
-- a new phone number, unverified (AdminUpdateUserAttributes), forgets every
-- remembered device (AdminListDevices, AdminForgetDevice: a remembered
-- device skips MFA, and the lost phone may be one), optionally signs the
-- user out everywhere (AdminUserGlobalSignOut), then prints what the user
-- must do next.
-- It runs with AWS credentials (an operator's), not a user's sign-in.
-- It writes nothing to an audit trail by itself: CloudTrail records the
-- Admin* calls under the operator's identity (see `mfakit audit`).
-- IAM permissions: cognito-idp:AdminGetUser, AdminSetUserMFAPreference,
--   AdminUpdateUserAttributes (with --new-phone), AdminListDevices,
--   AdminForgetDevice, AdminUserGlobalSignOut (with --global-sign-out).
-- usage: mfakit scripts/user/admin-reset-mfa.lua (--stack S | --user-pool-id ID) --username U
--            [--new-phone E164] [--global-sign-out] [--state-dir DIR] [--output json]
local cli = require "mfakit.cli"
local aws = require "mfakit.aws"
local paginate = require "mfakit.aws.paginate"
local endpoints = require "mfakit.aws.endpoints"
local phone = require "mfakit.cognito.phone"
local state = require "mfakit.stack.state"

local NAME = "admin-reset-mfa.lua"
local DEF = {
    name = NAME,
    usage = "(--stack NAME | --user-pool-id ID) --username NAME [--new-phone E164] [--global-sign-out]",
    summary = "Lost phone: turns the user's SMS and TOTP MFA off, forgets their remembered devices,\n" ..
        "optionally sets a new (unverified) phone and signs them out everywhere. Needs AWS credentials.",
    options = {
        { "stack", "string", "NAME", "the guide's stack: its state file gives the pool id" },
        state.STATE_DIR_OPTION,
        { "user-pool-id", "string", "ID", "the user pool (instead of --stack)" },
        { "username", "string", "NAME", "the user (username, or a sign-in alias the pool accepts)" },
        { "new-phone", "string", "E164", "replace phone_number with this one, marked unverified" },
        { "global-sign-out", "flag", nil, "also sign the user out of every session (AdminUserGlobalSignOut)" },
    },
    notes = "Writes nothing to an audit trail itself: CloudTrail records the calls. Docs: docs/PLAYBOOKS.md.",
}

local function pool_of(o)
    if o["user-pool-id"] then return o["user-pool-id"] end
    local st, err = state.load(o["state-dir"] or state.default_dir(), o.stack)
    if not st then return nil, err end
    local pool = st:get("pool")
    if not (pool and pool.id) then return nil, "stack " .. o.stack .. " has no pool (run mfakit guide up first)" end
    return pool.id
end

local function run(o, pos)
    if #pos > 0 then return cli.usage(NAME, "unexpected argument '" .. cli._shown(pos[1]) .. "'") end
    if not o.username or not (o.stack or o["user-pool-id"]) then
        return cli.usage(NAME, "--username and --stack or --user-pool-id are required")
    end
    if o["new-phone"] then
        local ok, perr = phone.check(o["new-phone"])
        if not ok then return cli.usage(NAME, "--new-phone: " .. perr.message) end
    end
    local pool, err = pool_of(o)
    if not pool then return cli.fail(NAME, err) end
    local idp = aws.client("cognito-idp", { region = endpoints.pool_region(pool) })
    local key = { UserPoolId = pool, Username = o.username }
    local function call(op, extra)
        local params = {}
        for k, v in pairs(key) do params[k] = v end
        for k, v in pairs(extra or {}) do params[k] = v end
        return idp:call(op, params)
    end
    local user
    user, err = call("AdminGetUser")
    if not user then return cli.fail(NAME, err) end
    -- the user's own name: an alias given on the command line is not a device's owner name
    key.Username = user.Username or o.username
    local done = { username = key.Username, pool = pool, mfa_turned_off = {}, devices_forgotten = 0,
                   signed_out = false }
    -- a failure half-way says what is done already; every step is safe to repeat
    local function failed(e)
        local so_far = {}
        if #done.mfa_turned_off > 0 then
            so_far[#so_far + 1] = "MFA off (" .. table.concat(done.mfa_turned_off, ", ") .. ")"
        end
        if done.new_phone then so_far[#so_far + 1] = "phone set to " .. done.new_phone end
        if done.devices_forgotten > 0 then so_far[#so_far + 1] = done.devices_forgotten .. " devices forgotten" end
        return cli.fail(NAME, e, (#so_far > 0 and ("done so far: " .. table.concat(so_far, "; ") .. "; ") or "") ..
            "fix it and run again: each step is safe to repeat")
    end
    -- only the methods that are on: Cognito checks a settings block even to
    -- turn a method off (SMS needs a phone, TOTP a verified token)
    local on, pref = {}, {}
    for _, m in ipairs(user.UserMFASettingList or {}) do on[m] = true end
    if on.SMS_MFA then pref.SMSMfaSettings = { Enabled = false, PreferredMfa = false } end
    if on.SOFTWARE_TOKEN_MFA then pref.SoftwareTokenMfaSettings = { Enabled = false, PreferredMfa = false } end
    if next(pref) then
        local ok
        ok, err = call("AdminSetUserMFAPreference", pref)
        if not ok then return failed(err) end
        if on.SMS_MFA then table.insert(done.mfa_turned_off, "SMS_MFA") end
        if on.SOFTWARE_TOKEN_MFA then table.insert(done.mfa_turned_off, "SOFTWARE_TOKEN_MFA") end
    end
    if o["new-phone"] then
        local ok
        ok, err = call("AdminUpdateUserAttributes", { UserAttributes = {
            { Name = "phone_number", Value = o["new-phone"] }, { Name = "phone_number_verified", Value = "false" } } })
        if not ok then return failed(err) end
        done.new_phone = o["new-phone"]
    end
    local devices
    devices, err = paginate.all(function(op, params) return call(op, params) end, "AdminListDevices",
        { Limit = 60 }, "Devices")
    if not devices then return failed(err) end
    for _, d in ipairs(devices) do
        local ok
        ok, err = call("AdminForgetDevice", { DeviceKey = d.DeviceKey })
        if not ok then return failed(err) end
        done.devices_forgotten = done.devices_forgotten + 1
    end
    if o["global-sign-out"] then
        local ok
        ok, err = call("AdminUserGlobalSignOut")
        if not ok then return failed(err) end
        done.signed_out = true
    end
    done.next = {
        "sign in with the password: a pool with MFA OPTIONAL asks no code now; one with MFA ON asks the user " ..
            "to set MFA up during the sign-in",
        done.new_phone and "verify the new phone: scripts/user/verify-phone.lua" or
            "set a new phone if the old number is gone, then verify it: scripts/user/verify-phone.lua",
        "turn MFA back on: scripts/user/enable-sms-mfa.lua, or scripts/user/setup-totp.lua (an authenticator app)",
    }
    if not done.signed_out then
        done.next[#done.next + 1] = "sessions already open stay open until their tokens expire (run again " ..
            "with --global-sign-out to end them)"
    end
    done.audit = "this script writes nothing to an audit trail itself: CloudTrail records the Admin* calls " ..
        "under your credentials (mfakit audit lists them)"
    if cli.json_output() then
        local json = require "mfakit.json"
        done.mfa_turned_off = json.array(done.mfa_turned_off)
        done.next = json.array(done.next)
        cli.print_json(done)
        return 0
    end
    print(string.format("%s in %s: MFA turned off: %s; phone: %s; remembered devices forgotten: %d; signed out " ..
        "everywhere: %s", done.username, pool, #done.mfa_turned_off > 0 and table.concat(done.mfa_turned_off, ", ")
        or "none was on", done.new_phone and (done.new_phone .. " (unverified)") or "unchanged",
        done.devices_forgotten, done.signed_out and "yes" or "no"))
    print("The user must now:")
    for i, line in ipairs(done.next) do print(string.format("  %d. %s", i, line)) end
    print("Note: " .. done.audit .. ".")
    return 0
end

local o, pos = cli.open(DEF, { ... })
if not o then return pos end
return run(o, pos)
