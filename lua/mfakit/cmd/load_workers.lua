-- mfakit load --workers: the parent's side. Each worker is this program
-- again (`mfakit load` with the run's own options, its share of the
-- schedule and of the concurrency, --out into a private directory); the
-- parent merges what they write (mfakit.load.workers). Split from
-- mfakit.cmd.load, which decides when to use it.
local config = require "mfakit.config"
local json = require "mfakit.json"
local sys = require "mfakit.sys"
local progress = require "mfakit.load.progress"
local workers = require "mfakit.load.workers"

local M = {}

-- The options a worker gets: the run's own, less what the parent keeps
-- (the split, the files, the thresholds) and with its share.
local PARENT_ONLY = { workers = true, shard = true, out = true, junit = true, progress = true, threshold = true,
                      users = true, mfa = true, concurrency = true, ["users-file"] = true, quota = true,
                      ["max-cost"] = true, yes = true }

local function worker_argv(rows, opts, users_file, j, w, si, sn, out)
    local argv = { workers.SELF, env = { MFAKIT_LOAD_WORKER = "1" } }
    if config.region then table.move({ "--region", config.region }, 1, 2, #argv + 1, argv) end
    if config.profile then table.move({ "--profile", config.profile }, 1, 2, #argv + 1, argv) end
    if config.endpoint then table.move({ "--endpoint", config.endpoint }, 1, 2, #argv + 1, argv) end
    argv[#argv + 1] = "load"
    for _, row in ipairs(rows) do
        local name, kind, v = row[1], row[2], opts[row[1]]
        if v ~= nil and not PARENT_ONLY[name] then
            if kind == "flag" then
                argv[#argv + 1] = "--" .. name
            elseif kind == "list" then
                for _, x in ipairs(v) do table.move({ "--" .. name, x }, 1, 2, #argv + 1, argv) end
            else
                table.move({ "--" .. name, tostring(v) }, 1, 2, #argv + 1, argv)
            end
        end
    end
    if users_file then table.move({ "--users-file", users_file }, 1, 2, #argv + 1, argv) end
    local c = math.tointeger(opts.concurrency or 10)
    for _, x in ipairs{ "--shard", string.format("%d/%d", si + sn * (j - 1), sn * w),
                        "--concurrency", tostring(math.max(1, -(-c // w))), "--out", out, "--progress", "always" } do
        argv[#argv + 1] = x
    end
    return argv
end

local function temp_dir()
    local out, status = sys.run({ "/usr/bin/mktemp", "-d", "-t", "mfakit-load.XXXXXX" })
    if not out or status ~= 0 then return nil, "cannot make a temporary directory (mktemp -d)" end
    return (out:gsub("%s+$", ""))
end

function M.run(rows, opts, who, w, si, sn)
    local dir, err = temp_dir()
    if not dir then return nil, err end
    local users_file
    local files = {}
    if who.made then
        users_file = dir .. "/users.json"
        files[#files + 1] = users_file
        local ok
        ok, err = sys.write_file_atomic(users_file, json.encode{ pool_id = who.made.pool_id,
            client_id = who.made.client_id, users = who.made.users, mfa = who.mfa }, tonumber("600", 8))
        if not ok then return nil, err end
    end
    for j = 1, w do
        files[#files + 1] = dir .. "/worker-" .. j .. ".json"
        files[#files + 1] = dir .. "/worker-" .. j .. ".log"
    end
    local shown = progress.new{ mode = opts.progress or "auto", stream = io.stderr, isatty = sys.isatty(2) }
    local r
    r, err = workers.run{ count = w, dir = dir, progress = shown,
                          argv = function(j, out) return worker_argv(rows, opts, users_file, j, w, si, sn, out) end }
    for _, f in ipairs(files) do os.remove(f) end
    os.remove(dir)
    return r, err
end

return M
