-- mfakit.test.report: the shapes `mfakit test` reports in.
--   report.text(out), report.tap(out): streaming reporters { plan(n), case(result), finish(files, totals) }
--   report.totals(files [, wall]) -> { pass, fail, error, skip, seconds }
--   report.json(files [, wall]) -> the --output json document (a table)
--   report.suites(files) -> the suites mfakit.junit renders
local json = require "mfakit.json"
local secrets = require "mfakit.secrets"

local M = {}

-- Text as every report shows it: secrets scrubbed, and a NUL byte written
-- as the two characters \0 (JSON and XML cannot carry NUL, and a terminal
-- would drop it).
local function scrub(s) return s and (secrets.scrub(tostring(s)):gsub("%z", "\\0")) end
M.scrub = scrub

-- The totals; seconds is `wall` (the run's own time: with --jobs cases
-- overlap) when given, else the sum of the cases' times.
function M.totals(files, wall)
    local t = { pass = 0, fail = 0, error = 0, skip = 0, seconds = 0 }
    for _, f in ipairs(files) do
        for _, c in ipairs(f.cases) do
            t[c.status] = t[c.status] + 1
            t.seconds = t.seconds + (c.seconds or 0)
        end
    end
    if wall then t.seconds = wall end
    return t
end

local function label(r) return scrub(r.file .. ": " .. r.name) end

local function summary(t)
    return string.format("%d passed, %d failed, %d errored, %d skipped (%.2f s)", t.pass, t.fail, t.error, t.skip,
        t.seconds)
end
M.summary = summary

-- Text: one line per case; a failure adds its message, its line in the
-- test file, and the rest of the message or the traceback, indented.
function M.text(out)
    local r = {}
    function r.plan() end
    function r.case(c)
        local word = ({ pass = "ok   ", fail = "FAIL ", error = "ERROR ", skip = "skip " })[c.status]
        local tail = c.status == "skip" and (" # " .. scrub(c.message)) or ""
        out:write(string.format("%s%s (%.2f s)%s\n", word, label(c), c.seconds or 0, tail))
        if c.status == "fail" or c.status == "error" then
            local where = scrub(c.where or (c.line and (c.file .. ":" .. c.line)) or c.file)
            out:write("     ", where, ": ", c.status == "error" and "error: " or "", scrub(c.message), "\n")
            if c.detail then
                for line in (scrub(c.detail) .. "\n"):gmatch("([^\n]*)\n") do out:write("       ", line, "\n") end
            end
        end
    end
    function r.finish(_, totals) out:write(summary(totals), "\n") end
    return r
end

-- TAP version 14: the plan first, one numbered line per case, `# SKIP`
-- directives, and a YAML block under each failure.
local function tap_escape(s) return (s:gsub("\n", " "):gsub("\\", "\\\\"):gsub("#", "\\#")) end

function M.tap(out)
    local r, n = {}, 0
    function r.plan(count)
        out:write("TAP version 14\n1..", count, "\n")
    end
    function r.case(c)
        n = n + 1
        local bad = c.status == "fail" or c.status == "error"
        local line = string.format("%s %d - %s", bad and "not ok" or "ok", n, tap_escape(label(c)))
        if c.status == "skip" then line = line .. " # SKIP " .. tap_escape(scrub(c.message) or "") end
        out:write(line, "\n")
        if bad then
            out:write("  ---\n")
            out:write("  message: ", json.encode(scrub(c.message) or ""), "\n")
            out:write("  severity: ", c.status == "fail" and "fail" or "error", "\n")
            local at = c.where or (c.line and (c.file .. ":" .. c.line))
            if at then out:write("  at: ", json.encode(scrub(at)), "\n") end
            if c.detail then out:write("  detail: ", json.encode(scrub(c.detail)), "\n") end
            out:write("  ...\n")
        end
    end
    function r.finish(_, totals) out:write("# ", summary(totals), "\n") end
    return r
end

function M.quiet()
    return { plan = function() end, case = function() end, finish = function() end }
end

function M.json(files, wall)
    local doc = { files = json.array and json.array{} or {}, totals = M.totals(files, wall) }
    for _, f in ipairs(files) do
        local cases = {}
        for _, c in ipairs(f.cases) do
            cases[#cases + 1] = { name = scrub(c.name), status = c.status, seconds = c.seconds or 0,
                message = scrub(c.message) or json.null }
        end
        doc.files[#doc.files + 1] = { file = scrub(f.file), cases = cases }
    end
    return doc
end

-- A JUnit classname: the file's path with dots ("tests/test_json.lua" ->
-- "tests.test_json"). Leading "/", "./" and "../" are dropped, so an
-- absolute or parent path reads as a relative one and never starts with a
-- dot ("/tmp/t6/x_test.lua" -> "tmp.t6.x_test").
function M.classname(file)
    local c = file:gsub("%.lua$", ""):gsub("/%./", "/")
    repeat
        local before = c
        c = c:gsub("^/+", ""):gsub("^%.%.?/", "")
    until c == before
    c = c:gsub("/+", "."):gsub("^%.+", "")
    return c ~= "" and c or "test"
end

function M.suites(files)
    local suites = {}
    for _, f in ipairs(files) do
        local classname = scrub(M.classname(f.file))
        local cases, time = {}, 0
        for _, c in ipairs(f.cases) do
            local where = c.where or (c.line and (c.file .. ":" .. c.line))
            cases[#cases + 1] = { classname = classname, name = scrub(c.name), time = c.seconds or 0, status = c.status,
                message = scrub(c.message), detail = c.detail and
                    ((where and (scrub(where) .. ": ") or "") .. scrub(c.detail)) or (where and (scrub(where) .. ": " ..
                    (scrub(c.message) or ""))) }
            time = time + (c.seconds or 0)
        end
        suites[#suites + 1] = { name = scrub(f.file), time = time, cases = cases }
    end
    return suites
end

return M
