-- mfakit.test.leaks: what a case left behind. A case must end what it
-- started: tasks still running, HTTP transfers in flight and child
-- processes still alive would run on into the next case and blame it.
--   local before = leaks.mark()  ...  leaks.since(before) -> { "2 task(s) still running", ... }
local task = require "mfakit.task"
local loop = require "mfakit.loop"
local sys = require "mfakit.sys"

local M = {}

-- The child processes of this process still alive (zombies included), as
-- "pid comm" strings.
local function children()
    local me, out = tostring(sys.getpid()), {}
    local p = io.popen("cat /proc/[0-9]*/stat 2>/dev/null")
    if not p then return out end
    for line in p:lines() do
        -- pid (comm) state ppid ...: comm may hold spaces and parentheses
        local pid, comm, ppid = line:match("^(%d+) %((.*)%) %a (%d+) ")
        if ppid == me and comm ~= "cat" and comm ~= "sh" then out[#out + 1] = pid .. " " .. comm end
    end
    p:close()
    return out
end

function M.mark()
    local kids = {}
    for _, k in ipairs(children()) do kids[k] = true end
    return { tasks = task.live(), transfers = loop.running(), kids = kids }
end

function M.since(before)
    local left = {}
    local tasks, transfers = task.live() - before.tasks, loop.running() - before.transfers
    if tasks > 0 then left[#left + 1] = tasks .. " task(s) still running" end
    if transfers > 0 then left[#left + 1] = transfers .. " HTTP transfer(s) in flight" end
    local kids = {}
    for _, k in ipairs(children()) do
        if not before.kids[k] then kids[#kids + 1] = k end
    end
    if #kids > 0 then left[#left + 1] = "child process(es) " .. table.concat(kids, ", ") end
    return left
end

return M
