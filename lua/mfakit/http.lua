-- mfakit.http: HTTP over libcurl, on the task loop.
--   request{method, url, headers, body, timeout, connect_timeout, ca_bundle,
--           max_body, max_error_body, max_header_size}
--     -> {status, headers (lower-case names), body, time} | nil, err
-- An answer larger than a cap (bytes, after gzip decoding) stops the
-- transfer at once with err.code "ResponseTooLarge"; defaults below.
-- Inside a task the call yields and other tasks run; outside, it blocks.
-- TLS is always verified (CA bundle: opts.ca_bundle or AWS_CA_BUNDLE);
-- proxies come from the usual environment variables (libcurl reads them).
-- Redirects are never followed: a 3xx is returned as it is.
local loop = require "mfakit.loop"
local task = require "mfakit.task"
local errors = require "mfakit.errors"
local redact = require "mfakit.redact"
local sys = require "mfakit.sys"

local M = {}

M.default_timeout = 60
M.default_connect_timeout = 10
-- The largest real answers of Cognito, IAM, SNS and STS (a page of 60 users
-- with their attributes, a page of IAM policies) are well under 1 MiB.
M.max_body = 16 * 1024 * 1024
M.max_error_body = 1024 * 1024
M.max_header_size = 64 * 1024
-- What --trace shows of one body: the rest is cut before redaction.
M.trace_body_limit = 64 * 1024

-- Trace sink: nil (off) or a function(line). Set by --trace.
M.trace = nil

local function trace_request(id, method, req)
    local out = { string.format("> [%d] %s %s", id, method, redact.text(req.url)) }
    local names = {}
    for k in pairs(req.headers or {}) do names[#names + 1] = k end
    table.sort(names)
    for _, k in ipairs(names) do
        local v = req.headers[k]
        if type(v) == "table" then v = table.concat(v, ", ") end
        out[#out + 1] = string.format("> [%d] %s: %s", id, k, redact.header(k, v))
    end
    if req.body and #req.body > 0 then
        out[#out + 1] = string.format("> [%d] %s", id, redact.text(req.body, M.trace_body_limit))
    end
    M.trace(table.concat(out, "\n"))
end

local function trace_response(id, r, elapsed)
    if r.error then
        M.trace(string.format("< [%d] %s: %s after %.1f ms", id, r.error, r.message, elapsed * 1000))
        return
    end
    local out = { string.format("< [%d] HTTP %d in %.1f ms", id, r.status, elapsed * 1000) }
    local names = {}
    for k in pairs(r.headers) do names[#names + 1] = k end
    table.sort(names)
    for _, k in ipairs(names) do
        out[#out + 1] = string.format("< [%d] %s: %s", id, k, redact.header(k, r.headers[k]))
    end
    if #r.body > 0 then
        out[#out + 1] = string.format("< [%d] %s", id, redact.text(r.body, M.trace_body_limit))
    end
    M.trace(table.concat(out, "\n"))
end

local function check(req)
    if type(req) ~= "table" then
        error("bad argument #1 to 'http.request' (table expected, got " .. type(req) .. ")", 3)
    end
    if type(req.url) ~= "string" then error("http.request: url must be a string", 3) end
    if req.method ~= nil and type(req.method) ~= "string" then error("http.request: method must be a string", 3) end
    if req.body ~= nil and type(req.body) ~= "string" then error("http.request: body must be a string", 3) end
    if req.headers ~= nil and type(req.headers) ~= "table" then error("http.request: headers must be a table", 3) end
    for _, k in ipairs{ "timeout", "connect_timeout" } do
        if req[k] ~= nil and (type(req[k]) ~= "number" or not (req[k] >= 0.001 and req[k] <= 1e6)) then
            error("http.request: " .. k .. " must be a number of seconds from 0.001 to 1e6", 3)
        end
    end
    for _, k in ipairs{ "max_body", "max_error_body", "max_header_size" } do
        if req[k] ~= nil and (math.type(req[k]) ~= "integer" or req[k] < 1) then
            error("http.request: " .. k .. " must be a positive integer (bytes)", 3)
        end
    end
end

function M.request(req)
    check(req)
    if not req.url:match("^[Hh][Tt][Tt][Pp][Ss]?://[^/]") then
        return errors.fail("InvalidURL", "'%s' is not an http:// or https:// URL", redact.text(req.url))
    end
    local started = sys.monotonic()
    local method = req.method or (req.body and "POST" or "GET")
    local id, err = loop.start{
        method = method,
        url = req.url,
        headers = req.headers,
        body = req.body,
        timeout = req.timeout or M.default_timeout,
        connect_timeout = req.connect_timeout or M.default_connect_timeout,
        ca_bundle = req.ca_bundle or os.getenv("AWS_CA_BUNDLE"),
        max_body = req.max_body or M.max_body,
        max_error_body = math.min(req.max_error_body or M.max_error_body, req.max_body or M.max_body),
        max_header_size = req.max_header_size or M.max_header_size,
    }
    if not id then return nil, err end
    if M.trace then trace_request(id, method, req) end
    local r = task.await_transfer(id)
    local elapsed = sys.monotonic() - started
    if M.trace then trace_response(id, r, elapsed) end
    if r.error then
        return nil, errors.new{
            code = r.error, retryable = r.retryable,
            message = string.format("%s %s: %s", method, redact.text(req.url), r.message),
        }
    end
    return { status = r.status, headers = r.headers, body = r.body, time = elapsed }
end

return M
