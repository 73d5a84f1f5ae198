-- mfakit.load.quotas: before a run, the rate each Cognito operation will
-- see, against its own quota. Cognito's request-rate quotas are per account
-- and region, for all user pools together, and grouped by category
-- (https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html):
-- InitiateAuth counts against UserAuthentication (120 a second by default);
-- RespondToAuthChallenge has its own allowance of 3 times that; and any one
-- user may make at most 10 such requests a second.
--   quotas.check{ rate =, users =, responds =, overrides = { Op = rps } } -> { { op, rate, quota, text } }
--   quotas.parse("InitiateAuth=200") -> op, rps | nil, err
local M = {}

M.USER_AUTHENTICATION = 120   -- default, per account and region
M.PER_USER = 10               -- requests a second for one user

-- operation -> its default quota, in requests a second
M.DEFAULTS = {
    InitiateAuth = M.USER_AUTHENTICATION,
    RespondToAuthChallenge = 3 * M.USER_AUTHENTICATION,
}

function M.parse(text)
    local op, rps = tostring(text):match("^([%a]+)=(%d+%.?%d*)$")
    rps = tonumber(rps)
    if not op or not rps or rps <= 0 then return nil, "--quota takes OPERATION=RPS, like InitiateAuth=200" end
    if op == "UserAuthentication" then return op, rps end
    if not M.DEFAULTS[op] then
        return nil, "--quota: unknown operation " .. op .. " (InitiateAuth, RespondToAuthChallenge, UserAuthentication)"
    end
    return op, rps
end

-- o.rate: the peak arrivals a second of the whole run (all shards: the
-- quota is the account's); o.responds: RespondToAuthChallenge calls per
-- sign-in (1 for SRP's PASSWORD_VERIFIER, +1 for an MFA challenge);
-- o.users: how many users share the sign-ins.
function M.check(o)
    local quota = {}
    for op, q in pairs(M.DEFAULTS) do quota[op] = q end
    local ov = o.overrides or {}
    if ov.UserAuthentication then
        quota.InitiateAuth = ov.UserAuthentication
        quota.RespondToAuthChallenge = 3 * ov.UserAuthentication
    end
    for op, q in pairs(ov) do
        if quota[op] then quota[op] = q end
    end
    local rates = { InitiateAuth = o.rate, RespondToAuthChallenge = o.rate * o.responds }
    local out = {}
    for _, op in ipairs{ "InitiateAuth", "RespondToAuthChallenge" } do
        local r = { op = op, rate = rates[op], quota = quota[op] }
        if r.rate > r.quota then
            r.text = string.format("%s at %.1f/s is over its quota of %g/s (per account and region, all user " ..
                "pools together): expect TooManyRequestsException; --quota %s=RPS if yours was raised", op, r.rate,
                r.quota, op)
        end
        out[#out + 1] = r
    end
    local per_user = o.rate * (1 + o.responds) / math.max(1, o.users or 1)
    if per_user > M.PER_USER then
        out[#out + 1] = { op = "per user", rate = per_user, quota = M.PER_USER, text = string.format(
            "each user would make %.1f sign-in requests a second, over Cognito's %d per user: use more users " ..
            "(at least %d)", per_user, M.PER_USER, math.ceil(o.rate * (1 + o.responds) / M.PER_USER)) }
    end
    return out
end

return M
