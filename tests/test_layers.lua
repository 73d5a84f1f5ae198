-- tests/test_layers.lua: tools/check-layers (run by `make lint`) passes on
-- the tree as it is, and fails on a planted upward require, a product that
-- reaches into another, and a module with no layer.
local support = dofile("tests/support.lua")

return function(t)
    local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"

    t.test("the tree keeps to the layers of docs/ARCHITECTURE.md", function()
        local out, err, rc = support.run("tools/check-layers .")
        t.eq({ rc, out }, { 0, "" }, err)
    end)

    t.test("a planted upward require, a product reaching into another, a module with no layer all fail", function()
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
end
