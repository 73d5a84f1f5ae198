-- mfakit.cognito.codes: where a one-time code (or a secret) comes from.
--   source(spec, what) -> function(ctx) -> code | nil, err
-- spec:
--   "123456"            the code itself
--   "env:VAR"           the environment variable VAR
--   "file:PATH"         the first line of PATH, once it appears or changes
--                       after the sign-in started (a regular file)
--   "cmd:COMMAND"       the first line COMMAND prints
--   "totp:BASE32"       the current TOTP code for that secret
--   "prompt"            asked on the terminal (no echo for secrets)
--   function(ctx)       returns the code (or nil, err); ctx has challenge
--                       and destination
--   { totp_secret = "BASE32" } same as "totp:BASE32"
-- `what` names the thing in errors and prompts ("SMS code", "password").
local errors = require "mfakit.errors"
local totp = require "mfakit.totp"
local sys = require "mfakit.sys"
local task = require "mfakit.task"

local M = {}

M.file_timeout = 300
M.poll_interval = 0.2
-- The most read from a code file or command (bytes): a code is one short
-- line, and a command that never stops printing (`yes`) must not fill memory.
M.max_output = 64 * 1024

local function first_line(s)
    return (s or ""):match("^[^\r\n]*")
end

local function read_file(path)
    local f = io.open(path, "r")
    if not f then return nil end
    local s = f:read(M.max_output) or ""
    f:close()
    return s
end

-- Waits until PATH holds a line that was not there when we started.
local function from_file(path, what)
    local before = sys.stat(path)
    if before and before.type ~= "file" then
        -- reading a named pipe would block every task; waiting on a file does not
        return function()
            return errors.fail("CodeSourceFailed", "%s is a %s: give the %s in a regular file", path, before.type, what)
        end
    end
    local before_text = before and read_file(path)
    return function()
        local deadline = sys.monotonic() + M.file_timeout
        while true do
            local st = sys.stat(path)
            if st and (not before or st.mtime ~= before.mtime or st.size ~= before.size) then
                local text = read_file(path)
                if text and text ~= before_text and first_line(text) ~= "" then
                    before, before_text = st, text
                    return first_line(text)
                end
            end
            if sys.monotonic() > deadline then
                return errors.fail("CodeTimeout", "no %s appeared in %s within %d s", what, path, M.file_timeout)
            end
            task.sleep(M.poll_interval)
        end
    end
end

local function from_command(command, what)
    return function()
        local p = io.popen(command, "r")
        if not p then return errors.fail("CodeSourceFailed", "cannot run the %s command", what) end
        local out, left = {}, M.max_output
        repeat
            local chunk = p:read(math.min(left, 4096))
            if chunk then out[#out + 1], left = chunk, left - #chunk end
        until not chunk or left <= 0
        out = table.concat(out)
        if left <= 0 and p:read(1) then
            p:close() -- the command gets SIGPIPE on its next write
            return errors.fail("CodeSourceFailed", "the %s command printed more than %d bytes", what, M.max_output)
        end
        local ok, _, status = p:close()
        if not ok then
            return errors.fail("CodeSourceFailed", "the %s command exited with status %s", what, tostring(status))
        end
        local line = first_line(out)
        if line == "" then return errors.fail("CodeSourceFailed", "the %s command printed nothing", what) end
        return line
    end
end

local function from_totp(secret, what)
    local ok, err = totp.code(secret, 0)
    if not ok then
        return function() return errors.fail("InvalidTOTPSecret", "the %s secret is not valid base32: %s", what,
            err and err.message or "?") end
    end
    return function() return totp.code(secret) end
end

function M.source(spec, what)
    what = what or "code"
    local t = type(spec)
    if t == "function" then
        return function(ctx)
            local v, err = spec(ctx)
            if v == nil then
                return nil, errors.is(err) and err or errors.new{ code = "CodeSourceFailed",
                    message = "the " .. what .. " function gave no value" .. (err and (": " .. tostring(err)) or "") }
            end
            return tostring(v)
        end
    elseif t == "table" and type(spec.totp_secret) == "string" then
        return from_totp(spec.totp_secret, what)
    elseif t ~= "string" then
        error("code source for " .. what .. ": string, table {totp_secret=} or function expected, got " .. t, 3)
    end
    local kind, rest = spec:match("^(%a+):(.*)$")
    if kind == "env" then
        return function()
            local v = os.getenv(rest)
            if not v or v == "" then
                return errors.fail("CodeSourceFailed", "environment variable %s (for the %s) is not set", rest, what)
            end
            return v
        end
    elseif kind == "file" then
        return from_file(rest, what)
    elseif kind == "cmd" then
        return from_command(rest, what)
    elseif kind == "totp" then
        return from_totp(rest, what)
    elseif spec == "prompt" then
        return function(ctx)
            local label = what:sub(1, 1):upper() .. what:sub(2)
            if ctx and ctx.destination then label = label .. " (sent to " .. ctx.destination .. ")" end
            return sys.read_secret(label .. ": ")
        end
    elseif kind then
        error("code source for " .. what .. ": unknown kind '" .. kind ..
            ":' (use env:, file:, cmd:, totp:, prompt or the value itself)", 3)
    end
    return function() return spec end
end

return M
