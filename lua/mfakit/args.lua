-- mfakit.args: argument checks for the public Lua functions, worded as Lua's
-- own library words them, so misuse reads the same everywhere:
--   args.check(1, "aws.region", opts, "table|nil")
--   -> bad argument #1 to 'aws.region' (table or nil expected, got boolean)
-- The error points at the caller of the checked function.
local M = {}

function M.check(n, fname, v, want)
    local t = type(v)
    for w in want:gmatch("[^|]+") do
        if t == w then return v end
    end
    error(string.format("bad argument #%d to '%s' (%s expected, got %s)", n, fname, (want:gsub("|", " or ")), t), 3)
end

return M
