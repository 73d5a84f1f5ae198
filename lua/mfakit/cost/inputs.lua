-- mfakit.cost.inputs: the cost command's options, checked, with defaults.
--   from_options(opts, pricing) -> inputs | nil, message
-- opts are mfakit.cli.parse's (numbers already numbers). A message is one
-- line that names the option. inputs:
--   mau, logins_per_month, logins_per_day, logins_from ("day"|"month"|"default"),
--   totp_share, remember_days, resend_rate, sms_parts,
--   mix = { {country=, share=}, ... } (sorted by country), tier (pricing tier),
--   defaulted = { [option name] = true } for every option left out.
local model = require "mfakit.cost.model"

local M = {}

M.DEFAULT_LOGINS_PER_DAY = 1
M.MAX_MAU = 1000000000

local function shown(v)
    if math.type(v) == "float" and v == math.floor(v) and math.abs(v) < 2 ^ 53 then
        return string.format("%d", v)
    end
    return tostring(v)
end

local function non_negative(opts, name)
    local v = opts[name]
    if v ~= nil and v < 0 then return nil, "--" .. name .. " must not be negative, not " .. shown(v) end
    return v
end

local function whole(opts, name, min)
    local v = opts[name]
    if v == nil then return nil end
    if v < 0 then return nil, "--" .. name .. " must not be negative, not " .. shown(v) end
    local i = math.tointeger(v)
    if not i then return nil, "--" .. name .. " must be a whole number, not " .. shown(v) end
    if i < min then return nil, "--" .. name .. " must be at least " .. min .. ", not " .. shown(v) end
    return i
end

local function share(opts, name)
    local v = opts[name]
    if v ~= nil and (v < 0 or v > 1) then
        return nil, "--" .. name .. " is a share of users and must be between 0 and 1, not " .. shown(v)
    end
    return v
end

-- "US" or "US=0.7,IN=0.3"
local function country_mix(text, pricing)
    local known = table.concat(pricing.countries, ", ")
    local mix, seen, total = {}, {}, 0
    for item in (text .. ","):gmatch("([^,]*),") do
        item = item:gsub("^%s+", ""):gsub("%s+$", "")
        local code, value = item:match("^(%a%a)%s*=%s*(.+)$")
        code = code or item:match("^%a%a$")
        if not code then
            return nil, "--country takes a country code (US) or a mix (US=0.7,IN=0.3), not '" .. item .. "'"
        end
        code = code:upper()
        if not pricing.sms[code] then
            return nil, string.format("--country: no SMS price for '%s' in pricing %s (it has %s; add one with "
                .. "--pricing FILE)", code, pricing.profile, known)
        end
        if seen[code] then return nil, "--country: " .. code .. " appears twice" end
        seen[code] = true
        local s = 1
        if value then
            s = tonumber(value)
            if not s or s ~= s then return nil, "--country: the share of " .. code .. " must be a number, not '"
                .. value .. "'" end
            if s < 0 or s > 1 then
                return nil, "--country: the share of " .. code .. " must be between 0 and 1, not " .. value
            end
        elseif #text:gsub("[^,]", "") > 0 then
            return nil, "--country: give every country in a mix a share (US=0.7,IN=0.3)"
        end
        total = total + s
        mix[#mix + 1] = { country = code, share = s }
    end
    if math.abs(total - 1) > 1e-9 then
        return nil, "--country: the shares must add up to 1, not " .. shown(total)
    end
    table.sort(mix, function(a, b) return a.country < b.country end)
    return mix
end

function M.from_options(opts, pricing)
    local inputs = { defaulted = {} }
    local err
    if opts.mau == nil then return nil, "--mau is required (monthly active users)" end
    inputs.mau, err = whole(opts, "mau", 0)
    if err then return nil, err end
    if inputs.mau > M.MAX_MAU then return nil, "--mau must be at most " .. M.MAX_MAU end

    local per_day, per_month
    per_day, err = non_negative(opts, "logins-per-user-per-day")
    if err then return nil, err end
    per_month, err = non_negative(opts, "logins-per-user-per-month")
    if err then return nil, err end
    if per_day and per_month then
        return nil, "--logins-per-user-per-day and --logins-per-user-per-month: give one, not both"
    end
    if per_month then
        inputs.logins_from = "month"
        inputs.logins_per_month, inputs.logins_per_day = per_month, per_month / model.DAYS_PER_MONTH
    else
        inputs.logins_from = per_day and "day" or "default"
        per_day = per_day or M.DEFAULT_LOGINS_PER_DAY
        inputs.logins_per_day, inputs.logins_per_month = per_day, per_day * model.DAYS_PER_MONTH
        if not opts["logins-per-user-per-day"] then inputs.defaulted["logins-per-user-per-day"] = true end
    end

    inputs.totp_share, err = share(opts, "totp-share")
    if err then return nil, err end
    inputs.remember_days, err = non_negative(opts, "remember-device-days")
    if err then return nil, err end
    inputs.resend_rate, err = non_negative(opts, "resend-rate")
    if err then return nil, err end
    inputs.sms_parts, err = whole(opts, "sms-parts", 1)
    if err then return nil, err end
    if opts["sms-message"] then
        -- the parts of the message itself, as carriers count them (mfakit.sms,
        -- shared with mfakit load's cost guard)
        if opts["sms-parts"] then return nil, "--sms-parts and --sms-message: give one, not both" end
        local sms = require "mfakit.sms"
        local parts, info = sms.parts(sms.render(opts["sms-message"]))
        if not parts then return nil, "--sms-message: " .. info end
        inputs.sms_parts, inputs.sms_encoding = parts, info.encoding
    end
    local defaults = { { "totp-share", "totp_share", 0 }, { "remember-device-days", "remember_days", 0 },
                       { "resend-rate", "resend_rate", 0 }, { "sms-parts", "sms_parts", 1 } }
    for _, d in ipairs(defaults) do
        if inputs[d[2]] == nil then
            inputs[d[2]] = d[3]
            inputs.defaulted[d[1]] = true
        end
    end

    if opts.country then
        inputs.mix, err = country_mix(opts.country, pricing)
        if err then return nil, err end
    else
        inputs.mix = { { country = pricing.default_country, share = 1 } }
        inputs.defaulted.country = true
    end

    local tier_id = opts.tier and opts.tier:lower() or pricing.default_tier
    inputs.tier = pricing.tier_by_id[tier_id]
    if not inputs.tier then
        local ids = {}
        for _, t in ipairs(pricing.tiers) do ids[#ids + 1] = t.id end
        return nil, string.format("--tier: no tier '%s' in pricing %s (it has %s)", opts.tier, pricing.profile,
            table.concat(ids, ", "))
    end
    if not opts.tier then inputs.defaulted.tier = true end
    return inputs
end

return M
