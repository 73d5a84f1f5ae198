-- Doctor check on the app client: the flows the guide's sign-in uses, and
-- no secret a browser would have to hold.
local fix = require "mfakit.doctor.fix"

local checks = {}

-- What the guide's app client allows (lua/mfakit/guide/steps/03-app-client.lua).
local NEEDED = { "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH" }

-- Cognito's own defaults when ExplicitAuthFlows is empty; the legacy names
-- (no ALLOW_ prefix) always allow SRP and refresh.
local DEFAULT = { ALLOW_USER_SRP_AUTH = true, ALLOW_CUSTOM_AUTH = true, ALLOW_REFRESH_TOKEN_AUTH = true }

local function flows_of(c)
    local set, legacy, any = {}, false, false
    for _, f in ipairs(c.ExplicitAuthFlows or {}) do
        any = true
        if f:match("^ALLOW_") then set[f] = true else legacy = true; set["ALLOW_" .. f] = true end
    end
    if not any then return DEFAULT, "Cognito's defaults" end
    if legacy then set.ALLOW_USER_SRP_AUTH, set.ALLOW_REFRESH_TOKEN_AUTH = true, true end
    return set
end

local function flows_fix(ctx, c)
    if ctx.stack and c.ClientId == ctx.client_id then return fix.guide_up(ctx) end
    return "aws cognito-idp update-user-pool-client --user-pool-id " .. fix.q(ctx.pool_id) .. " --client-id " ..
        fix.q(c.ClientId) .. " --explicit-auth-flows " .. table.concat(NEEDED, " ") ..
        fix.region_arg(ctx.pool_region) ..
        " (update-user-pool-client resets the settings it is not given: pass them all)"
end

checks[#checks + 1] = { id = "client-auth-flows", title = "the app client allows the guide's flows and has no secret",
    run = function(ctx)
        if not ctx:pool() then return "skip", "no user pool to look at (see pool-exists)" end
        local clients, err = ctx:app_clients()
        if not clients then
            if err.code == "ResourceNotFoundException" then
                return "fail", "app client " .. tostring(ctx.client_id) .. " does not exist",
                    ctx.stack and fix.guide_up(ctx) or "check --client-id"
            end
            if ctx:unreachable(err) then return "skip", ctx:unreachable(err) end
            return "fail", "cannot read the app clients: " .. tostring(err),
                fix.for_error(ctx, err, "cognito-idp:ListUserPoolClients and cognito-idp:DescribeUserPoolClient")
        end
        if #clients == 0 then
            return "fail", "the pool has no app client", ctx.stack and fix.guide_up(ctx) or
                ("aws cognito-idp create-user-pool-client --user-pool-id " .. fix.q(ctx.pool_id) ..
                 " --client-name web --no-generate-secret --explicit-auth-flows " .. table.concat(NEEDED, " ") ..
                 fix.region_arg(ctx.pool_region))
        end
        local warn, notes = nil, {}
        for _, c in ipairs(clients) do
            local set, how = flows_of(c)
            local missing = {}
            for _, f in ipairs(NEEDED) do if not set[f] then missing[#missing + 1] = f end end
            local name = string.format("%s (%s)", c.ClientName or "?", c.ClientId)
            if #missing > 0 then
                return "fail", name .. " does not allow " .. table.concat(missing, ", ") ..
                    (how and (" (it has " .. how .. ")") or ""), flows_fix(ctx, c)
            end
            if c.ClientSecret and c.ClientSecret ~= "" then
                warn = warn or { name .. " has a client secret: a browser frontend cannot keep it, and every " ..
                    "call must carry SECRET_HASH", "make a client without a secret for the frontend: aws " ..
                    "cognito-idp create-user-pool-client --user-pool-id " .. fix.q(ctx.pool_id) ..
                    " --client-name web --no-generate-secret --explicit-auth-flows " .. table.concat(NEEDED, " ") ..
                    fix.region_arg(ctx.pool_region) }
            end
            notes[#notes + 1] = name
        end
        if warn then return "warn", warn[1], warn[2] end
        return "pass", table.concat(notes, ", ") .. " allows SRP, password and refresh sign-in, no secret"
    end }

return checks
