-- mfakit.stack.state: what a stack made, in <state-dir>/<stack>.json.
-- Written atomically (temp file, fsync, rename) with mode 0600 after every
-- change: an intent (kind and name) before each create and the id after it,
-- so a run killed at any moment can be resumed or torn down. It holds
-- names, ids, ARNs and the options that shaped the stack, never a secret.
-- The file is read as input from outside: only a regular file, with a size
-- cap, checked field by field (mfakit.stack.schema).
local json = require "mfakit.json"
local sys = require "mfakit.sys"
local fs = require "mfakit.fs"
local errors = require "mfakit.errors"
local config = require "mfakit.config"
local schema = require "mfakit.stack.schema"

local M = {}

M.VERSION = 2
M.MAX_BYTES = 1024 * 1024
-- Where state files live unless --state-dir says otherwise: local runs
-- (--local) apart from real ones, so the two never mix.
function M.default_dir()
    return config["local"] and ".mfakit/local" or ".mfakit"
end

local State = {}
State.__index = State

-- An empty --state-dir would put the file at /<stack>.json.
function M.check_dir(dir)
    if type(dir) ~= "string" or dir == "" or dir:find("%z") then
        return errors.fail("InvalidOption", "--state-dir must name a directory, not '%s'", tostring(dir))
    end
    local st = sys.stat(dir)
    if st and st.type ~= "directory" then
        return errors.fail("InvalidOption", "--state-dir %s exists and is not a directory", dir)
    end
    return true
end

-- The --state-dir option, as the commands and scripts that read a stack declare it.
M.STATE_DIR_OPTION = { "state-dir", "string", "DIR",
                       "where <stack>.json is kept (default .mfakit; .mfakit/local with --local)" }

function M.path(dir, stack)
    return (dir or M.default_dir()) .. "/" .. stack .. ".json"
end

local function invalid(message)
    return errors.fail("InvalidStateFile", "%s (fix it, or move it away: down without it finds the stack's " ..
        "resources by name and tag)", message)
end

-- Version 1 kept a name in `settings` only when that run's options gave it,
-- and knew nothing of which resources it had made. The recorded resources
-- name what exists, so they win.
local function migrate(doc)
    doc.settings = doc.settings or {}
    local r = doc.resources
    if r.role and r.role.name and not doc.settings.role_name then doc.settings.role_name = r.role.name end
    if r.pool and r.pool.name and not doc.settings.pool_name then doc.settings.pool_name = r.pool.name end
    if r.client and r.client.name and not doc.settings.client_name then doc.settings.client_name = r.client.name end
    -- version 1 only ever adopted nothing: every recorded role is one it made
    if r.role and r.role.made == nil then r.role.made = true end
    if r.pool and r.pool.made == nil then r.pool.made = true end
    doc.version = M.VERSION
end

local function add_used(doc, kind, name)
    if not name then return end
    doc.names_used[kind] = doc.names_used[kind] or {}
    for _, n in ipairs(doc.names_used[kind]) do if n == name then return end end
    table.insert(doc.names_used[kind], name)
end

function M.load(dir, stack)
    dir = dir or M.default_dir()
    local ok, err = M.check_dir(dir)
    if not ok then return nil, err end
    local path = M.path(dir, stack)
    local doc = { version = M.VERSION, stack = stack, resources = {}, names_used = {} }
    local text
    text, err = fs.read_regular(path, M.MAX_BYTES)
    if not text and err.code ~= "NotFound" then
        return invalid(err.message)
    end
    if text then
        local decoded, derr = json.decode(text)
        if decoded == nil then return invalid(path .. ": not JSON: " .. (derr and derr.message or "?")) end
        if type(decoded) == "table" and math.type(decoded.version) == "integer" and decoded.version > M.VERSION then
            return invalid(string.format("%s: written by a newer mfakit (format version %d; this one reads up to %d)",
                path, decoded.version, M.VERSION))
        end
        local valid, why = schema.check(decoded)
        if not valid then return invalid(path .. ": " .. why) end
        if decoded.stack ~= stack then
            return invalid(path .. ": holds stack " .. tostring(decoded.stack) .. ", not " .. stack)
        end
        if decoded.version == nil then decoded.version = 1 end
        doc = decoded
        doc.resources = doc.resources or {}
        doc.names_used = doc.names_used or {}
        if doc.version < M.VERSION then migrate(doc) end
    end
    local st = setmetatable({ dir = dir, path = path, doc = doc, existed = text ~= nil }, State)
    for _, kind in ipairs{ "role", "pool", "client" } do
        add_used(doc, kind, (doc.resources[kind] or {}).name)
    end
    return st
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

-- The stacks that have a state file in `dir`, sorted (none when the
-- folder does not exist).
function M.list(dir)
    local out = {}
    for _, name in ipairs(fs.list(dir or M.default_dir()) or {}) do
        local stack = name:match("^(.+)%.json$")
        if stack then out[#out + 1] = stack end
    end
    return out
end

-- One writer per stack: an flock on <stack>.lock beside the state, which
-- the kernel drops when the holder dies. Waits up to `timeout` seconds,
-- then fails with StackLocked naming the holder.
function M.lock(dir, stack, timeout, note)
    dir = dir or M.default_dir()
    local ok, err = M.check_dir(dir)
    if not ok then return nil, err end
    ok, err = mkdir_p(dir)
    if not ok then return nil, err end
    local path = dir .. "/" .. stack .. ".lock"
    local deadline = sys.monotonic() + (timeout or 0)
    while true do
        local lock
        lock, err = fs.try_lock(path, note)
        if lock then return lock end
        if err.code ~= "Locked" then return nil, err end
        if sys.monotonic() >= deadline then
            local holder = err.holder ~= "" and err.holder or "another mfakit"
            return errors.fail("StackLocked", "stack %s is being changed by %s: wait for it, or give " ..
                "--lock-timeout SECONDS to wait", stack, holder)
        end
        sys.sleep(0.1)
    end
end

function State:save()
    local ok, err = mkdir_p(self.dir)
    if not ok then return nil, err end
    self.doc.version = M.VERSION
    return sys.write_file_atomic(self.path, json.encode(self.doc) .. "\n", tonumber("600", 8))
end

function State:get(name) return self.doc.resources[name] end

-- Records a resource's fields (merged) and saves at once. A name recorded
-- once is remembered for good, so down can look for it by name.
function State:set(name, fields)
    local r = self.doc.resources[name] or {}
    for k, v in pairs(fields) do r[k] = v end
    self.doc.resources[name] = r
    if (name == "role" or name == "pool" or name == "client") and r.name then add_used(self.doc, name, r.name) end
    return self:save()
end

function State:forget(name)
    self.doc.resources[name] = nil
    return self:save()
end

-- Every name this stack has used for a kind of resource.
function State:names(kind)
    return self.doc.names_used[kind] or {}
end

function State:empty()
    return next(self.doc.resources) == nil
end

function State:remove_file()
    os.remove(self.path)
end

return M
