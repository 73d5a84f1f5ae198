-- tests/test_user_scripts.lua: scripts/user/*.lua end to end (moto, and the
-- fake Cognito for devices).
local json = require "mfakit.json"
local http = require "mfakit.http"
local support = dofile("tests/support.lua")

local t = require "mfakit.test"
local moto = t.env("MFAKIT_TEST_MOTO")
local fake = t.env("MFAKIT_TEST_FAKE_COGNITO")
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"
local bin = support.bin()

local function script(name, p, endpoint, extra)
    return support.run(string.format("PW=%s %s --endpoint %s scripts/user/%s.lua --user-pool-id %s " ..
        "--client-id %s --username %s --password-env PW %s < /dev/null", p.password, bin, endpoint, name,
        p.pool_id, p.client_id, p.username, extra or ""))
end

t.case("user-info, MFA on and off, status, TOTP set-up, sign-out (moto)", function()
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    local pool = support.pool(moto)
    local p = { pool_id = pool.pool_id, client_id = pool.client_id, username = pool.user.username,
                password = pool.user.password }
    local out, err, rc = script("user-info", p, moto, "--output json")
    t.eq(rc, 0, err)
    local info = assert(json.decode(out))
    t.eq({ info.username, info.attributes.phone_number, info.sms_mfa }, { p.username, "+15555550100", false })
    out, err, rc = script("enable-sms-mfa", p, moto)
    t.eq({ rc, out }, { 0, "SMS MFA is on and preferred\n" }, err)
    out, err, rc = script("mfa-status", p, moto, "--sms-code-from 123456")
    t.eq(rc, 0, err)
    t.ok(out:find("SMS MFA on", 1, true) and out:find("asks for a code", 1, true), out)
    out, err, rc = script("disable-sms-mfa", p, moto, "--sms-code-from 123456")
    t.eq({ rc, out }, { 0, "SMS MFA is off\n" }, err)
    out, err, rc = script("setup-totp", p, moto, "--output json")
    t.eq(rc, 0, err)
    local totp = assert(json.decode(out))
    t.ok(totp.uri:find("^otpauth://totp/mfakit:"), totp.uri)
    out, err, rc = script("sign-out", p, moto, "--totp-secret-env SEED")
    t.eq({ rc, out }, { 2, "" }, "needs the SEED variable")
    t.ok(err:find("SEED is not set", 1, true), err)
    local _
    _, err, rc = support.run(string.format("SEED=%s PW=%s %s --endpoint %s scripts/user/sign-out.lua " ..
        "--user-pool-id %s --client-id %s --username %s --password-env PW --totp-secret-env SEED < /dev/null",
        totp.secret, p.password, bin, moto, p.pool_id, p.client_id, p.username))
    t.eq(rc, 0, err)
    _, err, rc = script("user-info", p, moto, "--output json")
    t.eq(rc, 1)
    t.ok(err:find("MissingInput", 1, true), "TOTP is on now: " .. err)
end)

t.case("remember, list and forget a device (fake Cognito)", function()
    if not fake then t.skip("MFAKIT_TEST_FAKE_COGNITO not set") end
    local function control(path, body)
        return json.decode(assert(http.request{ method = "POST", url = fake .. "/_control/" .. path,
            body = json.encode(body) }).body)
    end
    local p = { pool_id = "us-east-1_Scripts", client_id = "scripts-client", username = "sam",
                password = "Sam-Password-1" }
    control("pool", { id = p.pool_id, client_id = p.client_id, mfa = "OPTIONAL",
        device_tracking = { challenge_required_on_new_device = true, device_only_remembered_on_user_prompt = true } })
    control("user", { pool = p.pool_id, username = p.username, password = p.password,
                      attributes = { email = "sam@example.com" } })
    local file = tmp .. "/sam-device.json"
    os.remove(file)
    local out, err, rc = script("remember-device", p, fake, "--device-file " .. file)
    t.eq(rc, 0, err)
    local key = out:match("^device (%S+) remembered")
    t.ok(key, out)
    out, err, rc = script("list-devices", p, fake, "--device-file " .. file)
    t.eq(rc, 0, err)
    t.ok(out:find(key, 1, true), out)
    out, err, rc = script("forget-device", p, fake, "--device-file " .. file)
    t.eq({ rc, out }, { 0, "device " .. key .. " forgotten\n" }, err)
    t.eq(io.open(file), nil)
    out, err, rc = script("list-devices", p, fake)
    t.eq({ rc, out }, { 0, "no remembered devices\n" }, err)
end)

t.case("missing arguments are one clear line, exit 2", function()
    local _, err, rc = support.run(bin .. " scripts/user/user-info.lua --username x < /dev/null")
    t.eq(rc, 2)
    t.ok(err:find("--user-pool-id and --client-id (or --stack) and --username are required", 1, true), err)
end)
