-- mfakit.aws.retry: which failures to retry, and how long to wait.
-- The AWS SDKs' "standard" retry mode: throttling codes (Cognito's
-- TooManyRequestsException comes as HTTP 400), HTTP 5xx and 429, transient
-- network errors; capped exponential backoff with full jitter.
-- Never LimitExceededException, CodeMismatchException or
-- TooManyFailedAttemptsException: each retry would spend the user's
-- attempts. The standard mode is botocore's
-- (https://github.com/boto/botocore/blob/develop/botocore/retries/standard.py).
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

-- One-shot operations can send a message (SMS, email) or count as a
-- sign-in attempt. After a timeout, a dropped connection or a 5xx it is
-- unknown whether Cognito acted, and a repeat could send a second code,
-- spend one of the user's attempts or lock the user out; so the error is
-- returned. Only an answer that says the request was not processed
-- (throttling, HTTP 429) or a connection that never opened is retried.
-- docs/SCRIPTING.md lists them; keep the two in step.
M.ONE_SHOT = {
    InitiateAuth = true, RespondToAuthChallenge = true,
    AdminInitiateAuth = true, AdminRespondToAuthChallenge = true,
    SignUp = true, ConfirmSignUp = true, ResendConfirmationCode = true,
    ForgotPassword = true, ConfirmForgotPassword = true, AdminResetUserPassword = true,
    GetUserAttributeVerificationCode = true, VerifyUserAttribute = true,
    UpdateUserAttributes = true, AdminUpdateUserAttributes = true,
    AssociateSoftwareToken = true, VerifySoftwareToken = true, ChangePassword = true,
}

-- Transport failures where the request never reached the server.
local NOT_SENT = { ConnectFailed = true, ResolveFailed = true }

-- A create repeated after a timeout, a dropped connection or a 5xx could make
-- a second resource (a 5xx does not say the create was not done); only an
-- answer that says it was not processed (throttling) lets it go again.
local UNKNOWN_OUTCOME = { Timeout = true, NetworkError = true }

function M.throttled(err)
    return THROTTLING[err.code] == true or err.status == 429
end

-- May a failed attempt of `operation` be sent again? `answered`: the server
-- sent an HTTP answer (err came from it, not from the transport).
function M.may_repeat(operation, err, answered)
    if M.ONE_SHOT[operation] then
        return M.throttled(err) or (not answered and NOT_SENT[err.code] == true)
    end
    if operation:match("^Create") then
        if not answered then return not UNKNOWN_OUTCOME[err.code] end
        return M.throttled(err)
    end
    return true
end

M.max_backoff = 20

-- Seconds to wait before attempt `attempt + 1` (attempt counts from 1).
function M.delay(attempt, base)
    return math.random() * math.min(M.max_backoff, (base or 1) * 2 ^ (attempt - 1))
end

return M
