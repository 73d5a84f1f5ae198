-- mfakit.atexit: clean-up that must run when the program ends, whether the
-- script finished, failed or was interrupted (Ctrl-C). The host runs the
-- hooks, newest first, after the main task, and mfakit's os.exit runs them too.
local M = {}

local check = require("mfakit.args").check
local hooks = {}

function M.register(fn)
    check(1, "atexit.register", fn, "function")
    hooks[#hooks + 1] = fn
    return fn
end

function M.unregister(fn)
    for i = #hooks, 1, -1 do
        if hooks[i] == fn then table.remove(hooks, i) end
    end
end

function M.run()
    while #hooks > 0 do
        local fn = table.remove(hooks)
        local ok, err = pcall(fn)
        if not ok then io.stderr:write("mfakit: clean-up failed: ", tostring(err), "\n") end
    end
end

return M
