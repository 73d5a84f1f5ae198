-- mfakit.test.fixtures: what a case can ask the runner for, and the clean-up
-- the runner does after the case, passed, failed or timed out.
--   defer(fn)          run fn() after this case
--   user{ pool, client, mfa, phone, ... } -> { username, password, totp_secret, phone }
--   stack(name [, dir]) -> { stack, pool_id, client_id, role_arn, region }
local cognito = require "mfakit.cognito"
local crypto = require "mfakit.crypto"
local secrets = require "mfakit.secrets"
local state = require "mfakit.stack.state"
local args = require "mfakit.args"

local M = {}

-- The case each running task belongs to (cases may run side by side): the
-- runner enters the case's task here. A task the case spawned is not in
-- it; then the one case running, if only one is, is the owner.
local owner = setmetatable({}, { __mode = "k" })
local running = {}

function M._enter(co, ctx)
    owner[co] = ctx
    running[ctx] = true
end

function M._leave(co, ctx)
    if co then owner[co] = nil end
    running[ctx] = nil
end

local function current(what)
    local ctx = owner[coroutine.running()]
    if not ctx then
        local only, n = nil, 0
        for c in pairs(running) do only, n = c, n + 1 end
        if n == 1 then ctx = only end
    end
    if not ctx then error(what .. ": called outside a case run by `mfakit test`", 3) end
    return ctx
end

function M.defer(fn)
    args.check(1, "t.defer", fn, "function")
    local ctx = current("t.defer")
    ctx.cleanups[#ctx.cleanups + 1] = fn
end

-- A fixture's own failure: the case errors (it did not get to test anything).
local function must(what, v, err)
    if v == nil then error(string.format("t.user: %s: %s", what, tostring(err)), 0) end
    return v
end

local function idp_for(o)
    return cognito.new{ user_pool_id = o.pool, client_id = o.client, client_secret = o.client_secret,
        endpoint = o.endpoint, region = o.region, profile = o.profile, access_key = o.access_key,
        secret_key = o.secret_key, session_token = o.session_token }
end

local MFA = { none = true, sms = true, totp = true }

-- A throwaway user, made with admin calls and deleted after the case. The
-- password meets Cognito's default policy (upper, lower, digit, symbol).
function M.user(o)
    args.check(1, "t.user", o, "table")
    for _, k in ipairs{ "pool", "client" } do
        if type(o[k]) ~= "string" then error("t.user: " .. k .. " (the user pool or app client id) is required", 2) end
    end
    local mfa = o.mfa or "none"
    if not MFA[mfa] then error("t.user: mfa must be none, sms or totp, got " .. tostring(mfa), 2) end
    if mfa == "sms" and not o.phone then error("t.user: mfa = \"sms\" needs phone (E.164, +15555550100)", 2) end
    local ctx = current("t.user")
    local idp = idp_for(o)
    local username = o.username or ("mfakit-test-" .. crypto.hex(crypto.random(6)))
    local password = secrets.add("Mk1!" .. crypto.hex(crypto.random(12)) .. "aZ")
    local attrs = {}
    if o.phone then
        attrs = { { Name = "phone_number", Value = o.phone }, { Name = "phone_number_verified", Value = "true" } }
    end
    must("AdminCreateUser", idp.client:call("AdminCreateUser", { UserPoolId = o.pool, Username = username,
        MessageAction = "SUPPRESS", TemporaryPassword = password, UserAttributes = attrs }))
    -- from here on the user exists: it goes whatever happens next
    ctx.cleanups[#ctx.cleanups + 1] = function()
        local ok, err = idp.client:call("AdminDeleteUser", { UserPoolId = o.pool, Username = username })
        if not ok and err.code ~= "UserNotFoundException" then
            error("t.user: AdminDeleteUser " .. username .. ": " .. tostring(err), 0)
        end
    end
    must("AdminSetUserPassword", idp.client:call("AdminSetUserPassword", { UserPoolId = o.pool,
        Username = username, Password = password, Permanent = true }))
    local user = { username = username, password = password, phone = o.phone }
    if mfa == "sms" then
        must("AdminSetUserMFAPreference", idp.client:call("AdminSetUserMFAPreference", { UserPoolId = o.pool,
            Username = username, SMSMfaSettings = { Enabled = true, PreferredMfa = true } }))
    elseif mfa == "totp" then
        -- no admin call enrols TOTP: sign in as the user and enrol
        local r = must("sign-in to enrol TOTP", idp:sign_in{ username = username, password = password })
        local out = must("setup_totp", idp:setup_totp(r.tokens.AccessToken, { account = username }))
        user.totp_secret = out.secret
    end
    return user
end

-- The ids a guide stack's state file records.
function M.stack(name, dir)
    args.check(1, "t.stack", name, "string")
    args.check(2, "t.stack", dir, "string|nil")
    local st, err = state.load(dir, name)
    if not st then error("t.stack: " .. tostring(err), 2) end
    local r = st.doc.resources
    if not (r.pool and r.pool.id) then
        error("t.stack: stack " .. name .. " has no user pool recorded in " .. st.path ..
            " (run mfakit guide up first)", 2)
    end
    return { stack = name, pool_id = r.pool.id, client_id = r.client and r.client.id,
        role_arn = r.role and r.role.arn, region = r.pool.id:match("^([%w%-]+)_"), path = st.path }
end

return M
