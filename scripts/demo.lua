-- The README's main job: the whole guide on a local emulator, start to end.
--   mfakit --local scripts/demo.lua        (make demo)
-- guide up with a test user; an SRP sign-in through SMS_MFA; TOTP
-- enrolment and a TOTP sign-in; guide up again (nothing to change);
-- guide status; guide down. moto accepts any SMS code, so the SMS part
-- shows the flow, not a delivery.
local guide = require "mfakit.guide"
local cognito = require "mfakit.cognito"
local config = require "mfakit.config"
local crypto = require "mfakit.crypto"
local totp = require "mfakit.totp"
local task = require "mfakit.task"
local sys = require "mfakit.sys"

-- --help (from this header) and the global options, as every script takes them
local o, status = require("mfakit.cli").open({ name = "demo.lua", usage = "(with --local)" }, { ... })
if not o then return status end

if not config["local"] then
    io.stderr:write("demo: run it with --local (make demo), or point it at an account you own with care\n")
    return 2
end

local function heading(n, text) print(string.format("\n== %d. %s", n, text)) end

local stack = "mfa-demo-" .. sys.getpid()
local email, phone = "alice@example.com", "+15555550100"
local password = "Demo" .. crypto.hex(crypto.random(6)) .. "9Zz"
sys.setenv("MFAKIT_TEST_USER_PASSWORD", password)
local state_dir = os.tmpname()
os.remove(state_dir)

local function context()
    return assert(guide.context{ stack = stack, test_user = email, phone = phone, spend_limit = "10",
                                 sms_code = "000000", state_dir = state_dir })
end

heading(1, "guide up on the local emulator at " .. config.endpoint)
local ctx = context()
assert(guide.up(ctx))
local pool, client = ctx.state:get("pool").id, ctx.state:get("client").id
print("\n" .. table.concat(guide.env_lines(ctx), "\n"))

heading(2, "SRP sign-in through SMS_MFA (moto accepts any SMS code: flow only)")
local idp = cognito.new{ user_pool_id = pool, client_id = client, endpoint = config.endpoint }
local r = assert(idp:sign_in{ username = email, password = password,
    sms_code = function(c)
        print("   SMS code asked for (" .. c.challenge .. "); answering 123456")
        return "123456"
    end })
print("   challenges met: " .. table.concat(r.challenges, " -> "))
local user = assert(idp:get_user(r.tokens.AccessToken))
print(string.format("   %s: MFA %s, preferred %s", user.attributes.email, table.concat(user.mfa_enabled, ", "),
    tostring(user.preferred_mfa)))

heading(3, "TOTP enrolment and a TOTP sign-in (codes are checked)")
local setup = assert(idp:setup_totp(r.tokens.AccessToken, { account = email, issuer = "mfakit demo" }))
print("   enrolled; authenticator URI: " .. setup.uri:gsub("secret=[^&]+", "secret=<hidden>"))
if totp.seconds_left(30) < 3 then task.sleep(totp.seconds_left(30) + 0.2) end
r = assert(idp:sign_in{ username = email, password = password, totp_secret = setup.secret })
print("   challenges met: " .. table.concat(r.challenges, " -> "))
assert(idp:verify_token(r.tokens.IdToken, { token_use = "id" }))
print("   id token signature, issuer, audience and expiry verified against the pool's JWKS")

heading(4, "guide up again: it finds everything and changes nothing")
sys.setenv("MFAKIT_TEST_USER_PASSWORD", nil)
ctx = context()
ctx.sms_code = nil
assert(guide.up(ctx))

heading(5, "guide status")
local rows, healthy = guide.status(context())
for _, row in ipairs(rows) do
    print(string.format("   %-15s %-8s %s", row.step, row.exists and "exists" or "missing",
        row.matches and "ok" or "DIFFERS"))
end
print("   healthy: " .. tostring(healthy))

heading(6, "guide down")
assert(guide.down(context()))
print("\ndemo finished: the emulator stops now")
return 0
