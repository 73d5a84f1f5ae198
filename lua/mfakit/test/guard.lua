-- mfakit.test.guard: what the runner changes in the Lua state while test
-- files load and run, and puts back after.
--   guard.run(quiet_stdout, fn, ...) -> fn's results
-- os.exit in a case would end the whole run without a report, so it raises
-- "os.exit called in a test case" instead: that case errors, the run goes
-- on. With quiet_stdout (a machine-readable report is on stdout: TAP or
-- --output json), print, io.write and io.stdout go to stderr, so a test's
-- own output cannot break the report. (A child process writes to the
-- descriptor it inherits: mfakit.cmd.test moves descriptor 1 aside too.)
local check = require "mfakit.test.check"

local M = {}
local RAISED = { __tostring = function(e) return e.message end }

function M.run(quiet_stdout, fn, ...)
    local saved_exit, saved_print, saved_stdout, saved_output = os.exit, print, io.stdout, io.output()
    rawset(os, "exit", function(code)
        -- raised as the runner's own error: one line naming the test's line
        error(setmetatable({ raised = true, where = check.where(1), message = "os.exit called in a test case " ..
            "(os.exit(" .. tostring(code) .. ") would end the whole run): end a case by returning, or fail it " ..
            "with t.fail" }, RAISED), 0)
    end)
    if quiet_stdout then
        rawset(_G, "print", function(...)
            local n, parts = select("#", ...), {}
            for i = 1, n do parts[i] = tostring((select(i, ...))) end
            io.stderr:write(table.concat(parts, "\t"), "\n")
        end)
        rawset(io, "stdout", io.stderr)
        io.output(io.stderr)
    end
    local res = table.pack(pcall(fn, ...))
    rawset(os, "exit", saved_exit)
    rawset(_G, "print", saved_print)
    rawset(io, "stdout", saved_stdout)
    io.output(saved_output)
    if not res[1] then error(res[2], 0) end
    return table.unpack(res, 2, res.n)
end

return M
