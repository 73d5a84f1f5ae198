-- mfakit.aws.endpoints: region and endpoint resolution, as the AWS SDKs do.
--   region(opts)             -> "eu-west-1" | nil, err
--   endpoint(service, region, opts) -> url, signing_region
--   pool_region(user_pool_id)       -> "eu-west-1" | nil (the id names no region)
-- Region: option, --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region.
-- Endpoint: option, --endpoint, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL,
-- the profile's endpoint_url, else AWS's public endpoint for the region.
local args = require "mfakit.args"
local config = require "mfakit.config"
local errors = require "mfakit.errors"
local profile = require "mfakit.aws.profile"

local M = {}

-- service -> the id used in AWS_ENDPOINT_URL_<ID> (the SDKs' service id,
-- upper-cased, spaces to underscores)
local ENV_IDS = {
    ["cognito-idp"] = "COGNITO_IDENTITY_PROVIDER",
    iam = "IAM", sns = "SNS", sts = "STS", cloudwatch = "CLOUDWATCH",
    cloudtrail = "CLOUDTRAIL", logs = "CLOUDWATCH_LOGS",
}

-- service -> the first label of its public endpoint, where it differs
local HOSTS = { cloudwatch = "monitoring" }

local function nonempty(s) return s ~= nil and s ~= "" and s or nil end

function M.region(opts)
    opts = args.check(1, "aws.region", opts, "table|nil") or {}
    local r = opts.region or config.region or nonempty(os.getenv("AWS_REGION"))
        or nonempty(os.getenv("AWS_DEFAULT_REGION"))
    if not r then
        local p = profile.load(profile.name(opts))
        r = p and p.region
    end
    if not r then
        return errors.fail("NoRegion", "no AWS region: use --region, AWS_REGION, or region in the profile")
    end
    if not r:match("^[a-z][a-z0-9%-]*%d$") then
        return errors.fail("InvalidRegion", "'%s' is not an AWS region name (like us-east-1)", r)
    end
    return r
end

-- The region a user pool id names: AWS's ids start with their region
-- ("eu-west-1_AbC"). Emulators issue ids whose prefix is not a region
-- ("local_3SbcYBJj"): those name none, and the region comes from the chain.
function M.pool_region(pool_id)
    local prefix = type(pool_id) == "string" and pool_id:match("^([%w%-]+)_") or nil
    if prefix and prefix:match("^%l%l%-[%l%-]+%-%d+$") then return prefix end
    return nil
end

local function dns_suffix(region)
    if region:match("^cn%-") then return "amazonaws.com.cn" end
    if region:match("^us%-iso%-") then return "c2s.ic.gov" end
    if region:match("^us%-isob%-") then return "sc2s.sgov.gov" end
    return "amazonaws.com"
end

-- AWS's own endpoint. IAM is global per partition and signs in its home region.
local function default_endpoint(service, region)
    local suffix = dns_suffix(region)
    if service == "iam" then
        if region:match("^cn%-") then return "https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1" end
        if region:match("^us%-gov%-") then return "https://iam.us-gov.amazonaws.com", "us-gov-west-1" end
        return "https://iam.amazonaws.com", "us-east-1"
    end
    return string.format("https://%s.%s.%s", HOSTS[service] or service, region, suffix), region
end

function M.endpoint(service, region, opts)
    args.check(1, "aws.endpoint", service, "string")
    args.check(2, "aws.endpoint", region, "string")
    opts = args.check(3, "aws.endpoint", opts, "table|nil") or {}
    -- a global service keeps its signing region behind any endpoint
    local _, signing = default_endpoint(service, region)
    if opts.endpoint then return opts.endpoint, signing end
    if config.endpoint then return config.endpoint, signing end
    local ignore = (os.getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") or ""):lower() == "true"
    if not ignore then
        local id = ENV_IDS[service] or service:upper():gsub("[%- ]", "_")
        local url = nonempty(os.getenv("AWS_ENDPOINT_URL_" .. id)) or nonempty(os.getenv("AWS_ENDPOINT_URL"))
        if not url then
            local p = profile.load(profile.name(opts))
            url = p and nonempty(p.endpoint_url)
        end
        if url then return url, signing end
    end
    return default_endpoint(service, region)
end

return M
