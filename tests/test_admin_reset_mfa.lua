-- tests/test_admin_reset_mfa.lua: scripts/user/admin-reset-mfa.lua, the
-- lost-phone playbook, against the fake Cognito (which has the admin
-- device calls) and moto (which has no AdminListDevices).
local json = require "mfakit.json"
local http = require "mfakit.http"
local support = dofile("tests/support.lua")

local CREDS = "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1"
local SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

local t = require "mfakit.test"
local moto = t.env("MFAKIT_TEST_MOTO")
local fake = t.env("MFAKIT_TEST_FAKE_COGNITO")
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"
local bin = support.bin()

local function reset(endpoint, args)
    return support.run(string.format("%s %s --endpoint %s scripts/user/admin-reset-mfa.lua %s < /dev/null",
        CREDS, bin, endpoint, args))
end
local function control(path, body)
    local r = assert(http.request{ method = body and "POST" or "GET", url = fake .. "/_control/" .. path,
        body = body and json.encode(body) or nil })
    return json.decode(r.body)
end
local function user_in_fake(pool, name)
    for _, u in ipairs(control("state").users) do
        if u.pool == pool and u.username == name then return u end
    end
end

t.case("a lost phone: MFA off, new phone unverified, devices forgotten, signed out (fake Cognito)", function()
    if not fake then t.skip("MFAKIT_TEST_FAKE_COGNITO not set") end
    local pool, client, name, pw = "us-east-1_LostPhone", "lost-phone-client", "rita", "Rita-Password-1"
    control("pool", { id = pool, client_id = client, mfa = "OPTIONAL", device_tracking = {
        challenge_required_on_new_device = true, device_only_remembered_on_user_prompt = false } })
    control("user", { pool = pool, username = name, password = pw, sms_mfa = true, totp_secret = SEED,
        preferred = "SOFTWARE_TOKEN_MFA",
        attributes = { email = "rita@example.com", phone_number = "+15555550111", phone_number_verified = true } })
    -- a remembered device, as the lost phone would be: it skips MFA
    local file = tmp .. "/rita-device.json"
    os.remove(file)
    local sign_in = string.format("SEED=%s PW=%s %s --endpoint %s scripts/user/%%s.lua --user-pool-id %s " ..
        "--client-id %s --username %s --password-env PW %%s < /dev/null", SEED, pw, bin, fake, pool, client, name)
    local out, err, rc = support.run(sign_in:format("remember-device", "--totp-secret-env SEED --device-file " ..
        file))
    t.eq(rc, 0, err .. out)
    local before = #control("requests")

    out, err, rc = reset(fake, "--user-pool-id " .. pool .. " --username " .. name ..
        " --new-phone +15555550122 --global-sign-out --output json")
    t.eq(rc, 0, err)
    local r = assert(json.decode(out), out)
    t.eq({ r.username, r.pool, r.mfa_turned_off, r.new_phone, r.devices_forgotten, r.signed_out },
         { name, pool, { "SMS_MFA", "SOFTWARE_TOKEN_MFA" }, "+15555550122", 1, true })
    t.ok(r.audit:find("writes nothing to an audit trail", 1, true), r.audit)
    t.ok(r.next[2]:find("verify-phone.lua", 1, true), r.next[2])
    -- what Cognito now holds
    local u = user_in_fake(pool, name)
    t.eq({ u.sms_mfa, u.totp_enabled, u.preferred == json.null, u.attrs.phone_number,
           u.attrs.phone_number_verified }, { false, false, true, "+15555550122", "false" })
    local devices = 0
    for _, d in ipairs(control("state").devices) do if d.username == name then devices = devices + 1 end end
    t.eq(devices, 0, "no device left to skip MFA")
    for _, s in ipairs(control("state").sign_ins) do
        if s.username == name then t.ok(s.revoked, "sign-in " .. s.origin_jti .. " revoked") end
    end
    -- the calls, in order: the MFA goes off before anything else
    local ops = {}
    local reqs = control("requests")
    for i = before + 1, #reqs do ops[#ops + 1] = reqs[i].operation end
    t.eq(ops, { "AdminGetUser", "AdminSetUserMFAPreference", "AdminUpdateUserAttributes", "AdminListDevices",
                "AdminForgetDevice", "AdminUserGlobalSignOut" })
    -- the user signs in with the password alone now
    out, err, rc = support.run(sign_in:format("mfa-status", ""))
    t.eq(rc, 0, err)
    t.ok(out:find("SMS MFA off, TOTP MFA off", 1, true), out)
    -- a second run finds nothing on and says so, in text
    out, err, rc = reset(fake, "--user-pool-id " .. pool .. " --username " .. name)
    t.eq(rc, 0, err)
    t.ok(out:find(name .. " in " .. pool .. ": MFA turned off: none was on; phone: unchanged; remembered " ..
        "devices forgotten: 0; signed out everywhere: no", 1, true), out)
    t.ok(out:find("writes nothing to an audit trail itself", 1, true), out)
    t.ok(out:find("--global-sign-out to end them", 1, true), out)
end)

t.case("on moto, which has no AdminListDevices, it says how far it got, and a rerun is safe", function()
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    local p = support.pool(moto)
    local admin = support.admin("cognito-idp", moto)
    assert(admin:call("AdminSetUserMFAPreference", { UserPoolId = p.pool_id, Username = p.user.username,
        SMSMfaSettings = { Enabled = true, PreferredMfa = true } }))
    local _, err, rc = reset(moto, "--user-pool-id " .. p.pool_id .. " --username " .. p.user.username ..
        " --new-phone +15555550133")
    t.eq(rc, 1, err)
    t.ok(err:find("AdminListDevices", 1, true) and err:find("done so far: MFA off (SMS_MFA); phone set to " ..
        "+15555550133", 1, true) and err:find("run again", 1, true), err)
    local u = assert(admin:call("AdminGetUser", { UserPoolId = p.pool_id, Username = p.user.username }))
    local attrs = {}
    for _, a in ipairs(u.UserAttributes) do attrs[a.Name] = a.Value end
    t.eq({ u.UserMFASettingList or {}, attrs.phone_number, attrs.phone_number_verified },
         { {}, "+15555550133", "false" })
end)

t.case("usage: one line, exit 2, before any call", function()
    local _, err, rc = reset("http://127.0.0.1:9", "--username x")
    t.eq(rc, 2)
    t.ok(err:find("--username and --stack or --user-pool-id are required", 1, true), err)
    _, err, rc = reset("http://127.0.0.1:9", "--user-pool-id us-east-1_X --username x --new-phone 555-0100")
    t.eq(rc, 2)
    t.ok(err:find("--new-phone: ", 1, true), err)
end)
