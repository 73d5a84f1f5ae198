-- mfakit.aws.jsonrpc: the AWS JSON 1.1 protocol (Cognito user pools).
--   encode(params, hints) -> body;   decode(operation, body) -> result | nil, err
--   error_of(headers, body) -> {code, message} | nil
local json = require "mfakit.json"
local errors = require "mfakit.errors"

local M = {}

M.content_type = "application/x-amz-json-1.1"

-- Empty tables whose member name is a list must go out as [] (an empty
-- `UserAttributes = {}` means an empty list, not an empty object).
local function mark_lists(v, name, hints, depth)
    if type(v) ~= "table" or v == json.null then return v end
    if depth > 64 then error("aws: parameters nested too deeply", 4) end
    if next(v) == nil then
        if hints.input_lists[name] and getmetatable(v) == nil then return json.array({}) end
        return v
    end
    local out = {}
    for k, item in pairs(v) do
        out[k] = mark_lists(item, type(k) == "string" and k or "member", hints, depth + 1)
    end
    return setmetatable(out, getmetatable(v))
end

function M.encode(params, hints)
    if params == nil then return "{}" end
    if type(params) ~= "table" then error("aws: parameters must be a table", 3) end
    if next(params) == nil then return "{}" end
    return json.encode(mark_lists(params, "", hints, 0))
end

-- JSON null in an AWS answer means "absent", as the SDKs read it: removed
-- here (and dropped from lists), so no caller meets a null where it expects
-- a table or a string.
function M.strip_nulls(v, depth)
    if type(v) ~= "table" then return v end
    depth = depth or 0
    if depth > 200 then return v end
    if getmetatable(v) == json.array_mt then
        local out = json.array({})
        for i = 1, #v do
            if v[i] ~= json.null then out[#out + 1] = M.strip_nulls(v[i], depth + 1) end
        end
        return out
    end
    for k, x in pairs(v) do
        if x == json.null then v[k] = nil else v[k] = M.strip_nulls(x, depth + 1) end
    end
    return v
end

function M.decode(operation, body)
    if body == "" then return {} end
    local v, err = json.decode(body)
    if type(v) ~= "table" then
        return errors.fail("InvalidResponse", "%s: the answer is not a JSON object (%s)", operation,
            err and err.message or type(v))
    end
    return M.strip_nulls(v)
end

-- AWS puts the code in X-Amzn-ErrorType and/or __type, either possibly
-- prefixed with a namespace ("aws.cognito#Code") or suffixed (":http://...").
local function clean_code(s)
    s = s:gsub(":.*$", "")
    return (s:gsub("^.*#", ""))
end

function M.error_of(headers, body)
    local doc = json.decode(body or "")
    local code = headers["x-amzn-errortype"]
    if type(doc) == "table" then
        code = code or doc.__type or doc.code or doc.Code
        local message = doc.message or doc.Message or doc.errorMessage
        if code then
            return { code = clean_code(tostring(code)), message = type(message) == "string" and message or "" }
        end
    elseif code then
        return { code = clean_code(code), message = "" }
    end
    return nil
end

return M
