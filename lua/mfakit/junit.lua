-- mfakit.junit: JUnit XML, as CI servers read it.
--   junit.render(suites) -> string
--   junit.write(path, suites) -> true | nil, err      (replaced atomically)
-- suites = { { name =, time =, cases = { { classname =, name =, time =,
--   status = "pass"|"fail"|"error"|"skip", message =, detail = } } } }
-- A suite's tests, failures, errors and skipped are counted from its cases.
local sys = require "mfakit.sys"

local M = {}

-- XML 1.0 cannot carry most control characters at all, even escaped.
local function esc(s)
    s = tostring(s or ""):gsub("[%z\1-\8\11\12\14-\31]", "?")
    return (s:gsub("[<>&\"']", { ["<"] = "&lt;", [">"] = "&gt;", ["&"] = "&amp;", ['"'] = "&quot;",
                                 ["'"] = "&apos;" }))
end

local function secs(t) return string.format("%.3f", tonumber(t) or 0) end

local TAG = { fail = "failure", error = "error", skip = "skipped" }

function M.render(suites)
    local out = { '<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>" }
    for _, suite in ipairs(suites) do
        local n = { fail = 0, error = 0, skip = 0 }
        for _, c in ipairs(suite.cases or {}) do
            if n[c.status] then n[c.status] = n[c.status] + 1 end
        end
        out[#out + 1] = string.format('  <testsuite name="%s" tests="%d" failures="%d" errors="%d" skipped="%d" ' ..
            'time="%s">', esc(suite.name), #(suite.cases or {}), n.fail, n.error, n.skip, secs(suite.time))
        for _, c in ipairs(suite.cases or {}) do
            local open = string.format('    <testcase classname="%s" name="%s" time="%s"', esc(c.classname),
                esc(c.name), secs(c.time))
            local tag = TAG[c.status]
            if not tag then
                out[#out + 1] = open .. "/>"
            else
                out[#out + 1] = open .. ">"
                local body = c.detail and esc(c.detail) or ""
                out[#out + 1] = string.format('      <%s message="%s">%s</%s>', tag, esc(c.message), body, tag)
                out[#out + 1] = "    </testcase>"
            end
        end
        out[#out + 1] = "  </testsuite>"
    end
    out[#out + 1] = "</testsuites>"
    return table.concat(out, "\n") .. "\n"
end

function M.write(path, suites)
    return sys.write_file_atomic(path, M.render(suites), tonumber("644", 8))
end

return M
