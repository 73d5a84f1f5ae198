-- tests/test_user_scripts.lua: scripts/user/*.lua end to end (moto, and the
-- fake Cognito for devices).
local json = require "mfakit.json"
local http = require "mfakit.http"
local support = dofile("tests/support.lua")

local function scripts_tests(t)
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
        out, err, rc = script("enable-sms-mfa", p, moto, "--allow-unverified")
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
end

-- issue 11: the guide's user flows as shipped scripts, and what they must
-- not claim. One case per finding; each failed before its fix.
local function issue11(t)
    local moto = t.env("MFAKIT_TEST_MOTO")
    local fake = t.env("MFAKIT_TEST_FAKE_COGNITO")
    local fault = t.env("MFAKIT_TEST_FAULT")
    local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"
    local bin = support.bin()

    -- env: VAR=value pairs (values shell-quoted); the rest as given
    local function run(env, line)
        local parts = {}
        for k, v in pairs(env or {}) do parts[#parts + 1] = k .. "='" .. v:gsub("'", "'\\''") .. "'" end
        return support.run(table.concat(parts, " ") .. " " .. bin .. " " .. line .. " < /dev/null")
    end
    local function one_line(err) return select(2, err:gsub("\n", "")) == 1 end

    local function control(path, body)
        local r = assert(http.request{ method = body and "POST" or "GET", url = fake .. "/_control/" .. path,
            body = body and json.encode(body) or nil })
        return json.decode(r.body)
    end
    -- a cmd: code source that reads the code the fake "sent" while the script runs
    local function code_cmd(user, purpose)
        local helper = tmp .. "/fake-code.py"
        local f = assert(io.open(helper, "w"))
        f:write("import json, sys, urllib.request\n",
            "print(json.load(urllib.request.urlopen(sys.argv[1] + '/_control/codes'))[sys.argv[2]][sys.argv[3]])\n")
        f:close()
        return string.format("'cmd:python3 %s %s %s %s'", helper, fake, user, purpose)
    end
    local function fake_pool(id, extra)
        local def = { id = id, client_id = id:lower():gsub("[^%w]", "") .. "-client", mfa = "OPTIONAL",
                      username_attributes = { "email" } }
        for k, v in pairs(extra or {}) do def[k] = v end
        control("pool", def)
        return def
    end
    local function ids(p) return string.format("--user-pool-id %s --client-id %s", p.id, p.client_id) end

    t.case("finding 2: sign-up, resend-code and confirm-sign-up scripts, with real codes (fake Cognito)", function()
        if not fake then t.skip("MFAKIT_TEST_FAKE_COGNITO not set") end
        local p = fake_pool("us-east-1_SignUp" .. math.random(1e6))
        local email = "nora" .. math.random(1e6) .. "@example.com"
        local pw = { PW = "Nora-Passw0rd" }
        local base = "--endpoint " .. fake .. " scripts/user/%s.lua " .. ids(p) .. " %s"
        local _, err, rc = run(pw, base:format("sign-up", "--email " .. email .. " --phone '+1 555 555 0100'"))
        t.eq(rc, 2, err)
        t.ok(one_line(err) and err:find("--phone: '+1 555 555 0100' is not an E.164", 1, true), err)
        local out
        out, err, rc = run(pw, base:format("sign-up", "--email " .. email ..
            " --name 'Nora N' --phone +15555550100 --password-env PW --output json"))
        t.eq(rc, 0, err)
        local up = assert(json.decode(out))
        t.eq({ up.username, up.confirmed }, { email, false })
        local sub = up.user_sub
        local first = control("codes")[sub].signup
        out, err, rc = run(nil, base:format("resend-code", "--username " .. email))
        t.eq(rc, 0, err)
        t.ok(out:find("^a new confirmation code was sent to"), out)
        local second = control("codes")[sub].signup
        _, err, rc = run({ CODE = second == "000000" and "111111" or "000000" },
            base:format("confirm-sign-up", "--username " .. email .. " --code-from env:CODE"))
        t.eq(rc, 1, "a wrong code is refused")
        t.ok(one_line(err) and err:find("CodeMismatchException", 1, true), err)
        out, err, rc = run({ CODE = second }, base:format("confirm-sign-up", "--username " .. email ..
            " --code-from env:CODE"))
        t.eq({ rc, out }, { 0, email .. " is confirmed; sign in now\n" }, err)
        t.ok(first, "a code was sent at sign-up")
        out, err, rc = run(pw, base:format("user-info", "--username " .. email .. " --password-env PW --output json"))
        t.eq(rc, 0, err)
        local info = assert(json.decode(out))
        t.eq({ info.attributes.email, info.attributes.name, info.attributes.phone_number },
             { email, "Nora N", "+15555550100" })
    end)

    t.case("finding 2: sign-up and confirm-sign-up on moto", function()
        if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
        local pool = support.pool(moto)
        local p = { id = pool.pool_id, client_id = pool.client_id }
        local name = "otto" .. math.random(1e6)
        local base = "--endpoint " .. moto .. " scripts/user/%s.lua " .. ids(p) .. " %s"
        local out, err, rc = run({ PW = "Otto-Passw0rd" }, base:format("sign-up", "--username " .. name ..
            " --email " .. name .. "@example.com --name Otto --phone +15555550123 --password-env PW"))
        t.eq(rc, 0, err)
        t.ok(out:find("^signed up " .. name), out)
        out, err, rc = run({ CODE = "123456" }, base:format("confirm-sign-up", "--username " .. name ..
            " --code-from env:CODE"))
        t.eq({ rc, out }, { 0, name .. " is confirmed; sign in now\n" }, err)
        out, err, rc = run({ PW = "Otto-Passw0rd" }, base:format("user-info", "--username " .. name ..
            " --password-env PW --output json"))
        t.eq(rc, 0, err)
        t.eq(assert(json.decode(out)).attributes.phone_number, "+15555550123")
    end)

    t.case("findings 3 and 4: SMS MFA only on a verified phone (--phone verifies it); disable-mfa turns off both",
        function()
        if not fake then t.skip("MFAKIT_TEST_FAKE_COGNITO not set") end
        local p = fake_pool("us-east-1_Enable" .. math.random(1e6))
        local email = "vera" .. math.random(1e6) .. "@example.com"
        local made = control("user", { pool = p.id, username = email, password = "Vera-Passw0rd",
            attributes = { phone_number = "+15555550100", phone_number_verified = false } })
        local sub = made.username
        local pw = { PW = "Vera-Passw0rd" }
        local base = "--endpoint " .. fake .. " scripts/user/%s.lua " .. ids(p) .. " --username " .. email ..
            " --password-env PW %s"
        local out, err, rc = run(pw, base:format("enable-sms-mfa", ""))
        t.eq({ rc, out }, { 1, "" }, "refused: the phone is not verified")
        t.ok(one_line(err) and err:find("PhoneNotVerified", 1, true) and err:find("--allow-unverified", 1, true), err)
        out, err, rc = run(pw, base:format("mfa-status", "--output json"))
        t.eq(rc, 0, err)
        t.eq(assert(json.decode(out)).sms_mfa, false)
        -- a wrong code: Cognito keeps the new number, unverified, and the line says so
        out, err, rc = run({ PW = pw.PW, BAD = "000000" }, base:format("enable-sms-mfa",
            "--phone +15555550177 --code-from env:BAD"))
        t.eq({ rc, out }, { 1, "" }, err)
        t.ok(one_line(err) and err:find("the phone number is now +15555550177 but not verified, and SMS MFA is " ..
            "unchanged", 1, true), err)
        out, err, rc = run(pw, base:format("user-info", "--output json"))
        t.eq(rc, 0, err)
        local now = assert(json.decode(out))
        t.eq({ now.attributes.phone_number, now.phone_number_verified }, { "+15555550177", false })
        out, err, rc = run(pw, base:format("enable-sms-mfa", "--phone +15555550199 --code-from " ..
            code_cmd(sub, "attribute:phone_number")))
        t.eq({ rc, out }, { 0, "SMS MFA is on and preferred\n" }, err)
        local sms = "--sms-code-from " .. code_cmd(sub, "sms_mfa")
        out, err, rc = run(pw, base:format("user-info", sms .. " --output json"))
        t.eq(rc, 0, err)
        local info = assert(json.decode(out))
        t.eq({ info.attributes.phone_number, info.phone_number_verified, info.sms_mfa },
             { "+15555550199", true, true })
        out, err, rc = run(pw, base:format("setup-totp", sms .. " --output json"))
        t.eq(rc, 0, err)
        local seed = assert(json.decode(out)).secret
        local both = { PW = pw.PW, SEED = seed }
        out, err, rc = run(both, base:format("disable-mfa", "--totp-secret-env SEED"))
        t.eq({ rc, out }, { 0, "MFA is off (SMS and TOTP); turned off SMS_MFA, SOFTWARE_TOKEN_MFA\n" }, err)
        out, err, rc = run(pw, base:format("mfa-status", "--output json"))
        t.eq(rc, 0, "no code asked for now: " .. err)
        local st = assert(json.decode(out))
        t.eq({ st.sms_mfa, st.totp_mfa, st.login_prompts }, { false, false, false })
        out, err, rc = run(pw, base:format("disable-mfa", ""))
        t.eq({ rc, out }, { 0, "MFA is off (SMS and TOTP); neither was on\n" }, err)
    end)

    t.case("finding 3: enable-sms-mfa on moto refuses an unverified phone, --phone verifies it", function()
        if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
        local pool = support.pool(moto)
        local line = string.format("--endpoint %s scripts/user/enable-sms-mfa.lua --user-pool-id %s --client-id %s " ..
            "--username %s --password-env PW", moto, pool.pool_id, pool.client_id, pool.user.username)
        local pw = { PW = pool.user.password, CODE = "123456" }
        local _
        local out, err, rc = run(pw, line)
        t.eq({ rc, out }, { 1, "" }, err)
        t.ok(one_line(err) and err:find("is not verified", 1, true), err)
        -- moto has no attribute verification (GetUserAttributeVerificationCode is a 500)
        out, err, rc = run(pw, line .. " --phone +15555550177 --code-from env:CODE")
        t.eq({ rc, out }, { 1, "" }, err)
        t.ok(one_line(err) and err:find("GetUserAttributeVerificationCode", 1, true), err)
        out, err, rc = run(pw, line .. " --phone +15555550177 --allow-unverified")
        t.eq({ rc, out }, { 0, "SMS MFA is on and preferred\n" }, err)
        out, err, rc = run(pw, line:gsub("enable%-sms%-mfa", "user-info") .. " --sms-code-from env:CODE --output json")
        t.eq(rc, 0, err)
        t.eq({ json.decode(out).attributes.phone_number, json.decode(out).sms_mfa }, { "+15555550177", true })
        _, err, rc = run(pw, line .. " --phone 5555550177")
        t.eq(rc, 2, err)
        t.ok(one_line(err) and err:find("e.g. +15555550177", 1, true), err)
    end)

    t.case("finding 5: mfakit login --stack, as the user scripts take it (moto)", function()
        if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
        local pool = support.pool(moto)
        local state = require "mfakit.stack.state"
        local dir = tmp .. "/user-stacks"
        os.execute("mkdir -p " .. dir)
        local st = assert(state.load(dir, "u11"))
        assert(st:set("pool", { id = pool.pool_id }))
        assert(st:set("client", { id = pool.client_id }))
        assert(st:save())
        local line = string.format("--endpoint %s login --stack u11 --state-dir %s --username %s --password-env PW",
            moto, dir, pool.user.username)
        local pw = { PW = pool.user.password }
        local out, err, rc = run(pw, line)
        t.eq(rc, 0, err)
        t.ok(out:find("signed in as", 1, true) and out:find(pool.pool_id, 1, true), out)
        out, err, rc = run(pw, line:gsub("login", "scripts/user/user-info.lua", 1) .. " --flow password")
        t.eq(rc, 0, "the user scripts take --stack and --flow too: " .. err)
        t.ok(out:find(pool.user.username, 1, true), out)
    end)

    t.case("finding 5: login --remember-device when Cognito returns no device is exit 1, one line (moto)", function()
        if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
        local pool = support.pool(moto)
        local file = tmp .. "/u11-device.json"
        os.remove(file)
        local out, err, rc = run({ PW = pool.user.password }, string.format("--endpoint %s login --user-pool-id %s " ..
            "--client-id %s --username %s --password-env PW --remember-device --device-file %s", moto,
            pool.pool_id, pool.client_id, pool.user.username, file))
        t.eq({ rc, out }, { 1, "" }, err)
        t.ok(one_line(err) and err:find("returned no device to remember", 1, true), err)
        t.eq(io.open(file), nil)
    end)

    t.case("finding 8: sign-out says what failed (fault server)", function()
        if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
        local function answers(list)
            assert(http.request{ method = "POST", url = fault .. "/_reset", body = "" })
            assert(http.request{ method = "POST", url = fault .. "/_script", body = json.encode(list) })
        end
        local tokens = { status = 200, body = json.encode{ AuthenticationResult = { AccessToken = "acc.ess.tok",
            IdToken = "id.tok.en", RefreshToken = "refresh-token", ExpiresIn = 3600 } } }
        local e500 = { status = 500, body = json.encode{ __type = "InternalErrorException", message = "boom" } }
        local line = "--endpoint " .. fault .. " scripts/user/sign-out.lua --user-pool-id us-east-1_abc " ..
            "--client-id c --username u --password-env PW --flow password"
        answers{ tokens, { status = 200, body = "{}" }, e500, e500, e500, e500 }
        local out, err, rc = run({ PW = "p" }, line)
        t.eq({ rc, out }, { 0, "signed out everywhere\n" }, err)
        t.ok(one_line(err) and err:find("warning: signed out everywhere, but RevokeToken failed", 1, true) and
             err:find("InternalErrorException", 1, true), err)
        answers{ tokens, { status = 400, body = json.encode{ __type = "NotAuthorizedException",
                                                            message = "Access Token has been revoked" } } }
        out, err, rc = run({ PW = "p" }, line)
        t.eq({ rc, out }, { 1, "" }, err)
        t.ok(one_line(err) and err:find("not signed out: cognito-idp:GlobalSignOut: NotAuthorizedException", 1, true),
             err)
    end)

    t.case("finding 9: --flow password for the user scripts, on a pool without SRP (fake Cognito)", function()
        if not fake then t.skip("MFAKIT_TEST_FAKE_COGNITO not set") end
        local p = fake_pool("us-east-1_NoSrp" .. math.random(1e6), { explicit_auth_flows = { "USER_PASSWORD_AUTH" } })
        local email = "pat" .. math.random(1e6) .. "@example.com"
        control("user", { pool = p.id, username = email, password = "Pat-Passw0rd" })
        local base = "--endpoint " .. fake .. " scripts/user/%s.lua " .. ids(p) .. " --username " .. email ..
            " --password-env PW %s"
        local _, err, rc = run({ PW = "Pat-Passw0rd" }, base:format("user-info", ""))
        t.eq(rc, 1, "SRP is refused by this pool: " .. err)
        local out
        for _, s in ipairs{ "user-info", "mfa-status", "list-devices", "disable-mfa", "sign-out" } do
            out, err, rc = run({ PW = "Pat-Passw0rd" }, base:format(s, "--flow password"))
            t.eq(rc, 0, s .. ": " .. err)
        end
        _, err, rc = run({ PW = "Pat-Passw0rd" }, base:format("user-info", "--flow srpx"))
        t.eq(rc, 2, err)
        t.ok(err:find("--flow must be srp or password", 1, true), err)
        _ = out
    end)
end

local t = require "mfakit.test"
scripts_tests(t)
issue11(t)
