-- bench/sigv4_bench.lua: sigv4.sign calls per second from Lua, one core.
--   mfakit bench/sigv4_bench.lua [SECONDS per measurement, default 1]
-- Signs the request mfakit.aws builds for a Cognito call (JSON body, two
-- headers, a session token). Prints key=value pairs, each a rate per second
-- (CPU time, os.clock):
--   sign_per_s        without `trace`: what every request of a load run pays
--   sign_trace_per_s  with `trace = true` (the steps returned for --trace)
local sigv4 = require "mfakit.sigv4"

local budget = tonumber(arg and arg[1]) or 1
local BATCH = 20000

local function rate(fn, check)
    local n, i, start = 0, 0, os.clock()
    local elapsed
    repeat
        for _ = 1, BATCH do
            i = i + 1
            fn(i)
        end
        n = n + BATCH
        check(fn(i))
        elapsed = os.clock() - start
    until elapsed >= budget
    return n / elapsed
end

local body = '{"AuthFlow":"USER_SRP_AUTH","ClientId":"3n4b5urk1ft4fl3mg5e62d9ado",'
    .. '"AuthParameters":{"USERNAME":"alice","SRP_A":"' .. string.rep("ab", 384) .. '"}}'
local function opts(i, trace)
    return {
        method = "POST", url = "https://cognito-idp.eu-west-1.amazonaws.com/", body = body,
        headers = { ["content-type"] = "application/x-amz-json-1.1",
                    ["x-amz-target"] = "AWSCognitoIdentityProviderService.InitiateAuth" },
        region = "eu-west-1", service = "cognito-idp", access_key = "AKIDEXAMPLE",
        secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", session_token = "IQoJb3JpZ2luX2VjEXAMPLE",
        time = 1700000000 + i, trace = trace,
    }
end
local sign = sigv4.sign
local is_signed = function(s) assert(type(s) == "table" and s.headers.Authorization, "sigv4.sign failed") end

local plain = rate(function(i) return sign(opts(i, nil)) end, is_signed)
local traced = rate(function(i) return sign(opts(i, true)) end, is_signed)
print(string.format("sign_per_s=%.0f sign_trace_per_s=%.0f", plain, traced))
return 0
