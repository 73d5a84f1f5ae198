-- mfakit.junit: test results as a JUnit XML report, the file CI systems
-- (GitHub Actions, GitLab, Jenkins) read to show which cases failed.
--   junit.render(suites) -> string        the XML text (UTF-8)
--   junit.write(path, suites) -> true | nil, err   written atomically, 0644
-- suites = { { name, time, cases = { { classname, name, time, status =
-- "pass"|"fail"|"error"|"skip", message, detail } } } }. The counts of each
-- <testsuite> (tests, failures, errors, skipped) are computed from its
-- cases, so they cannot disagree with the cases shown.
local sys = require "mfakit.sys"
local check = require("mfakit.args").check

local M = {}

-- Text as XML 1.0 can hold it: valid UTF-8 (a stray byte becomes U+FFFD),
-- no control character but tab and line breaks (XML 1.0 forbids the others
-- even as references, so they are shown as \xHH), markup escaped.
local ESC = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&apos;" }

local function valid_utf8(s)
    if utf8.len(s) then return s end
    local out, i = {}, 1
    while i <= #s do
        local len, bad = utf8.len(s, i)
        if len then
            out[#out + 1] = s:sub(i)
            break
        end
        out[#out + 1] = s:sub(i, bad - 1) .. "\u{FFFD}"
        i = bad + 1
    end
    return table.concat(out)
end

local function text(s, attribute)
    s = valid_utf8(tostring(s or ""))
    s = s:gsub("[\0-\8\11\12\14-\31]", function(c) return string.format("\\x%02X", c:byte()) end)
    s = s:gsub("\u{FFFE}", "\u{FFFD}"):gsub("\u{FFFF}", "\u{FFFD}")
    s = s:gsub("[&<>\"']", ESC)
    if attribute then
        -- a parser turns a raw line break in an attribute into a space
        s = s:gsub("\r", "&#13;"):gsub("\n", "&#10;"):gsub("\t", "&#9;")
    end
    return s
end
M._text = text

local function seconds(v)
    return string.format("%.3f", tonumber(v) or 0)
end

local KINDS = { pass = true, fail = true, error = true, skip = true }

-- tests, failures, errors, skipped and the summed time of `cases`
local function counts(cases)
    local c = { tests = 0, failures = 0, errors = 0, skipped = 0, time = 0 }
    for _, k in ipairs(cases) do
        c.tests = c.tests + 1
        if k.status == "fail" then c.failures = c.failures + 1
        elseif k.status == "error" then c.errors = c.errors + 1
        elseif k.status == "skip" then c.skipped = c.skipped + 1 end
        c.time = c.time + (tonumber(k.time) or 0)
    end
    return c
end

local function attrs(list)
    local out = {}
    for i = 1, #list, 2 do
        out[#out + 1] = string.format(' %s="%s"', list[i], text(list[i + 1], true))
    end
    return table.concat(out)
end

local function render_case(out, case)
    local head = "    <testcase" .. attrs{ "classname", case.classname or "", "name", case.name or "",
        "time", seconds(case.time) }
    if case.status == "pass" then
        out[#out + 1] = head .. "/>"
        return
    end
    out[#out + 1] = head .. ">"
    local message = case.message or ""
    if case.status == "skip" then
        out[#out + 1] = "      <skipped" .. attrs{ "message", message } .. "/>"
    else
        local tag = case.status == "fail" and "failure" or "error"
        local body = case.detail or message
        out[#out + 1] = "      <" .. tag .. attrs{ "message", message, "type", tag } .. ">" .. text(body) ..
            "</" .. tag .. ">"
    end
    out[#out + 1] = "    </testcase>"
end

function M.render(suites)
    check(1, "junit.render", suites, "table")
    for i, s in ipairs(suites) do
        if type(s) ~= "table" or type(s.cases) ~= "table" then
            error("bad argument #1 to 'junit.render' (suite " .. i .. " has no cases table)", 2)
        end
        for j, c in ipairs(s.cases) do
            if type(c) ~= "table" or not KINDS[c.status] then
                error("bad argument #1 to 'junit.render' (suite " .. i .. ", case " .. j ..
                    ": status must be pass, fail, error or skip)", 2)
            end
        end
    end
    local all = { tests = 0, failures = 0, errors = 0, skipped = 0, time = 0 }
    local body = {}
    for _, s in ipairs(suites) do
        local c = counts(s.cases)
        local time = tonumber(s.time) or c.time
        for _, k in ipairs{ "tests", "failures", "errors", "skipped" } do all[k] = all[k] + c[k] end
        all.time = all.time + time
        body[#body + 1] = "  <testsuite" .. attrs{ "name", s.name or "", "tests", c.tests, "failures", c.failures,
            "errors", c.errors, "skipped", c.skipped, "time", seconds(time) } .. ">"
        for _, case in ipairs(s.cases) do render_case(body, case) end
        body[#body + 1] = "  </testsuite>"
    end
    local out = { '<?xml version="1.0" encoding="UTF-8"?>',
        "<testsuites" .. attrs{ "tests", all.tests, "failures", all.failures, "errors", all.errors,
            "skipped", all.skipped, "time", seconds(all.time) } .. ">" }
    for _, l in ipairs(body) do out[#out + 1] = l end
    out[#out + 1] = "</testsuites>"
    return table.concat(out, "\n") .. "\n"
end

function M.write(path, suites)
    check(1, "junit.write", path, "string")
    check(2, "junit.write", suites, "table")
    return sys.write_file_atomic(path, M.render(suites), tonumber("644", 8))
end

return M
