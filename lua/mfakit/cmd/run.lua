-- mfakit run NAME [args...]: runs a script by name, as `mfakit PATH.lua`
-- would, found in ./, $MFAKIT_PATH, then the scripts shipped with this
-- binary (mfakit.cli.scripts). --list shows what it finds.
local cli = require "mfakit.cli"
local scripts = require "mfakit.cli.scripts"

local DEF = {
    name = "run",
    usage = "NAME [script options] | --list",
    summary = "Runs a script by name: mfakit run login-load, mfakit run user/mfa-status. The\n" ..
        "options after NAME are the script's own (mfakit run NAME --help shows them). Looked for\n" ..
        "in ./, then each folder of $MFAKIT_PATH, then the scripts shipped with mfakit.",
    options = {
        { "list", "flag", nil, "list the scripts found, each with its one-line summary" },
    },
    -- everything after NAME belongs to the script
    stop = true,
    complete = "scripts",
}

local M = {}

function DEF.run(o, pos)
    if o.list then
        if #pos > 0 then return cli.usage("run", "--list takes no script name") end
        local list = scripts.list()
        if cli.json_output() then
            local out = {}
            for i, s in ipairs(list) do out[i] = { name = s.name, path = s.path, summary = s.summary } end
            cli.print_json{ scripts = require("mfakit.json").array(out) }
            return 0
        end
        local width = 8
        for _, s in ipairs(list) do width = math.max(width, #s.name) end
        for _, s in ipairs(list) do
            local line = string.format("%-" .. width .. "s  %s", s.name, s.summary)
            print((line:gsub("%s+$", "")))
        end
        return 0
    end
    local name = pos[1]
    if not name then return cli.usage("run", "a script name is needed (see mfakit run --list)") end
    local path, err = scripts.find(name)
    if not path then return cli.fail("run", err) end
    local base = path:match("[^/]*$")
    if base:match("_test%.lua$") or base:match("^test_.*%.lua$") then
        -- a test file registers cases and needs the runner around it
        local args = { path }
        for i = 2, #pos do args[#args + 1] = pos[i] end
        return cli.run_command(require("mfakit.cmd.test"), args)
    end
    local chunk, load_err = loadfile(path, "t")
    if not chunk then return cli.fail("run", load_err) end
    -- the script sees what `mfakit PATH args...` would give it
    local a = { [0] = path }
    for i = 2, #pos do a[i - 1] = pos[i] end
    rawset(_G, "arg", a)
    return chunk(table.unpack(a, 1, #pos - 1))
end

for k, v in pairs(DEF) do M[k] = v end
return cli.command(M)
