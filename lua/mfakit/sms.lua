-- mfakit.sms: how many billed message parts an SMS text makes, as carriers
-- and SNS count them (3GPP TS 23.038 for the GSM 7-bit alphabet; the
-- single-part and concatenated sizes are those of the SMS user data header).
--   sms.parts(text) -> parts, { encoding = "GSM-7"|"UCS-2", units = n, per_part = n }
--   sms.render(template) -> text with each {####} replaced by a 6-digit code
-- GSM-7 when every character is in the basic alphabet or its extension
-- table (an extension character, such as { } [ ] ~ ^ \ | or €, costs 2
-- septets: an escape and the character); else UCS-2, counting UTF-16 code
-- units (a character outside the Basic Multilingual Plane, such as most
-- emoji, is 2). One part holds 160 septets or 70 units; a longer message is
-- split into parts of 153 or 67 (the rest carries the concatenation header),
-- and an escaped pair is never split between two parts.
-- Shared by `mfakit load`'s cost guard and `mfakit cost`.
local check = require("mfakit.args").check

local M = {}

M.CODE = "123456" -- what {####} becomes: Cognito's codes are 6 digits
-- What a pool that sets no SmsAuthenticationMessage sends (as DescribeUserPool
-- shows it for such pools)
M.COGNITO_DEFAULT = "Your authentication code is {####}. "

local BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" ..
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
local EXTENSION = "\f^{}\\[~]|€"

local function set_of(s)
    local t = {}
    for _, c in utf8.codes(s) do t[c] = true end
    return t
end
local GSM, EXT = set_of(BASIC), set_of(EXTENSION)

M.LIMITS = { ["GSM-7"] = { single = 160, part = 153 }, ["UCS-2"] = { single = 70, part = 67 } }

function M.render(template)
    return (template:gsub("{####}", M.CODE))
end

-- sizes of each character in the chosen encoding
local function sizes(text)
    local gsm, list = true, {}
    if not utf8.len(text) then return nil end
    for _, c in utf8.codes(text) do
        if not (GSM[c] or EXT[c]) then gsm = false end
        list[#list + 1] = c
    end
    local out = {}
    for i, c in ipairs(list) do
        if gsm then
            out[i] = EXT[c] and 2 or 1
        else
            out[i] = c > 0xFFFF and 2 or 1
        end
    end
    return out, gsm and "GSM-7" or "UCS-2"
end

function M.parts(text)
    check(1, "sms.parts", text, "string")
    local each, enc = sizes(text)
    if not each then return nil, "not valid UTF-8" end
    local units = 0
    for _, n in ipairs(each) do units = units + n end
    local lim = M.LIMITS[enc]
    local info = { encoding = enc, units = units, per_part = lim.single }
    if units <= lim.single then return 1, info end
    -- fill parts in order; a 2-unit character that does not fit starts the next part
    local parts, used = 1, 0
    for _, n in ipairs(each) do
        if used + n > lim.part then
            parts, used = parts + 1, 0
        end
        used = used + n
    end
    info.per_part = lim.part
    return parts, info
end

return M
