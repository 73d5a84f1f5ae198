-- mfakit.cli.scripts: finding a script by name for `mfakit run`, and what
-- its header comment says (its --help and its one-line summary).
-- The search path is ./, then each folder of $MFAKIT_PATH (colon-separated),
-- then the scripts shipped with this binary: found from the binary's own
-- path (/proc/self/exe), not from a compiled-in prefix, so that a DESTDIR
-- install, an unpacked .deb and the source tree all find theirs.
local fs = require "mfakit.fs"
local sys = require "mfakit.sys"
local check = require("mfakit.args").check

local M = {}

-- through links: a folder of scripts may well be linked in
local function kind(path)
    local st = sys.stat(path)
    return st and st.type
end

local function is_file(path)
    return kind(path) == "file"
end

local function dirname(path)
    return path:match("^(.*)/[^/]*$") or "."
end

-- The shipped scripts' folder: <prefix>/share/mfakit/scripts beside
-- <prefix>/bin/mfakit, or scripts/ beside a binary built in the source tree.
function M.shipped_dir()
    local exe = sys.exe_path()
    if not exe then return nil end
    local bin = dirname(exe)
    for _, dir in ipairs{ dirname(bin) .. "/share/mfakit/scripts", bin .. "/scripts" } do
        if kind(dir) == "directory" then return dir end
    end
end

-- The folders searched, in order, each { dir, what }.
function M.path()
    local dirs = { { ".", "." } }
    for d in (os.getenv("MFAKIT_PATH") or ""):gmatch("[^:]+") do dirs[#dirs + 1] = { d, "MFAKIT_PATH" } end
    local shipped = M.shipped_dir()
    if shipped then dirs[#dirs + 1] = { shipped, "shipped" } end
    return dirs
end

-- find(name) -> path | nil, message. NAME is "login-load",
-- "scenarios/login-load", "user/enable-sms-mfa" or with ".lua"; in each
-- folder it is looked for as given, then one folder down (scenarios/, user/).
function M.find(name)
    check(1, "scripts.find", name, "string")
    if name == "" or name:find("%.%.") or name:sub(1, 1) == "/" then
        return nil, "a script name is a name like login-load or user/mfa-status, not '" .. name .. "'"
    end
    local file = name:match("%.lua$") and name or (name .. ".lua")
    for _, d in ipairs(M.path()) do
        local dir = d[1]
        if is_file(dir .. "/" .. file) then return dir .. "/" .. file end
        if d[2] ~= "." then
            for _, sub in ipairs(fs.list(dir) or {}) do
                if kind(dir .. "/" .. sub) == "directory" and is_file(dir .. "/" .. sub .. "/" .. file) then
                    return dir .. "/" .. sub .. "/" .. file
                end
            end
        end
    end
    return nil, "no script named " .. name .. " in ./, $MFAKIT_PATH or " .. (M.shipped_dir() or
        "the shipped scripts (not found beside the binary)") .. " (see mfakit run --list)"
end

-- The leading comment block of a script, without the "-- " marks; nil when
-- it has none.
function M.header(path)
    check(1, "scripts.header", path, "string")
    local f = io.open(path, "r")
    if not f then return nil end
    local text = f:read(64 * 1024) or ""
    f:close()
    local lines = {}
    for l in text:gmatch("([^\n]*)\n?") do
        local shebang = l:match("^#!") and #lines == 0 -- a shebang line comes before the header
        if l:match("^%-%-") then
            lines[#lines + 1] = (l:gsub("^%-%- ?", ""))
        elseif not shebang then
            break
        end
    end
    if #lines == 0 then return nil end
    return table.concat(lines, "\n")
end

-- The header's first sentence, on one line (before any "usage:").
function M.summary(header)
    if not header then return "" end
    local text = header:gsub("%s*\n%s*", " ")
    text = text:gsub("%s*usage:.*$", "")
    local first = text:match("^(.-[%.!?])%s") or text:match("^(.-[%.!?])$") or text
    first = first:gsub("%.$", "")
    -- one line of a listing: a long first sentence is cut at a word
    if #first > 72 then first = first:sub(1, 70):gsub("[%s,;:]*%S*$", "") .. "..." end
    return first
end

-- Every script in the searched folders, each { name, path, summary }: the
-- shipped ones and those in $MFAKIT_PATH (./ is searched by `run` but not
-- listed: it is whatever the current folder holds).
function M.list()
    local out, seen = {}, {}
    local function add(name, path)
        if seen[name] then return end
        seen[name] = true
        out[#out + 1] = { name = name, path = path, summary = M.summary(M.header(path)) }
    end
    for _, d in ipairs(M.path()) do
        if d[2] ~= "." then
            for _, entry in ipairs(fs.list(d[1]) or {}) do
                local p = d[1] .. "/" .. entry
                if entry:match("%.lua$") and is_file(p) then
                    add(entry:sub(1, -5), p)
                elseif kind(p) == "directory" then
                    for _, f in ipairs(fs.list(p) or {}) do
                        if f:match("%.lua$") and is_file(p .. "/" .. f) then
                            add(entry .. "/" .. f:sub(1, -5), p .. "/" .. f)
                        end
                    end
                end
            end
        end
    end
    return out
end

return M
