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
local check = require "mfakit.test.check"

local M = {}

-- A fixture's own failure: the case errors (it did not get to test anything)
-- with one line naming the test file's line, never a traceback through
-- this file (the runner passes a `raised` error on as it is).
local Raised = { __tostring = function(e) return e.message end }
local function fail(message)
    error(setmetatable({ raised = true, message = message, where = check.where(2) }, Raised), 0)
end

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
    if not ctx then fail(what .. ": called outside a case run by `mfakit test`") end
    return ctx
end

function M.defer(fn)
    args.check(1, "t.defer", fn, "function")
    local ctx = current("t.defer")
    ctx.cleanups[#ctx.cleanups + 1] = fn
end

local function must(what, v, err)
    if v == nil then fail(string.format("t.user: %s: %s", what, tostring(err))) end
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
    if type(o) ~= "table" then fail("t.user: expects a table { pool, client, mfa, ... }, got " .. type(o)) end
    for _, k in ipairs{ "pool", "client" } do
        if type(o[k]) ~= "string" then fail("t.user: " .. k .. " (the user pool or app client id) is required") end
    end
    local mfa = o.mfa or "none"
    if not MFA[mfa] then fail("t.user: mfa must be none, sms or totp, got " .. tostring(mfa)) end
    if mfa == "sms" and not o.phone then fail("t.user: mfa = \"sms\" needs phone (E.164, +15555550100)") end
    local ctx = current("t.user")
    local made, idp = pcall(idp_for, o)
    if not made then fail("t.user: " .. tostring(idp)) end
    -- e-mail shaped: a pool that signs in by e-mail (UsernameAttributes =
    -- email, as the guide's does) refuses any other username
    local username = o.username or ("mfakit-" .. crypto.hex(crypto.random(6)) .. "@example.com")
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
            fail("t.user: AdminDeleteUser " .. username .. ": " .. tostring(err))
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
    if type(name) ~= "string" then fail("t.stack: expects a stack name (a string), got " .. type(name)) end
    if dir ~= nil and type(dir) ~= "string" then fail("t.stack: dir must be a string, got " .. type(dir)) end
    local st, err = state.load(dir, name)
    if not st then fail("t.stack: " .. tostring(err)) end
    local r = st.doc.resources
    if not (r.pool and r.pool.id) then
        fail("t.stack: stack " .. name .. " has no user pool recorded in " .. st.path .. " (run mfakit guide up first)")
    end
    return { stack = name, pool_id = r.pool.id, client_id = r.client and r.client.id,
        role_arn = r.role and r.role.arn, region = r.pool.id:match("^([%w%-]+)_"), path = st.path }
end

return M
