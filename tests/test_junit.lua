-- tests/test_junit.lua: mfakit.junit: the XML it renders parses, counts come
-- from the cases, text from outside is escaped, the file is written whole.
local t = require "mfakit.test"
local junit = require "mfakit.junit"
local xml = require "mfakit.xml"
local sys = require "mfakit.sys"

local SUITES = { { name = "login", time = 1.5, cases = {
    { classname = "journey", name = "signs in", time = 0.25, status = "pass" },
    { classname = "journey", name = "sms", time = 0.5, status = "fail", message = "code rejected",
      detail = "journey_test.lua:12: code rejected\nmore" },
    { classname = "journey", name = "devices", time = 0, status = "skip", message = "moto has no devices" },
    { classname = "journey", name = "totp", time = 0.125, status = "error", message = "boom" },
} }, { name = "empty", cases = {} } }

t.case("render: testsuites > testsuite > testcase, with counts computed from the cases", function()
    local doc = assert(xml.decode(junit.render(SUITES)))
    t.eq(doc.tag, "testsuites")
    t.eq({ doc.attr.tests, doc.attr.failures, doc.attr.errors, doc.attr.skipped, doc.attr.time },
        { "4", "1", "1", "1", "1.500" })
    local s = doc[1]
    t.eq({ s.attr.name, s.attr.tests, s.attr.failures, s.attr.errors, s.attr.skipped, s.attr.time },
        { "login", "4", "1", "1", "1", "1.500" })
    t.eq({ s[1].attr.classname, s[1].attr.name, s[1].attr.time, #s[1] }, { "journey", "signs in", "0.250", 0 })
    t.eq({ s[2][1].tag, s[2][1].attr.message, s[2][1][1] },
        { "failure", "code rejected", "journey_test.lua:12: code rejected\nmore" })
    t.eq({ s[3][1].tag, s[3][1].attr.message }, { "skipped", "moto has no devices" })
    t.eq({ s[4][1].tag, s[4][1].attr.message, s[4][1][1] }, { "error", "boom", "boom" })
    t.eq({ doc[2].attr.name, doc[2].attr.tests, doc[2].attr.time }, { "empty", "0", "0.000" })
end)

t.case("render: markup, control characters and bad UTF-8 from outside stay well-formed", function()
    local nasty = "<a href=\"x\">&'\1\27[2J\0" .. "\255\254 é"
    local text = junit.render{ { name = nasty, cases = { { classname = nasty, name = "n\nl", status = "fail",
        message = nasty, detail = nasty .. "]]>" } } } }
    t.ok(utf8.len(text), "valid UTF-8")
    t.ok(not text:find("[\0-\8\11\12\14-\31]"), "no control character but tab and line breaks")
    local doc = assert(xml.decode(text))
    local want = "<a href=\"x\">&'\\x01\\x1B[2J\\x00\u{FFFD}\u{FFFD} é"
    t.eq(doc[1].attr.name, want)
    t.eq(doc[1][1].attr.name, "n\nl", "a line break in an attribute survives parsing")
    t.eq(doc[1][1][1].attr.message, want)
    t.eq(doc[1][1][1][1], want .. "]]>")
end)

t.case("render: a case with an unknown status is a programming error", function()
    t.raises("status must be pass, fail, error or skip", junit.render, { { name = "x", cases = { { status = "ok" } } } })
    t.raises("table expected", junit.render, "x")
end)

t.case("write: the whole file at once, mode 0644; a failure is nil, err", function()
    local dir = (t.env("MFAKIT_TEST_TMP") or "/tmp") .. "/junit-" .. sys.getpid()
    os.execute("mkdir -p " .. dir)
    local path = dir .. "/report.xml"
    t.eq(junit.write(path, SUITES), true)
    local f = assert(io.open(path))
    t.eq(f:read("a"), junit.render(SUITES))
    f:close()
    t.eq(assert(sys.stat(path)).mode, tonumber("644", 8))
    t.fails("WriteFailed", junit.write(dir .. "/no/such/dir/r.xml", SUITES))
    os.execute("rm -rf " .. dir)
end)
