-- mfakit.cognito.phone: E.164 phone numbers, checked before any call.
--   check(s) -> s | nil, err (err.suggestion: the corrected form, when it
--   can be inferred from the input and a default country code)
-- Cognito stores phone_number only as +<country code><subscriber number>
-- (up to 15 digits, no spaces or punctuation); SMS to anything else fails.
local errors = require "mfakit.errors"

local check = require("mfakit.args").check

local M = {}

M.default_country = "1" -- used only to suggest a correction, never applied silently

function M.check(s, default_country)
    check(1, "cognito.check_phone", s, "string")
    check(2, "cognito.check_phone", default_country, "string|nil")
    if s:match("^%+[1-9]%d+$") and #s >= 8 and #s <= 16 then return s end
    local digits = s:gsub("[%s%-%.%(%)/]", "")
    local suggestion
    if digits:match("^%+[1-9]%d+$") and #digits >= 8 and #digits <= 16 then
        suggestion = digits
    elseif digits:match("^00[1-9]%d+$") and #digits <= 17 then
        suggestion = "+" .. digits:sub(3)
    elseif digits:match("^%d+$") then
        local cc = default_country or M.default_country
        if cc == "1" and #digits == 11 and digits:sub(1, 1) == "1" then
            suggestion = "+" .. digits
        elseif cc == "1" and #digits == 10 then
            suggestion = "+1" .. digits
        end
    end
    local err = errors.new{
        code = "InvalidPhoneNumber",
        message = string.format("'%s' is not an E.164 phone number: write it as + then the country code " ..
            "and number, digits only%s", s,
            suggestion and (", e.g. " .. suggestion) or " (like +15555550100)"),
        suggestion = suggestion,
    }
    return nil, err
end

return M
