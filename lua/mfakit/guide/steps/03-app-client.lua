-- Guide step 3: the app client the frontend uses. No secret (a browser
--   cannot keep one); password, SRP and refresh flows; user-existence
--   errors hidden; token revocation on; auth session 3 minutes; access and
--   id tokens 60 minutes; refresh tokens 30 days.
-- Creates: app client <stack>-client in the step-2 pool. It is known by
--   its id: a later --client-name renames it in place.
-- IAM permissions: cognito-idp:CreateUserPoolClient, ListUserPoolClients,
--   DescribeUserPoolClient, UpdateUserPoolClient, DeleteUserPoolClient.
-- Run alone: mfakit guide up|down|plan|status --step 03 [--stack NAME]
local guide = require "mfakit.guide.common"
local errors = require "mfakit.errors"

local step = { id = "03", name = "app-client", title = "app client for the frontend" }

local FLOWS = { "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH" }

local function config(ctx, pool_id)
    return {
        UserPoolId = pool_id, ClientName = ctx.settings.names.client,
        ExplicitAuthFlows = FLOWS, PreventUserExistenceErrors = "ENABLED", EnableTokenRevocation = true,
        AuthSessionValidity = 3, AccessTokenValidity = 60, IdTokenValidity = 60, RefreshTokenValidity = 30,
        TokenValidityUnits = { AccessToken = "minutes", IdToken = "minutes", RefreshToken = "days" },
    }
end

local COMPARED = { "PreventUserExistenceErrors", "EnableTokenRevocation", "AuthSessionValidity",
                   "AccessTokenValidity", "IdTokenValidity", "RefreshTokenValidity" }

-- The client is known by the id the state recorded; by name only when a
-- run was killed before CreateUserPoolClient answered (the name was
-- journaled first).
local function find(ctx, pool_id)
    local rec = ctx.state:get("client") or {}
    if rec.id then
        local d, err = ctx.idp:call("DescribeUserPoolClient", { UserPoolId = pool_id, ClientId = rec.id })
        if d then return rec.id end
        if err.code ~= "ResourceNotFoundException" then return nil, err end
    end
    local names = {}
    for _, n in ipairs(guide.names_of(ctx, "client")) do names[n] = true end
    if rec.name then names[rec.name] = true end
    local found
    local ok, err = guide.each_page(ctx.idp, "ListUserPoolClients", { UserPoolId = pool_id, MaxResults = 60 },
        "UserPoolClients", function(c)
            if not found and names[c.ClientName] and (rec.id == nil or rec.status == "creating") then
                found = c.ClientId
            end
            return true
        end)
    if not ok then return nil, err end
    return found or false
end

function step.inspect(ctx)
    local pool_id = ctx.pool_id or (ctx.state:get("pool") or {}).id
    if not pool_id then return { exists = false, changes = { "create app client (after the pool)" } } end
    local id, err = find(ctx, pool_id)
    if id == nil then
        if err.code == "ResourceNotFoundException" then
            return { exists = false, changes = { "create app client (after the pool)" } }
        end
        return nil, err
    end
    if not id then return { exists = false, pool_id = pool_id, changes = { "create app client " ..
        ctx.settings.names.client } } end
    local d
    d, err = ctx.idp:call("DescribeUserPoolClient", { UserPoolId = pool_id, ClientId = id })
    if not d then return nil, err end
    local c, changes = guide.member(d, "UserPoolClient", "cognito-idp:DescribeUserPoolClient"), {}
    if not c then return nil, changes end
    local want = config(ctx, pool_id)
    if c.ClientName ~= want.ClientName then
        changes[#changes + 1] = "rename app client " .. tostring(c.ClientName) .. " to " .. want.ClientName
    end
    local flows = {}
    for _, f in ipairs(c.ExplicitAuthFlows or {}) do flows[#flows + 1] = f end
    table.sort(flows)
    if not guide.same(flows, FLOWS) then changes[#changes + 1] = "auth flows" end
    for _, k in ipairs(COMPARED) do
        if c[k] ~= nil and c[k] ~= want[k] then changes[#changes + 1] = k end
    end
    if c.ClientSecret then changes[#changes + 1] = "has a client secret (delete the client to recreate it)" end
    return { exists = true, id = id, pool_id = pool_id, changes = changes }
end

function step.up(ctx)
    local now, err = step.inspect(ctx)
    if not now then return nil, err end
    local pool_id = now.pool_id or ctx.pool_id
    if not pool_id then
        return errors.fail("NoPool", "the app client needs the user pool: run up (or --step 02) first")
    end
    local verb, id = "exists", now.id
    if not now.exists then
        assert(ctx.state:set("client", { name = ctx.settings.names.client, status = "creating" }))
        local out
        out, err = ctx.idp:call("CreateUserPoolClient", config(ctx, pool_id))
        if not out then return nil, err end
        local client
        client, err = guide.member(out, "UserPoolClient", "cognito-idp:CreateUserPoolClient")
        if not client then return nil, err end
        id, verb = client.ClientId, "created"
    elseif #now.changes > 0 then
        local params = config(ctx, pool_id)
        params.ClientId = id
        local ok
        ok, err = ctx.idp:call("UpdateUserPoolClient", params)
        if not ok then return nil, err end
        verb = "updated"
    end
    assert(ctx.state:set("client", { id = id, name = ctx.settings.names.client, status = "created" }))
    ctx.client_id = id
    return verb, guide.what_changed(verb, id, now.changes)
end

-- Deleting the pool deletes its clients; this only tidies the state (and
-- removes the client when the pool is kept).
function step.down(ctx)
    local pool_id = (ctx.state:get("pool") or {}).id
    local client = ctx.state:get("client")
    if pool_id and client and client.id then
        local ok, err = ctx.idp:call("DeleteUserPoolClient", { UserPoolId = pool_id, ClientId = client.id })
        if not ok and err.code ~= "ResourceNotFoundException" then return nil, err end
        ctx.state:forget("client")
        return ok and "deleted" or "absent", client.id
    end
    ctx.state:forget("client")
    return "absent", ctx.settings.names.client
end

return step
