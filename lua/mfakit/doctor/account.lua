-- Doctor checks on the caller: credentials and the local clock.
local aws = require "mfakit.aws"
local http = require "mfakit.http"

local checks = {}

local CREDENTIALS_FIX = "set credentials: export AWS_PROFILE=NAME (aws configure --profile NAME), " ..
    "or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"

checks[#checks + 1] = { id = "credentials", title = "credentials resolve and STS says who they are",
    run = function(ctx)
        local creds, err = aws.credentials(ctx.opts.client)
        if not creds then return "fail", "no usable AWS credentials: " .. tostring(err), CREDENTIALS_FIX end
        local who
        who, err = ctx:identity()
        if not who then
            local f = CREDENTIALS_FIX
            if err.code == "NoRegion" then f = "pass --region REGION (or export AWS_REGION)" end
            if err.code == "ExpiredToken" then f = "refresh the session: aws sso login, or get new keys" end
            return "fail", string.format("credentials from %s were refused: %s", creds.source or "?", tostring(err)), f
        end
        local msg = string.format("account %s, %s (credentials from %s)", who.Account, who.Arn,
            creds.source or "?")
        if creds.expiration and creds.expiration - ctx.now() < 900 then
            return "warn", msg .. string.format("; they expire in %d s", math.floor(creds.expiration - ctx.now())),
                "refresh the credentials before a long run"
        end
        return "pass", msg
    end }

-- Cognito accepts TOTP codes 30 s either side (Amazon Cognito Developer
-- Guide, "TOTP software token MFA",
-- https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa-totp.html); AWS
-- refuses signatures more than 5 minutes off.
local SKEW_FAIL, SKEW_WARN = 300, 30
local CLOCK_FIX = "sync the clock: sudo timedatectl set-ntp true (or: sudo chronyc makestep)"

checks[#checks + 1] = { id = "clock-skew", title = "the local clock is within 5 minutes of AWS's",
    run = function(ctx)
        local url = aws.endpoint("sts", ctx.region or "us-east-1", ctx:client("sts").opts)
        local sent = ctx.now()
        local r, err = http.request{ url = url, method = "GET", timeout = 15 }
        if not r then return "skip", "could not reach " .. url .. ": " .. tostring(err) end
        local server = aws.parse_http_date(r.headers.date)
        if not server then return "skip", url .. " sent no Date header to compare with" end
        local skew = (sent + ctx.now()) / 2 - server
        local host = url:match("^https?://([^/]+)") or url
        local secs = math.floor(math.abs(skew) + 0.5)
        local how = secs == 0 and ("the local clock agrees with " .. host .. "'s Date header") or
            string.format("the local clock is %d s %s %s's", secs, skew >= 0 and "ahead of" or "behind", host)
        if math.abs(skew) > SKEW_FAIL then
            return "fail", how .. ": AWS refuses signatures more than 5 minutes off, and TOTP codes made here " ..
                "are wrong", CLOCK_FIX
        elseif math.abs(skew) > SKEW_WARN then
            return "warn", how .. ": TOTP codes made on this machine fall outside Cognito's 30 s window", CLOCK_FIX
        end
        return "pass", how
    end }

return checks
