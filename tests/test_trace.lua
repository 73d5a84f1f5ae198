-- tests/test_trace.lua: --trace shows every request and response, and never
-- a secret key, session token, password, SRP value or token.
local json = require "mfakit.json"
local http = require "mfakit.http"

return function(t)
    local fault = t.env("MFAKIT_TEST_FAULT")

    t.test("--trace output holds no secret", function()
        if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
        local secret_key = "SECRETKEYwJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLE"
        local token = "SESSIONTOKENIQoJb3JpZ2luX2VjEJr"
        local password = "Pa55word-TRACE!"
        local jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlVFJBQ0U"
        local refresh = "REFRESHTOKENxyz"
        assert(http.request{ method = "POST", url = fault .. "/_reset", body = "" })
        assert(http.request{ method = "POST", url = fault .. "/_script", body = json.encode{
            { status = 200, body = json.encode{ AuthenticationResult = { AccessToken = jwt, IdToken = jwt,
                RefreshToken = refresh, ExpiresIn = 3600 }, ChallengeParameters = json.null } },
            { status = 200, body = json.encode{ ChallengeName = "PASSWORD_VERIFIER", Session = "SESSIONVALUEabc",
                ChallengeParameters = { SRP_B = "abcdef0123SRPB", SALT = "5a17SALTVAL", SECRET_BLOCK = "U0VDUkVUQkxPQ0s=" } } },
            { status = 200, body = "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>1</Account>" ..
                "</GetCallerIdentityResult></GetCallerIdentityResponse>" },
        } })
        local script = os.getenv("MFAKIT_TEST_TMP") .. "/trace.lua"
        local f = assert(io.open(script, "w"))
        f:write(([[
local aws = require "mfakit.aws"
local o = { region = "us-east-1", endpoint = %q, access_key = "AKIDTRACE", secret_key = %q, session_token = %q }
local idp = aws.client("cognito-idp", o)
assert(idp:call("InitiateAuth", { AuthFlow = "USER_PASSWORD_AUTH", ClientId = "c",
    AuthParameters = { USERNAME = "alice", PASSWORD = %q, SECRET_HASH = "HASHVALUEq" } }))
assert(idp:call("RespondToAuthChallenge", { ChallengeName = "SMS_MFA", ClientId = "c", Session = "SESSIONVALUEabc",
    ChallengeResponses = { USERNAME = "alice", SMS_MFA_CODE = "123456" } }))
assert(aws.client("sts", o):call("GetCallerIdentity"))
]]):format(fault, secret_key, token, password))
        f:close()
        local bin = arg[-1]:find("/") and arg[-1] or "./" .. arg[-1]
        local p = assert(io.popen(bin .. " --trace " .. script .. " 2>&1"))
        local out = p:read("a")
        local ok = p:close()
        t.ok(ok, "script ran: " .. out)
        t.ok(out:find("> [1] POST " .. fault, 1, true), "requests traced:\n" .. out)
        t.ok(out:find("HTTP 200 in", 1, true), "responses traced with timing")
        t.ok(out:find("x-amz-target: AWSCognitoIdentityProviderService.InitiateAuth", 1, true), out)
        t.ok(out:find("Credential=AKIDTRACE/", 1, true), "access key id is shown (it is not secret)")
        for _, s in ipairs{ secret_key, token, password, jwt, refresh, "SESSIONVALUEabc", "abcdef0123SRPB",
                             "5a17SALTVAL", "U0VDUkVUQkxPQ0s", "HASHVALUEq", "123456", "eyJ" } do
            t.ok(not out:find(s, 1, true), "trace leaks " .. s)
        end
        local sig = out:match("Signature=(%x+)")
        t.eq(sig, nil, "signature shown")
    end)
end
