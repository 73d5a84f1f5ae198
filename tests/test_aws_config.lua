-- tests/test_aws_config.lua: credentials, region and endpoints resolve as
-- the AWS SDKs do (options, environment, shared files, credential_process).
local aws = require "mfakit.aws"
local sys = require "mfakit.sys"
local config = require "mfakit.config"
local profile = require "mfakit.aws.profile"
local credentials = require "mfakit.aws.credentials"

local VARS = { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_IAM",
    "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "HOME" }

-- Runs fn with a clean AWS environment (and the given variables), then restores it.
local function with_env(env, fn)
    local saved = {}
    for _, k in ipairs(VARS) do saved[k] = os.getenv(k); sys.setenv(k, nil) end
    sys.setenv("HOME", "/nonexistent-home")
    for k, v in pairs(env) do sys.setenv(k, v) end
    local saved_config = { region = config.region, profile = config.profile, endpoint = config.endpoint }
    profile.reset()
    local ok, err = pcall(fn)
    for _, k in ipairs(VARS) do sys.setenv(k, saved[k]) end
    config.region, config.profile, config.endpoint = saved_config.region, saved_config.profile, saved_config.endpoint
    profile.reset()
    if not ok then error(err, 0) end
end

local function write(path, text)
    local f = assert(io.open(path, "w"))
    f:write(text)
    f:close()
    return path
end

local t = require "mfakit.test"
local tmp = os.getenv("MFAKIT_TEST_TMP") or "/tmp"

t.case("options beat the environment, which beats the profile", function()
    local cfile = write(tmp .. "/creds1", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = sfile\n")
    with_env({ AWS_SHARED_CREDENTIALS_FILE = cfile }, function()
        t.eq(assert(credentials.resolve()).access_key, "AKIDFILE")
        sys.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
        sys.setenv("AWS_SECRET_ACCESS_KEY", "senv")
        sys.setenv("AWS_SESSION_TOKEN", "tok")
        local c = assert(credentials.resolve())
        t.eq({ c.access_key, c.secret_key, c.session_token, c.source }, { "AKIDENV", "senv", "tok", "environment" })
        c = assert(credentials.resolve{ access_key = "AKIDOPT", secret_key = "sopt" })
        t.eq({ c.access_key, c.session_token }, { "AKIDOPT", nil })
        -- a profile named explicitly wins over the environment's keys; AWS_PROFILE does not
        t.eq(assert(credentials.resolve{ profile = "default" }).access_key, "AKIDFILE")
        sys.setenv("AWS_PROFILE", "default")
        t.eq(assert(credentials.resolve()).access_key, "AKIDENV")
    end)
end)

t.case("profiles: AWS_PROFILE, --profile, [profile x] in config, credentials file wins", function()
    local cred = write(tmp .. "/creds2", "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = sdev\n" ..
        "# comment\n[other]\naws_access_key_id=AKIDOTHER\naws_secret_access_key=sother\n")
    local conf = write(tmp .. "/conf2", "[default]\nregion = eu-west-1\n[profile dev]\nregion = ap-south-1\n" ..
        "aws_access_key_id = AKIDCONF\naws_secret_access_key = sconf\ns3 =\n  max_concurrent_requests = 4\n" ..
        "[profile procs]\ncredential_process = printf '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", " ..
        "\"SecretAccessKey\": \"sproc\", \"SessionToken\": \"tproc\", \"Expiration\": \"2999-01-01T00:00:00Z\"}'\n" ..
        "[profile broken]\ncredential_process = sh -c 'exit 3'\n[profile role]\nrole_arn = arn:aws:iam::1:role/x\n")
    with_env({ AWS_SHARED_CREDENTIALS_FILE = cred, AWS_CONFIG_FILE = conf, AWS_PROFILE = "dev" }, function()
        t.eq(assert(credentials.resolve()).access_key, "AKIDDEV")
        t.eq(assert(aws.region()), "ap-south-1")
        t.eq(assert(credentials.resolve{ profile = "other" }).access_key, "AKIDOTHER")
        config.profile = "procs"
        local c = assert(credentials.resolve())
        t.eq({ c.access_key, c.secret_key, c.session_token }, { "AKIDPROC", "sproc", "tproc" })
        t.eq(c.expiration, 32472144000)
        t.fails("CredentialProcessFailed", credentials.resolve{ profile = "broken" })
        local err = t.fails("UnsupportedProfile", credentials.resolve{ profile = "role" })
        t.ok(err.message:find("export-credentials", 1, true), err.message)
        err = t.fails("NoCredentials", credentials.resolve{ profile = "missing" })
        t.ok(err.message:find("'missing' does not exist", 1, true), err.message)
        config.profile = nil
        sys.setenv("AWS_PROFILE", nil)
        t.eq(assert(aws.region()), "eu-west-1")
    end)
end)

t.case("a malformed config file is a clear error", function()
    local conf = write(tmp .. "/conf3", "[default]\nthis is not ini\n")
    with_env({ AWS_CONFIG_FILE = conf }, function()
        local err = t.fails("InvalidConfigFile", credentials.resolve())
        t.ok(err.message:find("conf3:2", 1, true), err.message)
    end)
end)

t.case("no credentials and no region are clear errors", function()
    with_env({}, function()
        local err = t.fails("NoCredentials", credentials.resolve())
        t.ok(err.message:find("AWS_ACCESS_KEY_ID", 1, true), err.message)
        t.fails("NoRegion", aws.region())
        t.fails("InvalidRegion", aws.region{ region = "Europe" })
        local _, e2 = aws.client("iam"):call("ListRoles")
        t.eq(e2.code, "NoRegion")
    end)
end)

t.case("region order: option, --region, AWS_REGION, AWS_DEFAULT_REGION", function()
    with_env({ AWS_DEFAULT_REGION = "eu-central-1" }, function()
        t.eq(aws.region(), "eu-central-1")
        sys.setenv("AWS_REGION", "us-west-2")
        t.eq(aws.region(), "us-west-2")
        config.region = "sa-east-1"
        t.eq(aws.region(), "sa-east-1")
        t.eq(aws.region{ region = "ca-central-1" }, "ca-central-1")
    end)
end)

t.case("a user pool's region: a region-shaped id prefix wins; a conflicting --region is refused", function()
    local cognito = require "mfakit.cognito"
    local function region_of(pool)
        local idp = cognito.new{ user_pool_id = pool, client_id = "c" }
        local ok, err = idp.client:resolve()
        if not ok then return nil, err end
        return idp.client.region
    end
    with_env({ AWS_REGION = "eu-west-1" }, function()
        -- the id's region beats the environment's default
        t.eq(region_of("us-east-1_AbC"), "us-east-1")
        t.eq(region_of("us-gov-west-1_AbC"), "us-gov-west-1")
        -- an emulator's id names no region: the chain gives it (it was InvalidRegion 'local')
        t.eq(region_of("local_3SbcYBJj"), "eu-west-1")
        sys.setenv("AWS_REGION", nil)
        sys.setenv("AWS_DEFAULT_REGION", "ap-south-1")
        t.eq(region_of("local_3SbcYBJj"), "ap-south-1")
        config.region = "sa-east-1"
        t.eq(region_of("local_3SbcYBJj"), "sa-east-1")
        t.eq(region_of("sa-east-1_AbC"), "sa-east-1")
        -- --region and the id disagree: a mistake, said before anything is sent
        t.raises("region sa-east-1 conflicts with the user pool id us-east-1_AbC, which is in us-east-1",
            region_of, "us-east-1_AbC")
        config.region = nil
        t.raises("region eu-north-1 conflicts", cognito.new,
            { user_pool_id = "us-east-1_AbC", client_id = "c", region = "eu-north-1" })
        t.eq(require("mfakit.aws.endpoints").pool_region("cn-north-1_x"), "cn-north-1")
        t.eq(require("mfakit.aws.endpoints").pool_region("eu_x"), nil)
    end)
end)

t.case("a conflicting --region is one line and exit 2 from the command line", function()
    local support = dofile("tests/support.lua")
    local out, err, rc = support.run("MFAKIT_PW=x " .. support.bin() .. " --region us-west-2 login " ..
        "--user-pool-id us-east-1_AbC --client-id c --username u --password-env MFAKIT_PW --endpoint " ..
        "http://127.0.0.1:9 < /dev/null")
    t.eq(rc, 2, out .. err)
    t.ok(err:find("region us-west-2 conflicts with the user pool id us-east-1_AbC, which is in us-east-1", 1,
        true), err)
    t.eq(select(2, err:gsub("\n", "")), 1, err)
end)

t.case("endpoints: option, --endpoint, per-service and global variables, AWS defaults", function()
    with_env({}, function()
        t.eq({ aws.endpoint("cognito-idp", "eu-west-1") }, { "https://cognito-idp.eu-west-1.amazonaws.com", "eu-west-1" })
        t.eq({ aws.endpoint("iam", "eu-west-1") }, { "https://iam.amazonaws.com", "us-east-1" })
        t.eq({ aws.endpoint("iam", "cn-north-1") }, { "https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1" })
        t.eq({ aws.endpoint("sns", "cn-northwest-1") }, { "https://sns.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1" })
        t.eq({ aws.endpoint("sts", "us-gov-west-1") }, { "https://sts.us-gov-west-1.amazonaws.com", "us-gov-west-1" })
        sys.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        sys.setenv("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:2")
        sys.setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "http://127.0.0.1:3")
        t.eq(aws.endpoint("iam", "eu-west-1"), "http://127.0.0.1:2")
        t.eq(aws.endpoint("cognito-idp", "eu-west-1"), "http://127.0.0.1:3")
        t.eq(aws.endpoint("sns", "eu-west-1"), "http://127.0.0.1:1")
        config.endpoint = "http://127.0.0.1:4"
        t.eq(aws.endpoint("sns", "eu-west-1"), "http://127.0.0.1:4")
        t.eq(aws.endpoint("sns", "eu-west-1", { endpoint = "http://127.0.0.1:5" }), "http://127.0.0.1:5")
        config.endpoint = nil
        sys.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
        t.eq(aws.endpoint("sns", "eu-west-1"), "https://sns.eu-west-1.amazonaws.com")
    end)
end)

t.case("timestamps parse as UTC", function()
    t.eq(credentials.parse_time("1970-01-01T00:00:00Z"), 0)
    t.eq(credentials.parse_time("2000-03-01T00:00:00Z"), 951868800)
    t.eq(credentials.parse_time("2024-09-03T08:09:10Z"), 1725350950)
    t.eq(aws.parse_http_date("Tue, 03 Sep 2024 08:09:10 GMT"), 1725350950)
end)
