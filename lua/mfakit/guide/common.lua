-- mfakit.guide.common: what the guide's steps share (comparing documents,
-- tags, the IAM propagation retry, finding the stack's pools, paging lists).
-- Steps require this, never mfakit.guide, so the engine can load the steps
-- without a require cycle.
local json = require "mfakit.json"
local paginate = require "mfakit.aws.paginate"
local errors = require "mfakit.errors"
local task = require "mfakit.task"
local settings = require "mfakit.stack.settings"

local M = {}

-- The member `key` of an answer, which must be an object: a server that
-- answers another shape gets InvalidResponse, not a crash.
function M.member(out, key, op)
    local v = type(out) == "table" and out[key] or nil
    if type(v) ~= "table" then
        return errors.fail("InvalidResponse", "%s answered without %s", op, key)
    end
    return v
end

local function plain(v)
    if type(v) ~= "table" then return v end
    local out = {}
    for k, x in pairs(v) do out[k] = plain(x) end
    return out
end

local function deep_equal(a, b)
    if type(a) ~= "table" or type(b) ~= "table" then return a == b end
    for k, v in pairs(a) do if not deep_equal(v, b[k]) then return false end end
    for k in pairs(b) do if a[k] == nil then return false end end
    return true
end

-- Policy documents and settings compared as data (IAM may hand a document
-- back as a string or decoded).
function M.same(a, b)
    if type(a) == "string" then a = json.decode(a) or a end
    return deep_equal(plain(a), plain(b))
end

function M.same_fields(have, want, keys)
    have = have or {}
    for _, k in ipairs(keys) do
        if have[k] ~= want[k] then return false end
    end
    return true
end

function M.contains(list, v)
    for _, x in ipairs(list or {}) do if x == v then return true end end
    return false
end

function M.has_tag(tags, stack, key)
    key = key or settings.TAG
    for _, t in ipairs(tags or {}) do
        if t.Key == key and t.Value == stack then return true end
    end
    return false
end

M.iam_wait = { attempts = 8, base = 1, cap = 10 }

-- What Cognito says while a new role or policy is not yet visible to it.
M.PROPAGATION = { InvalidSmsRoleTrustRelationshipException = true, InvalidSmsRoleAccessPolicyException = true }

-- Cognito checks the SMS role when the pool is created or changed, and IAM
-- takes a few seconds to show a new role everywhere. That failure is
-- retried with backoff, saying why; any other is returned at once.
function M.retry_iam(ctx, fn)
    local w = ctx.iam_wait or M.iam_wait
    local attempt = 0
    while true do
        attempt = attempt + 1
        local out, err = fn()
        if out or not M.PROPAGATION[err.code] or attempt >= w.attempts then
            return out, err
        end
        local delay = math.min(w.cap, w.base * 2 ^ (attempt - 1))
        ctx.say(string.format("   waiting %.0f s for IAM to make the new role visible to Cognito (%s)",
            delay, err.message))
        task.sleep(delay)
    end
end

-- true when the pool exists and carries the stack's tag; "untagged" when
-- it exists without it.
local function pool_tagged(ctx, id)
    local d, err = ctx.idp:call("DescribeUserPool", { UserPoolId = id })
    if not d then
        if err.code == "ResourceNotFoundException" then return false end
        return nil, err
    end
    local pool
    pool, err = M.member(d, "UserPool", "cognito-idp:DescribeUserPool")
    if not pool then return nil, err end
    local tag = (pool.UserPoolTags or {})[settings.TAG]
    if tag == nil then return "untagged" end
    -- another stack's pool is never ours, whatever the state file says
    return tag == ctx.settings.stack
end

-- Every pool of this stack: the one whose id the state recorded (ours even
-- if its tag was lost: UpdateUserPool without tags drops them) and any
-- other pool of the same name carrying the stack's tag (a run killed
-- between CreateUserPool and its answer).
function M.find_pools(ctx)
    local ids, seen = {}, {}
    local rec = ctx.state:get("pool")
    if rec and rec.id then
        local ok, err = pool_tagged(ctx, rec.id)
        if ok == nil then return nil, err end
        if ok then ids[1], seen[rec.id] = rec.id, true end
    end
    local names = {}
    for _, n in ipairs(M.names_of(ctx, "pool")) do names[n] = true end
    local ok, err = M.each_page(ctx.idp, "ListUserPools", { MaxResults = 60 }, "UserPools", function(p)
        if names[p.Name] and not seen[p.Id] then
            local tagged, terr = pool_tagged(ctx, p.Id)
            if tagged == nil then return nil, terr end
            if tagged == true then ids[#ids + 1], seen[p.Id] = p.Id, true end
        end
        return true
    end)
    if not ok then return nil, err end
    return ids
end

-- Every name the stack has used for a kind (role, pool, client), and the
-- one it wants now: down looks for all of them.
function M.names_of(ctx, kind)
    local out, seen = {}, {}
    local function add(n) if n and not seen[n] then out[#out + 1], seen[n] = n, true end end
    add(ctx.settings.names[kind])
    for _, n in ipairs(ctx.state:names(kind)) do add(n) end
    return out
end

-- Every item of a paginated list, one call of fn(item) each (the one paginator).
M.each_page = paginate.each

function M.find_pool(ctx)
    local ids, err = M.find_pools(ctx)
    if not ids then return nil, err end
    return ids[1]
end

-- An up line's detail: for "updated", what changed, in plan's words, so
-- that up says what it did as plan says what it would do.
function M.what_changed(verb, detail, changes)
    if verb ~= "updated" or not changes or #changes == 0 then return detail end
    return (detail and (detail .. ": ") or "") .. table.concat(changes, "; ")
end

function M.env_lines(ctx)
    local pool, client = ctx.state:get("pool"), ctx.state:get("client")
    if not (pool and pool.id and client and client.id) then return nil end
    return { "VITE_AWS_REGION=" .. ctx.region, "VITE_MFA_SMS_USER_POOL_ID=" .. pool.id,
             "VITE_MFA_SMS_CLIENT_ID=" .. client.id }
end

return M
