-- mfakit cost: the monthly cost of SMS/TOTP MFA on Cognito, with every price
-- and assumption shown. The model is mfakit.cost.model (closed form) and
-- mfakit.cost.simulate (--simulate); prices come from pricing/*.json.
-- Bad input is one line naming the option, exit status 2.
local cli = require "mfakit.cli"
local sys = require "mfakit.sys"
local pricing = require "mfakit.cost.pricing"
local inputs_mod = require "mfakit.cost.inputs"
local model = require "mfakit.cost.model"
local report = require "mfakit.cost.report"
local money = require "mfakit.cost.money"

local DEF = {
    name = "cost",
    usage = "--mau N [options] [--output text|json]",
    options = {
        { "mau", "number", "N", "monthly active users" },
        { "pricing", "string", "NAME|FILE", "guide (the guide's figures), current (the default: " .. pricing.DEFAULT ..
            "), or a pricing JSON file" },
        { "tier", "string", "ID", "lite|essentials|plus (default essentials); guide: guide" },
        { "logins-per-user-per-day", "number", "N", "(default 1)" },
        { "logins-per-user-per-month", "number", "N", "instead of per day" },
        { "totp-share", "number", "F", "share of users on TOTP, 0..1 (default 0)" },
        { "remember-device-days", "number", "D", "days a remembered device skips MFA (default 0)" },
        { "resend-rate", "number", "R", "extra SMS per SMS challenge on average (default 0)" },
        { "country", "string", "CC", "destination, or a mix CC=F,CC=F whose shares add up to 1 (default US)" },
        { "sms-parts", "number", "N", "message parts per SMS (default 1)" },
        { "sms-message", "string", "TEXT", "count the parts of this SMS template ({####} is the code) instead" },
        { "simulate", "flag", nil, "also play the month user by user; median and p95" },
        { "seed", "number", "N", "--simulate: the random seed" },
        { "runs", "number", "N", "--simulate: how many months to play" },
        { "sim-users", "number", "N", "--simulate: users to play (scaled to --mau)" },
        { "chart", "string", "PATH", "write an SVG of monthly cost against MAU per tier" },
    },
    notes = "Docs: docs/COST.md (the model, and the source of every price).",
}

local MAX_SIM_LOGINS = 10000
local MAX_RUNS = 10000

local function bad(msg)
    return cli.fail("cost", msg, nil, 2)
end

local function whole(opts, name, min)
    local v = opts[name]
    if v == nil then return nil end
    local i = math.tointeger(v)
    if not i or i < min then
        return nil, string.format("--%s must be a whole number of at least %d, not %s", name, min, tostring(v))
    end
    return i
end

function DEF.run(opts, pos)
    if opts.chart then
        local ok, why = cli.output_path("chart", opts.chart, true)
        if not ok then return bad(why) end
    end
    if #pos > 0 then return bad("unexpected argument '" .. pos[1] .. "' (see mfakit cost --help)") end

    local p, perr = pricing.load(opts.pricing)
    if not p then return bad("--pricing: " .. perr) end
    local inputs, ierr = inputs_mod.from_options(opts, p)
    if not inputs then return bad(ierr) end

    local seed, runs, users, err
    if (opts.seed or opts.runs or opts["sim-users"]) and not opts.simulate then
        return bad("--seed, --runs and --sim-users go with --simulate")
    end
    seed, err = whole(opts, "seed", 0)
    if err then return bad(err) end
    runs, err = whole(opts, "runs", 1)
    if err then return bad(err) end
    if runs and runs > MAX_RUNS then return bad("--runs must be at most " .. MAX_RUNS) end
    users, err = whole(opts, "sim-users", 1)
    if err then return bad(err) end

    local extra = { sensitivity = model.sensitivity(p, inputs) }
    local largest = extra.sensitivity.total_nano[1][1] -- no TOTP, nothing remembered
    if not money.exact(largest) then
        return bad("the estimate is too large to compute exactly (over $1 billion a month): check --mau and the "
            .. "logins per user")
    end
    local estimate = model.estimate(p, inputs)
    if opts.simulate then
        if inputs.logins_per_month > MAX_SIM_LOGINS then
            return bad(string.format("--simulate plays every login: at most %d logins per user per month",
                MAX_SIM_LOGINS))
        end
        extra.simulation = require("mfakit.cost.simulate").run(p, inputs, {
            seed = seed or math.floor(sys.now()), runs = runs, users = users })
    end
    if opts.chart then
        local svg, serr = require("mfakit.cost.chart").svg(p, inputs)
        if not svg then return cli.fail("cost", "--chart: " .. serr, "lower --mau or the logins per user", 2) end
        local f, ferr = io.open(opts.chart, "w")
        if not f then return cli.fail("cost", "--chart: cannot write " .. tostring(ferr), nil, 1) end
        f:write(svg)
        f:close()
        extra.chart = opts.chart
    end

    if cli.json_output() then
        cli.print_json(report.data(estimate, extra))
    else
        io.write(report.text(estimate, extra))
    end
    return 0
end

return cli.command(DEF)
