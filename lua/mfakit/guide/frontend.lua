-- mfakit.guide.frontend: what the frontend is configured with (the guide's
-- Steps 4 to 6), in the shape it reads:
--   dotenv           the .env lines of Step 4 (VITE_...)
--   json             the same values as one JSON object
--   amplify          Amplify v6's ResourcesConfig, for Amplify.configure(config):
--                    Auth.Cognito { userPoolId, userPoolClientId, loginWith,
--                    mfa { status, smsEnabled, totpEnabled } }; it has no
--                    region: Amplify reads it from the pool id
--   amplify-outputs  Amplify Gen 2's amplify_outputs.json: { version, auth {
--                    aws_region, user_pool_id, user_pool_client_id,
--                    mfa_configuration, mfa_methods, username_attributes, ... } }
-- The values come from the stack's state file and settings: nothing is sent.
local json = require "mfakit.json"
local errors = require "mfakit.errors"

local M = {}

M.FORMATS = { "dotenv", "json", "amplify", "amplify-outputs" }

-- The pool the guide makes (step 02): email is the username and is
-- verified by a code; this password policy.
local PASSWORD = { min_length = 8, require_lowercase = true, require_uppercase = true, require_numbers = true,
                   require_symbols = false }

-- The stack's ids and MFA choice, or nil when up has not made them yet.
function M.values(ctx)
    local pool, client = ctx.state:get("pool"), ctx.state:get("client")
    if not (pool and pool.id and client and client.id) then return nil end
    local s = ctx.settings
    local on = s.mfa ~= "OFF"
    return { region = ctx.region, pool = pool.id, client = client.id, mfa = s.mfa,
             sms = on and s.sms ~= false, totp = on and s.totp ~= false }
end

function M.env(v)
    return { VITE_AWS_REGION = v.region, VITE_MFA_SMS_USER_POOL_ID = v.pool, VITE_MFA_SMS_CLIENT_ID = v.client }
end

local ENV_ORDER = { "VITE_AWS_REGION", "VITE_MFA_SMS_USER_POOL_ID", "VITE_MFA_SMS_CLIENT_ID" }

function M.amplify(v)
    return { Auth = { Cognito = {
        userPoolId = v.pool, userPoolClientId = v.client, loginWith = { email = true },
        mfa = { status = ({ OFF = "off", OPTIONAL = "optional", ON = "on" })[v.mfa], smsEnabled = v.sms,
                totpEnabled = v.totp },
    } } }
end

function M.amplify_outputs(v)
    local methods = {}
    if v.sms then methods[#methods + 1] = "SMS" end
    if v.totp then methods[#methods + 1] = "TOTP" end
    return { version = "1", auth = {
        aws_region = v.region, user_pool_id = v.pool, user_pool_client_id = v.client,
        mfa_configuration = ({ OFF = "NONE", OPTIONAL = "OPTIONAL", ON = "REQUIRED" })[v.mfa],
        mfa_methods = json.array(methods), username_attributes = json.array{ "email" },
        standard_required_attributes = json.array{ "email" }, user_verification_types = json.array{ "email" },
        password_policy = PASSWORD,
    } }
end

-- JSON a person reads and diffs: two-space indent, keys sorted.
local function pretty(v, indent)
    indent = indent or ""
    if type(v) ~= "table" or v == json.null then return json.encode(v) end
    local inner = indent .. "  "
    local parts = {}
    if getmetatable(v) == json.array_mt or (#v > 0 and next(v, #v) == nil) then
        if #v == 0 then return "[]" end
        for _, x in ipairs(v) do parts[#parts + 1] = inner .. pretty(x, inner) end
        return "[\n" .. table.concat(parts, ",\n") .. "\n" .. indent .. "]"
    end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
    if #keys == 0 then return "{}" end
    for _, k in ipairs(keys) do parts[#parts + 1] = inner .. json.encode(k) .. ": " .. pretty(v[k], inner) end
    return "{\n" .. table.concat(parts, ",\n") .. "\n" .. indent .. "}"
end
M.pretty = pretty

-- render(ctx, format) -> text, value (the object, for the JSON formats) |
-- nil, err (NotReady: no pool and client yet; InvalidOption: the format).
function M.render(ctx, format)
    format = format or "dotenv"
    local v = M.values(ctx)
    local known = false
    for _, f in ipairs(M.FORMATS) do known = known or f == format end
    if not known then
        return errors.fail("InvalidOption", "--format must be %s, not '%s'", table.concat(M.FORMATS, ", "),
            errors.shown(format))
    end
    if not v then return errors.fail("NotReady", "stack %s has no pool and client yet", ctx.settings.stack) end
    local env = M.env(v)
    if format == "dotenv" then
        local lines = {}
        for i, k in ipairs(ENV_ORDER) do lines[i] = k .. "=" .. env[k] end
        return table.concat(lines, "\n") .. "\n", env
    end
    local value = format == "json" and env or format == "amplify" and M.amplify(v) or M.amplify_outputs(v)
    return pretty(value) .. "\n", value
end

return M
