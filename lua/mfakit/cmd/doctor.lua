-- mfakit doctor: every read-only check of an SMS/TOTP MFA set-up, one line
-- each (status, what was found, the fix); exit 1 when one fails.
local cli = require "mfakit.cli"
local json = require "mfakit.json"
local doctor = require "mfakit.doctor"

local DEF = {
    name = "doctor",
    usage = "[--stack NAME | --user-pool-id ID] [--username NAME] [options]",
    summary = "Runs every check (none changes anything) and prints one line per check:\n" ..
        "pass, warn, fail or skip, what it found, and the fix. Exit 1 if one fails.",
    options = {
        { "stack", "string", "NAME", "the guide's stack (its state file gives the pool, client, role and the " ..
            "expected settings; default mfa-sms when its state file exists)" },
        { "user-pool-id", "string", "ID", "the pool to check (instead of, or over, the stack's)" },
        { "username", "string", "NAME", "also check this user (exists, phone, MFA preference)" },
        { "client-id", "string", "ID", "the app client to check (default: the stack's, else all of the pool's)" },
        { "check", "list", "ID", "run only this check (repeatable, or ID,ID)" },
        { "extra", "list", "FILE", "load checks of your own from a Lua file (repeatable; docs/DOCTOR.md)" },
        { "list", "flag", nil, "list the checks and exit" },
        require("mfakit.stack.state").STATE_DIR_OPTION,
    },
    notes = "Docs: docs/DOCTOR.md (every check: what it means, why it matters, how to fix it).",
}

local function selected(o)
    if not o.check then return nil end
    local only = {}
    for _, v in ipairs(o.check) do
        for id in v:gmatch("[^,%s]+") do
            if not doctor.find(id) then return nil, "unknown check '" .. id .. "' (see mfakit doctor --list)" end
            only[#only + 1] = id
        end
    end
    if #only == 0 then return nil, "--check needs at least one check id (see mfakit doctor --list)" end
    return only
end

local function print_text(results)
    for _, r in ipairs(results) do
        io.write(string.format("%-4s  %-20s  %s%s\n", r.status, r.id, r.message,
            r.fix and ("  -> fix: " .. r.fix) or ""))
    end
    local n = doctor.count(results)
    io.write(string.format("%s: %d pass, %d warn, %d fail, %d skip\n", cli.count(#results, "check"), n.pass, n.warn,
        n.fail, n.skip))
end

function DEF.run(o, pos)
    if #pos > 0 then return cli.usage("doctor", "unexpected argument '" .. pos[1] .. "'") end
    if o.stack and (not o.stack:match("^[%w][%w%-]*$") or #o.stack > 40) then
        return cli.fail("doctor", "--stack must be letters, digits and dashes (at most 40), not '" .. o.stack .. "'",
            nil, 2)
    end
    for _, f in ipairs(o.extra or {}) do
        local ok, err = doctor.load_file(f)
        if not ok then return cli.fail("doctor", "--extra " .. tostring(err), nil, 2) end
    end
    if o.list then
        if cli.json_output() then
            local list = {}
            for i, c in ipairs(doctor.checks) do list[i] = { id = c.id, title = c.title or json.null } end
            cli.print_json{ checks = json.array(list) }
            return 0
        end
        for _, c in ipairs(doctor.checks) do io.write(string.format("%-22s %s\n", c.id, c.title or "")) end
        return 0
    end
    local only, err = selected(o)
    if err then return cli.fail("doctor", err, nil, 2) end
    if not (o.stack or o["user-pool-id"] or only) then
        -- with no stack named, the default one is checked; when there is
        -- none but other stacks are there, say which instead of checking nothing
        local state = require "mfakit.stack.state"
        local dir = o["state-dir"] or state.default_dir()
        local stacks = state.list(dir)
        local default = false
        for _, s in ipairs(stacks) do default = default or s == "mfa-sms" end
        if not default and #stacks > 0 then
            return cli.usage("doctor", string.format("no --stack given, and %s has %s and no mfa-sms: %s; give " ..
                "--stack NAME or --user-pool-id ID", dir, cli.count(#stacks, "stack"), table.concat(stacks, ", ")))
        end
    end
    local results = doctor.run{ stack = o.stack, user_pool_id = o["user-pool-id"], username = o.username,
                                client_id = o["client-id"], state_dir = o["state-dir"], only = only }
    if cli.json_output() then
        local out = {}
        for i, r in ipairs(results) do
            out[i] = { id = r.id, status = r.status, message = r.message, fix = r.fix or json.null }
        end
        cli.print_json{ checks = json.array(out) }
    else
        print_text(results)
    end
    return doctor.count(results).fail > 0 and 1 or 0
end

return cli.command(DEF)
