-- bench/signin_floor.lua URL N TOTAL: the least a sign-in in flight can
-- cost here. TOTAL sign-ins against the stand-in (bench/standin.py --hold S),
-- N in flight, with nothing but the loop, JSON and SRP modules: no task or
-- coroutine per sign-in, no AWS client, no retries, no secrets kept, no
-- histograms; each answer is handled by a callback that starts the next
-- request. Its peak RSS, beside `mfakit load`'s, shows what the engine's
-- own layers cost and what any design on this libcurl would.
local loop = require "mfakit.loop"
local json = require "mfakit.json"
local srp = require "mfakit.srp"

local url, n, total = arg[1], math.tointeger(tonumber(arg[2] or "")), math.tointeger(tonumber(arg[3] or ""))
if not url or not n or not total or n < 1 or total < n then
    io.stderr:write("usage: mfakit bench/signin_floor.lua URL N TOTAL\n")
    os.exit(2)
end
local TARGET = "AWSCognitoIdentityProviderService."
local INITIATE = { ["content-type"] = "application/x-amz-json-1.1", ["x-amz-target"] = TARGET .. "InitiateAuth" }
local RESPOND = { ["content-type"] = "application/x-amz-json-1.1",
                  ["x-amz-target"] = TARGET .. "RespondToAuthChallenge" }

local waiting = {} -- transfer id -> SRP session
local started, ok, failed, inflight = 0, 0, 0, 0

local function post(session, headers, doc)
    local body = json.encode(doc)
    waiting[assert(loop.start{ method = "POST", url = url, headers = headers, body = body, timeout = 60 })] = session
end

local function start()
    local session = srp.new{ pool_id = "us-east-1_AbCdEfGhI" }
    post(session, INITIATE, { AuthFlow = "USER_SRP_AUTH", ClientId = "c",
                              AuthParameters = { USERNAME = "load-user", SRP_A = assert(session:srp_a()) } })
    started, inflight = started + 1, inflight + 1
end

-- true when the sign-in has ended
local function answer(session, r)
    local doc = r.status == 200 and json.decode(r.body)
    if type(doc) ~= "table" then
        failed = failed + 1
        return true
    end
    if doc.AuthenticationResult then
        ok = ok + 1
        return true
    end
    local p = doc.ChallengeParameters
    local sig, ts = assert(session:password_claim{ user_id = p.USER_ID_FOR_SRP, password = "x", salt = p.SALT,
                                                   srp_b = p.SRP_B, secret_block = p.SECRET_BLOCK })
    post(session, RESPOND, { ChallengeName = "PASSWORD_VERIFIER", ClientId = "c", Session = doc.Session,
                             ChallengeResponses = { USERNAME = p.USERNAME, PASSWORD_CLAIM_SECRET_BLOCK = p.SECRET_BLOCK,
                                                    PASSWORD_CLAIM_SIGNATURE = sig, TIMESTAMP = ts } })
    return false
end

collectgarbage("setpause", 120) -- as mfakit.load runs
while ok + failed < total do
    while inflight < n and started < total do start() end
    for _, r in ipairs(loop.poll(0.05)) do
        local session = waiting[r.id]
        waiting[r.id] = nil
        if answer(session, r) then inflight = inflight - 1 end
    end
end
print(string.format("sign_ins=%d ok=%d failed=%d", total, ok, failed))
os.exit(failed == 0 and 0 or 1)
