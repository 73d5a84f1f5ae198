-- mfakit.cost.chart: monthly cost against MAU as a plain SVG document.
--   svg(pricing, inputs[, {max_mau=}]) -> text
-- One line per tier of the pricing profile (MAU charge plus SMS, with the
-- inputs' per-user assumptions), a dashed line for the SMS charge alone, and
-- a marker at the inputs' MAU. Cost is piecewise linear in MAU, so each line
-- is exact with a point at 0, at every band edge and at the right end.
local model = require "mfakit.cost.model"
local money = require "mfakit.cost.money"

local M = {}

local W, H = 800, 460
local LEFT, RIGHT, TOP, BOTTOM = 90, 230, 56, 64
local COLORS = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2" }

-- XML text: escape markup, and drop control characters and bytes that are
-- not UTF-8, which no XML document may hold.
local function esc(s)
    s = tostring(s):gsub("[%z\1-\8\11\12\14-\31]", "")
    if not utf8.len(s) then s = s:gsub("[\128-\255]", "?") end
    return (s:gsub("[&<>\"]", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;" }))
end

-- The smallest 1, 2, 2.5 or 5 times a power of ten that is >= x.
local function nice(x)
    if x <= 0 then return 1 end
    local p = 10 ^ math.floor(math.log(x, 10))
    for _, m in ipairs{ 1, 2, 2.5, 5, 10 } do
        if m * p >= x * (1 - 1e-12) then return m * p end
    end
    return 10 * p
end
M.nice = nice

local function compact(n)
    local function trim(s) return (s:gsub("%.0$", "")) end
    if n >= 1e6 then return trim(string.format("%.1f", n / 1e6)) .. "M" end
    if n >= 1e3 then return trim(string.format("%.1f", n / 1e3)) .. "k" end
    return trim(string.format("%.1f", n))
end

local function dollars(usd, step)
    if step < 1 then return string.format("$%.2f", usd) end
    return money.format(money.from_usd(usd), 0)
end

local function fmt(v) return (string.format("%.2f", v):gsub("%.?0+$", "")) end

function M.svg(pricing, inputs, opts)
    opts = opts or {}
    local xmax = opts.max_mau or nice(math.max(2 * inputs.mau, 100000))
    local xs = { [0] = true, [xmax] = true }
    if inputs.mau <= xmax then xs[inputs.mau] = true end
    for _, t in ipairs(pricing.tiers) do
        for _, b in ipairs(t.bands) do
            if b.from <= xmax then xs[b.from] = true end
        end
    end
    local points = {}
    for x in pairs(xs) do points[#points + 1] = x end
    table.sort(points)

    local series, ymax = {}, 0
    local function add(name, dashed, cost_of)
        local s = { name = name, dashed = dashed, pts = {} }
        for _, x in ipairs(points) do
            local usd = money.to_usd(cost_of(x))
            s.pts[#s.pts + 1] = { x, usd }
            if usd > ymax then ymax = usd end
        end
        series[#series + 1] = s
    end
    for _, t in ipairs(pricing.tiers) do
        local label = t.id:sub(1, 1):upper() .. t.id:sub(2)
        add(t.id == inputs.tier.id and label .. " (chosen)" or label, false, function(x)
            return model.estimate(pricing, model.with(inputs, { mau = x, tier = t })).total_nano
        end)
    end
    add("SMS alone", true, function(x)
        return model.estimate(pricing, model.with(inputs, { mau = x })).sms_nano
    end)

    if ymax ~= ymax or ymax >= math.huge then return nil, "the chart's costs are too large to draw" end
    local ystep = nice(math.max(ymax, 1) / 5)
    local ytop = math.max(ystep, math.ceil(ymax / ystep) * ystep)
    local xstep = nice(xmax / 5)
    local pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    local function px(x) return LEFT + x / xmax * pw end
    local function py(y) return TOP + ph - y / ytop * ph end

    local out = {}
    local function w(...) out[#out + 1] = string.format(...) end
    w('<?xml version="1.0" encoding="UTF-8"?>\n')
    w('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
        .. 'font-family="sans-serif" font-size="12">\n', W, H, W, H)
    w('<rect x="0" y="0" width="%d" height="%d" fill="white"/>\n', W, H)
    local mix = {}
    for _, m in ipairs(inputs.mix) do mix[#mix + 1] = string.format("%s %s%%", m.country, fmt(m.share * 100)) end
    w('<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>\n', LEFT,
        esc("Monthly cost against MAU (pricing: " .. pricing.profile .. ")"))
    w('<text x="%d" y="40" fill="#555">%s</text>\n', LEFT, esc(string.format(
        "%s logins/user/month, TOTP share %s, devices remembered %s days, resends %s, %s",
        fmt(inputs.logins_per_month), fmt(inputs.totp_share), fmt(inputs.remember_days),
        fmt(inputs.resend_rate), table.concat(mix, ", "))))

    w('<g stroke="#ddd" stroke-width="1">\n')
    for y = 0, ytop + ystep / 2, ystep do
        w('<line x1="%s" y1="%s" x2="%s" y2="%s"/>\n', fmt(px(0)), fmt(py(y)), fmt(px(xmax)), fmt(py(y)))
    end
    w('</g>\n<g fill="#333">\n')
    for y = 0, ytop + ystep / 2, ystep do
        w('<text x="%s" y="%s" text-anchor="end">%s</text>\n', fmt(LEFT - 8), fmt(py(y) + 4), esc(dollars(y, ystep)))
    end
    for x = 0, xmax + xstep / 2, xstep do
        w('<text x="%s" y="%s" text-anchor="middle">%s</text>\n', fmt(px(x)), fmt(TOP + ph + 18), compact(x))
    end
    w('</g>\n')
    w('<g stroke="#333" stroke-width="1.5"><line x1="%d" y1="%d" x2="%d" y2="%d"/>'
        .. '<line x1="%d" y1="%d" x2="%d" y2="%d"/></g>\n', LEFT, TOP, LEFT, TOP + ph, LEFT, TOP + ph, LEFT + pw,
        TOP + ph)
    w('<text x="%s" y="%d" text-anchor="middle">Monthly active users (MAU)</text>\n', fmt(LEFT + pw / 2), H - 18)
    w('<text x="18" y="%s" text-anchor="middle" transform="rotate(-90 18 %s)">Monthly cost (USD)</text>\n',
        fmt(TOP + ph / 2), fmt(TOP + ph / 2))

    if inputs.mau <= xmax then
        w('<line x1="%s" y1="%d" x2="%s" y2="%d" stroke="#888" stroke-dasharray="2 3"/>\n', fmt(px(inputs.mau)),
            TOP, fmt(px(inputs.mau)), TOP + ph)
        w('<text x="%s" y="%d" fill="#555">%s MAU</text>\n', fmt(px(inputs.mau) + 4), TOP + 12,
            money.count(inputs.mau))
    end

    for i, s in ipairs(series) do
        local color = s.dashed and "#444" or COLORS[(i - 1) % #COLORS + 1]
        local pts = {}
        for _, pt in ipairs(s.pts) do pts[#pts + 1] = fmt(px(pt[1])) .. "," .. fmt(py(pt[2])) end
        w('<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>\n', color,
            s.dashed and ' stroke-dasharray="6 4"' or "", table.concat(pts, " "))
        local ly = TOP + 10 + (i - 1) * 20
        w('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>\n', W - RIGHT + 16, ly,
            W - RIGHT + 40, ly, color, s.dashed and ' stroke-dasharray="6 4"' or "")
        w('<text x="%d" y="%d">%s</text>\n', W - RIGHT + 46, ly + 4, esc(s.name))
    end
    w('</svg>\n')
    return table.concat(out)
end

return M
