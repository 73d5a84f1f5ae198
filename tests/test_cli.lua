-- tests/test_cli.lua: the command line behaves like `lua`.
local support = dofile("tests/support.lua")

-- stdout and stderr together, and the exit status
local function run(cmd)
    local out, err, rc = support.run(cmd)
    return err .. out, rc
end

local t = require "mfakit.test"
local bin = arg[-1] or "./mfakit"
bin = bin:find("/") and bin or "./" .. bin

t.case("-e runs a chunk with arguments", function()
    local out, rc = run(bin .. " -e 'print(select(\"#\", ...), ...)' a b")
    t.eq(out, "2\ta\tb\n")
    t.eq(rc, 0)
end)

t.case("a script gets arg and ...; its integer return is the exit status", function()
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write('print(arg[0] == ..., arg[1], select("#", ...)) return 7\n')
    f:close()
    local out, rc = run(bin .. " " .. path .. " x")
    os.remove(path)
    t.eq(out, "false\tx\t1\n")
    t.eq(rc, 7)
end)

t.case("- reads the script from standard input", function()
    local out, rc = run("echo 'print(\"from stdin\", ...)' | " .. bin .. " - q")
    t.eq(out, "from stdin\tq\n")
    t.eq(rc, 0)
end)

t.case("uncaught errors print a traceback and exit 1", function()
    local out, rc = run(bin .. " -e 'local function f() error(\"kaput\") end f()'")
    t.eq(rc, 1)
    t.ok(out:find("kaput", 1, true), out)
    t.ok(out:find("stack traceback", 1, true), out)
end)

t.case("globals are strict", function()
    local out, rc = run(bin .. " -e 'print(regoin)'")
    t.eq(rc, 1)
    t.ok(out:find("undeclared global 'regoin'", 1, true), out)
    out, rc = run(bin .. " -e 'x = 1'")
    t.eq(rc, 1)
    t.ok(out:find("assignment to undeclared global 'x'", 1, true), out)
    out, rc = run(bin .. " -e 'rawset(_G, \"y\", 2) print(y)'")
    t.eq({ out, rc }, { "2\n", 0 })
end)

t.case("-v and -h", function()
    local out, rc = run(bin .. " -v")
    t.eq(rc, 0)
    t.ok(out:match("^mfakit %d+%.%d+%.%d+ %(Lua 5%.4"), out)
    out, rc = run(bin .. " -h")
    t.eq(rc, 0)
    t.ok(out:find("usage: mfakit", 1, true), out)
end)

t.case("global options are parsed and checked", function()
    local out, rc = run(bin .. " --region eu-west-1 --output json --trace -e " ..
        "'local c = require \"mfakit.config\" print(c.region, c.output, c.trace)'")
    t.eq({ out, rc }, { "eu-west-1\tjson\ttrue\n", 0 })
    out, rc = run(bin .. " --output xml -e ''")
    t.eq(rc, 2)
    t.ok(out:find("--output must be text or json", 1, true), out)
    out, rc = run(bin .. " --bogus -e ''")
    t.eq(rc, 2)
    t.ok(out:find("unknown option --bogus", 1, true), out)
end)

t.case("a missing script is one clear line", function()
    local out, rc = run(bin .. " /nonexistent/x.lua")
    t.eq(rc, 1)
    t.eq(select(2, out:gsub("\n", "")), 1)
    t.ok(out:find("cannot open /nonexistent/x.lua", 1, true), out)
end)

t.case("a task that fails unobserved fails the run", function()
    local out, rc = run(bin .. " -e 'require(\"mfakit.task\").spawn(function() error(\"lost\") end)'")
    t.eq(rc, 1)
    t.ok(out:find("lost", 1, true), out)
end)

t.case("every command and shipped script answers --help from its option declaration", function()
    local targets = { "login", "totp", "guide", "doctor", "cost", "test" }
    local p = assert(io.popen("ls scripts/user/*.lua scripts/guide/*.lua scripts/scenarios/*.lua"))
    for line in p:lines() do
        -- a *_test.lua is a test file for `mfakit test`, not a script
        if not line:match("_test%.lua$") then targets[#targets + 1] = line end
    end
    p:close()
    for _, target in ipairs(targets) do
        local out, err, rc = support.run(bin .. " " .. target .. " --help")
        t.eq(rc, 0, target .. ": " .. err)
        t.ok(out:match("^usage: mfakit ") and out:find("Global options:", 1, true) and
             out:find("  --region REGION", 1, true), target .. ":\n" .. out)
        t.eq(err, "", target)
    end
end)

t.case("global options work before or after a command, through one parser", function()
    local out, err, rc = support.run(bin .. " totp --output json --secret-env S 2>&1; echo; S=GEZDGNBVGY3TQOJQ " ..
        bin .. " --output json totp --secret-env S")
    t.eq(rc, 0, err .. out)
    t.ok(out:find('"code":"%d%d%d%d%d%d"'), out)
    out, err, rc = support.run("S=GEZDGNBVGY3TQOJQ " .. bin .. " totp --secret-env S --output json")
    t.eq(rc, 0, err)
    t.ok(out:find('"code":"%d%d%d%d%d%d"'), out)
    out, err, rc = support.run(bin .. " totp --bogus")
    t.eq({ rc, out }, { 2, "" })
    t.eq(err, "mfakit totp: unknown option --bogus (see mfakit totp --help)\n")
end)
