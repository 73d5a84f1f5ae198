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

-- Text from outside (a server, an argument, a file) on one harmless line:
-- line breaks become spaces, other control characters \ddd (a terminal
-- escape must not clear the screen or retitle the window).
local function escaped(s)
    return (s:gsub("[%c\127]", function(c) return string.format("\\%03d", c:byte()) end))
end

function M.one_line(s)
    return escaped((tostring(s):gsub("[\r\n]+", " ")))
end

-- A value quoted in a message, every control character shown as \ddd (a
-- line break too: the value is shown as it is), at most `max` bytes (60).
function M.shown(v, max)
    v = tostring(v)
    max = max or 60
    if #v > max then v = v:sub(1, max - 3) .. "..." end
    return escaped(v)
end

function M.is(v)
    return getmetatable(v) == mt
end

return M
