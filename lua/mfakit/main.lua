-- mfakit.main: the command line. Behaves like `lua`:
--   mfakit [options] script.lua [args...]   run a script (arg, ...)
--   mfakit [options] -e 'chunk' [args...]  run a chunk
--   mfakit [options] - [args...]           run standard input
--   mfakit [options] COMMAND [...]         run a built-in command
-- The script's main chunk runs as a task; an integer it returns is the exit
-- status. Uncaught errors print a traceback and exit 1.
local cli = require "mfakit.cli"
local sys = require "mfakit.sys"

local USAGE = [[
usage: mfakit [options] script.lua [args...]
       mfakit [options] -e 'chunk' [args...]
       mfakit [options] - [args...]
       mfakit [options] COMMAND [command options]

Options:
  --region REGION      AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)
  --profile NAME       profile in the shared AWS config and credentials files
  --endpoint URL       send every AWS call to URL (e.g. a local emulator)
  --trace              print every request and response to stderr, secrets redacted
  --output text|json   output format of commands (default text)
  --local              start a local AWS emulator (moto_server) for this run and use it
  -e CHUNK             run CHUNK
  -                    run the script on standard input
  -v, --version        print the versions of mfakit and its libraries, and exit
  -h, --help           print this help and exit

Commands:
%s
mfakit help COMMAND (or mfakit COMMAND --help) shows a command's help; man mfakit-COMMAND its page.
Environment: MFAKIT_PATH=dir:dir is searched by mfakit run; MFAKIT_LUA_DIR=path runs the Lua library
from a source tree.
Docs: docs/SCRIPTING.md (the Lua API), README.md.
]]

-- Built-in commands: name -> { module, summary }. A command module returns
-- function(args) -> exit status.
local COMMANDS = {
    { "run", "mfakit.cmd.run", "run a script by name (mfakit run login-load; run --list)" },
    { "help", "mfakit.cmd.help", "a command's help, its manual page, or the shell completion script" },
    { "login", "mfakit.cmd.login", "sign in to a Cognito user pool (SRP, SMS/TOTP MFA)" },
    { "totp", "mfakit.cmd.totp", "print a TOTP code or an otpauth:// URI" },
    { "guide", "mfakit.cmd.guide", "provision or tear down the guide's stack (up|down|status|env|plan)" },
    { "doctor", "mfakit.cmd.doctor", "check why SMS codes do not arrive or MFA does not prompt" },
    { "cost", "mfakit.cmd.cost", "estimate the monthly cost of MFA" },
    { "test", "mfakit.cmd.test", "run test files (login journeys, CI) with TAP and JUnit reports" },
    { "load", "mfakit.cmd.load", "paced concurrent sign-ins: latency per phase, errors, thresholds" },
    { "audit", "mfakit.cmd.audit", "who changed MFA, and when, from CloudTrail (last 90 days)" },
}

-- `mfakit help`, the man pages and the completion scripts read this list
cli.register(COMMANDS)

local function command_module(name)
    for _, c in ipairs(COMMANDS) do
        if c[1] == name then return c[2] end
    end
end

local function available_commands()
    local lines = {}
    for _, c in ipairs(COMMANDS) do
        if package.searchpath and pcall(require, c[2]) then
            lines[#lines + 1] = string.format("  %-8s %s", c[1], c[3])
        end
    end
    if #lines == 0 then return "  (none yet)" end
    return table.concat(lines, "\n")
end

-- mfakit --help, which `mfakit help` prints too
function cli.main_help() return USAGE:format(available_commands()) end

local function die(msg, status)
    io.stderr:write("mfakit: ", msg, "\n")
    return status or 2
end

-- As curl -V does: mfakit's version, then each library's, as the library
-- itself reports it at run time (libcurl is loaded on first use: this
-- loads it, and says so when it cannot).
local function version()
    local loop = require "mfakit.loop"
    return table.concat({
        string.format("mfakit %s (%s)", sys.version, sys.lua_version),
        "Lua: " .. sys.lua_version:gsub("^Lua ", ""),
        "libcurl: " .. loop.version(),
        "OpenSSL: " .. require("mfakit.crypto").library_version,
        "cJSON: " .. require("mfakit.json").library_version,
        "expat: " .. require("mfakit.xml").library_version:gsub("^expat_", ""),
    }, "\n")
end

local MAIN_OPTIONS = { { "help", "flag" }, { "version", "flag" } }

-- The options before the script or command: mfakit's own (-h, -v) and the
-- global ones, through the one parser. Returns the index of the first other
-- argument and the global options, or nil and a message.
local function parse_options(argv)
    local list = {}
    for i = 1, #argv do list[i] = argv[i] end
    local o, rest, globals = cli.parse(list, MAIN_OPTIONS, true)
    if not o then return nil, rest .. " (see mfakit --help)" end
    if o.help then return "help" end
    if o.version then return "version" end
    local first = #argv - #rest + 1
    local a = argv[first]
    if a == "-h" then return "help" elseif a == "-v" then return "version" end
    return first, globals
end

local function run_main_task(fn, args)
    local task = require "mfakit.task"
    local t = task.spawn(fn, table.unpack(args, 1, args.n))
    -- The loop itself may fail (Ctrl-C): catch that too, so clean-up runs.
    local res = table.pack(pcall(task.wait, t))
    if res[1] then res = table.pack(table.unpack(res, 2, res.n)) end
    local ok_drain, drain_err = true, nil
    if not sys.pending_signal() then ok_drain, drain_err = pcall(task.drain) end
    require("mfakit.atexit").run()
    local status = 0
    if not res[1] then
        local e = res[2]
        io.stderr:write("mfakit: ", require("mfakit.secrets").scrub(tostring(e)), "\n")
        local why = tostring(e)
        status = why == "interrupted by SIGINT" and 130 or why == "interrupted by SIGTERM" and 143 or 1
    elseif math.type(res[2]) == "integer" then
        status = res[2]
    end
    for _, e in ipairs(task.unobserved_failures()) do
        io.stderr:write("mfakit: a task failed: ", tostring(e), "\n")
        if status == 0 then status = 1 end
    end
    if not ok_drain then
        io.stderr:write("mfakit: ", tostring(drain_err), "\n")
        if status == 0 then status = 1 end
    end
    return status
end

local function set_arg(argv, script_index)
    local a = {}
    for k = 0, #argv do a[k - script_index] = argv[k] end
    rawset(_G, "arg", a)
    return table.pack(table.unpack(argv, script_index + 1, #argv))
end

-- os.exit from a script would skip the clean-up (a --local emulator):
-- run it first, as a normal end would.
local raw_exit = os.exit
rawset(os, "exit", function(...)
    require("mfakit.atexit").run()
    return raw_exit(...)
end)

return function(argv)
    local first, globals = parse_options(argv)
    if not first then return die(globals) end
    if first == "help" then
        io.write(cli.main_help())
        return 0
    elseif first == "version" then
        print(version())
        return 0
    end

    local target = argv[first]
    if target == nil then
        io.stderr:write(USAGE:format(available_commands()))
        return 2
    end
    local chunk, load_err
    if target == "-e" then
        local code = argv[first + 1]
        if not code then return die("-e needs a chunk") end
        chunk, load_err = load(code, "=(command line)", "t")
        first = first + 1
        argv[first] = argv[0]
    elseif target == "-" then
        chunk, load_err = load(io.read("a"), "=stdin", "t")
        argv[first] = argv[0]
    elseif command_module(target) and not target:find("[/.]") then
        local ok, cmd = pcall(require, command_module(target))
        if not ok then return die("command '" .. target .. "' is not available: " .. tostring(cmd)) end
        local args = set_arg(argv, first)
        -- the global options given before the command count as if given after it
        -- the emulator starts only once the command's options are known good
        return run_main_task(function() return cli.run_command(cmd, args, globals) end, table.pack())
    elseif target:match("^%-.") then
        return die("unknown option " .. target .. " (see mfakit --help)")
    else
        chunk, load_err = loadfile(target, "t")
        if not chunk and not io.open(target, "r") then
            return die("cannot open " .. target .. " (no such file, and not a command; see mfakit --help)", 1)
        end
    end
    if not chunk then return die(load_err, 1) end
    local script = chunk
    chunk = function(...)
        local ok, err = cli.start(globals)
        if not ok then error(err, 0) end
        return script(...)
    end
    return run_main_task(chunk, set_arg(argv, first))
end
