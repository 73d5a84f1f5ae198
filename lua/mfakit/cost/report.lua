-- mfakit.cost.report: an estimate (mfakit.cost.model) as JSON or as text,
-- with every price it used (value, unit, when and where it was checked) and
-- every assumption, defaults marked.
--   data(estimate, extra) -> table for --output json
--   text(estimate, extra) -> string
-- extra: { sensitivity = model.sensitivity(...), simulation = simulate.run(...),
--          chart = path }, each optional.
local json = require "mfakit.json"
local money = require "mfakit.cost.money"
local model = require "mfakit.cost.model"

local M = {}

-- Said in every report, in both formats (docs/COST.md gives the sources).
M.NOTES = {
    "A month is 30 days (the guide's 2 logins a day make 60 a month).",
    "Every user counted in --mau is billed as one MAU: Cognito counts a user with any identity operation in the "
        .. "calendar month (sign-in, token refresh, ...).",
    "SMS is billed by Amazon SNS / AWS End User Messaging, not by Cognito: (carrier fee + base price) per message "
        .. "part, by destination country; a part is 160 GSM-7 or 70 UCS-2 characters (re:Post "
        .. "knowledge-center/sns-pinpoint-high-sms-charges).",
    "Logins arrive at random (Poisson). A remembered device skips MFA for --remember-device-days after each MFA "
        .. "sign-in; devices remembered last month carry over (steady state), so a user's very first month "
        .. "costs slightly more.",
    "TOTP users never get an SMS; resends add --resend-rate messages per SMS challenge on average.",
    "Not included: sign-up and attribute-verification SMS, email codes, SAML/OIDC-federated MAU, machine-to-machine "
        .. "requests, taxes, and charges for failed deliveries.",
}

local function num(v)
    if math.type(v) == "integer" then return v end
    if v == math.floor(v) and math.abs(v) < 2 ^ 53 then return math.tointeger(v) end
    v = tonumber(string.format("%.6f", v))
    return v == math.floor(v) and math.tointeger(v) or v
end

local function show(v)
    v = num(v)
    if math.type(v) == "integer" then return money.count(v) end
    if math.abs(v) >= 1000 then
        local whole, frac = string.format("%.1f", v):match("^(-?%d+)%.(%d)$")
        return money.count(tonumber(whole)) .. (frac ~= "0" and "." .. frac or "")
    end
    return (string.format("%.4f", v):gsub("0+$", ""):gsub("%.$", ""))
end

local function entry_json(what, e)
    return { what = what, value = e.value, unit = e.unit, currency = e.currency, checked = e.checked,
             source = e.source, note = e.note }
end

local function band_label(row)
    if row.kind == "free" then return "free MAU" end
    if row.to then return string.format("MAU %s-%s", money.count(row.from), money.count(row.to)) end
    return string.format("MAU from %s", money.count(row.from))
end

-- The prices an estimate used, in order: the tier's, then each country's.
local function prices_used(e)
    local out = {}
    for _, row in ipairs(e.mau_rows) do
        out[#out + 1] = { what = e.inputs.tier.id .. ": " .. band_label(row), entry = row.entry }
    end
    for _, row in ipairs(e.sms_rows) do
        out[#out + 1] = { what = "SMS to " .. row.country, entry = row.entry }
    end
    return out
end

M.SPEND_LIMIT_NANO = money.from_usd(1.00)

-- Things the reader should act on, each one line.
function M.warnings(e, extra)
    local out = {}
    local sms = e.sms_nano
    local sim = extra and extra.simulation
    if sim and sim.sms_nano.p95 > sms then sms = sim.sms_nano.p95 end
    if sms > M.SPEND_LIMIT_NANO then
        out[#out + 1] = "The SMS charge is above $1.00 a month, the default SMS spend limit of a new AWS account "
            .. "(per Region): until a Support case raises it, and the account's SMS settings are changed to match, "
            .. "SMS stops within minutes of crossing it "
            .. "(https://docs.aws.amazon.com/pinpoint/latest/userguide/channels-sms-awssupport-spend-threshold.html)."
    end
    local undated = {}
    for _, u in ipairs(prices_used(e)) do
        if u.entry.checked == "undated" then undated[#undated + 1] = u.what end
    end
    if #undated > 0 then
        out[#out + 1] = "Undated figures (" .. table.concat(undated, "; ") .. "): check them on the live pricing "
            .. "pages, or pass your own with --pricing FILE."
    end
    return out
end

local function defaulted_list(inputs)
    local out = {}
    for k in pairs(inputs.defaulted) do out[#out + 1] = k end
    table.sort(out)
    return json.array(out)
end

local function dist(s, as_money)
    local out = {}
    for _, k in ipairs{ "median", "p95", "mean", "min", "max" } do
        out[k] = as_money and money.to_usd(math.floor(s[k] + 0.5)) or num(s[k])
    end
    return out
end

function M.data(e, extra)
    extra = extra or {}
    local i, f, p = e.inputs, e.per_user, e.pricing
    local mix = {}
    for k, m in ipairs(i.mix) do mix[k] = { country = m.country, share = m.share } end
    local mau_rows, sms_rows, prices = {}, {}, {}
    for k, r in ipairs(e.mau_rows) do
        mau_rows[k] = { kind = r.kind, from = r.from, to = r.to, mau = r.mau, usd = money.to_usd(r.nano),
                        price = r.kind == "band" and r.entry.value or nil }
    end
    for k, r in ipairs(e.sms_rows) do
        sms_rows[k] = { country = r.country, share = r.share, messages = num(r.messages), parts = num(r.parts),
                        price = r.entry.value, usd = money.to_usd(r.nano) }
    end
    for k, u in ipairs(prices_used(e)) do prices[k] = entry_json(u.what, u.entry) end
    local out = {
        pricing = { profile = p.profile, title = p.title, origin = p.origin, currency = "USD" },
        tier = { id = i.tier.id, name = i.tier.name },
        mau = i.mau,
        mau_usd = money.to_usd(e.mau_nano),
        mau_breakdown = mau_rows,
        sms_messages = num(e.sms_messages),
        sms_parts = num(e.sms_parts),
        sms_usd = money.to_usd(e.sms_nano),
        sms_by_country = sms_rows,
        total_usd = money.to_usd(e.total_nano),
        prices = prices,
        assumptions = {
            days_per_month = model.DAYS_PER_MONTH,
            logins_per_user_per_month = num(i.logins_per_month),
            logins_per_user_per_day = num(i.logins_per_day),
            totp_share = i.totp_share,
            remember_device_days = i.remember_days,
            resend_rate = i.resend_rate,
            sms_parts_per_message = i.sms_parts,
            sms_message = i.sms_message,
            country_mix = mix,
            tier = i.tier.id,
            defaulted = defaulted_list(i),
            mfa_share_of_logins = num(f.mfa_share),
            sms_per_user_per_month = num(f.sms),
            model = "sms_per_user = logins_per_month * (1 - totp_share) * 1/(1 + logins_per_day * "
                .. "remember_device_days) * (1 + resend_rate); sms_usd = sum over countries of "
                .. "mau * sms_per_user * share * sms_parts_per_message * price",
            notes = M.NOTES,
        },
    }
    local s = extra.sensitivity
    if s then
        local usd = {}
        for r, row in ipairs(s.total_nano) do
            usd[r] = {}
            for c, v in ipairs(row) do usd[r][c] = money.to_usd(v) end
        end
        local msgs = {}
        for r, row in ipairs(s.sms_messages) do
            msgs[r] = {}
            for c, v in ipairs(row) do msgs[r][c] = num(v) end
        end
        out.sensitivity = { totp_shares = s.totp_shares, remember_device_days = s.remember_device_days,
                            total_usd = usd, sms_messages = msgs }
    end
    local sim = extra.simulation
    if sim then
        out.simulation = {
            runs = sim.runs, seed = sim.seed, users_per_run = sim.users_per_run, sampled = sim.sampled,
            sms_messages = dist(sim.sms_messages), sms_usd = dist(sim.sms_nano, true),
            total_usd = dist(sim.total_nano, true),
            closed_form = { sms_messages = num(e.sms_messages), sms_usd = money.to_usd(e.sms_nano),
                            total_usd = money.to_usd(e.total_nano) },
        }
    end
    out.warnings = json.array(M.warnings(e, extra))
    out.chart = extra.chart
    return out
end

local function pad(s, n) return s .. string.rep(" ", n - utf8.len(s)) end
local function lpad(s, n) return string.rep(" ", n - utf8.len(s)) .. s end

-- Wraps `text` at `width` columns, each line after the first indented.
local function wrap(text, width, indent)
    local lead, rest = text:match("^(%s*)(.*)$")
    local lines, line, fresh = {}, lead, true
    for word in rest:gmatch("%S+") do
        if not fresh and utf8.len(line) + 1 + utf8.len(word) > width then
            lines[#lines + 1] = line
            line = indent .. word
        else
            line = fresh and line .. word or line .. " " .. word
        end
        fresh = false
    end
    lines[#lines + 1] = line
    return table.concat(lines, "\n")
end

function M.text(e, extra)
    extra = extra or {}
    local i, f, p = e.inputs, e.per_user, e.pricing
    local o = {}
    local function w(s) o[#o + 1] = s end
    local function d(name) return i.defaulted[name] and "  (default)" or "" end

    w(string.format("Monthly cost estimate, pricing %s (%s)", p.profile, p.origin))
    w(wrap("  " .. p.title, 100, "  "))
    w("")
    w("Inputs")
    local rows = {
        { "monthly active users", money.count(i.mau) },
        { "logins per user", i.logins_from == "month"
            and string.format("%s a month (%s a day on average)", show(i.logins_per_month), show(i.logins_per_day))
            or string.format("%s a day x 30 days = %s a month%s", show(i.logins_per_day), show(i.logins_per_month),
                d("logins-per-user-per-day")) },
        { "share of users on TOTP", show(i.totp_share) .. d("totp-share") },
        { "device remembered for", show(i.remember_days) .. " days" .. (i.remember_days == 0
            and " (not remembered: every login asks for MFA)" or "") .. d("remember-device-days") },
        { "resends per SMS challenge", show(i.resend_rate) .. d("resend-rate") },
        { "parts per SMS message", show(i.sms_parts) .. (i.sms_message and string.format(
            " (%s, %d %s; %d per part; counted from %s with a 6-digit code)", i.sms_message.encoding,
            i.sms_message.units, i.sms_message.encoding == "GSM-7" and "septets" or "UTF-16 units",
            i.sms_message.per_part, i.sms_message.from) or d("sms-parts")) },
    }
    local mix = {}
    for _, m in ipairs(i.mix) do mix[#mix + 1] = string.format("%s %s%%", m.country, show(m.share * 100)) end
    rows[#rows + 1] = { "SMS destinations", table.concat(mix, ", ") .. d("country") }
    rows[#rows + 1] = { "Cognito tier", i.tier.id .. ": " .. i.tier.name .. d("tier") }
    for _, r in ipairs(rows) do w("  " .. pad(r[1], 27) .. r[2]) end
    w("")
    w("SMS per user per month (closed form)")
    w(string.format("  %s logins x %s not on TOTP x %s needing MFA [1/(1 + %s a day x %s days)] x %s [1 + resends]",
        show(f.logins), show(f.non_totp), show(f.mfa_share), show(f.login_rate_per_day), show(i.remember_days),
        show(f.resend_factor)))
    w(string.format("  = %s SMS messages; x %s users = %s messages", show(f.sms), money.count(i.mau),
        show(e.sms_messages)))
    w("")
    w("Cost per month")
    local lines = {}
    for _, r in ipairs(e.mau_rows) do
        if r.kind == "free" then
            if r.entry.value > 0 then
                lines[#lines + 1] = { string.format("MAU: %s of the first %s free", money.count(r.mau),
                    money.count(r.entry.value)), money.format(0) }
            end
        else
            lines[#lines + 1] = { string.format("%s: %s x %s", band_label(r), money.count(r.mau),
                money.format_price(r.entry.nano)), money.format(r.nano) }
        end
    end
    for _, r in ipairs(e.sms_rows) do
        lines[#lines + 1] = { string.format("SMS to %s: %s messages x %d part%s x %s", r.country, show(r.messages),
            i.sms_parts, i.sms_parts == 1 and "" or "s", money.format_price(r.entry.nano)), money.format(r.nano) }
    end
    lines[#lines + 1] = { "MAU charge", money.format(e.mau_nano) }
    lines[#lines + 1] = { "SMS charge", money.format(e.sms_nano) }
    lines[#lines + 1] = { "Total", money.format(e.total_nano) }
    local width = 0
    for _, l in ipairs(lines) do width = math.max(width, utf8.len(l[1])) end
    for _, l in ipairs(lines) do w("  " .. pad(l[1], width + 2) .. lpad(l[2], 14)) end
    w("")
    w("Prices used (USD; checked = when the figure was seen at its source)")
    for _, u in ipairs(prices_used(e)) do
        local en = u.entry
        local value = en.currency and money.format_price(en.nano) or money.count(en.value)
        w(string.format("  %s: %s %s; checked %s", u.what, value, en.unit, en.checked))
        w(wrap("      source: " .. en.source, 100, "        "))
        if en.note then w(wrap("      note: " .. en.note, 100, "        ")) end
    end

    local s = extra.sensitivity
    if s then
        w("")
        w("How the monthly total moves (rows: share of users on TOTP; columns: days a device stays remembered)")
        local cells = { { "TOTP \\ days" } }
        for _, dd in ipairs(s.remember_device_days) do cells[1][#cells[1] + 1] = show(dd) end
        for r, sh in ipairs(s.totp_shares) do
            local row = { show(sh) }
            for c = 1, #s.remember_device_days do row[#row + 1] = money.format(s.total_nano[r][c]) end
            cells[#cells + 1] = row
        end
        local widths = {}
        for _, row in ipairs(cells) do
            for c, v in ipairs(row) do widths[c] = math.max(widths[c] or 0, utf8.len(v)) end
        end
        for _, row in ipairs(cells) do
            local parts = {}
            for c, v in ipairs(row) do parts[c] = c == 1 and pad(v, widths[c]) or lpad(v, widths[c]) end
            w("  " .. table.concat(parts, "  "))
        end
    end

    local sim = extra.simulation
    if sim then
        w("")
        w(wrap(string.format("Simulation: %d runs of the month, seed %d, %s users played per run%s", sim.runs,
            sim.seed, money.count(sim.users_per_run), sim.sampled and string.format(
                " (a sample of the %s MAU; each run's spread is scaled to the full MAU)", money.count(i.mau)) or ""),
            100, "  "))
        local t = {
            { "", "median", "p95", "closed form" },
            { "SMS messages", money.count(sim.sms_messages.median), money.count(sim.sms_messages.p95),
              show(e.sms_messages) },
            { "SMS charge", money.format(math.floor(sim.sms_nano.median + 0.5)),
              money.format(math.floor(sim.sms_nano.p95 + 0.5)), money.format(e.sms_nano) },
            { "Total", money.format(math.floor(sim.total_nano.median + 0.5)),
              money.format(math.floor(sim.total_nano.p95 + 0.5)), money.format(e.total_nano) },
        }
        local widths = { 0, 0, 0, 0 }
        for _, row in ipairs(t) do
            for c, v in ipairs(row) do widths[c] = math.max(widths[c], utf8.len(v)) end
        end
        for _, row in ipairs(t) do
            w("  " .. pad(row[1], widths[1]) .. "  " .. lpad(row[2], widths[2]) .. "  " .. lpad(row[3], widths[3])
                .. "  " .. lpad(row[4], widths[4]))
        end
    end

    local warnings = M.warnings(e, extra)
    if #warnings > 0 then
        w("")
        w("Warnings")
        for _, n in ipairs(warnings) do w(wrap("  ! " .. n, 100, "    ")) end
    end
    w("")
    w("Assumptions")
    for _, n in ipairs(M.NOTES) do w(wrap("  - " .. n, 100, "    ")) end
    if extra.chart then
        w("")
        w("Chart written to " .. extra.chart)
    end
    return table.concat(o, "\n") .. "\n"
end

return M
