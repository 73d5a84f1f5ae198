-- mfakit installed as a user gets it: `make install` into a temporary root,
-- and the .deb unpacked; then, from another folder, the installed binary
-- runs a shipped script by name, its man pages read with man -l, and the
-- bash completion completes.
local support = dofile("tests/support.lua")

local function sh(cmd)
    return support.run(cmd)
end

local function q(s)
    return "'" .. s:gsub("'", "'\\''") .. "'"
end

local function have(program)
    return os.execute("command -v " .. program .. " >/dev/null 2>&1")
end

-- COMP_WORDS as bash has them for the line typed; prints COMPREPLY
local function complete(root, words)
    local list = {}
    for i, w in ipairs(words) do list[i] = q(w) end
    return sh("cd " .. q(root .. "/elsewhere") .. " && PATH=" .. q(root .. "/usr/local/bin") .. ":$PATH bash -c " ..
        q("source " .. root .. "/usr/local/share/bash-completion/completions/mfakit; COMP_WORDS=(" ..
          table.concat(list, " ") .. "); COMP_CWORD=" .. (#words - 1) ..
          "; _mfakit; printf '%s\\n' \"${COMPREPLY[@]}\""))
end

local t = require "mfakit.test"
local tmp = (t.env("MFAKIT_TEST_TMP") or "/tmp") .. "/install-" .. require("mfakit.sys").getpid()
local bin
local function prepare()
    if bin then return end
    bin = assert(io.popen("realpath " .. q(support.bin()))):read("l")
    os.execute("rm -rf " .. q(tmp) .. " && mkdir -p " .. q(tmp .. "/elsewhere/.mfakit"))
    local out, err, rc = sh("tools/gen-docs " .. q(bin) .. " " .. q(tmp .. "/gen") .. " && tools/install-tree " ..
        q(bin) .. " " .. q(tmp .. "/gen") .. " " .. q(tmp .. "/usr/local"))
    assert(rc == 0, out .. err)
    local f = assert(io.open(tmp .. "/elsewhere/.mfakit/web.json", "w"))
    f:write("{}")
    f:close()
end

t.case("an install runs a shipped script by name from any folder, and its --help exits 0", function()
    prepare()
    local mf = tmp .. "/usr/local/bin/mfakit"
    local out, err, rc = sh("cd " .. q(tmp .. "/elsewhere") .. " && " .. q(mf) .. " run login-load --help")
    t.eq({ rc, err }, { 0, "" })
    t.ok(out:match("^usage: mfakit login%-load%.lua ") and out:find("--logins N", 1, true), out)
    out, err, rc = sh("cd " .. q(tmp .. "/elsewhere") .. " && " .. q(mf) .. " run --list")
    t.eq({ rc, err }, { 0, "" })
    t.ok(out:find("\nscenarios/login%-load +A custom load scenario"), out)
    t.ok(out:find("\nuser/mfa%-status +"), out)
    -- the scripts were found beside the binary, not in the source tree
    out = sh("cd " .. q(tmp .. "/elsewhere") .. " && " .. q(mf) .. " --output json run --list")
    t.ok(out:find('"path":"' .. tmp .. '/usr/local/share/mfakit/scripts/scenarios/login-load.lua"', 1, true), out)
end)

t.case("the installed man pages read with man -l, one per command", function()
    prepare()
    if not have("man") then return t.skip("man is not installed (man-db)") end
    local pages = tmp .. "/usr/local/share/man/man1/"
    for _, name in ipairs{ "mfakit", "mfakit-guide", "mfakit-login", "mfakit-doctor", "mfakit-cost",
                           "mfakit-totp", "mfakit-run", "mfakit-help" } do
        local out, err, rc = sh("MANWIDTH=100 man -l " .. q(pages .. name .. ".1") .. " | cat")
        t.eq({ rc, err }, { 0, "" }, name)
        t.ok(out:find("NAME", 1, true) and out:find("SYNOPSIS", 1, true), name .. ":\n" .. out)
    end
    local out = sh("MANWIDTH=100 man -l " .. q(pages .. "mfakit-guide.1") .. " | cat")
    t.ok(out:find("--mfa OFF|OPTIONAL|ON", 1, true) and out:find("GLOBAL OPTIONS", 1, true), out)
end)

t.case("bash completion: commands, options, values, stacks and script names", function()
    prepare()
    if not have("bash") then return t.skip("bash is not installed") end
    t.eq(complete(tmp, { "mfakit", "gu" }), "guide\n")
    t.eq(complete(tmp, { "mfakit", "guide", "" }), "up\ndown\nstatus\nenv\nplan\n")
    t.eq(complete(tmp, { "mfakit", "guide", "up", "--mf" }), "--mfa\n")
    t.eq(complete(tmp, { "mfakit", "guide", "up", "--mfa", "" }), "OFF\nOPTIONAL\nON\n")
    t.eq(complete(tmp, { "mfakit", "guide", "up", "--sns-policy", "" }), "inline\nfull\n")
    t.eq(complete(tmp, { "mfakit", "--output", "j" }), "json\n")
    t.eq(complete(tmp, { "mfakit", "guide", "env", "--format", "amplify" }), "amplify\namplify-outputs\n")
    t.eq(complete(tmp, { "mfakit", "doctor", "--stack", "" }), "web\n")
    t.eq(complete(tmp, { "mfakit", "run", "login" }), "login-load\n")
    t.eq(complete(tmp, { "mfakit", "run", "user/mfa" }), "user/mfa-status\n")
end)

t.case("zsh completion parses, and offers what bash does", function()
    prepare()
    if not have("zsh") then return t.skip("zsh is not installed") end
    local file = tmp .. "/usr/local/share/zsh/site-functions/_mfakit"
    local out, err, rc = sh("zsh -n " .. q(file))
    t.eq({ rc, out, err }, { 0, "", "" })
    -- the part that decides, run in zsh (the last line calls compadd, which needs a completion)
    local function reply(words)
        local list = {}
        for i, w in ipairs(words) do list[i] = q(w) end
        return sh("cd " .. q(tmp .. "/elsewhere") .. " && zsh -c " .. q("eval \"$(sed '$d' " .. file ..
            ")\"; _mfakit_reply " .. (#words - 1) .. " " .. table.concat(list, " ")))
    end
    t.eq(reply({ "mfakit", "guide", "up", "--mfa", "" }), "w OFF OPTIONAL ON\n")
    t.eq(reply({ "mfakit", "doctor", "--stack", "" }), "w web \n")
    t.eq((reply({ "mfakit", "totp", "--al" }):gsub("%s+", " ")), "w --secret-env --secret-file --uri --account " ..
        "--issuer --digits --period --algorithm --help --region --profile --endpoint --trace --output --local ")
end)

t.case("make uninstall removes what install put there", function()
    prepare()
    local root = tmp .. "/un"
    local out, err, rc = sh("tools/install-tree " .. q(bin) .. " " .. q(tmp .. "/gen") .. " " .. q(root) ..
        " && make -s uninstall DESTDIR= PREFIX=" .. q(root) .. " && find " .. q(root) .. " -type f")
    t.eq({ rc, out }, { 0, "" }, err)
end)

t.case("the .deb depends on what the binary links, and on libcurl4; unpacked, it runs", function()
    prepare()
    if not have("dpkg-deb") then return t.skip("dpkg-deb is not installed") end
    local out, err, rc = sh("tools/make-deb " .. q(bin) .. " " .. q(tmp .. "/gen") .. " " .. q(tmp .. "/debout"))
    t.eq(rc, 0, err)
    local deb = out:match("([^\n]+%.deb)")
    out = sh("dpkg-deb -f " .. q(deb) .. " Depends")
    t.ok(out:find("libcurl4", 1, true) and out:find("liblua5.4", 1, true) and out:find("libcjson", 1, true) and
         out:find("libexpat", 1, true), out)
    local unpacked = tmp .. "/unpacked"
    out, err, rc = sh("dpkg-deb -x " .. q(deb) .. " " .. q(unpacked) .. " && cd " .. q(tmp .. "/elsewhere") ..
        " && " .. q(unpacked .. "/usr/bin/mfakit") .. " run login-load --help")
    t.eq({ rc, err }, { 0, "" })
    t.ok(out:match("^usage: mfakit login%-load%.lua "), out)
    out = sh("dpkg-deb -c " .. q(deb))
    for _, file in ipairs{ "./usr/share/man/man1/mfakit-guide.1", "./usr/share/bash-completion/completions/mfakit",
                           "./usr/share/zsh/site-functions/_mfakit", "./usr/share/doc/mfakit/README.md",
                           "./usr/share/mfakit/scripts/scenarios/login-load.lua" } do
        t.ok(out:find(file, 1, true), file)
    end
end)
