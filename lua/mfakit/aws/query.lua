-- mfakit.aws.query: the AWS query protocol (IAM, SNS, STS).
--   encode(operation, params, hints) -> form body
--   decode(operation, body, hints)   -> result table | nil, err
--   error_of(body)                   -> {code, message, request_id} | nil
-- Parameters are shaped as in the AWS API reference: lists are arrays
-- (sent as Name.member.N), maps are tables (Name.entry.N.key/value),
-- structures are tables (Name.Field). Results come back as the SDKs shape
-- them: <member> lists as arrays, <entry> maps as tables, the ...Result
-- wrapper removed, booleans and numbers typed where the service model says.
local xml = require "mfakit.xml"
local json = require "mfakit.json"
local errors = require "mfakit.errors"

local M = {}

-- A form body is written exactly as botocore writes it (Python's urlencode:
-- quote_plus, space as "+"): services and emulators that rebuild the body
-- before checking the signature (moto does) reject any other spelling.
local function form(s)
    return (s:gsub("[^%w%-%._~ ]", function(c) return string.format("%%%02X", c:byte()) end):gsub(" ", "+"))
end
M.form_encode = form

local function scalar(v)
    local t = type(v)
    if t == "string" then return v end
    if t == "boolean" then return v and "true" or "false" end
    if math.type(v) == "integer" then return string.format("%d", v) end
    if t == "number" then
        if v ~= v or v == math.huge or v == -math.huge then error("aws.query: cannot send NaN or infinity", 4) end
        return string.format("%.17g", v)
    end
    error("aws.query: cannot send a " .. t .. " value", 4)
end

local function is_array(t)
    local n = #t
    if n == 0 then return false end
    local count = 0
    for _ in pairs(t) do count = count + 1 end
    return count == n
end

local function sorted_keys(t)
    local keys = {}
    for k in pairs(t) do
        if type(k) ~= "string" then error("aws.query: table keys must be strings or a list", 5) end
        keys[#keys + 1] = k
    end
    table.sort(keys)
    return keys
end

local function flatten(prefix, name, v, hints, out)
    if v == json.null or v == nil then return end
    if type(v) ~= "table" then
        out[#out + 1] = { prefix, scalar(v) }
        return
    end
    if next(v) == nil then
        -- an empty list is sent as the bare name, as the SDKs do
        if hints.input_lists[name] then out[#out + 1] = { prefix, "" } end
        return
    end
    if is_array(v) then
        for i, item in ipairs(v) do flatten(prefix .. ".member." .. i, "member", item, hints, out) end
    elseif hints.input_maps[name] then
        local kv = hints.input_maps[name]
        for i, k in ipairs(sorted_keys(v)) do
            local entry = prefix .. ".entry." .. i .. "."
            out[#out + 1] = { entry .. kv[1], k }
            flatten(entry .. kv[2], kv[2], v[k], hints, out)
        end
    else
        for _, k in ipairs(sorted_keys(v)) do flatten(prefix .. "." .. k, k, v[k], hints, out) end
    end
end

function M.encode(operation, params, hints)
    local out = { { "Action", operation }, { "Version", hints.api_version } }
    if params ~= nil then
        if type(params) ~= "table" then error("aws: parameters must be a table", 3) end
        for _, k in ipairs(sorted_keys(params)) do flatten(k, k, params[k], hints, out) end
    end
    local parts = {}
    for i, kv in ipairs(out) do parts[i] = form(kv[1]) .. "=" .. form(kv[2]) end
    return table.concat(parts, "&")
end

-- Text of an element with no element children ("" when empty).
local function text_of(el)
    local parts = {}
    for _, c in ipairs(el) do
        if type(c) == "string" then parts[#parts + 1] = c end
    end
    return table.concat(parts)
end

local function element_children(el)
    local kids = {}
    for _, c in ipairs(el) do
        if type(c) == "table" then kids[#kids + 1] = c end
    end
    return kids
end

local function find(el, tag)
    if type(el) ~= "table" then return nil end
    if el.tag == tag then return el end
    for _, c in ipairs(el) do
        local f = find(c, tag)
        if f then return f end
    end
end

-- IAM returns policy documents URL-encoded; the SDKs hand them back as
-- decoded JSON (botocore's json_decode_policies), and so do we.
local POLICY_DOCS = { AssumeRolePolicyDocument = true, PolicyDocument = true, Document = true }

local function url_decode(s)
    return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

local convert

local function convert_children(kids, hints)
    local all_member, all_entry = #kids > 0, #kids > 0
    for _, k in ipairs(kids) do
        if k.tag ~= "member" then all_member = false end
        if k.tag ~= "entry" then all_entry = false end
    end
    if all_member then
        local list = json.array({})
        for i, k in ipairs(kids) do list[i] = convert(k, "member", hints) end
        return list
    end
    if all_entry then
        local map = {}
        for _, k in ipairs(kids) do
            local key, value
            for _, c in ipairs(element_children(k)) do
                if c.tag == "key" or c.tag == "Name" then key = text_of(c) else value = c end
            end
            if key then map[key] = value and convert(value, "value", hints) or "" end
        end
        return map
    end
    local struct = {}
    for _, k in ipairs(kids) do
        local v = convert(k, k.tag, hints)
        local prev = struct[k.tag]
        if prev == nil then
            struct[k.tag] = v
        elseif hints.output_lists[k.tag] then -- a flattened list
            if type(prev) ~= "table" or getmetatable(prev) ~= json.array_mt then prev = json.array({ prev }) end
            prev[#prev + 1] = v
            struct[k.tag] = prev
        end
    end
    return struct
end

function convert(el, name, hints)
    local kids = element_children(el)
    if #kids == 0 then
        local s = text_of(el)
        if hints.output_lists[name] and s:match("^%s*$") then return json.array({}) end
        if (hints.output_maps[name] or hints.output_structures[name]) and s:match("^%s*$") then return {} end
        if hints.output_booleans[name] then return s == "true" end
        if hints.output_numbers[name] then return math.tointeger(tonumber(s)) or tonumber(s) or s end
        if POLICY_DOCS[name] and s:find("%%") then
            local doc = json.decode(url_decode(s), { omit_nulls = true })
            if type(doc) == "table" then return doc end
        end
        return s
    end
    return convert_children(kids, hints)
end

-- The error in an XML error document (ErrorResponse/Error, or the
-- Response/Errors/Error form), or nil if the body is not one.
function M.error_of(body)
    if type(body) ~= "string" or not body:find("<", 1, true) then return nil end
    local doc = xml.decode(body)
    if type(doc) ~= "table" then return nil end
    local e = find(doc, "Error")
    if not e then return nil end
    local code, message = find(e, "Code"), find(e, "Message") or find(e, "message")
    local rid = find(doc, "RequestId") or find(doc, "RequestID")
    if not code then return nil end
    return { code = text_of(code), message = message and text_of(message) or "",
             request_id = rid and text_of(rid) or nil }
end

function M.decode(operation, body, hints)
    local doc, err = xml.decode(body)
    if not doc then
        return errors.fail("InvalidResponse", "%s: the answer is not valid XML (%s)", operation,
            err and err.message or "?")
    end
    if doc.tag ~= operation .. "Response" then
        return errors.fail("InvalidResponse", "%s: expected <%sResponse>, got <%s>", operation, operation,
            tostring(doc.tag))
    end
    local rid = find(doc, "RequestId")
    local result = find(doc, operation .. "Result")
    local out = result and convert_children(element_children(result), hints) or {}
    return out, rid and text_of(rid) or nil
end

M.protocol = {
    name = "query",
    headers = function() return { ["content-type"] = "application/x-www-form-urlencoded; charset=utf-8" } end,
    encode = M.encode,
    decode = function(operation, body, hints) return M.decode(operation, body, hints) end,
    error_of = function(_, body) return M.error_of(body) end,
}

return M
