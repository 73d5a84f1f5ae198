-- tests/test_layers.lua: the repository checks `make lint` runs.
-- tools/check-layers passes on the tree as it is, and fails on a planted
-- upward require, a product that reaches into another, and a module with no
-- layer; tools/check-refs fails on references to files not in the
-- repository (tests/test_check_refs.py plants them).
local support = dofile("tests/support.lua")

local t = require "mfakit.test"
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"

t.case("the tree keeps to the layers of docs/ARCHITECTURE.md", function()
    local out, err, rc = support.run("tools/check-layers .")
    t.eq({ rc, out }, { 0, "" }, err)
end)

t.case("a planted upward require, a product reaching into another, a module with no layer all fail", function()
    local dir = tmp .. "/layers"
    os.execute("rm -rf " .. dir .. " && mkdir -p " .. dir .. " && cp -r lua scripts docs " .. dir)
    local function plant(file, line)
        local f = assert(io.open(dir .. "/" .. file, "a"))
        f:write(line, "\n")
        f:close()
    end
    plant("lua/mfakit/errors.lua", 'local _ = require "mfakit.cmd.guide"')
    plant("lua/mfakit/cost/money.lua", 'local _ = require("mfakit.doctor")')
    plant("lua/mfakit/task.lua", 'local _ = require "mfakit.nowhere"')
    -- a require in a comment is not one
    plant("lua/mfakit/sys_note.lua", '-- require "mfakit.cmd.guide"')
    local out, _, rc = support.run("tools/check-layers " .. dir)
    t.eq(rc, 1, out)
    t.ok(out:find("mfakit.errors (core) requires mfakit.cmd.guide (commands), a layer above", 1, true), out)
    t.ok(out:find("product mfakit.cost requires product mfakit.doctor", 1, true), out)
    t.ok(out:find("requires mfakit.nowhere, which has no layer", 1, true), out)
    t.ok(out:find("module mfakit.sys_note has no layer", 1, true), out)
    t.eq(select(2, out:gsub("\n", "")), 4, out)
end)

t.case("tools/check-refs: the tree cites no missing file, and planted citations fail", function()
    local out, err, rc = support.run("tools/check-refs")
    t.eq({ rc, out }, { 0, "" }, err)
    out, err, rc = support.run("python3 tests/test_check_refs.py")
    t.eq(rc, 0, out .. err)
end)
