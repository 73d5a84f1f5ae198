-- mfakit.cli: the front door every command and script goes through: one
-- option parser, help made from each one's option declaration, the one
-- place the global options (--region, --profile, --endpoint, --trace,
-- --output, --local) become process settings, output in text or JSON, and
-- one-line failures. Options may be given as --name value or --name=value,
-- and the global options after the command or script name too.
local config = require "mfakit.config"
local json = require "mfakit.json"
local check = require("mfakit.args").check
local secrets = require "mfakit.secrets"
local errors = require "mfakit.errors"

local M = {}


-- An argument as it is shown in a message: control characters (a newline,
-- a terminal escape) as \ddd, and at most 60 bytes, so the message stays one
-- harmless line.
local shown = errors.shown
M._shown = shown

-- Option specs. A spec is an array of rows { name, kind, arg, help }:
-- kind is "flag", "string", "number" or "list" (repeatable); arg is the
-- placeholder help shows ("NAME"). A row may add `values = { ... }`, the
-- values it takes (shell completion offers them). Help text, the man pages
-- and the completion scripts are all made from the same rows.
-- (A map { name = kind } is accepted too, for scripts written before.)
M.GLOBAL = {
    { "region", "string", "REGION", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)" },
    { "profile", "string", "NAME", "profile in the shared AWS config and credentials files" },
    { "endpoint", "string", "URL", "send every AWS call to URL (e.g. a local emulator)" },
    { "trace", "flag", nil, "print every request and response to stderr, secrets redacted" },
    { "output", "string", "text|json", "output format of commands (default text)", values = { "text", "json" } },
    { "local", "flag", nil, "start a local AWS emulator (moto_server) for this run and use it" },
}

local function kinds(spec)
    local out = {}
    if spec[1] then
        for _, row in ipairs(spec) do out[row[1]] = row[2] end
    else
        for k, v in pairs(spec) do out[k] = v end
    end
    return out
end

local GLOBAL_KIND = kinds(M.GLOBAL)

-- parse(args, spec [, stop]) -> opts, positional, globals | nil, message
-- Reads no process setting and changes none: the global options found are
-- returned in `globals` for M.start. With `stop`, parsing ends at the first
-- argument that is not an option (positional then holds it and the rest).
function M.parse(args, spec, stop)
    check(1, "cli.parse", args, "table")
    check(2, "cli.parse", spec, "table")
    for i = 1, #args do
        if type(args[i]) ~= "string" then check(1, "cli.parse", args[i], "string") end
    end
    local kind_of = kinds(spec)
    local opts, positional, globals = {}, {}, {}
    local i = 1
    while i <= #args do
        local a = args[i]
        local name, value = a:match("^%-%-([%w-]+)=(.*)$")
        name = name or a:match("^%-%-([%w-]+)$")
        if a == "--" then
            for j = i + 1, #args do positional[#positional + 1] = args[j] end
            break
        elseif name then
            local kind = kind_of[name] or GLOBAL_KIND[name]
            if not kind then return nil, "unknown option --" .. shown(name) end
            if kind == "flag" then
                if value then return nil, "option --" .. name .. " takes no value" end
                value = true
            elseif not value then
                i = i + 1
                value = args[i]
                if value == nil then return nil, "option --" .. name .. " needs a value" end
            end
            if kind == "number" then
                local n = tonumber(value)
                if not n or n ~= n or n == math.huge or n == -math.huge then
                    return nil, "option --" .. name .. " needs a number, not '" .. shown(value) .. "'"
                end
                value = n
            end
            if kind ~= "list" and (opts[name] ~= nil or globals[name] ~= nil) then
                return nil, "option --" .. name .. " is given twice"
            end
            if GLOBAL_KIND[name] and not kind_of[name] then
                if name == "output" and value ~= "text" and value ~= "json" then
                    return nil, "--output must be text or json, not '" .. shown(value) .. "'"
                end
                globals[name] = value
            elseif kind == "list" then
                opts[name] = opts[name] or {}
                table.insert(opts[name], value)
            else
                opts[name] = value
            end
        elseif stop then
            for j = i, #args do positional[#positional + 1] = args[j] end
            break
        elseif a:match("^%-%-?.") or a:match("^\226\128[\147\148]") then
            -- "-stack", "--stäck", "--stack_name", "—stack" (a dash pasted from a web
            -- page): a mistyped option must never be taken for an argument
            return nil, "unknown option " .. shown(a) .. (a:match("^\226") and " (a typographic dash: use --)" or "")
        else
            positional[#positional + 1] = a
        end
        i = i + 1
    end
    return opts, positional, globals
end

-- The one place where command-line options become process settings: the
-- config, the trace sink, and the emulator that --local starts.
function M.start(globals)
    check(1, "cli.start", globals or {}, "table")
    globals = globals or {}
    -- --local and --endpoint both name where AWS calls go: one of them, not
    -- both (the emulator's own endpoint, once started, is not the user's)
    if (globals.endpoint and (config["local"] or globals["local"])) or
        (globals["local"] and config.endpoint and not M.local_started) then
        return errors.fail("InvalidOption", "--local starts its own emulator: give --local or --endpoint, not both")
    end
    for k, v in pairs(globals) do config[k] = v end
    if config.trace and not M.tracing then
        M.tracing = true
        require("mfakit.http").trace = function(line) io.stderr:write(line, "\n") end
    end
    if config["local"] then
        local ok, err = require("mfakit.emulator").ensure()
        if not ok then return nil, err end
        M.local_started = true
    end
    return true
end

-- words of `text` in lines of at most `width` characters
local function wrap(text, width)
    local lines, cur = {}, ""
    for word in text:gmatch("%S+") do
        if cur ~= "" and #cur + 1 + #word > width then
            lines[#lines + 1], cur = cur, word
        else
            cur = cur == "" and word or (cur .. " " .. word)
        end
    end
    lines[#lines + 1] = cur
    return lines
end

local function rows_help(rows)
    local out = {}
    for _, row in ipairs(rows) do
        local left = "  --" .. row[1] .. (row[3] and (" " .. row[3]) or "")
        if #left > 26 then
            out[#out + 1] = left
            left = ""
        end
        for i, l in ipairs(wrap(row[4] or "", 72)) do
            out[#out + 1] = (string.format("%-26s %s", i == 1 and left or "", l):gsub("%s+$", ""))
        end
    end
    return table.concat(out, "\n")
end

-- The built-in commands, as mfakit.main registers them: each { name,
-- module, summary }. `mfakit help`, the man pages and the completion
-- scripts go through this list, so a command added there gets them all.
M.COMMANDS = {}

function M.register(commands)
    check(1, "cli.register", commands, "table")
    M.COMMANDS = commands
end

-- A row's values: its `values`, else those its placeholder lists
-- ("text|json", "OFF|OPTIONAL|ON"); nil when it takes any value.
function M.values(row)
    if row.values then return row.values end
    local arg = row[3]
    if not (arg and arg:find("|", 1, true)) then return nil end
    local out = {}
    for v in arg:gmatch("[^|]+") do
        if not v:match("^[%w_.-]+$") then return nil end
        out[#out + 1] = v
    end
    return out
end

-- A script's header comment stands in for the summary its declaration
-- does not give (arg[0] is the script running).
local function with_header(def)
    if def.summary or not (rawget(_G, "arg") and arg[0] and arg[0]:match("%.lua$")) then return def end
    local header = require("mfakit.cli.scripts").header(arg[0])
    if not header then return def end
    local copy = {}
    for k, v in pairs(def) do copy[k] = v end
    copy.summary = header
    return copy
end

-- Help made from a command's (or script's) declaration: { name, usage,
-- summary, options = rows, notes }.
function M.help(def)
    local parts = { "usage: mfakit " .. def.name .. (def.usage and (" " .. def.usage) or "") }
    if def.summary then parts[#parts + 1] = def.summary end
    if def.options and #def.options > 0 then
        parts[#parts + 1] = "Options:"
        parts[#parts + 1] = rows_help(def.options)
    end
    parts[#parts + 1] = "Global options:"
    parts[#parts + 1] = rows_help(M.GLOBAL)
    if def.notes then parts[#parts + 1] = (def.notes:gsub("\n$", "")) end
    return table.concat(parts, "\n") .. "\n"
end

local function with_help(options)
    local rows = {}
    for _, r in ipairs(options or {}) do rows[#rows + 1] = r end
    rows[#rows + 1] = { "help", "flag", nil, "print this help and exit" }
    return rows
end

-- The front door of a command or script: parse `args` by the declaration
-- (def = { name, usage, summary, options, notes, stop }: with stop, the
-- options end at the first argument that is not one), answer --help, apply
-- the global options. Returns opts, positional, or nil and the exit status
-- after printing help (0) or one line (2 usage, 1 failure).
function M.open(def, args, leading)
    check(1, "cli.open", def, "table")
    check(2, "cli.open", args, "table")
    check(3, "cli.open", leading, "table|nil")
    local o, pos, globals = M.parse(args, with_help(def.options), def.stop)
    if not o then return nil, M.usage(def.name, pos) end
    if o.help then
        io.write(M.help(with_header(def)))
        return nil, 0
    end
    -- any command or script that declares --code-timeout (codes.TIMEOUT_OPTION) gets it applied here
    if o["code-timeout"] ~= nil then
        local ok, why = require("mfakit.cognito.codes").set_timeout(o["code-timeout"])
        if not ok then return nil, M.usage(def.name, why) end
    end
    -- the global options given before the command count as if given after it
    for k, v in pairs(leading or {}) do
        if globals[k] == nil then globals[k] = v end
    end
    local ok, err = M.start(globals)
    if not ok then return nil, M.fail(def.name, err, nil, err.code == "InvalidOption" and 2 or 1) end
    return o, pos
end

-- Runs a built-in command: cmd = { name, usage, summary, options, notes,
-- run = function(opts, positional) -> exit status }.
function M.run_command(cmd, args, leading)
    if type(cmd) == "function" then -- a command of one's own, written before
        local ok, err = M.start(leading)
        if not ok then return M.fail("command", err) end
        return cmd(args)
    end
    local o, pos = M.open(cmd, args, leading)
    if not o then return pos end
    return cmd.run(o, pos)
end

-- A command module: callable with the argument list, as before.
function M.command(cmd)
    return setmetatable(cmd, { __call = function(self, args) return M.run_command(self, args) end })
end

function M.json_output() return config.output == "json" end

-- "1 check", "2 checks": a count as a person writes it (plural: the word's
-- plural when it is not word .. "s").
function M.count(n, word, plural)
    check(1, "cli.count", n, "number")
    check(2, "cli.count", word, "string")
    return string.format("%d %s", n, n == 1 and word or (plural or (word .. "s")))
end

function M.print_json(v)
    io.write(json.encode(v), "\n")
end

-- One clear line on stderr, with any secret held scrubbed; returns the
-- exit status.
local function line(text)
    text = errors.one_line(secrets.scrub(text))
    -- one line a person can read: a 100 KB value quoted in it is cut
    if #text > 2000 then text = text:sub(1, 1990) .. " [...]" end
    io.stderr:write(text, "\n")
end

function M.fail(command, err, hint, status)
    check(1, "cli.fail", command, "string")
    line("mfakit " .. command .. ": " .. tostring(err) .. (hint and (" (" .. hint .. ")") or ""))
    return status or 1
end

-- Bad usage: one line too, pointing at --help (`usage` is not printed: a
-- wall of text hides the one line that matters).
function M.usage(command, message, usage)
    check(1, "cli.usage", command, "string")
    check(2, "cli.usage", message, "string")
    check(3, "cli.usage", usage, "string|nil")
    line("mfakit " .. command .. ": " .. message .. " (see mfakit " .. command .. " --help)")
    return 2
end

-- An output file a command was asked to write (--write, --junit, --chart):
-- it is replaced whole, so it must be a regular file or not exist yet; a
-- link, a FIFO or a device would be replaced instead of written to.
-- With `through` the command writes into the file (io.open) rather than
-- replacing it: then a link or a device (/dev/null) is fine, and only what
-- would hang or fail (a FIFO, a socket, a directory) is refused.
function M.output_path(option, path, through)
    check(1, "cli.output_path", option, "string")
    check(2, "cli.output_path", path, "string")
    local kind = require("mfakit.fs").kind(path)
    local fine = kind == "file" or (through and (kind == "link" or kind == "device"))
    if kind and not fine then
        return nil, string.format("--%s %s is a %s, not a regular file: give a plain file's path", option,
            shown(path), kind)
    end
    return path
end

-- A secret from an environment variable, or else the terminal.
function M.secret_from_env(var, what)
    check(1, "cli.secret_from_env", var, "string|nil")
    check(2, "cli.secret_from_env", what, "string")
    if var then
        local v = secrets.from_env(var)
        if not v then
            return nil, "environment variable " .. var .. " (" .. what .. ") is " ..
                (os.getenv(var) == "" and "empty" or "not set")
        end
        return v
    end
    local sys = require "mfakit.sys"
    if not sys.isatty(0) then return nil, "no " .. what .. ": pass it in an environment variable" end
    local v, err = sys.read_secret(what:sub(1, 1):upper() .. what:sub(2) .. ": ")
    if not v then return nil, tostring(err) end
    return secrets.add(v)
end

return M
