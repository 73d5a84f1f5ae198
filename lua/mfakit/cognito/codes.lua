-- mfakit.cognito.codes: where a one-time code (or a secret) comes from.
--   source(spec, what) -> function(ctx) -> code | nil, err
-- spec:
--   "123456"            the code itself
--   "env:VAR"           the environment variable VAR
--   "file:PATH"         the first line of PATH, once it appears or changes
--                       after the sign-in started (a regular file)
--   "cmd:COMMAND"       the first line COMMAND prints (at most max_output
--                       bytes; the environment minus the secrets' variables)
--   "totp-env:VAR"      the current TOTP code for the secret in VAR
--   "totp-file:PATH"    the same, for the secret on the first line of PATH
--   "totp:BASE32"       the same, for that secret (visible in `ps` when it
--                       comes from the command line: prefer the two above)
--   "prompt"            asked on the terminal (no echo for secrets)
--   function(ctx)       returns the code (or nil, err); ctx has challenge
--                       and destination
--   { totp_secret = "BASE32" } same as "totp:BASE32"
-- `what` names the thing in errors and prompts ("SMS code", "password").
-- Every value a source gives, and every TOTP secret, is added to
-- mfakit.secrets, so no message or trace shows it.
local errors = require "mfakit.errors"
local secrets = require "mfakit.secrets"
local check = require("mfakit.args").check
local totp = require "mfakit.totp"
local sys = require "mfakit.sys"
local task = require "mfakit.task"

local M = {}

-- How long a file: or cmd: source is waited for (--code-timeout S).
M.file_timeout = 300
M.poll_interval = 0.2
M.max_output = 4096 -- bytes a cmd: source may print

local KINDS = { env = true, file = true, cmd = true, totp = true, ["totp-env"] = true, ["totp-file"] = true }

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

-- A source that waits for a person (or a phone) says so, once, when there
-- is a terminal to say it on; a silent wait looks like a hang.
function M.waiting(text)
    if sys.isatty(2) then io.stderr:write("mfakit: ", text, "\n") end
end

-- The --code-timeout option, as the commands and scripts that take a code
-- source declare it.
M.TIMEOUT_OPTION = { "code-timeout", "number", "S",
                     "wait this long for a file: or cmd: code source (default 300 s)" }

-- Sets M.file_timeout (file: and cmd: alike) from --code-timeout; nil, message when out of range.
function M.set_timeout(seconds)
    if seconds == nil then return true end
    if seconds <= 0 or seconds > 86400 then return nil, "--code-timeout must be more than 0 and at most 86400 s" end
    M.file_timeout = seconds
    return true
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
    local said = false
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
                return errors.fail("CodeTimeout", "no %s appeared in %s within %g s", what, path, M.file_timeout)
            end
            if not said then
                said = true
                M.waiting(string.format("waiting up to %g s for the %s in %s", M.file_timeout, what, path))
            end
            task.sleep(M.poll_interval)
        end
    end
end

-- The command runs with the shell, without the variables mfakit read
-- secrets from (AWS credentials still pass: a command may call AWS).
local function from_command(command, what)
    local said = false
    return function()
        if not said then
            said = true
            M.waiting(string.format("waiting up to %g s for the %s from its command", M.file_timeout, what))
        end
        -- timeout(1) ends a command that would wait for ever; it exits 124 then
        local out, status = sys.run({ "/bin/sh", "-c", 'exec timeout "$0" /bin/sh -c "$1"',
            string.format("%g", M.file_timeout), command },
            { unset = secrets.withheld(), max_output = M.max_output })
        if not out then
            if status.code == "OutputTooLarge" then
                return errors.fail("CodeSourceTooLarge", "the %s command printed more than %d bytes", what,
                    M.max_output)
            end
            return errors.fail("CodeSourceFailed", "cannot run the %s command: %s", what, status.message)
        end
        if status == 124 then
            return errors.fail("CodeTimeout", "the %s command gave no code within %g s", what, M.file_timeout)
        end
        if status ~= 0 then
            return errors.fail("CodeSourceFailed", "the %s command exited with status %s", what, tostring(status))
        end
        local line = first_line(out)
        if line == "" then return errors.fail("CodeSourceFailed", "the %s command printed nothing", what) end
        return line
    end
end

local function from_totp(secret, what)
    secrets.add(secret)
    local ok, err = totp.code(secret, 0)
    if not ok then
        return function() return errors.fail("InvalidTOTPSecret", "the %s secret is not valid base32: %s", what,
            err and err.message or "?") end
    end
    return function() return totp.code(secret) end
end

-- The TOTP secret is read when the code is needed, as a missing env: value is.
local function from_totp_env(var, what)
    return function()
        local secret = secrets.from_env(var)
        if not secret then
            return errors.fail("CodeSourceFailed", "environment variable %s (the %s secret) is not set", var, what)
        end
        return from_totp(secret, what)()
    end
end

local function from_totp_file(path, what)
    return function()
        local text = read_file(path)
        local secret = text and first_line(text):match("^%s*(.-)%s*$")
        if not secret or secret == "" then
            return errors.fail("CodeSourceFailed", "cannot read the %s secret from %s", what, path)
        end
        return from_totp(secret, what)()
    end
end

-- The kind of a string spec and the rest; nil, message for an unknown kind
-- (the command line reports that in one line; source() raises).
function M.parse(spec)
    check(1, "codes.parse", spec, "string")
    local kind, rest = spec:match("^([%a][%w%-]*):(.*)$")
    if kind and not KINDS[kind] then
        return nil, "unknown code source '" .. kind .. ":' (use env:, file:, cmd:, totp-env:, totp-file:, " ..
            "totp:, prompt or the value itself)"
    end
    return kind or (spec == "prompt" and "prompt") or "value", rest or spec
end

local function make(spec, what)
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
    end
    local kind, rest = M.parse(spec)
    if not kind then error("code source for " .. what .. ": " .. rest, 3) end
    if kind == "env" then
        return function()
            local v = secrets.from_env(rest)
            if not v then
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
    elseif kind == "totp-env" then
        return from_totp_env(rest, what)
    elseif kind == "totp-file" then
        return from_totp_file(rest, what)
    elseif kind == "prompt" then
        return function(ctx)
            local label = what:sub(1, 1):upper() .. what:sub(2)
            if ctx and ctx.destination then label = label .. " (sent to " .. ctx.destination .. ")" end
            return sys.read_secret(label .. ": ")
        end
    end
    return function() return spec end
end

function M.source(spec, what)
    local t = type(spec)
    if t ~= "function" and t ~= "string" and not (t == "table" and type(spec.totp_secret) == "string") then
        check(1, "code_source", spec, "string|function|{totp_secret=}")
    end
    what = check(2, "code_source", what, "string|nil") or "code"
    local get = make(spec, what)
    return function(ctx)
        local v, err = get(ctx)
        return secrets.add(v), err
    end
end

return M
