-- mfakit.guide.state: what a stack made, in .mfakit/<stack>.json.
-- Written atomically (temp file, fsync, rename) with mode 0600 after every
-- change: an intent before each create and the id after it, so a run killed
-- at any moment can be resumed or torn down. It holds names, ids and ARNs,
-- never a secret.
local json = require "mfakit.json"
local sys = require "mfakit.sys"
local errors = require "mfakit.errors"

local M = {}

local State = {}
State.__index = State

function M.path(dir, stack)
    return (dir or ".mfakit") .. "/" .. stack .. ".json"
end

function M.load(dir, stack)
    dir = dir or ".mfakit"
    local path = M.path(dir, stack)
    local f = io.open(path, "r")
    local doc = { version = 1, stack = stack, resources = {} }
    if f then
        local text = f:read("a")
        f:close()
        local decoded, err = json.decode(text)
        if type(decoded) ~= "table" or decoded.stack ~= stack then
            return errors.fail("InvalidStateFile", "%s is not a state file of stack %s (%s)", path, stack,
                err and err.message or "wrong content")
        end
        doc = decoded
        doc.resources = doc.resources or {}
    end
    return setmetatable({ dir = dir, path = path, doc = doc, existed = f ~= nil }, State)
end

local function mkdir_p(dir)
    local path = dir:sub(1, 1) == "/" and "" or "."
    for part in dir:gmatch("[^/]+") do
        path = path .. "/" .. part
        local ok, err = sys.mkdir(path, tonumber("700", 8))
        if not ok then return nil, err end
    end
    return true
end

function State:save()
    local ok, err = mkdir_p(self.dir)
    if not ok then return nil, err end
    return sys.write_file_atomic(self.path, json.encode(self.doc) .. "\n", tonumber("600", 8))
end

function State:get(name) return self.doc.resources[name] end

-- Records a resource's fields (merged) and saves at once.
function State:set(name, fields)
    local r = self.doc.resources[name] or {}
    for k, v in pairs(fields) do r[k] = v end
    self.doc.resources[name] = r
    return self:save()
end

function State:forget(name)
    self.doc.resources[name] = nil
    return self:save()
end

function State:empty()
    return next(self.doc.resources) == nil
end

function State:remove_file()
    os.remove(self.path)
end

return M
