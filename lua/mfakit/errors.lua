-- mfakit.errors: the one shape of an expected failure.
-- A function that can fail for reasons outside the script's control returns
-- `nil, err`, where err is a table {code, message, status, request_id,
-- retryable, operation} whose tostring is one line a person can act on.
local M = {}

-- The metatable is created by the C host, so C and Lua errors are alike.
local mt = debug.getregistry()["mfakit.error"]
M.metatable = mt

function M.new(fields)
    if type(fields) ~= "table" or type(fields.code) ~= "string" then
        error("bad argument #1 to 'errors.new' (table with a string code expected, got " .. type(fields) .. ")", 2)
    end
    if fields.retryable == nil then fields.retryable = false end
    fields.message = fields.message or ""
    return setmetatable(fields, mt)
end

-- Returns nil, err: for `return errors.fail("Code", "message %s", x)`.
function M.fail(code, fmt, ...)
    return nil, M.new{ code = code, message = select("#", ...) > 0 and fmt:format(...) or fmt }
end

function M.is(v)
    return getmetatable(v) == mt
end

return M
