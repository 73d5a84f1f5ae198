-- mfakit help, the man pages, --version and mfakit run: all made from the
-- commands' declarations and the scripts' headers.
local support = dofile("tests/support.lua")
local cli = require "mfakit.cli"

local function q(s)
    return "'" .. s:gsub("'", "'\\''") .. "'"
end

local t = require "mfakit.test"
local bin = support.bin()
local tmp = (t.env("MFAKIT_TEST_TMP") or "/tmp") .. "/help-" .. require("mfakit.sys").getpid()
os.execute("mkdir -p " .. tmp .. "/lib/tools " .. tmp .. "/cwd")

local function commands()
    local out = support.run(bin .. " help --commands")
    local list = {}
    for name in out:gmatch("[^\n]+") do list[#list + 1] = name end
    return list
end

t.case("help --commands lists every registered command, run and help too", function()
    t.eq(commands(), { "run", "help", "login", "totp", "guide", "doctor", "cost", "test", "load", "audit" })
end)

t.case("mfakit help COMMAND is the same text as COMMAND --help, for every command", function()
    for _, name in ipairs(commands()) do
        local a, aerr, arc = support.run(bin .. " help " .. name)
        local b, berr, brc = support.run(bin .. " " .. name .. " --help")
        t.eq({ arc, aerr, brc, berr }, { 0, "", 0, "" }, name)
        t.eq(a, b, name)
        t.ok(a:match("^usage: mfakit " .. name), a)
    end
    local out, err, rc = support.run(bin .. " help")
    local main = support.run(bin .. " --help")
    t.eq({ rc, err, out }, { 0, "", main })
    out, err, rc = support.run(bin .. " help nosuch")
    t.eq({ rc, out, err }, { 2, "", "mfakit help: no command named 'nosuch' (see mfakit --help) " ..
        "(see mfakit help --help)\n" })
end)

t.case("each man page has the command's options and help text, and man -l reads it", function()
    for _, name in ipairs(commands()) do
        local page, err, rc = support.run(bin .. " help --man " .. name)
        t.eq({ rc, err }, { 0, "" }, name)
        t.ok(page:match('^%.TH MFAKIT%-' .. name:upper():gsub("%-", "%%-") .. ' 1 '), page)
        -- every option row is on the page, as --help lists it
        local help = support.run(bin .. " " .. name .. " --help")
        for opt in help:gmatch("\n  %-%-([%w-]+)") do
            t.ok(page:find("\\fB\\-\\-" .. opt:gsub("%-", "\\-") .. "\\fR", 1, true), name .. " --" .. opt)
        end
    end
    local page = support.run(bin .. " help --man")
    for _, name in ipairs(commands()) do
        t.ok(page:find("\\fBmfakit\\-" .. name .. "\\fR(1)", 1, true), name)
    end
    if os.execute("command -v man >/dev/null 2>&1") then
        local f = assert(io.open(tmp .. "/totp.1", "w"))
        f:write((support.run(bin .. " help --man totp")))
        f:close()
        local out, err, rc = support.run("MANWIDTH=100 man -l " .. tmp .. "/totp.1 | cat")
        t.eq({ rc, err }, { 0, "" })
        t.ok(out:find("--algorithm SHA1|SHA256|SHA512", 1, true) and out:find("GLOBAL OPTIONS", 1, true), out)
    end
end)

t.case("a command registered later gets its help, page and completion with no other step", function()
    package.preload["mfakit.cmd.zz_later"] = function()
        return cli.command{ name = "later", usage = "[--level N]", summary = "A command that lands later.",
            options = { { "level", "number", "N", "how far" }, { "mode", "string", "fast|slow", "how" } },
            run = function() return 0 end }
    end
    local before = cli.COMMANDS
    cli.register({ { "later", "mfakit.cmd.zz_later", "lands later" } })
    local ok, err = pcall(function()
        local help = require "mfakit.cmd.help"
        local list = help.commands()
        t.eq(#list, 1)
        local page = require("mfakit.cli.man").page(list[1][2], { oneline = list[1][3] })
        t.ok(page:find("mfakit\\-later \\- lands later", 1, true) and page:find("\\fB\\-\\-level\\fR \\fIN\\fR", 1,
            true), page)
        local bash = require("mfakit.cli.complete").script("bash", { { "later", list[1][2] } })
        t.ok(bash:find("'later --mode') echo 'values fast slow' ;;", 1, true), bash)
        t.ok(bash:find("'later') echo '--level --mode --help' ;;", 1, true), bash)
    end)
    cli.register(before)
    if not ok then error(err, 0) end
end)

t.case("--version names mfakit, Lua, libcurl, OpenSSL, cJSON and expat, as curl -V does", function()
    local out, err, rc = support.run(bin .. " --version")
    t.eq({ rc, err }, { 0, "" })
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    t.ok(lines[1]:match("^mfakit %d+%.%d+%.%d+ %(Lua 5%.4"), lines[1])
    t.ok(lines[2]:match("^Lua: 5%.4%.%d+$"), out)
    t.ok(lines[3]:match("^libcurl: libcurl/%d"), out)
    t.ok(lines[4]:match("^OpenSSL: OpenSSL %d"), out)
    t.ok(lines[5]:match("^cJSON: %d+%.%d+%.%d+$"), out)
    t.ok(lines[6]:match("^expat: %d+%.%d+%.%d+$"), out)
    t.eq(#lines, 6)
    t.eq((support.run(bin .. " -v")), out)
end)

t.case("run: ./ first, then $MFAKIT_PATH, then the shipped scripts; --list with summaries", function()
    local function write(path, text)
        local f = assert(io.open(path, "w"))
        f:write(text)
        f:close()
    end
    write(tmp .. "/lib/tools/hello.lua", "-- Says hello. usage: hello NAME\nprint('hello ' .. (... or '?'))\n")
    write(tmp .. "/lib/bare.lua", "return 3\n")
    write(tmp .. "/cwd/hello.lua", "print('local hello')\n")
    -- the source tree's scripts last: the binary tested may have been copied away from them
    local cwd = os.getenv("PWD") or "."
    local env = "cd " .. q(tmp .. "/cwd") .. " && MFAKIT_PATH=" .. q(tmp .. "/nonexistent:" .. tmp .. "/lib:" ..
        cwd .. "/scripts") ..
        " " .. q(support.run("realpath " .. bin):gsub("\n", ""))
    local out, err, rc = support.run(env .. " run hello")
    t.eq({ rc, err, out }, { 0, "", "local hello\n" })
    out, err, rc = support.run(env .. " run tools/hello bob")
    t.eq({ rc, err, out }, { 0, "", "hello bob\n" })
    out, err, rc = support.run(env .. " run bare")
    t.eq({ rc, err, out }, { 3, "", "" })
    out, err, rc = support.run(env .. " run --list")
    t.eq({ rc, err }, { 0, "" })
    t.ok(out:find("\ntools/hello +Says hello\n"), out)
    t.ok(("\n" .. out):find("\nbare\n", 1, true), out)
    t.ok(out:find("\nscenarios/login%-load +A custom load scenario"), out)
    out, err, rc = support.run(env .. " run nosuch")
    t.eq({ rc, out }, { 1, "" })
    t.ok(err:find("^mfakit run: no script named nosuch in ./, %$MFAKIT_PATH or "), err)
    out, err, rc = support.run(env .. " run ../etc/passwd")
    t.eq({ rc, out }, { 1, "" })
    t.ok(err:find("a script name is a name like login-load", 1, true), err)
    out, err, rc = support.run(env .. " run")
    t.eq({ rc, out, err }, { 2, "", "mfakit run: a script name is needed (see mfakit run --list) " ..
        "(see mfakit run --help)\n" })
end)

t.case("every shipped script answers --help through run, from its header, and exits 0", function()
    local shipped = "MFAKIT_PATH=scripts " .. bin
    local list = support.run(shipped .. " run --list")
    local n = 0
    for name in list:gmatch("([^\n ]+)[^\n]*\n") do
        n = n + 1
        local out, err, rc = support.run(shipped .. " run " .. name .. " --help")
        t.eq({ rc, err }, { 0, "" }, name)
        t.ok(out:match("^usage: mfakit "), name .. ":\n" .. out)
    end
    t.ok(n >= 17, list)
    -- a session script has no summary of its own: its header is its help
    local out = support.run(shipped .. " run user/mfa-status --help")
    t.ok(out:find("Which MFA methods the user has", 1, true), out)
end)
