-- mfakit.cli: what the built-in commands share: option parsing, output in
-- text or JSON, and one-line failures.
--   parse(args, spec) -> opts, positional | nil, message
-- spec: { ["user-pool-id"] = "string", ["remember-device"] = "flag",
--         mau = "number", ... }; options may be given as --name value or
-- --name=value. The global options (--region, --profile, --endpoint,
-- --trace, --output) are accepted after the command too.
local config = require "mfakit.config"
local json = require "mfakit.json"
local check = require("mfakit.args").check
local secrets = require "mfakit.secrets"

local M = {}

-- An argument as it is shown in a message: control characters (a newline,
-- a terminal escape) as \ddd, and at most 60 bytes, so the message stays one
-- harmless line.
local function shown(v)
    v = tostring(v)
    if #v > 60 then v = v:sub(1, 57) .. "..." end
    return (v:gsub("%c", function(c) return string.format("\\%03d", c:byte()) end))
end
M._shown = shown

local GLOBAL = { region = "string", profile = "string", endpoint = "string", output = "string", trace = "flag",
                 ["local"] = "flag" }

function M.parse(args, spec)
    check(1, "cli.parse", args, "table")
    check(2, "cli.parse", spec, "table")
    for i = 1, #args do
        if type(args[i]) ~= "string" then check(1, "cli.parse", args[i], "string") end
    end
    local opts, positional = {}, {}
    local i = 1
    while i <= #args do
        local a = args[i]
        local name, value = a:match("^%-%-([%w-]+)=(.*)$")
        name = name or a:match("^%-%-([%w-]+)$")
        if a == "--" then
            for j = i + 1, #args do positional[#positional + 1] = args[j] end
            break
        elseif name then
            local kind = spec[name] or GLOBAL[name]
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
            if GLOBAL[name] and not spec[name] then
                if name == "output" and value ~= "text" and value ~= "json" then
                    return nil, "--output must be text or json, not '" .. shown(value) .. "'"
                end
                config[name] = value
                if name == "trace" then
                    require("mfakit.http").trace = function(line) io.stderr:write(line, "\n") end
                end
            elseif kind == "list" then
                opts[name] = opts[name] or {}
                table.insert(opts[name], value)
            else
                opts[name] = value
            end
        else
            positional[#positional + 1] = a
        end
        i = i + 1
    end
    return opts, positional
end

function M.json_output() return config.output == "json" end

function M.print_json(v)
    io.write(json.encode(v), "\n")
end

-- One clear line on stderr, with any secret held scrubbed; returns the
-- exit status.
local function line(text)
    text = secrets.scrub(text):gsub("[\r\n]+", " "):gsub("%c", function(c) return string.format("\\%03d", c:byte()) end)
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

-- A secret from an environment variable, or else the terminal.
function M.secret_from_env(var, what)
    check(1, "cli.secret_from_env", var, "string|nil")
    check(2, "cli.secret_from_env", what, "string")
    if var then
        local v = secrets.from_env(var)
        if not v then return nil, "environment variable " .. var .. " (" .. what .. ") is not set" end
        return v
    end
    local sys = require "mfakit.sys"
    if not sys.isatty(0) then return nil, "no " .. what .. ": pass it in an environment variable" end
    local v, err = sys.read_secret(what:sub(1, 1):upper() .. what:sub(2) .. ": ")
    if not v then return nil, tostring(err) end
    return secrets.add(v)
end

return M
