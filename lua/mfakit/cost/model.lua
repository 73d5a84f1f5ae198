-- mfakit.cost.model: the closed-form monthly estimate.
--   per_user(inputs) -> factors     SMS messages one user causes in a month
--   mau_cost(tier, mau) -> nano, rows
--   sms_cost(pricing, mix, messages, parts) -> nano, rows
--   estimate(pricing, inputs) -> result       (see cmd/cost.lua for output)
--   sensitivity(pricing, inputs, shares, days) -> table of totals
--
-- The model (docs/COST.md says why):
--   A month is 30 days. A user logs in at random times, L a day on average
--   (Poisson arrivals). A TOTP user never gets an SMS. When a user passes MFA
--   the device is remembered for D days, and logins in that window skip MFA;
--   the first login after it expires needs MFA again. So MFA challenges
--   repeat once every D + 1/L days on average (the window, then the wait for
--   the next login), and the share of logins that need MFA is
--       1 / (1 + L*D)            (1 when D = 0: every login)
--   Each MFA challenge sends 1 + r messages (r: resends per challenge), each
--   billed as `parts` message parts. Per user per month:
--       sms = 30*L * (1 - totp_share) * 1/(1 + L*D) * (1 + r)
--   Devices remembered last month carry over (a steady state), so a month is
--   not the user's first; new users would need slightly more.
local money = require "mfakit.cost.money"

local M = {}

M.DAYS_PER_MONTH = 30

function M.per_user(inputs)
    local logins = inputs.logins_per_month
    local rate = logins / M.DAYS_PER_MONTH
    local f = {
        logins = logins,
        login_rate_per_day = rate,
        non_totp = 1 - inputs.totp_share,
        mfa_share = 1 / (1 + rate * inputs.remember_days),
        resend_factor = 1 + inputs.resend_rate,
    }
    f.mfa_challenges = logins * f.mfa_share
    f.sms = logins * f.non_totp * f.mfa_share * f.resend_factor
    return f
end

-- Cognito bills MAU above the tier's free MAU, band by band.
function M.mau_cost(tier, mau)
    local rows, total = {}, 0
    local free = math.min(mau, tier.free_mau.value)
    rows[#rows + 1] = { kind = "free", from = 1, to = tier.free_mau.value, mau = free, nano = 0,
                        entry = tier.free_mau }
    for _, b in ipairs(tier.bands) do
        local n = math.max(0, math.min(mau, b.to or mau) - b.from)
        local nano = money.product(n, b.price.nano)
        total = total + nano
        rows[#rows + 1] = { kind = "band", from = b.from + 1, to = b.to, mau = n, nano = nano, entry = b.price }
    end
    return total, rows
end

function M.sms_cost(pricing, mix, messages, parts)
    local rows, total = {}, 0
    for _, m in ipairs(mix) do
        local entry = pricing.sms[m.country]
        local n = messages * m.share
        local nano = money.times(n * parts, entry.nano)
        total = total + nano
        rows[#rows + 1] = { country = m.country, share = m.share, messages = n, parts = n * parts, nano = nano,
                            entry = entry }
    end
    return total, rows
end

function M.estimate(pricing, inputs)
    local f = M.per_user(inputs)
    local messages = inputs.mau * f.sms
    if math.type(messages) == "float" and messages == math.floor(messages) and messages < 2 ^ 53 then
        messages = math.tointeger(messages)
    end
    local mau_nano, mau_rows = M.mau_cost(inputs.tier, inputs.mau)
    local sms_nano, sms_rows = M.sms_cost(pricing, inputs.mix, messages, inputs.sms_parts)
    return {
        pricing = pricing, inputs = inputs, per_user = f,
        mau_nano = mau_nano, mau_rows = mau_rows,
        sms_messages = messages, sms_parts = messages * inputs.sms_parts,
        sms_nano = sms_nano, sms_rows = sms_rows,
        total_nano = mau_nano + sms_nano,
    }
end

local function with(inputs, changes)
    local copy = {}
    for k, v in pairs(inputs) do copy[k] = v end
    for k, v in pairs(changes) do copy[k] = v end
    return copy
end
M.with = with

M.SHARES = { 0, 0.25, 0.5, 0.75, 1 }
M.DAYS = { 0, 1, 7, 30, 90 }

-- The listed values plus the user's own, sorted, without repeats.
local function axis(list, own)
    local seen, out = {}, {}
    for _, v in ipairs(list) do seen[v] = true out[#out + 1] = v end
    if not seen[own] then out[#out + 1] = own end
    table.sort(out)
    return out
end

-- Monthly totals for each TOTP share (rows) and remember-device days (columns).
function M.sensitivity(pricing, inputs, shares, days)
    shares = axis(shares or M.SHARES, inputs.totp_share)
    days = axis(days or M.DAYS, inputs.remember_days)
    local total, sms = {}, {}
    for i, s in ipairs(shares) do
        total[i], sms[i] = {}, {}
        for j, d in ipairs(days) do
            local e = M.estimate(pricing, with(inputs, { totp_share = s, remember_days = d }))
            total[i][j], sms[i][j] = e.total_nano, e.sms_messages
        end
    end
    return { totp_shares = shares, remember_device_days = days, total_nano = total, sms_messages = sms }
end

return M
