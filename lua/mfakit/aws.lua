-- mfakit.aws: AWS clients for Cognito user pools (JSON 1.1), IAM, SNS, STS
-- and CloudWatch (query protocol).
--   local iam = aws.client("iam", opts)
--   local out, err = iam:call("GetRole", { RoleName = "x" })   -- out | nil, err
-- opts: region, profile, endpoint, access_key, secret_key, session_token,
--   max_attempts (3), retry_base (1 s), timeout (60 s), max_body and
--   max_header_size (bytes; http.max_body, http.max_header_size).
-- Any operation works by name. Parameters are shaped as in the AWS API
-- reference; results as the AWS SDKs return them. A second return value
-- gives {request_id, status, attempts}. Errors are `nil, err` with err.code,
-- err.message, err.status, err.request_id, err.retryable, err.operation.
-- Cognito's public operations (InitiateAuth, RespondToAuthChallenge, SignUp,
-- the ones that take an access token) are sent unsigned, as the SDKs do.
local http = require "mfakit.http"
local sigv4 = require "mfakit.sigv4"
local task = require "mfakit.task"
local errors = require "mfakit.errors"
local redact = require "mfakit.redact"
local sys = require "mfakit.sys"
local query = require "mfakit.aws.query"
local jsonrpc = require "mfakit.aws.jsonrpc"
local retry = require "mfakit.aws.retry"
local credentials = require "mfakit.aws.credentials"
local endpoints = require "mfakit.aws.endpoints"

local check = require("mfakit.args").check

local M = {}

-- The longest error message kept from an answer (bytes): a server's message
-- is cut to this before it is redacted or shown.
M.max_message = 1000

M.credentials = credentials.resolve
M.region = endpoints.region
M.endpoint = endpoints.endpoint

-- one object per wire protocol: headers, encode, decode, error_of
local PROTOCOLS = { json = jsonrpc.protocol, query = query.protocol }

local HINTS = {
    ["cognito-idp"] = "mfakit.aws.hints.cognito_idp",
    iam = "mfakit.aws.hints.iam", sns = "mfakit.aws.hints.sns", sts = "mfakit.aws.hints.sts",
    cloudwatch = "mfakit.aws.hints.cloudwatch", cloudtrail = "mfakit.aws.hints.cloudtrail",
    logs = "mfakit.aws.hints.logs",
}

local Client = {}
Client.__index = Client
Client.__name = "mfakit.aws.client"

function M.client(service, opts)
    check(1, "aws.client", service, "string")
    if not HINTS[service] then
        error("aws.client: unknown service '" .. service ..
            "' (known: cognito-idp, iam, sns, sts, cloudwatch, cloudtrail, logs)", 2)
    end
    opts = check(2, "aws.client", opts, "table|nil") or {}
    if opts.max_attempts ~= nil and (math.type(opts.max_attempts) ~= "integer" or opts.max_attempts < 1) then
        error("aws.client: max_attempts must be a positive integer", 2)
    end
    for _, k in ipairs{ "max_body", "max_header_size" } do
        if opts[k] ~= nil and (math.type(opts[k]) ~= "integer" or opts[k] < 1) then
            error("aws.client: " .. k .. " must be a positive integer (bytes)", 2)
        end
    end
    local hints = require(HINTS[service])
    return setmetatable({ service = service, opts = opts, hints = hints, protocol = PROTOCOLS[hints.protocol],
                          clock_offset = 0 }, Client)
end

-- Region, endpoint and signing region, resolved once on first use.
function Client:resolve()
    if self.url then return true end
    local region, err = endpoints.region(self.opts)
    if not region then return nil, err end
    self.region = region
    self.url, self.signing_region = endpoints.endpoint(self.service, region, self.opts)
    if not self.url:match("^https?://[^/]") then
        return errors.fail("InvalidEndpoint", "endpoint '%s' is not an http(s) URL", self.url)
    end
    return true
end

-- A few words of a body that is not an AWS error (an HTML error page, say).
-- Only its start is read, and tags are matched up to the next "<", so a
-- body of any size or shape costs the same.
local function snippet(body, content_type)
    local s = body:sub(1, 4096):gsub("<[^<>]*>", " "):gsub("%s+", " "):gsub("^ ", "")
    return string.format("%s%s", content_type and ("(" .. content_type .. ") ") or "", redact.text(s, 117))
end

function Client:error_from(operation, r)
    local e = self.protocol.error_of(r.headers, r.body)
    if not e then
        e = { code = r.status >= 500 and "ServiceError" or "UnexpectedResponse",
              message = string.format("HTTP %d with a body that is not an AWS error: %s", r.status,
                  #r.body > 0 and snippet(r.body, r.headers["content-type"]) or "(empty)") }
    end
    -- what a server says is shown on one line, without its control characters
    -- (a line break, a terminal escape that clears the screen or retitles it)
    local message = errors.one_line(redact.text(e.message, M.max_message))
    return errors.new{
        code = e.code, message = message, status = r.status,
        request_id = r.headers["x-amzn-requestid"] or r.headers["x-amz-request-id"] or e.request_id,
        retryable = retry.retryable(r.status, e.code),
        operation = self.service .. ":" .. operation,
        date = r.headers["date"],
    }
end

-- What was signed, for --trace: a signature AWS refuses can then be checked
-- step by step against the canonical request AWS says it expected.
local function trace_signing(signed)
    local out = {}
    for _, step in ipairs{ { "canonical request", signed.canonical_request },
                           { "string to sign", signed.string_to_sign } } do
        out[#out + 1] = "* sigv4 " .. step[1] .. ":"
        for line in (redact.text(step[2]) .. "\n"):gmatch("(.-)\n") do out[#out + 1] = "*   " .. line end
    end
    return table.concat(out, "\n")
end

-- Builds the HTTP request for one attempt (signed afresh each time, so the
-- signature's date is current).
function Client:build(operation, body, creds)
    local url = self.url:gsub("/*$", "/")
    if not creds then
        -- unsigned (Cognito's sign-in calls): one headers table per operation,
        -- shared by every request, since a load run holds one per sign-in in flight
        self.unsigned_headers = self.unsigned_headers or {}
        local headers = self.unsigned_headers[operation]
        if not headers then
            headers = self.protocol.headers(operation, self.hints)
            self.unsigned_headers[operation] = headers
        end
        return { method = "POST", url = url, headers = headers, body = body }
    end
    local headers = self.protocol.headers(operation, self.hints)
    local signed, err = sigv4.sign{
        method = "POST", url = url, body = body, headers = headers,
        region = self.signing_region, service = self.hints.signing_name,
        access_key = creds.access_key, secret_key = creds.secret_key, session_token = creds.session_token,
        time = math.floor(sys.now() + self.clock_offset), trace = http.trace ~= nil,
    }
    if not signed then return nil, err end
    if http.trace then http.trace(trace_signing(signed)) end
    return { method = "POST", url = url, headers = signed.headers, body = body }
end

-- RFC 1123 date ("Sat, 28 Nov 2026 05:19:24 GMT") -> Unix seconds
local MONTHS = { Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6, Jul = 7, Aug = 8, Sep = 9,
                 Oct = 10, Nov = 11, Dec = 12 }
function M.parse_http_date(s)
    local d, mon, y, h, mi, sec = tostring(s):match("(%d+) (%a+) (%d+) (%d+):(%d+):(%d+)")
    if not d or not MONTHS[mon] then return nil end
    return credentials.parse_time(string.format("%04d-%02d-%02dT%s:%s:%s", tonumber(y), MONTHS[mon],
        tonumber(d), h, mi, sec))
end

local SKEW_CODES = { RequestTimeTooSkewed = true, RequestExpired = true, InvalidSignatureException = true,
                     SignatureDoesNotMatch = true, AuthFailure = true }

function Client:call(operation, params)
    if type(operation) ~= "string" or not operation:match("^%u%w*$") then
        error("bad argument #1 to 'client:call' (operation name expected (like \"GetRole\"), got " ..
            tostring(operation) .. ")", 2)
    end
    check(2, "client:call", params, "table|nil")
    local label = self.service .. ":" .. operation
    local ok, err = self:resolve()
    if not ok then
        err.operation, err.attempts = label, 0
        return nil, err
    end
    local creds
    if not self.hints.unsigned[operation] then
        creds, err = credentials.resolve(self.opts)
        if not creds then
            err.operation, err.attempts = label, 0
            return nil, err
        end
    end
    local body = self.protocol.encode(operation, params, self.hints)
    local max = self.opts.max_attempts or 3
    local skew_fixed = false
    local attempt = 0
    while true do
        attempt = attempt + 1
        local req, r
        req, err = self:build(operation, body, creds)
        if not req then
            err.operation, err.attempts = self.service .. ":" .. operation, attempt - 1
            return nil, err
        end
        req.timeout = self.opts.timeout
        req.max_body, req.max_header_size = self.opts.max_body, self.opts.max_header_size
        r, err = http.request(req)
        if r and r.status >= 200 and r.status < 300 then
            local out, rid = self.protocol.decode(operation, r.body, self.hints, r.headers)
            if not out then
                err = rid
                err.status, err.operation, err.attempts = r.status, self.service .. ":" .. operation, attempt
                return nil, err
            end
            return out, { request_id = rid or r.headers["x-amzn-requestid"], status = r.status, attempts = attempt }
        end
        if r then err = self:error_from(operation, r) else err.operation = self.service .. ":" .. operation end
        err.attempts = attempt
        -- A signature refused for the time: correct our clock from the
        -- server's Date header once, as the SDKs do, and try again.
        local server_time = r and SKEW_CODES[err.code] and M.parse_http_date(r.headers["date"])
        if server_time and not skew_fixed and math.abs(server_time - sys.now()) > 240 then
            self.clock_offset = server_time - sys.now()
            skew_fixed = true
        elseif not err.retryable or attempt >= max or not retry.may_repeat(operation, err, r ~= nil) then
            return nil, err
        else
            task.sleep(retry.delay(attempt, self.opts.retry_base))
        end
    end
end

return M
