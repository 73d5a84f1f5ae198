-- mfakit.cognito.sms_regions: which AWS region sends a user pool's SMS (the doctor
-- and the guide's spend-alarm step both need it, so it lives with Cognito's services).
-- Source: the Amazon Cognito Developer Guide, "SMS message settings for
-- Amazon Cognito user pools",
-- https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-sms-settings.html
-- (as archived in awsdocs/amazon-cognito-developer-guide
-- doc_source/user-pool-sms-settings.md @ c416663ec2af, 2023-05-19), and the
-- API reference's SmsConfigurationType.SnsRegion.
-- Rules from there: a pool sends with SNS in its own region or in a "legacy
-- Amazon SNS alternate Region"; a pool made through the API without
-- SnsRegion in one of the ALTERNATE regions below can send from that legacy
-- region (field report: an eu-central-1 pool sending from eu-west-1,
-- aws-amplify/amplify-js#7810); Seoul pools must use Tokyo. Regions added
-- to Cognito after May 2023 are not in the table (UNCONFIRMED: assumed to
-- send from their own region).
--   resolve(pool_region, sns_region_setting) -> { region=, status=, why= }
local M = {}

M.SOURCE = "Amazon Cognito Developer Guide, SMS message settings for Amazon Cognito user pools (2023), "
    .. "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-sms-settings.html"

-- pool region -> the legacy alternate SNS region
M.ALTERNATE = {
    ["us-east-2"] = "us-east-1",
    ["ap-south-1"] = "ap-southeast-1",
    ["ca-central-1"] = "us-east-1",
    ["eu-central-1"] = "eu-west-1",
    ["eu-west-2"] = "eu-west-1",
    ["ap-northeast-2"] = "ap-northeast-1",
}

-- pool regions that may only use their alternate
M.ALTERNATE_ONLY = { ["ap-northeast-2"] = true }

-- pool regions in the table that send from themselves only
M.SAME = {
    ["us-east-1"] = true, ["us-west-1"] = true, ["us-west-2"] = true, ["ap-southeast-1"] = true,
    ["ap-southeast-2"] = true, ["ap-northeast-1"] = true, ["eu-west-1"] = true, ["eu-west-3"] = true,
    ["eu-north-1"] = true, ["eu-south-1"] = true, ["me-south-1"] = true, ["sa-east-1"] = true,
}

-- The SNS regions that can send for a pool region, or nil when the table
-- does not list it.
function M.allowed(pool_region)
    if M.ALTERNATE_ONLY[pool_region] then return { M.ALTERNATE[pool_region] } end
    if M.ALTERNATE[pool_region] then return { pool_region, M.ALTERNATE[pool_region] } end
    if M.SAME[pool_region] then return { pool_region } end
    return nil
end

local function contains(list, v)
    for _, x in ipairs(list) do if x == v then return true end end
    return false
end

-- status: "pass" (known), "warn" (a guess: say so), "fail" (SnsRegion names
-- a region that cannot send for this pool).
function M.resolve(pool_region, setting)
    if setting == "" then setting = nil end
    local allowed = M.allowed(pool_region)
    if not allowed then
        return { region = setting or pool_region, status = "warn", why = string.format(
            "%s is not in the 2023 table of SMS regions: assumed to send from %s (unconfirmed)",
            pool_region, setting or pool_region) }
    end
    if setting then
        if contains(allowed, setting) then
            return { region = setting, status = "pass", why = string.format(
                "the pool's SnsRegion is %s%s", setting,
                setting ~= pool_region and (", the alternate region for " .. pool_region) or "") }
        end
        return { region = setting, status = "fail", allowed = allowed, why = string.format(
            "the pool's SnsRegion %s cannot send SMS for a pool in %s (allowed: %s)", setting, pool_region,
            table.concat(allowed, ", ")) }
    end
    local alt = M.ALTERNATE[pool_region]
    if M.ALTERNATE_ONLY[pool_region] then
        return { region = alt, status = "pass", why = string.format(
            "pools in %s must send SMS from %s", pool_region, alt) }
    end
    if alt then
        return { region = alt, status = "warn", allowed = allowed, why = string.format(
            "SnsRegion is not set: a pool in %s made through the API can send from the legacy region %s " ..
            "(assumed here) or from %s", pool_region, alt, pool_region) }
    end
    return { region = pool_region, status = "pass", why = pool_region .. " sends SMS from its own region" }
end

return M
