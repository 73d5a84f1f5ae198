-- mfakit.aws.credentials: AWS credentials, resolved as the AWS SDKs do:
--   1. explicit options (access_key, secret_key, session_token)
--   2. AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (unless
--      a profile was named with --profile or the profile option)
--   3. the profile (--profile, AWS_PROFILE, "default") in the shared
--      credentials and config files: static keys or credential_process
-- resolve(opts) -> { access_key, secret_key, session_token, expiration, source } | nil, err
local args = require "mfakit.args"
local json = require "mfakit.json"
local errors = require "mfakit.errors"
local profile = require "mfakit.aws.profile"
local sys = require "mfakit.sys"
local config = require "mfakit.config"

local M = {}

-- credential_process results, by command, until shortly before they expire
local process_cache = {}

-- "2026-11-28T10:00:00Z" -> Unix seconds
local function parse_time(s)
    local y, mo, d, h, mi, sec = tostring(s):match("^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)")
    if not y then return nil end
    local days_before_month = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 }
    y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
    local leap = (y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)) and mo > 2 and 1 or 0
    local yd = y - 1970
    local days = yd * 365 + (y - 1969) // 4 - (y - 1901) // 100 + (y - 1601) // 400
        + days_before_month[mo] + leap + d - 1
    return days * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(sec)
end
M.parse_time = parse_time

local function run_process(command, profile_name)
    local cached = process_cache[command]
    if cached and (not cached.expiration or cached.expiration - sys.now() > 300) then return cached end
    local p = io.popen(command, "r")
    if not p then
        return errors.fail("CredentialProcessFailed", "profile %s: cannot run its credential_process", profile_name)
    end
    local out = p:read("a")
    local ok, _, status = p:close()
    if not ok then
        return errors.fail("CredentialProcessFailed", "profile %s: credential_process exited with status %s",
            profile_name, tostring(status))
    end
    local doc = json.decode(out)
    if type(doc) ~= "table" or doc.Version ~= 1 or type(doc.AccessKeyId) ~= "string"
        or type(doc.SecretAccessKey) ~= "string" then
        return errors.fail("CredentialProcessFailed",
            "profile %s: credential_process did not print JSON with Version 1, AccessKeyId and SecretAccessKey",
            profile_name)
    end
    local c = {
        access_key = doc.AccessKeyId, secret_key = doc.SecretAccessKey,
        session_token = type(doc.SessionToken) == "string" and doc.SessionToken or nil,
        expiration = doc.Expiration and parse_time(doc.Expiration) or nil,
        source = "credential_process (profile " .. profile_name .. ")",
    }
    if c.expiration and c.expiration <= sys.now() then
        return errors.fail("ExpiredCredentials", "profile %s: credential_process returned expired credentials",
            profile_name)
    end
    process_cache[command] = c
    return c
end

function M.resolve(opts)
    opts = args.check(1, "aws.credentials", opts, "table|nil") or {}
    if opts.access_key or opts.secret_key then
        if type(opts.access_key) ~= "string" or type(opts.secret_key) ~= "string" then
            error("aws: access_key and secret_key must both be strings", 3)
        end
        return { access_key = opts.access_key, secret_key = opts.secret_key,
                 session_token = opts.session_token, source = "options" }
    end
    -- A profile named explicitly (--profile, opts.profile) wins over the
    -- environment's keys, as in the AWS CLI; AWS_PROFILE does not.
    local explicit = opts.profile or config.profile
    local id, secret = os.getenv("AWS_ACCESS_KEY_ID"), os.getenv("AWS_SECRET_ACCESS_KEY")
    if not explicit and id and id ~= "" and secret and secret ~= "" then
        local token = os.getenv("AWS_SESSION_TOKEN")
        return { access_key = id, secret_key = secret,
                 session_token = (token and token ~= "") and token or nil, source = "environment" }
    end
    local name = profile.name(opts)
    local p, err = profile.load(name)
    if not p then return nil, err end
    if p.aws_access_key_id and p.aws_secret_access_key then
        return { access_key = p.aws_access_key_id, secret_key = p.aws_secret_access_key,
                 session_token = p.aws_session_token, source = "profile " .. name }
    end
    if p.credential_process then return run_process(p.credential_process, name) end
    if p.role_arn then
        return errors.fail("UnsupportedProfile",
            "profile %s assumes a role (role_arn); mfakit does not resolve that yet: " ..
            "export credentials first (aws configure export-credentials --profile %s --format env)", name, name)
    end
    if p.sso_session or p.sso_start_url then
        return errors.fail("UnsupportedProfile",
            "profile %s uses IAM Identity Center (SSO); export credentials first " ..
            "(aws configure export-credentials --profile %s --format env)", name, name)
    end
    return errors.fail("NoCredentials", "no AWS credentials found: set AWS_ACCESS_KEY_ID and " ..
        "AWS_SECRET_ACCESS_KEY, or a profile (--profile, AWS_PROFILE) in ~/.aws/credentials%s",
        p.found and "" or (name ~= "default" and " (profile '" .. name .. "' does not exist)" or ""))
end

return M
