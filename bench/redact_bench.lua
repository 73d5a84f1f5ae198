-- bench/redact_bench.lua: redaction of hostile text, the cases that were
-- quadratic (64 KB of "eyJ" took 18 s; a 503 of 128 KB of "<" 55 s; --trace
-- of a 10 MB body 24 s).
--   mfakit bench/redact_bench.lua
-- Prints key=value pairs, milliseconds of CPU (os.clock, best of 5):
--   eyj64k_ms     redact.text of 64 KB of "eyJ" (no limit: the whole text)
--   braces1m_ms   redact.text of 1 MB of '"Password": {' (unclosed objects)
--   trace10m_ms   what --trace does with a 10 MB body of "eyJ" (cut, then redact)
--   snippet_ms    the error of a 503 whose body is 128 KB of "<"
--   message_ms    the error of a 400 whose JSON message is 1 MB of "eyJ"
--   copy10m_ms    baseline: one gsub pass over the 10 MB body (a copy)
local redact = require "mfakit.redact"
local http = require "mfakit.http"
local aws = require "mfakit.aws"

local function best(fn)
    local b = math.huge
    for _ = 1, 5 do
        local t = os.clock()
        fn()
        b = math.min(b, os.clock() - t)
    end
    return b * 1000
end

local body10m = '{"Note": "' .. ("eyJ"):rep(10 * 1024 * 1024 // 3) .. '"}'
local client = aws.client("cognito-idp", { region = "us-east-1", endpoint = "http://127.0.0.1:1" })
local lt = ("<"):rep(128 * 1024)
local message = '{"__type": "NotAuthorizedException", "message": "' .. ("eyJ"):rep(1024 * 1024 // 3) .. '"}'

local out = {
    string.format("eyj64k_ms=%.3f", best(function() redact.text(("eyJ"):rep(64 * 1024 // 3)) end)),
    string.format("braces1m_ms=%.3f", best(function() redact.text(('"Password": {'):rep(1024 * 1024 // 13)) end)),
    string.format("trace10m_ms=%.3f", best(function() redact.text(body10m, http.trace_body_limit) end)),
    string.format("snippet_ms=%.3f", best(function()
        client:error_from("ListUserPools", { status = 503, headers = { ["content-type"] = "text/html" }, body = lt })
    end)),
    string.format("message_ms=%.3f", best(function()
        client:error_from("ListUserPools", { status = 400, headers = {}, body = message })
    end)),
    string.format("copy10m_ms=%.3f", best(function() return body10m:gsub("x", "y") end)),
}
print(table.concat(out, " "))
