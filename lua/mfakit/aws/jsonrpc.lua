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

-- JSON null in an AWS answer means "absent", as the SDKs read it: json.decode
-- leaves it out (and drops it from lists), so no caller meets a null where
-- it expects a table or a string.
function M.decode(operation, body)
    if body == "" then return {} end
    local v, err = json.decode(body, { omit_nulls = true })
    if type(v) ~= "table" then
        return errors.fail("InvalidResponse", "%s: the answer is not a JSON object (%s)", operation,
            err and err.message or type(v))
    end
    return v
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

-- The wire protocol, as mfakit.aws uses it: one object per protocol, picked
-- once per client (mfakit.aws.query has the other).
M.protocol = {
    name = "json",
    headers = function(operation, hints)
        return { ["content-type"] = M.content_type, ["x-amz-target"] = hints.target_prefix .. "." .. operation }
    end,
    encode = function(_, params, hints) return M.encode(params, hints) end,
    decode = function(operation, body, _, headers)
        local out, err = M.decode(operation, body)
        if not out then return nil, err end
        return out, headers["x-amzn-requestid"]
    end,
    -- a JSON error, or an XML one (a proxy or gateway in front may send that)
    error_of = function(headers, body)
        return M.error_of(headers, body) or require("mfakit.aws.query").error_of(body)
    end,
}

return M
