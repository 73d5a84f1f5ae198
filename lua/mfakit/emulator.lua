-- mfakit.emulator: a local AWS emulator (moto_server) as a child process,
-- for --local and the tests: a free loopback port, the settings the guide
-- needs, dummy credentials, and a stop on exit, error or Ctrl-C.
--   start(opts) -> { url, pid, log, stop = function } | nil, err
local sys = require "mfakit.sys"
local http = require "mfakit.http"
local task = require "mfakit.task"
local errors = require "mfakit.errors"
local atexit = require "mfakit.atexit"
local config = require "mfakit.config"

local check = require("mfakit.args").check

local M = {}

M.start_timeout = 60

-- The only variables of ours the emulator sees.
M.KEEP_ENV = { "PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH" }

local function executable(path)
    local st = sys.stat(path)
    return st and st.mode & 73 ~= 0 -- any x bit (0111)
end

-- moto_server on PATH, MFAKIT_MOTO_SERVER, or the .venv `make deps` makes.
function M.find()
    local explicit = os.getenv("MFAKIT_MOTO_SERVER")
    if explicit and explicit ~= "" then return executable(explicit) and explicit or nil end
    for dir in (os.getenv("PATH") or ""):gmatch("[^:]+") do
        if executable(dir .. "/moto_server") then return dir .. "/moto_server" end
    end
    if executable(".venv/bin/moto_server") then return ".venv/bin/moto_server" end
    return nil
end

local function tail(path, n)
    local f = io.open(path, "r")
    if not f then return "" end
    local lines = {}
    for line in f:lines() do
        lines[#lines + 1] = line
        if #lines > n then table.remove(lines, 1) end
    end
    f:close()
    return table.concat(lines, "\n")
end

M.port_attempts = 3

-- One try: returns handle | nil, err, true when the port was taken.
local function start_on_free_port(server, opts)
    local port, err = sys.free_port()
    if not port then return nil, err end
    local log = os.tmpname()
    local pid
    -- moto gets a bare environment: none of the user's AWS credentials,
    -- passwords or other secrets, only what Python needs to start
    pid, err = sys.spawn{ server, "-H", "127.0.0.1", "-p", tostring(port), stdout = log, keep = M.KEEP_ENV, env = {
        MOTO_IAM_LOAD_MANAGED_POLICIES = "true", MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP = "true",
    } }
    if not pid then return nil, err end
    local url = "http://127.0.0.1:" .. port
    local handle = { url = url, pid = pid, log = log }
    local stopped = false
    function handle.stop()
        if stopped then return end
        stopped = true
        sys.kill(pid, "TERM")
        local deadline = sys.monotonic() + 3
        while not sys.wait(pid) do
            if sys.monotonic() > deadline then
                sys.kill(pid, "KILL")
                sys.wait(pid, true)
                break
            end
            sys.sleep(0.05)
        end
        os.remove(log)
    end
    atexit.register(handle.stop)
    sys.trap_signals()
    local deadline = sys.monotonic() + (opts.timeout or M.start_timeout)
    while true do
        -- our child first: an answer on the port while it is gone is someone else's server
        local exited, status = sys.wait(pid)
        if exited then
            stopped = true
            local why = tail(log, 5)
            os.remove(log)
            return nil, errors.new{ code = "EmulatorFailed",
                message = string.format("moto_server exited with status %s: %s", tostring(status), why) },
                why:find("in use", 1, true) ~= nil
        end
        -- the readiness polls are ours, not the user's requests: kept out of --trace
        local trace = http.trace
        http.trace = nil
        local r = http.request{ url = url .. "/moto-api/", timeout = 2 }
        http.trace = trace
        if r and r.status == 200 then return handle end
        if sys.monotonic() > deadline then
            handle.stop()
            return errors.fail("EmulatorFailed", "moto_server did not answer within %s s",
                tostring(opts.timeout or M.start_timeout))
        end
        task.sleep(0.1)
    end
end

function M.start(opts)
    opts = check(1, "emulator.start", opts, "table|nil") or {}
    local server = M.find()
    if not server then
        return errors.fail("EmulatorNotFound", "moto_server is not installed: install it with " ..
            "`pip install 'moto[server]'` (or `make deps`, which puts it in .venv), or set MFAKIT_MOTO_SERVER")
    end
    -- A free port may be taken by someone else before moto binds it: then
    -- moto exits saying so, and we try again with another port.
    for attempt = 1, M.port_attempts do
        local h, err, retry = start_on_free_port(server, opts)
        if h then return h end
        if not retry or attempt == M.port_attempts then return nil, err end
    end
end

local started

-- Starts the emulator once when --local was given (the global option or a
-- command's) and points every client at it; a no-op otherwise. Every
-- front door (scripts, guide, login, doctor, user scripts) calls this.
function M.ensure()
    if not config["local"] or started then return true end
    local h, err = M.start()
    if not h then return nil, err end
    M.use(h)
    started = h
    return h
end

-- Points every AWS client of this process at the emulator, with dummy
-- credentials (moto accepts any unless told to check signatures).
function M.use(handle, region)
    check(1, "emulator.use", handle, "table")
    check(2, "emulator.use", region, "string|nil")
    config.endpoint = handle.url
    config.region = config.region or region or "us-east-1"
    sys.setenv("AWS_ACCESS_KEY_ID", "testing")
    sys.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    sys.setenv("AWS_SESSION_TOKEN", nil)
end

return M
