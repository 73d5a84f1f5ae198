-- mfakit.test.check: what the checks of mfakit.test share: the failure and
-- skip objects a check raises, deep equality, and values shown readably
-- (secrets held redacted) for a diff.
local redact = require "mfakit.redact"

local M = {}

-- A check that did not hold raises a Failure; t.skip raises a Skip. The
-- runner tells them from other errors (which make a case "error").
local Failure = { __name = "mfakit.test.failure" }
Failure.__tostring = function(f) return f.message end
local Skip = { __name = "mfakit.test.skip" }
Skip.__tostring = function(s) return "skip: " .. s.reason end
M.Failure, M.Skip = Failure, Skip

function M.is_failure(e) return getmetatable(e) == Failure end
function M.is_skip(e) return getmetatable(e) == Skip end

-- The line of the test file the check was called from: the first frame,
-- from the check outwards, whose chunk is a test file (a helper in a
-- support file is passed through), else the caller.
function M.where(level)
    local first
    for l = level + 1, 60 do
        local info = debug.getinfo(l, "Sl")
        if not info then break end
        if info.currentline and info.currentline > 0 and info.short_src then
            local here = info.short_src .. ":" .. info.currentline
            first = first or here
            local name = info.short_src:match("[^/]+$") or ""
            if name:match("^test_.*%.lua$") or name:match("_test%.lua$") then return here end
        end
    end
    return first
end

function M.fail(message, level, detail)
    error(setmetatable({ message = message, where = M.where(level + 1), detail = detail }, Failure), 0)
end

function M.skip(reason)
    error(setmetatable({ reason = tostring(reason or "skipped") }, Skip), 0)
end

function M.describe(v, depth)
    depth = depth or 0
    if type(v) == "string" then return string.format("%q", redact.text(v)) end
    if type(v) ~= "table" or depth > 3 then return tostring(v) end
    local mt = getmetatable(v)
    if mt and mt.__tostring then return tostring(v) end
    local parts, keys = {}, {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(keys) do
        parts[#parts + 1] = tostring(k) .. "=" .. M.describe(v[k], depth + 1)
    end
    return "{" .. table.concat(parts, ", ") .. "}"
end

-- deep_equal(a, b) -> true | false, path, a_there, b_there: where they
-- first differ ("" for the values themselves) and what each holds there.
-- A pair of tables already being compared counts as equal when met again,
-- so cyclic tables end (two cycles of the same shape are equal).
function M.deep_equal(a, b, path, seen)
    path = path or ""
    if a == b then return true end
    if type(a) ~= "table" or type(b) ~= "table" then
        if math.type(a) == "float" and math.type(b) == "float" and a ~= a and b ~= b then return true end
        return false, path, a, b
    end
    seen = seen or {}
    seen[a] = seen[a] or {}
    if seen[a][b] then return true end
    seen[a][b] = true
    for k, v in pairs(a) do
        local ok, where, x, y = M.deep_equal(v, b[k], path .. "[" .. M.describe(k, 4) .. "]", seen)
        if not ok then return false, where, x, y end
    end
    for k in pairs(b) do
        if a[k] == nil then return false, path .. "[" .. M.describe(k, 4) .. "]", nil, b[k] end
    end
    return true
end

return M
