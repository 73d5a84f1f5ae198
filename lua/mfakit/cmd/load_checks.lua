-- mfakit load's checks before the first request: the rate each Cognito
-- operation will see against its quota, and what the run's SMS will cost
-- against --max-cost and the SNS headroom (docs/LOAD.md). Split from
-- mfakit.cmd.load.
local config = require "mfakit.config"
local sys = require "mfakit.sys"
local load = require "mfakit.load"
local quotas = require "mfakit.load.quotas"
local cost_guard = require "mfakit.load.cost_guard"
local aws = require "mfakit.aws"

local M = {}

-- An endpoint on this machine is an emulator: it sends no SMS and has no quotas.
local function emulator_endpoint()
    if config["local"] then return true end
    local host = (config.endpoint or ""):match("^%a+://%[?([^/%]:]+)")
    return host ~= nil and (host:match("^127%.") ~= nil or host == "localhost" or host == "::1")
end

-- The quota warnings, before the run (none on an emulator). Returns nil, message on a bad --quota.
function M.quotas(opts, who)
    local overrides = {}
    for _, q in ipairs(opts.quota or {}) do
        local op, rps = quotas.parse(q)
        if not op then return nil, rps end
        overrides[op] = rps
    end
    if emulator_endpoint() then return true end
    local plan = assert(load.pacing.plan(opts))
    local mfa = who.mfa and who.mfa ~= "none" or who.users[1].totp_secret or who.sms_code
    local responds = (opts.flow == "password" and 0 or 1) + (mfa and 1 or 0)
    for _, r in ipairs(quotas.check{ rate = plan:peak(), responds = responds, users = #who.users,
                                     overrides = overrides }) do
        if r.text then io.stderr:write("mfakit load: warning: ", r.text, "\n") end
    end
    return true
end

-- The cost guard, before the first request: the SMS the run will send and
-- their price, against --max-cost and the SNS headroom. Returns the
-- estimate (or nil when no SMS is expected), or nil, message, 2 to refuse.
function M.cost(opts, who)
    local sms_share = 0
    if who.mfa == "sms" or (who.mfa == nil and who.sms_code and not who.users[1].totp_secret) then sms_share = 1 end
    if sms_share == 0 then return nil end
    if emulator_endpoint() then
        io.stderr:write("mfakit load: cost guard skipped: an emulator endpoint sends no SMS\n")
        return nil
    end
    local plan = assert(load.pacing.plan(opts))
    local region = who.idp.region
    local admin = aws.client("cognito-idp", { region = region })
    local described = admin:call("DescribeUserPool", { UserPoolId = who.idp.user_pool_id })
    local pool = described and described.UserPool or nil
    -- the sign-in message lives in the MFA configuration first, as for mfakit cost --stack
    local message = pool and require("mfakit.cost.pool_message").of(
        admin:call("GetUserPoolMfaConfig", { UserPoolId = who.idp.user_pool_id }), pool)
    if not pool then
        io.stderr:write("mfakit load: cost: cannot read the pool's SMS message (DescribeUserPool); assuming " ..
            "Cognito's default\n")
    end
    local est = cost_guard.estimate{ sign_ins = plan:total(), sms_share = sms_share, message = message,
                                     pricing = assert(require("mfakit.cost.pricing").load()) }
    local room, rerr = cost_guard.headroom{ pool = pool, region = region, now = sys.now(),
        client = function(service, r) return aws.client(service, { region = r, max_attempts = 2 }) end }
    io.stderr:write("mfakit load: cost: ", cost_guard.line(est), "\n")
    if room then
        io.stderr:write(string.format("mfakit load: cost: SNS in %s has $%.2f left this month (limit $%.2f, " ..
            "$%.2f spent)%s\n", room.region, math.max(0, room.left), room.limit, room.spent,
            #room.notes > 0 and ("; " .. table.concat(room.notes, "; ")) or ""))
    else
        io.stderr:write("mfakit load: cost: the SNS headroom is unknown (" .. tostring(rerr) .. ")\n")
    end
    local verdict, why = cost_guard.decide(est, room, { max_cost = opts["max-cost"], yes = opts.yes })
    if verdict == "refuse" then return nil, why end
    if why then io.stderr:write("mfakit load: cost: ", why, "\n") end
    return est
end

function M.sms_sent(r)
    local n = 0
    for path, count in pairs(r.flows) do
        if path:find("SMS_MFA", 1, true) then n = n + count end
    end
    return n
end

-- The line after the run: the SMS sent and their cost beside the estimate.
function M.after(est, r)
    return cost_guard.after(est, M.sms_sent(r))
end

return M
