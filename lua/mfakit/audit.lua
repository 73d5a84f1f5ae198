-- mfakit.audit: who changed MFA, and when, from CloudTrail's event history
-- (the guide's practice "monitor MFA enable/disable events with
-- CloudTrail"). Reads LookupEvents within its documented limits (AWS
-- CloudTrail API Reference, LookupEvents,
-- https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html):
-- the last 90 days only, one lookup attribute per request (so one event
-- name per lookup), at most 50 events a page, two requests per second per
-- account and region (so lookups are paced M.PACE seconds apart).
--   audit.since_seconds("7d") -> seconds | nil, err
--   audit.lookup{ client=, since=, now=, pool_id=, username=, sleep=, clock= } -> { events=, lookups=,
--       unattributed= } | nil, err
-- An event is { time, event, by, user, pool, detail, error }. CloudTrail's
-- Username attribute is the IAM caller, not the Cognito user: --username is
-- matched here, on the record's requestParameters.username (and sub).
local json = require "mfakit.json"
local errors = require "mfakit.errors"
local task = require "mfakit.task"
local sys = require "mfakit.sys"

local M = {}

M.MAX_DAYS = 90
M.PAGE = 50
-- two requests a second is the documented limit; a little under it leaves room for jitter
M.PACE = 0.55
-- how many times a throttled lookup waits a second and asks again
M.THROTTLE_WAITS = 5
local THROTTLED = { ThrottlingException = true, Throttling = true, TooManyRequestsException = true }

-- The events that change a user's or a pool's MFA, each with what to keep.
M.EVENTS = { "SetUserMFAPreference", "AdminSetUserMFAPreference", "SetUserPoolMfaConfig", "UpdateUserPool",
             "AssociateSoftwareToken", "VerifySoftwareToken", "AdminDisableUser", "RespondToAuthChallenge" }

local UNITS = { m = 60, h = 3600, d = 86400 }

function M.since_seconds(text)
    local n, unit = tostring(text):match("^(%d+)([mhd])$")
    n = tonumber(n)
    if not n or n < 1 then
        return errors.fail("InvalidOption", "--since must be a number and m, h or d, like 7d or 12h, not '%s'",
            errors.shown(tostring(text), 20))
    end
    local s = n * UNITS[unit]
    if s > M.MAX_DAYS * 86400 then
        return errors.fail("InvalidOption", "--since %s is longer than the %d days CloudTrail's event history " ..
            "keeps (LookupEvents): use a trail or CloudTrail Lake for older events", text, M.MAX_DAYS)
    end
    return s
end

-- A record's field, whatever the case of its first letter (CloudTrail
-- writes request parameters in camel case: sMSMfaSettings, userPoolId).
local function field(t, name)
    if type(t) ~= "table" then return nil end
    if t[name] ~= nil then return t[name] end
    local lower = name:lower()
    for k, v in pairs(t) do
        if type(k) == "string" and k:lower() == lower then return v end
    end
end

local function on_off(settings, label)
    if type(settings) ~= "table" then return nil end
    local enabled, preferred = field(settings, "enabled"), field(settings, "preferredMfa")
    local s = label .. " " .. (enabled == true and "on" or enabled == false and "off" or "unchanged")
    if preferred == true then s = s .. " (preferred)" end
    return s
end

-- What the event changed, or nil when it is not an MFA change.
local DETAIL = {
    SetUserMFAPreference = function(p)
        local parts = { on_off(field(p, "SMSMfaSettings"), "SMS"),
                        on_off(field(p, "SoftwareTokenMfaSettings"), "TOTP") }
        return #parts > 0 and table.concat(parts, ", ") or "MFA preference"
    end,
    SetUserPoolMfaConfig = function(p)
        local mode = field(p, "mfaConfiguration")
        return "pool MFA " .. tostring(mode or "unchanged")
    end,
    UpdateUserPool = function(p)
        local mode = field(p, "mfaConfiguration")
        if mode == nil then return nil end
        return "pool MFA " .. tostring(mode)
    end,
    AssociateSoftwareToken = function() return "TOTP secret issued" end,
    VerifySoftwareToken = function() return "TOTP verified" end,
    AdminDisableUser = function() return "user disabled" end,
}
DETAIL.AdminSetUserMFAPreference = DETAIL.SetUserMFAPreference

local POOL_WIDE = { SetUserPoolMfaConfig = true, UpdateUserPool = true }

-- RespondToAuthChallenge counts only as a wrong MFA code.
local WRONG_CODE = { CodeMismatchException = true, ExpiredCodeException = true }

local function who(record)
    local u = field(record, "userIdentity") or {}
    return field(u, "arn") or field(u, "userName") or field(u, "principalId") or field(u, "type")
        or "(no caller recorded)"
end

local function row_of(e)
    local record = type(e.CloudTrailEvent) == "string" and json.decode(e.CloudTrailEvent) or nil
    if type(record) ~= "table" then return nil end
    local p = field(record, "requestParameters") or {}
    local extra = field(record, "additionalEventData") or {}
    local name, err_code = e.EventName, field(record, "errorCode")
    if err_code == "" then err_code = nil end
    local detail
    if name == "RespondToAuthChallenge" then
        if not WRONG_CODE[err_code] then return nil end
        detail = "wrong MFA code (" .. err_code .. ")"
    else
        detail = DETAIL[name] and DETAIL[name](p)
        if not detail then return nil end
    end
    local user = field(p, "username")
    if user == "HIDDEN_DUE_TO_SECURITY_REASONS" then user = nil end
    return {
        time = field(record, "eventTime") or os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(tonumber(e.EventTime) or 0)),
        event = name, by = who(record), user = user, sub = field(extra, "sub"),
        pool = field(p, "userPoolId") or field(extra, "userPoolId"),
        detail = detail, error = err_code,
    }
end

local function iso(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(t)) end

-- opts: client (cloudtrail), since (seconds), now, pool_id, username, say
-- (progress), sleep and clock (for tests; default task.sleep, sys.monotonic)
function M.lookup(opts)
    local now = opts.now or sys.now()
    local sleep, clock = opts.sleep or task.sleep, opts.clock or sys.monotonic
    local rows, lookups, unattributed, throttled, last = {}, 0, 0, 0, nil
    for _, name in ipairs(M.EVENTS) do
        local token
        repeat
            if last then
                local wait = M.PACE - (clock() - last)
                if wait > 0 then sleep(wait) end
            end
            last = clock()
            lookups = lookups + 1
            local params = {
                LookupAttributes = { { AttributeKey = "EventName", AttributeValue = name } },
                StartTime = math.floor(now - opts.since), EndTime = math.floor(now) + 1, MaxResults = M.PAGE,
                NextToken = token,
            }
            local out, err = opts.client:call("LookupEvents", params)
            -- another caller may share the account's budget: wait a second and ask again, a few times
            local waits = 0
            while not out and THROTTLED[err.code] and waits < M.THROTTLE_WAITS do
                waits, throttled = waits + 1, throttled + 1
                sleep(1)
                last = clock()
                out, err = opts.client:call("LookupEvents", params)
            end
            if not out then return nil, err end
            for _, e in ipairs(out.Events or {}) do
                local r = (e.EventSource == nil or e.EventSource == "cognito-idp.amazonaws.com") and row_of(e)
                if r and not (opts.pool_id and r.pool and r.pool ~= opts.pool_id) then
                    -- a pool's MFA setting applies to every user, so it stays in a user's view
                    if opts.username and not POOL_WIDE[r.event] and r.user ~= opts.username and
                        r.sub ~= opts.username then
                        if not r.user and not r.sub then unattributed = unattributed + 1 end
                    else
                        rows[#rows + 1] = r
                    end
                end
            end
            local next_token = out.NextToken
            if next_token == token then break end -- a server repeating a token would loop forever
            token = next_token
        until not token
    end
    table.sort(rows, function(a, b)
        if a.time ~= b.time then return a.time < b.time end
        return a.event < b.event
    end)
    return { events = rows, lookups = lookups, unattributed = unattributed, throttled = throttled,
             since = iso(now - opts.since), ["until"] = iso(now) }
end

return M
