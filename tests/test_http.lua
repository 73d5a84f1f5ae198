-- tests/test_http.lua: mfakit.http against tests/fault_server.py on loopback.
local http = require "mfakit.http"
local task = require "mfakit.task"
local json = require "mfakit.json"
local sys = require "mfakit.sys"

local t = require "mfakit.test"
local base = t.env("MFAKIT_TEST_FAULT")
local function need()
    if not base then t.skip("MFAKIT_TEST_FAULT not set (run through tests/run-all)") end
end

t.case("GET returns status, lower-case headers and body", function()
    need()
    local r = assert(http.request{ url = base .. "/status/201" })
    t.eq(r.status, 201)
    t.eq(r.headers["content-type"], "application/json")
    t.eq(r.body, '{"status": "as asked"}')
end)

t.case("POST sends method, headers and body as given", function()
    need()
    local body = '{"a": "\u{e9}t\u{e9}"}' .. string.rep("z", 100000)
    local r = assert(http.request{ method = "POST", url = base .. "/echo",
        headers = { ["X-Amz-Target"] = "Foo.Bar", ["content-type"] = "application/x-amz-json-1.1" },
        body = body })
    local echo = assert(json.decode(r.body))
    t.eq(echo.method, "POST")
    t.eq(echo.headers["x-amz-target"], "Foo.Bar")
    t.eq(echo.headers["content-type"], "application/x-amz-json-1.1")
    t.eq(echo.body, body)
    t.eq(echo.headers["expect"], nil, "no Expect: 100-continue")
end)

t.case("large response bodies arrive whole", function()
    need()
    local r = assert(http.request{ url = base .. "/big?n=5000000" })
    t.eq(#r.body, 5000000)
end)

t.case("size caps per request: body, error body, headers; ResponseTooLarge is not retryable", function()
    need()
    local r = assert(http.request{ url = base .. "/big?n=5000", max_body = 5000 })
    t.eq(#r.body, 5000)
    local err = t.fails("ResponseTooLarge", http.request{ url = base .. "/big?n=5001", max_body = 5000 })
    t.eq(err.retryable, false)
    t.ok(err.message:find("response body passed the cap of 5000 bytes", 1, true), err.message)
    err = t.fails("ResponseTooLarge", http.request{ url = base .. "/hostile/error/1", max_error_body = 4096 })
    t.ok(err.message:find("error response body", 1, true), err.message)
    err = t.fails("ResponseTooLarge", http.request{ url = base .. "/hostile/headers/20", max_header_size = 8192 })
    t.ok(err.message:find("response headers passed the cap of 8192", 1, true), err.message)
    -- the defaults hold without any option, and the connection pool stays usable
    t.fails("ResponseTooLarge", http.request{ url = base .. "/hostile/gzip-bomb/64" })
    t.eq(assert(http.request{ url = base .. "/status/200" }).status, 200)
end)

t.case("redirects are returned, not followed", function()
    need()
    local r = assert(http.request{ url = base .. "/redirect" })
    t.eq(r.status, 302)
    t.eq(r.headers.location, "/echo")
end)

t.case("timeout fires and is a retryable Timeout error", function()
    need()
    local t0 = sys.monotonic()
    local err = t.fails("Timeout", http.request{ url = base .. "/slow?s=3", timeout = 0.3 })
    t.ok(sys.monotonic() - t0 < 2, "gave up early")
    t.eq(err.retryable, true)
    t.ok(tostring(err):find("/slow", 1, true), tostring(err))
end)

t.case("a truncated body is a NetworkError, not a short success", function()
    need()
    local err = t.fails("NetworkError", http.request{ url = base .. "/truncated" })
    t.ok(#err.message > 0)
end)

t.case("connection refused is ConnectFailed", function()
    local port = assert(sys.free_port())
    t.fails("ConnectFailed", http.request{ url = "http://127.0.0.1:" .. port .. "/" })
end)

t.case("TLS is verified: a bogus CA bundle fails", function()
    local port = assert(sys.free_port())
    local v, err = http.request{ url = "https://127.0.0.1:" .. port .. "/", ca_bundle = "/nonexistent/ca.pem" }
    t.eq(v, nil)
    t.ok(err.code == "TLSError" or err.code == "ConnectFailed", err.code)
end)

t.case("50 concurrent requests in tasks overlap", function()
    need()
    local t0 = sys.monotonic()
    local ts = {}
    for i = 1, 50 do
        ts[i] = task.spawn(function()
            local r = assert(http.request{ url = base .. "/slow?s=0.3" })
            return r.status, i
        end)
    end
    for i = 1, 50 do t.eq(table.pack(task.wait(ts[i])), table.pack(true, 200, i)) end
    local dt = sys.monotonic() - t0
    t.ok(dt < 0.3 * 50 / 4, "overlapped (" .. dt .. " s for 50 x 0.3 s)")
end)

t.case("outside a task, a request blocks and still works", function()
    need()
    local co = coroutine.wrap(function() return http.request{ url = base .. "/status/204" } end)
    local r = assert(co())
    t.eq(r.status, 204)
end)

t.case("proxies come from the usual environment variables", function()
    need()
    -- the fault server answers proxy requests too: it gets the absolute URL
    sys.setenv("http_proxy", base)
    local r, err = http.request{ url = "http://mfakit-proxy-test.invalid/echo" }
    sys.setenv("http_proxy", nil)
    t.ok(r, tostring(err))
    local echo = assert(json.decode(r.body))
    t.eq(echo.path, "http://mfakit-proxy-test.invalid/echo")
    t.eq(echo.headers.host, "mfakit-proxy-test.invalid")
end)

t.case("a URL that is not http(s) is InvalidURL", function()
    t.fails("InvalidURL", http.request{ url = "ftp://127.0.0.1/x" })
    t.fails("InvalidURL", http.request{ url = "127.0.0.1:80/x" })
end)

t.case("a 204 answer has no body and the connection stays usable", function()
    need()
    t.eq(assert(http.request{ url = base .. "/status/204" }).body, "")
    t.eq(assert(http.request{ url = base .. "/status/200" }).status, 200)
end)

t.case("misuse raises", function()
    t.raises("max_body must be a positive integer", http.request, { url = "http://x/", max_body = 0 })
    t.raises("max_header_size must be a positive integer", http.request,
        { url = "http://x/", max_header_size = 1.5 })
    t.raises("table expected", http.request, "http://x")
    t.raises("url must be a string", http.request, {})
    t.raises("body must be a string", http.request, { url = "http://x", body = 5 })
    t.raises("header values must not contain line breaks", http.request,
        { url = "http://127.0.0.1:1/", headers = { a = "b\r\nc: d" } })
end)

-- mfakit.loop lends a request body to libcurl instead of copying it (one
-- copy less per request in flight): the binding must keep the string alive
-- until the result is taken, even when nothing else refers to it.
t.case("a lent request body survives garbage collection while it is sent", function()
    need()
    local loop = require "mfakit.loop"
    local function body_of(i) return ("%08d"):format(i) .. string.rep(string.char(65 + i % 26), 2 * 1024 * 1024) end
    local ids = {}
    for i = 1, 3 do
        -- the only reference to the body is the argument table, dropped at once
        ids[assert(loop.start{ method = "POST", url = base .. "/echo", body = body_of(i),
                               headers = { ["content-type"] = "application/octet-stream" } })] = i
    end
    local got, deadline = {}, sys.monotonic() + 30
    while next(ids) and sys.monotonic() < deadline do
        collectgarbage("collect")
        local junk = {} -- luacheck: ignore 241 (made to reuse the freed memory)
        for k = 1, 200 do junk[k] = string.rep(string.char(97 + k % 26), 10000 + k) end
        for _, r in ipairs(loop.poll(0.01)) do
            local i = ids[r.id]
            ids[r.id] = nil
            got[i] = r
        end
    end
    t.eq(next(ids), nil, "every transfer ended")
    for i = 1, 3 do
        t.eq(got[i].status, 200)
        local echo = assert(json.decode(got[i].body))
        t.ok(echo.body == body_of(i), "body " .. i .. " arrived as it was made")
    end
end)

t.case("a cancelled transfer lets go of its lent body", function()
    need()
    local loop = require "mfakit.loop"
    collectgarbage("collect")
    local before = collectgarbage("count")
    -- weak tables keep strings, so the body's release shows in the heap's size
    local id = assert(loop.start{ method = "POST", url = base .. "/slow?s=5",
                                  body = string.rep("q", 8 * 1024 * 1024) .. tostring(sys.monotonic()) })
    collectgarbage("collect")
    t.ok(collectgarbage("count") - before > 6 * 1024, "the body is held while the transfer runs")
    loop.cancel(id)
    collectgarbage("collect")
    t.ok(collectgarbage("count") - before < 1024, "the body is released by cancel")
end)
