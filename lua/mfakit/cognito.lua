-- mfakit.cognito: Cognito user pool sign-in and the user-side operations.
--   local idp = cognito.new{ user_pool_id =, client_id =, client_secret =,
--                            region =, endpoint =, ... aws.client options }
--   idp:sign_in{ username =, password = ... }  -> result | nil, err
-- result = { tokens = AuthenticationResult, challenges = { names met, in
-- order }, device = { key, group_key, password, name } (when remembered),
-- username = the internal username, totp_secret (when enrolled inline) }.
-- cognito.sign_in{...} does both in one call. The other methods take the
-- access token from a sign-in; see docs/SCRIPTING.md.
local aws = require "mfakit.aws"
local endpoints = require "mfakit.aws.endpoints"
local srp = require "mfakit.srp"
local totp = require "mfakit.totp"
local json = require "mfakit.json"
local sys = require "mfakit.sys"
local errors = require "mfakit.errors"
local codes = require "mfakit.cognito.codes"
local phone = require "mfakit.cognito.phone"
local jwt = require "mfakit.cognito.jwt"
local challenges = require "mfakit.cognito.challenges"
local devices = require "mfakit.cognito.devices"
local config = require "mfakit.config"
local secrets = require "mfakit.secrets"
local check = require("mfakit.args").check
local paginate = require "mfakit.aws.paginate"
local redact = require "mfakit.redact"

local M = {}

M.secret_hash = srp.secret_hash
M.check_phone = phone.check
M.decode_jwt = jwt.decode
M.code_source = codes.source

local MAX_CHALLENGES = 12

-- Answers come from outside: a member may be missing, JSON null, or of the
-- wrong type. These read it as the type we need, or as absent.
local function tbl(v) return type(v) == "table" and v or {} end
local function str(v) return type(v) == "string" and v or nil end
M._tbl, M._str = tbl, str

local Idp = {}
Idp.__index = Idp
Idp.__name = "mfakit.cognito.idp"

local function need_string(t, key, fn)
    check(1, fn, t, "table")
    local v = t[key]
    if type(v) ~= "string" or v == "" then error(fn .. ": " .. key .. " (a non-empty string) is required", 3) end
    return v
end

function M.new(opts)
    check(1, "cognito.new", opts, "table")
    if opts.client_secret ~= nil then check(1, "cognito.new", opts.client_secret, "string") end
    secrets.add(opts.client_secret)
    local client_id = need_string(opts, "client_id", "cognito.new")
    local pool = opts.user_pool_id
    if pool ~= nil and (type(pool) ~= "string" or not pool:match("^[%w%-]+_[%w]+$")) then
        error("cognito.new: user_pool_id looks like us-east-1_AbCdEfGhI, got " .. tostring(pool), 2)
    end
    local copts = {}
    for _, k in ipairs{ "region", "endpoint", "profile", "access_key", "secret_key", "session_token",
                        "max_attempts", "retry_base", "timeout" } do
        copts[k] = opts[k]
    end
    -- An AWS pool id starts with its region, so QA scripts need no other
    -- setting, and a region asked for that differs is a mistake worth
    -- stopping on. An id that names no region (an emulator's) leaves the
    -- region to the usual chain: --region, AWS_REGION, the profile.
    local asked, named = copts.region or config.region, endpoints.pool_region(pool)
    if named and asked and asked ~= named then
        error(string.format("cognito.new: region %s conflicts with the user pool id %s, which is in %s",
            asked, pool, named), 2)
    end
    copts.region = named or asked
    return setmetatable({
        client = aws.client("cognito-idp", copts), user_pool_id = pool, client_id = client_id,
        client_secret = opts.client_secret, region = copts.region, endpoint = opts.endpoint,
    }, Idp)
end

function Idp:secret_hash(username)
    if not self.client_secret then return nil end
    return srp.secret_hash(username, self.client_id, self.client_secret)
end

-- Calls the client; the given secrets join mfakit.secrets, so neither the
-- error's message nor the trace shows them (nor any other secret held).
function Idp:call(op, params, extra)
    check(1, "idp:call", op, "string")
    check(2, "idp:call", params, "table|nil")
    check(3, "idp:call", extra, "table|nil")
    for _, s in pairs(extra or {}) do secrets.add(s) end
    local out, err = self.client:call(op, params)
    -- a message cut short may end with the start of one: redact.values takes that too
    if not out then err.message = redact.values(err.message, secrets.held()) end
    if out and type(out.Session) == "string" then secrets.add(out.Session) end
    return out, err
end

-- Tokens are secrets too: an echo of one in a later error must not show.
local function hold_tokens(t)
    if type(t) ~= "table" then return end
    for _, k in ipairs{ "AccessToken", "IdToken", "RefreshToken" } do secrets.add(t[k]) end
end

-- A running sign-in ---------------------------------------------------------

local Login = {}
Login.__index = Login

function Login:secret(which)
    local v = self.opts[which]
    if type(v) == "string" then
        secrets.add(v)
        self.secrets[#self.secrets + 1] = v
        return v
    end
    local spec = self.opts[which .. "_source"] or v
    if spec == nil then
        return errors.fail("MissingInput", "Cognito asked for the %s, but none was given (%s or %s_source)",
            which:gsub("_", " "), which, which)
    end
    local value, err = codes.source(spec, which:gsub("_", " "))()
    if value then self.secrets[#self.secrets + 1] = value end
    return value, err
end

-- Code sources are made when the sign-in starts: a bad spec raises at once,
-- and a file: source notes the file's state before any code is sent.
function Login:prepare_sources()
    self.sources = {}
    if self.opts.sms_code ~= nil then self.sources.sms_code = codes.source(self.opts.sms_code, "SMS code") end
    local t = self.opts.totp
    if t == nil and self.opts.totp_secret then t = { totp_secret = self.opts.totp_secret } end
    if t ~= nil then self.sources.totp = codes.source(t, "TOTP code") end
end

function Login:code(which, ctx)
    local source = self.sources[which]
    if which == "totp" and not source and self.totp_secret then
        source = codes.source({ totp_secret = self.totp_secret }, "TOTP code")
    end
    if not source then
        return errors.fail("MissingInput", "Cognito asked for %s, but no %s source was given", ctx.challenge, which)
    end
    local value, err = source(ctx)
    if value then self.secrets[#self.secrets + 1] = value end
    return value, err
end

local function explain_session_error(err, elapsed)
    local msg = (err.message or ""):lower()
    if (err.code == "NotAuthorizedException" and msg:find("session", 1, true)) or
        (err.code == "ResourceNotFoundException" and msg == "<redacted>") then
        err.session_expired = true
        err.message = string.format("%s (the challenge session expired or was already used: sessions are " ..
            "single-use and last 3-15 minutes; this answer came %d s after the challenge; sign in again)",
            err.message, math.floor(elapsed))
    end
    return err
end

local function flow_of(opts)
    local flow = opts.flow or "srp"
    if flow == "srp" or flow == "USER_SRP_AUTH" then return "USER_SRP_AUTH" end
    if flow == "password" or flow == "USER_PASSWORD_AUTH" then return "USER_PASSWORD_AUTH" end
    error("sign_in: flow must be \"srp\" or \"password\", not " .. tostring(flow), 3)
end

function Idp:sign_in(opts)
    check(1, "idp:sign_in", opts, "table")
    local username = need_string(opts, "username", "sign_in")
    local flow = flow_of(opts)
    if flow == "USER_SRP_AUTH" and not self.user_pool_id then
        error("sign_in: user_pool_id is needed for SRP (or use flow = \"password\")", 2)
    end
    local device, derr = devices.load(opts)
    if derr then return nil, derr end
    local login = setmetatable({ idp = self, opts = opts, device = device, internal_username = username,
                                 secrets = {}, met = {} }, Login)
    login:prepare_sources()
    local on_step = opts.on_step
    local step_start = sys.monotonic()
    local params = { USERNAME = username, SECRET_HASH = self:secret_hash(username),
                     DEVICE_KEY = device and device.key or nil }
    if flow == "USER_SRP_AUTH" then
        login.srp = srp.new{ pool_id = self.user_pool_id }
        local a, err = login.srp:srp_a()
        if not a then return nil, err end
        params.SRP_A = a
    else
        local pw, err = login:secret("password")
        if not pw then return nil, err end
        params.PASSWORD = pw
    end
    login.secrets[#login.secrets + 1] = params.SECRET_HASH
    local resp, err = self:call("InitiateAuth", { AuthFlow = flow, ClientId = self.client_id,
        AuthParameters = params, ClientMetadata = opts.client_metadata }, login.secrets)
    -- SRP_A's 768 hex digits are not needed while the challenges are answered
    params = nil -- luacheck: ignore 311
    if not resp then return nil, err end
    if on_step then on_step("InitiateAuth", sys.monotonic() - step_start) end
    while resp.ChallengeName do
        local name = resp.ChallengeName
        if #login.met >= MAX_CHALLENGES then
            return errors.fail("TooManyChallenges", "gave up after %d challenges (last %s)", #login.met, name)
        end
        login.met[#login.met + 1] = name
        login.challenge, login.session = name, resp.Session
        local since = sys.monotonic()
        step_start = since
        local handler = challenges[name]
        if not handler then
            return errors.fail("UnsupportedChallenge", "Cognito asked for %s, which mfakit does not answer", name)
        end
        local answers
        answers, err = handler(login, tbl(resp.ChallengeParameters))
        -- the challenge (SRP_B, salt, session: some 3 KB) is not needed while
        -- the answer is in flight; in a load run there is one per sign-in
        resp = nil -- luacheck: ignore 311
        if not answers then return nil, err end
        answers.SECRET_HASH = self:secret_hash(answers.USERNAME)
        login.secrets[#login.secrets + 1] = answers.SECRET_HASH
        resp, err = self:call("RespondToAuthChallenge", { ChallengeName = name, ClientId = self.client_id,
            Session = login.session, ChallengeResponses = answers, ClientMetadata = opts.client_metadata },
            { login.session, table.unpack(login.secrets) })
        if not resp then return nil, explain_session_error(err, sys.monotonic() - since) end
        if on_step then on_step(name, sys.monotonic() - step_start) end
    end
    local tokens = resp.AuthenticationResult
    hold_tokens(tokens)
    if type(tokens) ~= "table" or not tokens.AccessToken then
        return errors.fail("InvalidResponse", "Cognito ended the sign-in without tokens or a challenge " ..
            "(after %s)", #login.met > 0 and login.met[#login.met] or "InitiateAuth")
    end
    local result = { tokens = tokens, challenges = login.met, username = login.internal_username,
                     totp_secret = login.totp_secret, device = device }
    if type(tokens.NewDeviceMetadata) == "table" and opts.remember_device then
        result.device, err = self:confirm_device(tokens.AccessToken, tokens.NewDeviceMetadata,
            { name = opts.device_name, remember = true })
        if not result.device then return nil, err end
        result.device_confirmed = true
        if opts.device_file then
            local ok
            ok, err = devices.save(opts.device_file, result.device, self.user_pool_id, login.internal_username)
            if not ok then return nil, err end
        end
    end
    return result
end

function M.sign_in(opts)
    return M.new(opts):sign_in(opts)
end

-- Tokens --------------------------------------------------------------------

-- refresh{ refresh_token =, username = (internal; needed with a client
-- secret), device_key = } -> AuthenticationResult | nil, err
function Idp:refresh(opts)
    local rt = need_string(opts, "refresh_token", "refresh")
    local params = { REFRESH_TOKEN = rt, DEVICE_KEY = opts.device_key }
    if self.client_secret then
        params.SECRET_HASH = self:secret_hash(need_string(opts, "username", "refresh (with a client secret)"))
    end
    local out, err = self:call("InitiateAuth", { AuthFlow = "REFRESH_TOKEN_AUTH", ClientId = self.client_id,
        AuthParameters = params }, { rt })
    if not out then return nil, err end
    hold_tokens(out.AuthenticationResult)
    if type(out.AuthenticationResult) ~= "table" then
        return errors.fail("InvalidResponse", "the refresh answer has no AuthenticationResult")
    end
    return out.AuthenticationResult
end

function Idp:global_sign_out(access_token)
    check(1, "idp:global_sign_out", access_token, "string")
    return self:call("GlobalSignOut", { AccessToken = access_token }, { access_token })
end

function Idp:revoke(refresh_token)
    check(1, "idp:revoke", refresh_token, "string")
    return self:call("RevokeToken", { Token = refresh_token, ClientId = self.client_id,
        ClientSecret = self.client_secret }, { refresh_token, self.client_secret })
end

-- verify_token(token, { token_use = "id"|"access", jwks =, now = }) -> claims | nil, err
function Idp:verify_token(token, opts)
    check(1, "idp:verify_token", token, "string")
    opts = check(2, "idp:verify_token", opts, "table|nil") or {}
    local endpoint = opts.endpoint or self.endpoint
    if not endpoint and not opts.jwks_url then
        local url = self.client:resolve() and self.client.url
        if url and not url:match("%.amazonaws%.com") then endpoint = url end
    end
    local region = self.region or (self.client:resolve() and self.client.region)
    return jwt.verify(token, { user_pool_id = self.user_pool_id, region = region, client_id = self.client_id,
        endpoint = endpoint, jwks_url = opts.jwks_url, issuer = opts.issuer, token_use = opts.token_use,
        jwks = opts.jwks, now = opts.now, leeway = opts.leeway })
end

M.verify_token = jwt.verify

-- Sign-up -------------------------------------------------------------------

local function attribute_list(attrs)
    local list = json.array({})
    local names = {}
    for k in pairs(attrs or {}) do names[#names + 1] = k end
    table.sort(names)
    for _, k in ipairs(names) do list[#list + 1] = { Name = k, Value = tostring(attrs[k]) } end
    return list
end

local function check_phone_attr(attrs)
    if attrs and attrs.phone_number then
        local ok, err = phone.check(attrs.phone_number)
        if not ok then return nil, err end
    end
    return true
end

-- sign_up{ username, password, attributes = { email =, phone_number =, ... } }
function Idp:sign_up(opts)
    local username = need_string(opts, "username", "sign_up")
    local password = need_string(opts, "password", "sign_up")
    local ok, err = check_phone_attr(opts.attributes)
    if not ok then return nil, err end
    return self:call("SignUp", { ClientId = self.client_id, Username = username, Password = password,
        SecretHash = self:secret_hash(username), UserAttributes = attribute_list(opts.attributes) }, { password })
end

-- confirm_sign_up{ username, code } (code: a value or a code source)
function Idp:confirm_sign_up(opts)
    local username = need_string(opts, "username", "confirm_sign_up")
    local code, err = codes.source(opts.code or error("confirm_sign_up: code is required", 2), "confirmation code")()
    if not code then return nil, err end
    return self:call("ConfirmSignUp", { ClientId = self.client_id, Username = username, ConfirmationCode = code,
        SecretHash = self:secret_hash(username) })
end

-- resend_confirmation_code{ username } -> { CodeDeliveryDetails } | nil, err
-- A new sign-up code (the old one stops working).
function Idp:resend_confirmation_code(opts)
    local username = need_string(opts, "username", "resend_confirmation_code")
    return self:call("ResendConfirmationCode", { ClientId = self.client_id, Username = username,
        SecretHash = self:secret_hash(username) })
end

-- User ----------------------------------------------------------------------

-- get_user(access_token) -> { username, attributes = {name = value},
--   email_verified, phone_number_verified, mfa_enabled = {...},
--   preferred_mfa, sms_mfa, totp_mfa } — the guide's getCurrentUserInfo.
function Idp:get_user(access_token)
    check(1, "idp:get_user", access_token, "string")
    local out, err = self:call("GetUser", { AccessToken = access_token }, { access_token })
    if not out then return nil, err end
    local attrs = {}
    for _, a in ipairs(tbl(out.UserAttributes)) do
        if type(a) == "table" and str(a.Name) then attrs[a.Name] = str(a.Value) end
    end
    local enabled = tbl(out.UserMFASettingList)
    local function has(name)
        for _, v in ipairs(enabled) do if v == name then return true end end
        return false
    end
    return {
        username = out.Username, attributes = attrs,
        email_verified = attrs.email_verified == "true", phone_number_verified = attrs.phone_number_verified == "true",
        mfa_enabled = enabled, preferred_mfa = str(out.PreferredMfaSetting),
        sms_mfa = has("SMS_MFA"), totp_mfa = has("SOFTWARE_TOKEN_MFA"),
    }
end

function Idp:update_attributes(access_token, attrs)
    check(1, "idp:update_attributes", access_token, "string")
    check(2, "idp:update_attributes", attrs, "table")
    local ok, err = check_phone_attr(attrs)
    if not ok then return nil, err end
    return self:call("UpdateUserAttributes", { AccessToken = access_token, UserAttributes = attribute_list(attrs) },
        { access_token })
end

-- Phone (or email) verification: send a code, then verify it.
function Idp:send_verification_code(access_token, attribute)
    check(1, "idp:send_verification_code", access_token, "string")
    check(2, "idp:send_verification_code", attribute, "string|nil")
    return self:call("GetUserAttributeVerificationCode", { AccessToken = access_token,
        AttributeName = attribute or "phone_number" }, { access_token })
end

function Idp:verify_attribute(access_token, attribute, code_spec)
    check(1, "idp:verify_attribute", access_token, "string")
    check(2, "idp:verify_attribute", attribute, "string|nil")
    local code, err = codes.source(code_spec, "verification code")()
    if not code then return nil, err end
    return self:call("VerifyUserAttribute", { AccessToken = access_token, AttributeName = attribute or "phone_number",
        Code = code }, { access_token, code })
end

-- MFA -----------------------------------------------------------------------

-- set_mfa{ sms = true|false|"preferred", totp = true|false|"preferred" }
function Idp:set_mfa(access_token, opts)
    check(1, "idp:set_mfa", access_token, "string")
    check(2, "idp:set_mfa", opts, "table")
    local params = { AccessToken = access_token }
    if opts.sms ~= nil then
        params.SMSMfaSettings = { Enabled = opts.sms and true or false, PreferredMfa = opts.sms == "preferred" }
    end
    if opts.totp ~= nil then
        params.SoftwareTokenMfaSettings = { Enabled = opts.totp and true or false,
                                            PreferredMfa = opts.totp == "preferred" }
    end
    return self:call("SetUserMFAPreference", params, { access_token })
end

-- SMS MFA needs a phone number on the user; check it first so the error
-- says what to fix instead of Cognito's generic InvalidParameter.
function Idp:enable_sms_mfa(access_token, opts)
    check(1, "idp:enable_sms_mfa", access_token, "string")
    check(2, "idp:enable_sms_mfa", opts, "table|nil")
    local user, err = self:get_user(access_token)
    if not user then return nil, err end
    opts = opts or {}
    if not user.attributes.phone_number then
        return errors.fail("MissingPhoneNumber", "the user has no phone_number: set one (E.164) and verify it first")
    end
    -- codes sent to a number nobody proved they hold may go to a stranger,
    -- or nowhere and lock the user out: the guide verifies first
    if opts.require_verified and not user.phone_number_verified then
        return errors.fail("PhoneNotVerified", "the phone number %s is not verified: verify it first",
            user.attributes.phone_number)
    end
    return self:set_mfa(access_token, { sms = opts.preferred == false and true or "preferred" })
end

-- setup_totp(access_token, { device_name, code = source }) -> { secret, uri }
-- Associate, verify with a code (computed from the new secret unless a code
-- source is given, e.g. "prompt" for a person with an authenticator app),
-- then make TOTP the preferred method: the order Cognito demands.
function Idp:setup_totp(access_token, opts)
    check(1, "idp:setup_totp", access_token, "string")
    opts = check(2, "idp:setup_totp", opts, "table|nil") or {}
    -- the URI's label is checked first: once Cognito has the secret and TOTP
    -- is on, a URI that cannot be made would leave a secret nobody has
    local label_ok, why = pcall(totp.uri, { secret = "AAAAAAAAAAAAAAAA", account = opts.account or "user",
                                            issuer = opts.issuer or "mfakit" })
    if not label_ok then
        return errors.fail("InvalidTOTPLabel", "%s", (tostring(why):gsub("^.-%((.*)%)$", "%1")))
    end
    local out, err = self:call("AssociateSoftwareToken", { AccessToken = access_token }, { access_token })
    if not out then return nil, err end
    local secret = secrets.add(str(out.SecretCode))
    if not secret then return errors.fail("InvalidResponse", "AssociateSoftwareToken gave no SecretCode") end
    local code
    if opts.code then
        code, err = codes.source(opts.code, "TOTP code")({ challenge = "VerifySoftwareToken" })
        if not code then return nil, err end
    else
        code = totp.code(secret)
    end
    local v
    v, err = self:call("VerifySoftwareToken", { AccessToken = access_token, UserCode = code,
        FriendlyDeviceName = opts.device_name or "mfakit" }, { access_token, secret })
    if not v then return nil, err end
    if v.Status ~= "SUCCESS" then return errors.fail("TOTPSetupFailed", "VerifySoftwareToken answered %s", v.Status) end
    local ok
    ok, err = self:set_mfa(access_token, { totp = opts.preferred == false and true or "preferred" })
    if not ok then return nil, err end
    return { secret = secret, uri = totp.uri{ secret = secret, account = opts.account or "user",
                                              issuer = opts.issuer or "mfakit" } }
end

-- Turns off what is on: Cognito checks every settings block it is sent, so
-- disabling SMS for a user without a phone number would fail.
function Idp:disable_mfa(access_token)
    check(1, "idp:disable_mfa", access_token, "string")
    local user, err = self:get_user(access_token)
    if not user then return nil, err end
    local settings, off = {}, json.array({})
    if user.sms_mfa then settings.sms, off[#off + 1] = false, "SMS_MFA" end
    if user.totp_mfa then settings.totp, off[#off + 1] = false, "SOFTWARE_TOKEN_MFA" end
    if next(settings) == nil then return { turned_off = off } end
    local ok
    ok, err = self:set_mfa(access_token, settings)
    if not ok then return nil, err end
    return { turned_off = off }
end

-- Devices -------------------------------------------------------------------

-- confirm_device(access_token, NewDeviceMetadata, { name, remember = true })
--   -> { key, group_key, password, name, remembered }
function Idp:confirm_device(access_token, meta, opts)
    check(1, "idp:confirm_device", access_token, "string")
    check(2, "idp:confirm_device", meta, "table")
    opts = check(3, "idp:confirm_device", opts, "table|nil") or {}
    if not (str(tbl(meta).DeviceKey) and str(tbl(meta).DeviceGroupKey)) then
        return errors.fail("InvalidResponse", "NewDeviceMetadata has no DeviceKey or DeviceGroupKey")
    end
    local secret = srp.device_secret{ device_group_key = meta.DeviceGroupKey, device_key = meta.DeviceKey }
    secrets.add(secret.password)
    local out, err = self:call("ConfirmDevice", { AccessToken = access_token, DeviceKey = meta.DeviceKey,
        DeviceSecretVerifierConfig = { PasswordVerifier = secret.PasswordVerifier, Salt = secret.Salt },
        DeviceName = opts.name or "mfakit" }, { access_token, secret.password })
    if not out then return nil, err end
    local device = { key = meta.DeviceKey, group_key = meta.DeviceGroupKey, password = secret.password,
                     name = opts.name or "mfakit", remembered = false }
    if opts.remember ~= false then
        local ok
        ok, err = self:update_device_status(access_token, meta.DeviceKey, true)
        if not ok then return nil, err end
        device.remembered = true
    end
    return device
end

function Idp:update_device_status(access_token, device_key, remembered)
    check(1, "idp:update_device_status", access_token, "string")
    check(2, "idp:update_device_status", device_key, "string")
    return self:call("UpdateDeviceStatus", { AccessToken = access_token, DeviceKey = device_key,
        DeviceRememberedStatus = remembered and "remembered" or "not_remembered" }, { access_token })
end

function Idp:list_devices(access_token)
    check(1, "idp:list_devices", access_token, "string")
    local list, err = paginate.all(function(op, params) return self:call(op, params, { access_token }) end,
        "ListDevices", { AccessToken = access_token, Limit = 60 }, "Devices")
    if not list then return nil, err end
    return json.array(list)
end

function Idp:forget_device(access_token, device_key)
    check(1, "idp:forget_device", access_token, "string")
    check(2, "idp:forget_device", device_key, "string")
    return self:call("ForgetDevice", { AccessToken = access_token, DeviceKey = device_key }, { access_token })
end

return M
