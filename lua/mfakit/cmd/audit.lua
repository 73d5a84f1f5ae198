-- mfakit audit: who changed MFA, and when, from CloudTrail's event history
-- (LookupEvents: the last 90 days, paced to its two requests a second).
local cli = require "mfakit.cli"
local json = require "mfakit.json"
local aws = require "mfakit.aws"
local endpoints = require "mfakit.aws.endpoints"
local audit = require "mfakit.audit"
local state = require "mfakit.stack.state"

local DEF = {
    name = "audit",
    usage = "[--stack NAME | --user-pool-id ID] [--since 7d] [--username NAME]",
    summary = "Lists the MFA changes CloudTrail recorded: MFA preferences set by users and admins, the pool's\n" ..
        "MFA configuration, TOTP set-ups, disabled users and wrong MFA codes. Reads only.",
    options = {
        { "stack", "string", "NAME", "the guide's stack: only events of its pool" },
        state.STATE_DIR_OPTION,
        { "user-pool-id", "string", "ID", "only events of this pool (its region is the one looked in)" },
        { "since", "string", "AGE", "how far back: Nm, Nh or Nd, at most 90d (default 7d)" },
        { "username", "string", "NAME", "only events naming this Cognito user (matched here: CloudTrail's own " ..
            "Username is the IAM caller)" },
    },
    notes = "Needs cloudtrail:LookupEvents. Docs: docs/PLAYBOOKS.md (\"MFA audit trail\").",
}

local function pool_of(o)
    if o["user-pool-id"] then return o["user-pool-id"] end
    if not o.stack then return nil end
    local st, err = state.load(o["state-dir"] or state.default_dir(), o.stack)
    if not st then return nil, err end
    local pool = st:get("pool")
    if not (pool and pool.id) then return nil, "stack " .. o.stack .. " has no pool (run mfakit guide up first)" end
    return pool.id, st.doc.region
end

function DEF.run(o, pos)
    if #pos > 0 then return cli.usage("audit", "unexpected argument '" .. cli._shown(pos[1]) .. "'") end
    local since, err = audit.since_seconds(o.since or "7d")
    if not since then return cli.fail("audit", err, nil, 2) end
    local pool, region = pool_of(o)
    if o.stack and not pool then return cli.fail("audit", region) end
    local client = aws.client("cloudtrail", { region = endpoints.pool_region(pool) or region })
    local r
    r, err = audit.lookup{ client = client, since = since, pool_id = pool, username = o.username }
    if not r then return cli.fail("audit", err) end
    if cli.json_output() then
        local events = {}
        for i, e in ipairs(r.events) do
            events[i] = { time = e.time, event = e.event, by = e.by, user = e.user or json.null,
                          pool = e.pool or json.null, detail = e.detail, error = e.error or json.null }
        end
        cli.print_json{ since = r.since, ["until"] = r["until"], pool = pool or json.null,
                        username = o.username or json.null, events = json.array(events), lookups = r.lookups,
                        unattributed = r.unattributed }
        return 0
    end
    for _, e in ipairs(r.events) do
        print(string.format("%s  %-25s  %-28s  by %s", e.time, e.event,
            e.user and ("user " .. e.user) or (e.pool and ("pool " .. e.pool) or "-"), e.by) .. "  " .. e.detail)
    end
    print(string.format("%d MFA event%s since %s (%d lookups)%s", #r.events, #r.events == 1 and "" or "s", r.since,
        r.lookups, r.unattributed > 0 and string.format("; %d event%s named no user and could not be matched to %s",
            r.unattributed, r.unattributed == 1 and "" or "s", o.username) or ""))
    return 0
end

return cli.command(DEF)
