-- mfakit.test: what a test file run by `mfakit test` writes with.
--   local t = require "mfakit.test"
--   t.case(name, fn)           a case; it runs as its own task
--   t.before_all(fn), t.after_all(fn), t.before_each(fn), t.after_each(fn)
--   t.ok(v, msg)  t.eq(got, want, msg)  t.match(s, pattern, msg)
--   t.err(fn | nil, err, code)  t.fail(msg)  t.skip(reason)
--   t.user{ pool, client, mfa = "none"|"sms"|"totp", phone, ... }  a throwaway user
--   t.stack(name [, dir])      a guide stack's ids
-- A check that does not hold fails the case and names the line of the test
-- file it was called from. docs/QA.md has the whole story.
local check = require "mfakit.test.check"
local fixtures = require "mfakit.test.fixtures"
local args = require "mfakit.args"

local M = {}

-- The file being loaded (the runner sets it): where t.case and the hooks
-- register. Cases register only while their file loads.
local collecting

function M._collect(into) collecting = into end

local function register(kind, name, fn, level)
    if not collecting then
        -- run as a script: one line, no traceback (an error object with a
        -- __tostring is printed as it is)
        local info = debug.getinfo(level + 1, "Sl") or {}
        local file = arg and arg[0] or info.short_src or "FILE"
        local msg = string.format("%s:%s: t.%s registers with the test runner: this is a test file, run it with " ..
            "`mfakit test %s`", info.short_src or "?", info.currentline or "?", kind, file)
        error(setmetatable({ message = msg }, { __tostring = function(e) return e.message end }), 0)
    end
    if kind == "case" then
        collecting.cases[#collecting.cases + 1] = { name = name, fn = fn,
            line = debug.getinfo(level + 1, "l").currentline }
    else
        local list = collecting.hooks[kind]
        list[#list + 1] = fn
    end
end

function M.case(name, fn)
    args.check(1, "t.case", name, "string")
    args.check(2, "t.case", fn, "function")
    register("case", name, fn, 2)
end

for _, hook in ipairs{ "before_all", "after_all", "before_each", "after_each" } do
    M[hook] = function(fn)
        args.check(1, "t." .. hook, fn, "function")
        register(hook, nil, fn, 2)
    end
end

-- Checks --------------------------------------------------------------------

function M.ok(v, msg)
    if not v then check.fail(msg or "expected a true value, got " .. check.describe(v), 2) end
    return v
end

function M.eq(got, want, msg)
    local same, path, g, w = check.deep_equal(got, want)
    if not same then
        local diff = path ~= "" and string.format("\n  at   %s\n  want %s\n  got  %s", path, check.describe(w),
            check.describe(g)) or ""
        check.fail(string.format("%s\n  want %s\n  got  %s%s", msg or "values differ", check.describe(want),
            check.describe(got), diff), 2)
    end
    return got
end

function M.match(s, pattern, msg)
    args.check(2, "t.match", pattern, "string")
    if type(s) ~= "string" or not s:find(pattern) then
        check.fail(string.format("%s\n  pattern %s\n  got     %s", msg or "no match", check.describe(pattern),
            check.describe(s)), 2)
    end
    return s
end

-- t.err(fn, code): fn() must return nil, err with err.code == code.
-- t.err(v, err, code): the same for a call's results already in hand.
-- t.err(err, code): for an err alone. Returns the err.
function M.err(x, ...)
    local v, e, code
    if type(x) == "function" then
        v, e = x()
        code = ...
    elseif x == nil or select("#", ...) >= 2 then
        v, e, code = x, ...
    else
        e, code = x, ...
    end
    if v ~= nil then check.fail("expected nil, err (" .. tostring(code) .. "), got " .. check.describe(v), 2) end
    if type(e) ~= "table" or (code ~= nil and e.code ~= code) then
        check.fail("expected an err with code " .. tostring(code) .. ", got " .. check.describe(e), 2)
    end
    return e
end

function M.fail(msg) check.fail(tostring(msg or "failed"), 2) end

function M.skip(reason) check.skip(reason) end

-- Kept for the project's older tests: t.fails(code, v, err) is t.err(v,
-- err, code); t.raises(needle, fn, ...) expects fn to raise an error whose
-- text holds `needle`; t.env is os.getenv.
function M.fails(code, v, e)
    if v ~= nil then check.fail("expected failure " .. code .. ", got " .. check.describe(v), 2) end
    if type(e) ~= "table" or e.code ~= code then
        check.fail("expected failure " .. code .. ", got " .. check.describe(e), 2)
    end
    return e
end

function M.raises(needle, fn, ...)
    local ok, e = pcall(fn, ...)
    if ok then check.fail("expected an error containing '" .. needle .. "'", 2) end
    if not tostring(e):find(needle, 1, true) then
        check.fail("error did not contain '" .. needle .. "': " .. tostring(e), 2)
    end
end

M.env = os.getenv

-- Fixtures ------------------------------------------------------------------

M.user = fixtures.user
M.stack = fixtures.stack
M.defer = fixtures.defer

return M
