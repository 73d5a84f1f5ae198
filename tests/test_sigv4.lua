-- tests/test_sigv4.lua: mfakit.sigv4 against AWS's two SigV4 test suites
-- (tests/vectors/sigv4/, every case directory found) and against
-- @smithy/signature-v4 (tests/vectors/sigv4-smithy.json, written by
-- tests/oracle/gen_sigv4.js).
local sigv4 = require "mfakit.sigv4"
local json = require "mfakit.json"

local DIR = "tests/vectors/sigv4/"
local AK, SK = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
local T = 1440938160 -- 2015-08-30T12:36:00Z, both suites' time

-- Cases that need something we deliberately do not support: name -> reason.
local UNSUPPORTED = {}

-- Faults in the vectors themselves: name -> what is wrong and what we check.
local SREQ_DEFECTS = {
    ["get-vanilla-with-session-token"] = "its .sreq carries get-vanilla's signature (5fa00f...); "
        .. "the .authz, .sts and aws-signing-test-suite agree on 07ec16..., which we check",
}

local function read(path)
    local f = io.open(path, "rb")
    if not f then return nil end
    local s = f:read("a")
    f:close()
    return s
end

local function list(cmd)
    local p = assert(io.popen(cmd))
    local out = {}
    for line in p:lines() do out[#out + 1] = line end
    p:close()
    table.sort(out)
    return out
end

-- Line-by-line comparison that points at the first differing line.
local function same_text(what, want, got)
    if want == got then return end
    local w, g, out = {}, {}, {}
    for l in (want .. "\n"):gmatch("(.-)\n") do w[#w + 1] = l end
    for l in (tostring(got) .. "\n"):gmatch("(.-)\n") do g[#g + 1] = l end
    for i = 1, math.max(#w, #g) do
        if w[i] == g[i] then
            out[#out + 1] = "    " .. w[i]
        else
            if w[i] then out[#out + 1] = "  - " .. string.format("%q", w[i]) end
            if g[i] then out[#out + 1] = "  + " .. string.format("%q", g[i]) end
        end
    end
    error(what .. " differs (- want, + got):\n" .. table.concat(out, "\n"), 2)
end

-- A raw request as the suites write it: request line, headers (a line
-- starting with a blank continues the previous one), blank line, body.
local function parse_request(text)
    local head, body = text:match("^(.-)\r?\n\r?\n(.*)$")
    if not head then head, body = text, "" end
    local lines = {}
    for l in (head .. "\n"):gmatch("(.-)\r?\n") do lines[#lines + 1] = l end
    local method, target = lines[1]:match("^(%S+) (.*) HTTP/%d%.%d$")
    local req = { method = method, target = target, body = body, fields = {}, by_name = {} }
    local last
    for i = 2, #lines do
        local l = lines[i]
        if l:match("^[ \t]") and last then
            -- obs-fold: the line break counts as one space, as RFC 7230 3.2.4 says
            last.values[#last.values] = last.values[#last.values] .. " " .. l
        elseif l ~= "" then
            local name, value = l:match("^([^:]+):(.*)$")
            assert(name, "bad header line " .. l)
            local f = req.by_name[name:lower()]
            if not f then
                f = { name = name, values = {} }
                req.by_name[name:lower()] = f
                req.fields[#req.fields + 1] = f
            end
            f.values[#f.values + 1] = value
            last = f
        end
    end
    return req
end

local function pop_header(req, lname)
    local f = req.by_name[lname]
    if not f then return nil end
    req.by_name[lname] = nil
    for i, g in ipairs(req.fields) do
        if g == f then table.remove(req.fields, i) break end
    end
    return table.concat(f.values, ",")
end

local function headers_of(req)
    local h = {}
    for _, f in ipairs(req.fields) do
        h[f.name] = #f.values == 1 and f.values[1] or f.values
    end
    return h
end

-- What a server sees: lower-case names, trimmed values, repeats joined.
local function as_received(headers)
    local out = {}
    for name, v in pairs(headers) do
        local vals = type(v) == "table" and v or { v }
        local trimmed = {}
        for i, s in ipairs(vals) do trimmed[i] = s:match("^[ \t]*(.-)[ \t]*$") end
        local key = name:lower()
        out[key] = (out[key] and out[key] .. "," or "") .. table.concat(trimmed, ",")
    end
    return out
end

local function unix_time(iso) -- "2015-08-30T12:36:00Z"
    local y, mo, d, h, mi, s = iso:match("^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)Z$")
    y, mo = tonumber(y), tonumber(mo)
    if mo <= 2 then y = y - 1 end
    local era = y // 400
    local yoe = y - era * 400
    local doy = (153 * (mo > 2 and mo - 3 or mo + 9) + 2) // 5 + tonumber(d) - 1
    local days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    return days * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(s)
end

local function sign_request(req, opts)
    opts.method, opts.body, opts.headers = req.method, req.body, headers_of(req)
    local host = req.by_name.host.values[1]
    opts.url = "https://" .. host .. req.target
    opts.access_key, opts.secret_key, opts.trace = AK, SK, true
    local s, err = sigv4.sign(opts)
    assert(s, tostring(err))
    return s
end

local function check_sent(t, s, added_after, sreq, what)
    local sent = {}
    for k, v in pairs(s.headers) do sent[k] = v end
    for k, v in pairs(added_after) do sent[k] = v end
    t.eq(as_received(sent), as_received(headers_of(sreq)), what)
end

local function aws4_case(t, dir, name)
    local base = dir .. "/" .. name
    local req = parse_request(assert(read(base .. ".req")))
    local sreq = parse_request(assert(read(base .. ".sreq")))
    local authz = assert(read(base .. ".authz"))
    t.eq(pop_header(req, "x-amz-date"), "20150830T123600Z", "X-Amz-Date in .req")
    local region, service = authz:match("Credential=[^/]+/%d+/([^/]+)/([^/]+)/aws4_request")
    local opts = { region = region, service = service, time = T }
    local added_after = {}
    local token = sreq.by_name["x-amz-security-token"]
    if token and not req.by_name["x-amz-security-token"] then
        if authz:find("x-amz-security-token", 1, true) then
            opts.session_token = token.values[1]
        else -- post-sts-header-after: the token goes on after signing
            added_after["X-Amz-Security-Token"] = token.values[1]
        end
    end
    local s = sign_request(req, opts)
    same_text("canonical request", assert(read(base .. ".creq")), s.canonical_request)
    same_text("string to sign", assert(read(base .. ".sts")), s.string_to_sign)
    same_text("authorization", authz, s.authorization)
    if SREQ_DEFECTS[name] then
        local bad = pop_header(sreq, "authorization")
        t.ok(bad ~= authz, "the .sreq defect is gone: drop it from SREQ_DEFECTS")
        sreq.by_name.authorization = { name = "Authorization", values = { authz } }
        sreq.fields[#sreq.fields + 1] = sreq.by_name.authorization
    end
    check_sent(t, s, added_after, sreq, "headers sent (.sreq)")
end

local function v4_case(t, dir)
    local ctx = assert(json.decode(assert(read(dir .. "/context.json"))))
    local req = parse_request(assert(read(dir .. "/request.txt")))
    local cred = ctx.credentials
    local opts = {
        region = ctx.region, service = ctx.service, time = unix_time(ctx.timestamp),
        normalize_path = ctx.normalize, content_sha256 = ctx.sign_body,
    }
    local added_after = {}
    if cred.token and ctx.omit_session_token then
        added_after["X-Amz-Security-Token"] = cred.token
    else
        opts.session_token = cred.token
    end
    t.eq({ cred.access_key_id, cred.secret_access_key }, { AK, SK }, "credentials")
    local s = sign_request(req, opts)
    same_text("canonical request", assert(read(dir .. "/header-canonical-request.txt")),
        s.canonical_request)
    same_text("string to sign", assert(read(dir .. "/header-string-to-sign.txt")), s.string_to_sign)
    same_text("signature", assert(read(dir .. "/header-signature.txt")):match("%x+"), s.signature)
    local sreq = parse_request(assert(read(dir .. "/header-signed-request.txt")))
    check_sent(t, s, added_after, sreq, "headers sent (header-signed-request.txt)")
end

local function add_suite_cases(t)
    local seen = 0
    for _, req in ipairs(list("find " .. DIR .. "aws4_testsuite -name '*.req'")) do
        local dir, name = req:match("^(.*)/([^/]+)%.req$")
        seen = seen + 1
        t.case("aws4_testsuite " .. name, function()
            if UNSUPPORTED[name] then t.skip(UNSUPPORTED[name]) end
            aws4_case(t, dir, name)
        end)
    end
    for _, ctx in ipairs(list("find " .. DIR .. "aws-signing-test-suite/v4 -name context.json")) do
        local dir = ctx:match("^(.*)/context.json$")
        local name = dir:match("[^/]+$")
        seen = seen + 1
        t.case("aws-signing-test-suite " .. name, function()
            if UNSUPPORTED[name] then t.skip(UNSUPPORTED[name]) end
            v4_case(t, dir)
        end)
    end
    t.case("both suites were found", function()
        t.ok(seen >= 60, "found only " .. seen .. " suite cases under " .. DIR)
    end)
end

local function add_smithy_cases(t)
    local doc = assert(json.decode(assert(read("tests/vectors/sigv4-smithy.json"))))
    for _, c in ipairs(doc.cases) do
        t.case("smithy " .. c.name, function()
            c.input.trace = true
            local s, err = sigv4.sign(c.input)
            assert(s, tostring(err))
            local want = c.expect
            same_text("canonical request", want.canonical_request, s.canonical_request)
            same_text("string to sign", want.string_to_sign, s.string_to_sign)
            t.eq(s.signature, want.signature, "signature")
            t.eq(s.authorization, want.authorization, "authorization")
            t.eq(as_received(s.headers), as_received(want.headers), "headers sent")
        end)
    end
end

local NONE = {} -- removes a field in base_opts (pairs never sees a nil)

local function base_opts(extra)
    local o = {
        method = "POST", url = "https://iam.amazonaws.com/?a=b", body = "Action=ListUsers",
        headers = { ["content-type"] = "application/x-www-form-urlencoded" },
        region = "us-east-1", service = "iam", access_key = AK, secret_key = SK, time = T, trace = true,
    }
    for k, v in pairs(extra or {}) do
        if v == NONE then o[k] = nil else o[k] = v end
    end
    return o
end

local function sign_ok(extra)
    local s, err = sigv4.sign(base_opts(extra))
    assert(s, tostring(err))
    return s
end

local function creq_line(s, n)
    local lines = {}
    for l in (s.canonical_request .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = l end
    return lines[n]
end

local function add_contract_cases(t)
    t.case("contract: the steps are returned only with trace = true", function()
        for _, token in ipairs { NONE, "FwoG/tok+en==" } do
            local traced = sign_ok { session_token = token }
            local plain = sign_ok { session_token = token, trace = NONE }
            t.eq(plain, { headers = traced.headers }, "only what is sent")
            t.eq(sign_ok({ session_token = token, trace = false }), plain, "trace = false")
            for _, k in ipairs { "authorization", "signature", "canonical_request", "string_to_sign",
                                 "signed_headers" } do
                t.eq(type(traced[k]), "string", k)
            end
        end
    end)

    t.case("contract: fields and headers to send", function()
        local s = sign_ok()
        t.eq(creq_line(s, 3), "a=b", "canonical query")
        t.ok(s.authorization:find("Signature=" .. s.signature, 1, true), "signature in authorization")
        t.ok(s.string_to_sign:find("^AWS4%-HMAC%-SHA256\n20150830T123600Z\n"), s.string_to_sign)
        t.eq(s.headers, {
            ["content-type"] = "application/x-www-form-urlencoded", Host = "iam.amazonaws.com",
            ["X-Amz-Date"] = "20150830T123600Z", Authorization = s.authorization,
        })
    end)
    t.case("contract: session token is sent and signed", function()
        local s = sign_ok { session_token = "FwoG/tok+en==" }
        t.eq(s.headers["X-Amz-Security-Token"], "FwoG/tok+en==")
        t.ok(s.canonical_request:find("\nx-amz-security-token:FwoG/tok+en==\n", 1, true), "signed")
        t.ok(s.authorization:find("x-amz-date;x-amz-security-token,", 1, true), s.authorization)
    end)
    t.case("contract: content_sha256 adds and signs x-amz-content-sha256", function()
        local s = sign_ok { content_sha256 = true, body = "a\0b" }
        local hash = "59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138"
        t.eq(s.headers["X-Amz-Content-Sha256"], hash)
        t.ok(s.canonical_request:find("\nx-amz-content-sha256:" .. hash .. "\n", 1, true), "signed")
        t.eq(s.canonical_request:sub(-64), hash, "payload hash covers the NUL byte")
    end)
    t.case("contract: host from the URL, port only when not the default", function()
        local cases = {
            ["http://localhost:5000/"] = "localhost:5000", ["https://h.example:443/"] = "h.example",
            ["http://h.example:80"] = "h.example", ["HTTPS://[::1]:8443/x"] = "[::1]:8443",
            ["http://127.0.0.1:443/"] = "127.0.0.1:443",
        }
        for url, host in pairs(cases) do
            t.eq(sign_ok({ url = url }).headers.Host, host, url)
        end
        local s = sign_ok { headers = { Host = "other.example" } }
        t.eq(s.headers.Host, "other.example", "a given Host wins")
        t.eq(creq_line(s, 4), "host:other.example")
    end)
    t.case("contract: header names in any case, sent as given", function()
        local s = sign_ok { headers = NONE, Headers = { ["X-Amz-Target"] = "Svc.Op", ACCEPT = "x" } }
        t.eq(s.headers["X-Amz-Target"], "Svc.Op")
        t.eq(s.headers.ACCEPT, "x")
        t.ok(s.authorization:find("SignedHeaders=accept;host;x-amz-date;x-amz-target,", 1, true),
            s.authorization)
    end)
    t.case("contract: repeated header given as an array", function()
        local s = sign_ok { headers = { ["My-Header1"] = { "value2", " value2", "value1 " } } }
        t.ok(s.canonical_request:find("\nmy-header1:value2,value2,value1\n", 1, true), "canonical")
        t.eq(s.headers["My-Header1"], "value2,value2,value1")
    end)
    t.case("contract: x-amz-date and authorization given are replaced", function()
        local s = sign_ok { headers = { ["X-Amz-Date"] = "19990101T000000Z", authorization = "x" } }
        t.eq(s.headers, { Host = "iam.amazonaws.com", ["X-Amz-Date"] = "20150830T123600Z",
            Authorization = s.authorization })
    end)
    t.case("contract: path normalised and double-encoded except for s3", function()
        local url = "https://h.example/a/./b//c%20d/../e%2Ff/"
        t.eq(creq_line(sign_ok { url = url }, 2), "/a/b/e%252Ff/")
        t.eq(creq_line(sign_ok { url = url, service = "s3" }, 2), "/a/./b//c%20d/../e%2Ff/")
        t.eq(creq_line(sign_ok { url = url, normalize_path = false }, 2),
            "/a/./b//c%2520d/../e%252Ff/")
        t.eq(creq_line(sign_ok { url = "https://h.example/a b/é", service = "s3" }, 2),
            "/a%20b/%C3%A9")
        t.eq(creq_line(sign_ok { url = "https://h.example" }, 2), "/")
        t.eq(creq_line(sign_ok { url = "https://h.example?x=1#frag" }, 3), "x=1")
    end)
    t.case("contract: query decoded, encoded and sorted", function()
        local s = sign_ok { url = "https://h.example/?b=%7e&a=2&a=1&c&=e&d=%zz+x&&" }
        t.eq(creq_line(s, 3), "=e&a=1&a=2&b=~&c=&d=%25zz%20x")
        t.eq(creq_line(sign_ok { url = "https://h.example/?&=" }, 3), "=")
        t.eq(creq_line(sign_ok { url = "https://h.example/?" }, 3), "")
    end)
    t.case("contract: time defaults to now and may be a float", function()
        local before = os.time()
        local date = sign_ok({ time = NONE }).headers["X-Amz-Date"]
        local ok = false
        for at = before - 1, os.time() + 1 do
            ok = ok or date == os.date("!%Y%m%dT%H%M%SZ", at)
        end
        t.ok(ok, "X-Amz-Date " .. date .. " is not now")
        t.eq(sign_ok({ time = T + 0.75 }).signature, sign_ok().signature, "float time")
    end)
    t.case("contract: misuse raises", function()
        t.raises("table expected", sigv4.sign, "GET")
        t.raises("'access_key': string expected", sigv4.sign, base_opts { access_key = false })
        t.raises("'method': string expected", sigv4.sign, base_opts { method = 42 })
        t.raises("'url': string expected", sigv4.sign, base_opts { url = NONE })
        t.raises("'region' must not be empty", sigv4.sign, base_opts { region = "" })
        t.raises("'time': number expected", sigv4.sign, base_opts { time = "now" })
        t.raises("'time' out of range", sigv4.sign, base_opts { time = 1e300 })
        t.raises("time out of range", sigv4.sign, base_opts { time = -1 })
        t.raises("'headers': table expected", sigv4.sign, base_opts { headers = "x" })
        t.raises("header names must be strings", sigv4.sign, base_opts { headers = { "x" } })
        t.raises("header 'a': string expected", sigv4.sign, base_opts { headers = { a = true } })
        t.raises("bad method", sigv4.sign, base_opts { method = "GET /" })
        t.raises("bad header name 'a b'", sigv4.sign, base_opts { headers = { ["a b"] = "1" } })
        local ok, err = pcall(sigv4.sign, base_opts { headers = { a = "x\r\nX-Evil: " .. SK } })
        t.ok(not ok and err:find("contains CR, LF or NUL", 1, true), tostring(err))
        t.ok(not err:find(SK, 1, true), "the secret leaked into the error")
    end)
    t.case("contract: malformed URL is nil, InvalidURL", function()
        for _, url in ipairs {
            "ftp://h.example/", "https://", "https:///x", "https://a b/", "https://h:0/",
            "https://h:99999/", "https://h:/", "https://u:p@h/", "https://h/\n", "iam.amazonaws.com",
            "https://[::1/", "https://h\0.example/", "https://h:12a/",
        } do
            local err = t.fails("InvalidURL", sigv4.sign(base_opts { url = url }))
            t.ok(not tostring(err):find(SK, 1, true), "secret in error")
        end
    end)
end

local t = require "mfakit.test"
add_suite_cases(t)
add_smithy_cases(t)
add_contract_cases(t)
