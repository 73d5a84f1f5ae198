-- mfakit help [COMMAND]: a command's help, its manual page, or the shell
-- completion script, all made from the commands' declarations (the same
-- rows `COMMAND --help` prints), so none of them can drift from the code.
-- The Makefile runs `mfakit help --man` and `--completion` at build time.
local cli = require "mfakit.cli"

local DEF = {
    name = "help",
    usage = "[COMMAND] [--man] | --completion bash|zsh | --commands",
    summary = "Prints a command's help (the same text as mfakit COMMAND --help), or with --man its manual\n" ..
        "page (roff). Without a COMMAND: mfakit's own help, or its page, mfakit(1).",
    options = {
        { "man", "flag", nil, "print the manual page (roff) instead: man -l reads it" },
        { "completion", "string", "bash|zsh", "print the completion script for the shell" },
        { "commands", "flag", nil, "list the commands' names, one a line" },
    },
    notes = "Manual pages: mfakit(1), and mfakit-COMMAND(1) for each command.",
    complete = "commands",
}

local M = {}

-- Each registered command with its declaration: { { name, def, summary } }.
-- A command written as a bare function has no declaration: it gets a
-- page from its one-line summary alone.
function M.commands()
    local out = {}
    for _, c in ipairs(cli.COMMANDS) do
        local ok, mod = pcall(require, c[2])
        if ok then
            local def = type(mod) == "table" and mod or { name = c[1] }
            out[#out + 1] = { c[1], def, c[3] }
        end
    end
    return out
end

local function find(name)
    for _, c in ipairs(M.commands()) do
        if c[1] == name then return c end
    end
end

local function version()
    return require("mfakit.sys").version
end

-- mfakit(1): the front door, its global options and every command.
local function main_page()
    local list, see = {}, {}
    for _, c in ipairs(M.commands()) do
        list[#list + 1] = { c[1], c[3] }
        see[#see + 1] = "mfakit-" .. c[1]
    end
    local def = {
        name = "mfakit",
        usage = { "[options] COMMAND [command options]", "[options] script.lua [args...]",
                  "[options] -e CHUNK [args...]", "--version" },
        summary = "mfakit sets up, drives, checks and prices Amazon Cognito SMS and TOTP multi-factor\n" ..
            "authentication. It runs a built-in command, or a Lua script with the mfakit library\n" ..
            "(docs/SCRIPTING.md); mfakit run NAME finds a shipped script by name.",
        options = { { "version", "flag", nil, "print the versions of mfakit and the libraries it uses" },
                    { "help", "flag", nil, "print the help and exit" } },
        notes = "Environment: MFAKIT_PATH=dir:dir is searched by mfakit run; MFAKIT_LUA_DIR=path runs the\n" ..
            "Lua library from a source tree.",
    }
    return require("mfakit.cli.man").page(def, { title = "mfakit", oneline = "Cognito SMS and TOTP MFA: set up, " ..
        "drive, check, price", version = version(), global = cli.GLOBAL, commands = list, see_also = see })
end

function DEF.run(o, pos)
    if #pos > 1 then return cli.usage("help", "unexpected argument '" .. cli._shown(pos[2]) .. "'") end
    if o.commands then
        for _, c in ipairs(M.commands()) do print(c[1]) end
        return 0
    end
    if o.completion then
        if o.completion ~= "bash" and o.completion ~= "zsh" then
            return cli.usage("help", "--completion must be bash or zsh, not '" .. cli._shown(o.completion) .. "'")
        end
        local list = {}
        for _, c in ipairs(M.commands()) do list[#list + 1] = { c[1], c[2] } end
        io.write(require("mfakit.cli.complete").script(o.completion, list))
        return 0
    end
    local name = pos[1]
    if not name then
        if o.man then io.write(main_page()) return 0 end
        -- the same text as mfakit --help (mfakit.main sets it)
        io.write(cli.main_help and cli.main_help() or "usage: mfakit COMMAND [options]\n")
        return 0
    end
    local c = find(name)
    if not c then return cli.usage("help", "no command named '" .. cli._shown(name) .. "' (see mfakit --help)") end
    if o.man then
        io.write(require("mfakit.cli.man").page(c[2], { oneline = c[3], version = version(), global = cli.GLOBAL,
            see_also = { "mfakit" } }))
    else
        io.write(cli.help(c[2]))
    end
    return 0
end

for k, v in pairs(DEF) do M[k] = v end
return cli.command(M)
