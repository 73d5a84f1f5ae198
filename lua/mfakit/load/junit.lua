-- mfakit.load.junit: a run as JUnit XML for CI: one testcase per threshold
-- (failed when it failed) and one per error code (failed, with the count
-- and the first message), never one per sign-in, so a CI page stays
-- readable at any rate. Written through mfakit.junit, as `mfakit test` does.
local junit = require "mfakit.junit"

local M = {}

function M.suites(s)
    local cases = {}
    local class = "mfakit.load." .. s.name
    for _, t in ipairs(s.thresholds or {}) do
        local actual = t.actual == nil and "no data" or tostring(t.actual)
        cases[#cases + 1] = { classname = class, name = "threshold " .. t.text, time = 0,
                              status = t.ok and "pass" or "fail",
                              message = not t.ok and ("threshold " .. t.text .. " failed: actual " .. actual) or nil }
    end
    for _, e in ipairs(s.errors or {}) do
        cases[#cases + 1] = { classname = class, name = "errors " .. e.code, time = 0, status = "fail",
                              message = string.format("%d of %d %ss failed with %s", e.count, s.count, s.name, e.code),
                              detail = e.message }
    end
    if #cases == 0 then
        cases[1] = { classname = class, name = "no errors", time = s.wall, status = "pass" }
    end
    return { { name = "mfakit load", time = s.wall, cases = cases } }
end

function M.write(path, s)
    return junit.write(path, M.suites(s))
end

return M
