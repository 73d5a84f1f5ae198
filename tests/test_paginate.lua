-- tests/test_paginate.lua: mfakit.aws.paginate against scripted servers
-- (functions standing in for a client): tokens of each kind, loops, caps.
local paginate = require "mfakit.aws.paginate"

-- A fake client answering from `pages` (op, params -> answer), recording the params.
local function fake(pages)
    local seen = {}
    local function call(op, params)
        seen[#seen + 1] = params
        local answer = pages[#seen]
        if type(answer) == "function" then return answer(op, params) end
        return answer
    end
    return call, seen
end

local t = require "mfakit.test"
t.case("NextToken, PaginationToken and Marker are followed under their own names", function()
    local call, seen = fake{ { Items = { 1, 2 }, NextToken = "a" }, { Items = { 3 }, NextToken = "" } }
    t.eq(paginate.all(call, "ListThings", { MaxResults = 2 }, "Items"), { 1, 2, 3 })
    t.eq(seen, { { MaxResults = 2 }, { MaxResults = 2, NextToken = "a" } })
    call, seen = fake{ { Devices = { "d1" }, PaginationToken = "p" }, { Devices = { "d2" } } }
    t.eq(paginate.all(call, "ListDevices", {}, "Devices"), { "d1", "d2" })
    t.eq(seen[2].PaginationToken, "p")
    call, seen = fake{ { PolicyNames = { "a" }, IsTruncated = true, Marker = "m" },
                       { PolicyNames = { "b" }, IsTruncated = false, Marker = "ignored" } }
    t.eq(paginate.all(call, "ListRolePolicies", { RoleName = "r" }, "PolicyNames"), { "a", "b" })
    t.eq(seen[2], { RoleName = "r", Marker = "m" })
end)

t.case("a repeated token is PaginationLoop, even one seen pages ago", function()
    local call, seen = fake{ { NextToken = "a" }, { NextToken = "b" }, { NextToken = "a" }, { NextToken = "c" } }
    local err = t.fails("PaginationLoop", paginate.all(call, "ListUserPools", {}, "UserPools"))
    t.eq(#seen, 3)
    t.ok(err.message:find("NextToken", 1, true), err.message)
    t.eq(err.operation, "ListUserPools")
end)

t.case("more than max_pages pages is PaginationLimit", function()
    local n = 0
    local function call() n = n + 1 return { NextToken = "t" .. n } end
    t.fails("PaginationLimit", paginate.all(call, "ListUsers", {}, "Users", { max_pages = 5 }))
    t.eq(n, 5)
    n = 0
    local old = paginate.max_pages
    paginate.max_pages = 3
    t.fails("PaginationLimit", paginate.all(call, "ListUsers", {}, "Users"))
    paginate.max_pages = old
    t.eq(n, 3)
    -- exactly max_pages pages, the last without a token, is fine
    local call2 = fake{ { Users = { 1 }, NextToken = "x" }, { Users = { 2 } } }
    t.eq(paginate.all(call2, "ListUsers", {}, "Users", { max_pages = 2 }), { 1, 2 })
end)

t.case("pages: early exit, and a failed call ends the loop with false, err", function()
    local call, seen = fake{ { NextToken = "a" }, { NextToken = "b" }, { NextToken = "c" } }
    for page in paginate.pages(call, "ListUserPools") do
        if page.NextToken == "b" then break end
    end
    t.eq(#seen, 2)
    local errors = require "mfakit.errors"
    call = fake{ { NextToken = "a" }, function() return nil, errors.new{ code = "Boom" } end, { Items = {} } }
    local got = {}
    for page, err in paginate.pages(call, "ListThings") do got[#got + 1] = page or err.code end
    t.eq(#got, 2)
    t.eq(got[2], "Boom")
end)

t.case("objects with :call are accepted; misuse raises", function()
    local obj = { call = function(_, op, params) return { Items = { op, params.X } } end }
    t.eq(paginate.all(obj, "ListThings", { X = 1 }, "Items"), { "ListThings", 1 })
    t.raises("a client with :call", paginate.pages, 42, "ListThings")
    t.raises("operation name expected", paginate.pages, obj, nil)
    t.raises("max_pages", paginate.pages, obj, "ListThings", {}, { max_pages = 0 })
    t.raises("list member", paginate.all, obj, "ListThings", {})
end)
