-- mfakit.aws.retry: which failures to retry, and how long to wait.
-- The AWS SDKs' "standard" retry mode: throttling codes (Cognito's
-- TooManyRequestsException comes as HTTP 400), HTTP 5xx and 429, transient
-- network errors; capped exponential backoff with full jitter.
-- Never LimitExceededException, CodeMismatchException or
-- TooManyFailedAttemptsException: each retry would spend the user's
-- attempts (AWS-FACTS §3.3, from the AWS SDKs' retry code and issues).
local M = {}

local THROTTLING = {
    Throttling = true, ThrottlingException = true, ThrottledException = true, Throttled = true,
    RequestThrottledException = true, TooManyRequestsException = true,
    ProvisionedThroughputExceededException = true, TransactionInProgressException = true,
    RequestLimitExceeded = true, BandwidthLimitExceeded = true, RequestThrottled = true,
    SlowDown = true, PriorRequestNotComplete = true, EC2ThrottledException = true,
}

local TRANSIENT = {
    RequestTimeout = true, RequestTimeoutException = true, InternalError = true,
    InternalFailure = true, ServiceUnavailable = true, InternalErrorException = true,
}

local NEVER = {
    LimitExceededException = true, CodeMismatchException = true, TooManyFailedAttemptsException = true,
}

local RETRY_STATUS = { [429] = true, [500] = true, [502] = true, [503] = true, [504] = true }

function M.retryable(status, code)
    if NEVER[code] then return false end
    if THROTTLING[code] or TRANSIENT[code] then return true end
    return RETRY_STATUS[status] == true
end

-- A timeout or a dropped connection leaves it unknown whether AWS acted on
-- the request. Repeating a one-time code, or a create, could then fail (a
-- code is single-use) or make a second resource, so these are returned.
local ONE_SHOT = {
    RespondToAuthChallenge = true, ConfirmSignUp = true, VerifySoftwareToken = true, VerifyUserAttribute = true,
    ConfirmForgotPassword = true, SignUp = true, AssociateSoftwareToken = true,
}

function M.one_shot(operation, code)
    if code ~= "Timeout" and code ~= "NetworkError" then return false end
    return ONE_SHOT[operation] == true or operation:match("^Create") ~= nil
end

M.max_backoff = 20

-- Seconds to wait before attempt `attempt + 1` (attempt counts from 1).
function M.delay(attempt, base)
    return math.random() * math.min(M.max_backoff, (base or 1) * 2 ^ (attempt - 1))
end

return M
