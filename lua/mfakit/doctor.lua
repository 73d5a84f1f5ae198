-- mfakit.doctor: read-only checks of a Cognito SMS/TOTP MFA set-up.
--   doctor.checks               ordered list of { id=, title=, run=function(ctx) -> status, message, fix }
--   doctor.add(check)           appends a check of your own (ids are unique)
--   doctor.run(opts) -> results, ctx
--     opts: stack, user_pool_id, username, client_id, state_dir, region,
--           only (list of ids), checks (a list instead of doctor.checks),
--           client (options for every AWS client), endpoints ({ sns = url, ... }),
--           now (a clock, for tests)
--     results: { {id=, status="pass"|"warn"|"fail"|"skip", message=, fix=} } in order
--   doctor.load_file(path)      runs a Lua file of extra checks (see docs/DOCTOR.md)
-- Every check runs, under pcall: a check that raises is reported as
-- "fail", "check crashed: ...", and the next one runs. A check whose input
-- is missing (no pool, no --username) returns "skip" and says why.
local context = require "mfakit.doctor.context"

local M = {}

M.STATUSES = { pass = true, warn = true, fail = true, skip = true }
M.AREAS = { "account", "pool", "role", "sns", "client", "user", "delivery" }

M.checks = {}
for _, area in ipairs(M.AREAS) do
    for _, c in ipairs(require("mfakit.doctor." .. area)) do M.checks[#M.checks + 1] = c end
end

function M.find(id)
    for i, c in ipairs(M.checks) do
        if c.id == id then return c, i end
    end
end

function M.add(check)
    if type(check) ~= "table" then error("doctor.add: a check table expected", 2) end
    if type(check.id) ~= "string" or not check.id:match("^[%w][%w%-_.:]*$") then
        error("doctor.add: check.id must be a name like 'my-check', not " .. tostring(check.id), 2)
    end
    if type(check.run) ~= "function" then error("doctor.add: check.run must be a function", 2) end
    if M.find(check.id) then error("doctor.add: there is already a check '" .. check.id .. "'", 2) end
    M.checks[#M.checks + 1] = check
    return check
end

-- A Lua file of extra checks: it may call doctor.add (the module is its
-- first argument, `...`) or return a check or a list of checks.
function M.load_file(path)
    local chunk, err = loadfile(path, "t")
    if not chunk then return nil, err end
    local ok, ret = pcall(function()
        local r = chunk(M)
        if type(r) == "table" and r.id then
            M.add(r)
        elseif type(r) == "table" then
            for _, c in ipairs(r) do M.add(c) end
        elseif r ~= nil then
            -- a file may call doctor.add itself and return nothing; anything else is a mistake
            error("returned a " .. type(r) .. ", not a check or a list of checks", 0)
        end
    end)
    if not ok then return nil, path .. ": " .. tostring(ret) end
    return true
end

function M.run_one(check, ctx)
    local ok, status, message, fix = pcall(check.run, ctx)
    local r = { id = check.id }
    if not ok then
        r.status, r.message = "fail", "check crashed: " .. tostring(status)
        r.fix = "this is a bug in the check '" .. check.id .. "': run with --trace and report it"
    elseif not M.STATUSES[status] then
        r.status, r.message = "fail", "check returned " .. tostring(status) ..
            " instead of pass, warn, fail or skip"
        r.fix = "this is a bug in the check '" .. check.id .. "'"
    else
        r.status = status
        r.message = message ~= nil and tostring(message) or ""
        r.fix = fix ~= nil and fix ~= "" and tostring(fix) or nil
    end
    return r
end

function M.run(opts)
    opts = require("mfakit.args").check(1, "doctor.run", opts, "table|nil") or {}
    local ctx = context.new(opts)
    local only
    if opts.only then
        only = {}
        for _, id in ipairs(opts.only) do only[id] = true end
    end
    local results = {}
    for _, c in ipairs(opts.checks or M.checks) do
        if not only or only[c.id] then
            local r = M.run_one(c, ctx)
            results[#results + 1] = r
            ctx.results[c.id] = r
        end
    end
    return results, ctx
end

-- { pass = n, warn = n, fail = n, skip = n }
function M.count(results)
    local n = { pass = 0, warn = 0, fail = 0, skip = 0 }
    for _, r in ipairs(results) do n[r.status] = n[r.status] + 1 end
    return n
end

return M
