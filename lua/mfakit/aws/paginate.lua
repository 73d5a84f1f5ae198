-- mfakit.aws.paginate: every list call's pages, with an end guaranteed.
--   for page, err in paginate.pages(client, "ListUserPools", { MaxResults = 60 }) do
--       if not page then return nil, err end
--       ... page.UserPools ...          -- break or return early as you like
--   end
--   local items, err = paginate.all(client, "ListDevices", params, "Devices")
-- `client` is anything with client:call(op, params) (an aws.client, a
-- cognito idp) or a function(op, params) -> out | nil, err.
-- The token is whichever of NextToken, PaginationToken or Marker (with
-- IsTruncated) the answer carries, sent back under the same name.
-- A server that repeats a token stops the loop with PaginationLoop; more
-- than opts.max_pages pages (paginate.max_pages, 1000) with PaginationLimit.
local errors = require "mfakit.errors"
local crypto = require "mfakit.crypto"

local M = {}

M.max_pages = 1000
M.max_token = 64 * 1024 -- bytes; AWS's page tokens are far shorter

local function next_token(out)
    for _, name in ipairs{ "NextToken", "PaginationToken" } do
        local v = out[name]
        if type(v) == "string" and v ~= "" then return name, v end
    end
    if out.IsTruncated == true and type(out.Marker) == "string" and out.Marker ~= "" then
        return "Marker", out.Marker
    end
end

local function caller(client)
    if type(client) == "function" then return client end
    if type(client) == "table" and type(client.call) == "function" then
        return function(op, params) return client:call(op, params) end
    end
    error("paginate: a client with :call or a function expected, got " .. type(client), 3)
end

local function check(op, params, opts)
    if type(op) ~= "string" then error("paginate: operation name expected", 3) end
    if params ~= nil and type(params) ~= "table" then error("paginate: parameters must be a table", 3) end
    if opts ~= nil and type(opts) ~= "table" then error("paginate: options must be a table", 3) end
    local max = opts and opts.max_pages or M.max_pages
    if math.type(max) ~= "integer" or max < 1 then error("paginate: max_pages must be a positive integer", 3) end
    return max
end

-- An iterator over the answers: each page, or `false, err` once (a failed
-- call, a repeated token, too many pages), then the end.
function M.pages(client, op, params, opts)
    local max = check(op, params, opts)
    local call = caller(client)
    local seen, count, token_name, token, done = {}, 0, nil, nil, false
    return function()
        if done then return nil end
        if count >= max then
            done = true
            return false, errors.new{ code = "PaginationLimit", operation = op,
                message = string.format("more than %d pages; stopped (raise max_pages if this is real)", max) }
        end
        local p = {}
        for k, v in pairs(params or {}) do p[k] = v end
        if token then p[token_name] = token end
        local out, err = call(op, p)
        if not out then
            done = true
            return false, err
        end
        count = count + 1
        token_name, token = next_token(out)
        -- the tokens seen are kept as digests: a server sending huge ones
        -- must not fill memory with them
        local digest = token and crypto.sha256(token)
        if token and #token > M.max_token then
            done = true
            return false, errors.new{ code = "InvalidResponse", operation = op,
                message = string.format("a %s of %d bytes (more than %d); stopped", token_name, #token, M.max_token) }
        elseif not token then
            done = true
        elseif seen[digest] then
            done = true
            return false, errors.new{ code = "PaginationLoop", operation = op,
                message = string.format("the server sent the same %s twice (page %d); stopped", token_name,
                    count) }
        end
        if token then seen[digest] = true end
        return out
    end
end

-- Calls fn(item) for the items under `key` of every page, stopping at the
-- first fn that returns nil, err.
function M.each(client, op, params, key, fn)
    if type(fn) ~= "function" then error("paginate.each: a function expected", 2) end
    for page, err in M.pages(client, op, params) do
        if not page then return nil, err end
        for _, item in ipairs(type(page[key]) == "table" and page[key] or {}) do
            local ok, ferr = fn(item)
            if not ok then return nil, ferr end
        end
    end
    return true
end

-- The items under `key` of every page, in one array.
function M.all(client, op, params, key, opts)
    if type(key) ~= "string" then error("paginate.all: the name of the list member expected", 2) end
    local items = {}
    for page, err in M.pages(client, op, params, opts) do
        if not page then return nil, err end
        local list = page[key]
        if type(list) == "table" then
            for _, x in ipairs(list) do items[#items + 1] = x end
        end
    end
    return items
end

return M
