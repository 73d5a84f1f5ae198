-- tests/test_docs.lua: the examples in README.md and docs/*.md run.
-- A fenced block is taken by the line just before it:
--   <!-- test: run [VAR=VALUE ...] [--flag ...] [args=A,B] -->   a ```lua block: run it
--                                 with mfakit, those environment variables, mfakit flags
--                                 and script arguments
--   <!-- test: file NAME -->      a block saved as NAME for later examples of the same page
--   <!-- test: output -->         the output the run before it must print: each line must
--                                 appear in order; a line "..." skips any lines, and
--                                 a "$ command" line is taken as "..."; a line ending in
--                                 "..." matches any line that starts with the rest
-- Examples run in a fresh folder, against moto (AWS_ENDPOINT_URL), with test
-- credentials and us-east-1; the docs' moto address http://127.0.0.1:5000 is
-- replaced by the test's. A page's examples share its folder.
local support = dofile("tests/support.lua")

local PAGES = { "README.md" }

local function list_docs()
    local p = assert(io.popen("ls docs/*.md"))
    for line in p:lines() do PAGES[#PAGES + 1] = line end
    p:close()
end

-- { {kind = "run"|"file"|"output", name, text, line} } in page order
local function examples(path)
    local f = assert(io.open(path))
    local out, marker, block = {}, nil, nil
    local n = 0
    for line in f:lines() do
        n = n + 1
        if block then
            if line:match("^```%s*$") then
                marker.text = table.concat(block, "\n") .. "\n"
                out[#out + 1] = marker
                block, marker = nil, nil
            else
                block[#block + 1] = line
            end
        elseif marker and line:match("^```") then
            block = {}
            marker.line = n
        else
            local kind, rest = line:match("^<!%-%- test: (%a+)%s*(.-)%s*%-%->$")
            marker = nil
            if kind then
                marker = { kind = kind, env = {} }
                marker.flags, marker.args = {}, {}
                for word in rest:gmatch("%S+") do
                    if word:match("^args=") then
                        for a in word:sub(6):gmatch("[^,]+") do marker.args[#marker.args + 1] = a end
                    elseif word:match("^%-") then
                        marker.flags[#marker.flags + 1] = word
                    elseif word:find("=", 1, true) then
                        marker.env[#marker.env + 1] = word
                    else
                        marker.name = word
                    end
                end
            end
        end
    end
    f:close()
    return out
end

-- every expected line in order; "..." skips any number of lines
local function matches(got, want)
    local lines = {}
    for l in got:gmatch("([^\n]*)\n") do lines[#lines + 1] = l end
    local i = 1
    local skipping = false
    for w in want:gmatch("([^\n]*)\n") do
        if w == "..." or w:match("^%$ ") then
            skipping = true
        else
            local found = false
            while i <= #lines do
                local l = lines[i]
                i = i + 1
                local prefix = w:match("^(.-)%.%.%.$")
                if l == w or (prefix and prefix ~= "" and l:sub(1, #prefix) == prefix) then found = true break end
                if not skipping then return false, w end
            end
            if not found then return false, w end
            skipping = false
        end
    end
    return true
end

local t = require "mfakit.test"
list_docs()
local moto = t.env("MFAKIT_TEST_MOTO")
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"
local bin = support.bin()
local cwd = os.getenv("PWD") or "."
local abs_bin = bin:sub(1, 1) == "/" and bin or (cwd .. "/" .. bin:gsub("^%./", ""))

local total = 0
for _, page in ipairs(PAGES) do
    local list = examples(page)
    local runs = 0
    for _, e in ipairs(list) do if e.kind == "run" then runs = runs + 1 end end
    total = total + runs
    if runs > 0 then
        t.case(page .. ": " .. runs .. " examples run as shown", function()
            if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
            local dir = tmp .. "/docs/" .. page:gsub("[/.]", "_")
            os.execute("rm -rf " .. dir .. " && mkdir -p " .. dir)
            local last_out, last_line
            for _, e in ipairs(list) do
                if e.kind == "file" or e.kind == "run" then
                    local name = e.name or ("example-" .. e.line .. ".lua")
                    local f = assert(io.open(dir .. "/" .. name, "w"))
                    f:write((e.text:gsub("http://127%.0%.0%.1:5000", moto)))
                    f:close()
                    if e.kind == "run" then
                        local out, err, rc = support.run(string.format("cd %s && AWS_ENDPOINT_URL=%s " ..
                            "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 " ..
                            "%s %s %s %s %s", dir, moto, table.concat(e.env, " "), abs_bin,
                            table.concat(e.flags, " "), name, table.concat(e.args, " ")))
                        t.eq(rc, 0, page .. ":" .. e.line .. " exited " .. tostring(rc) .. ":\n" .. err .. out)
                        last_out, last_line = out, e.line
                    end
                elseif e.kind == "output" then
                    t.ok(last_out, page .. ":" .. e.line .. ": an output with no example before it")
                    local ok, missing = matches(last_out, e.text)
                    t.ok(ok, string.format("%s:%d: the example at line %d did not print %q; it printed:\n%s",
                        page, e.line, last_line, missing or "", last_out))
                end
            end
        end)
    end
end
t.case("the docs have runnable examples", function()
    t.ok(total >= 10, "only " .. total .. " examples are marked runnable")
end)
