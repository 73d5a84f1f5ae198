-- tests/test_trace.lua: --trace shows every request and response, and what
-- SigV4 signed, and never a secret key, session token, password, SRP value
-- or token.
local json = require "mfakit.json"
local http = require "mfakit.http"
local redact = require "mfakit.redact"

local t = require "mfakit.test"
local fault = t.env("MFAKIT_TEST_FAULT")

t.case("--trace output holds no secret", function()
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

t.case("redact.text hides the token line of a canonical request", function()
    local creq = "POST\n/\n\nhost:sts.amazonaws.com\nx-amz-date:20150830T123600Z\n" ..
        "x-amz-security-token:IQoJb3JpZ2luX2Vj/EXAMPLE+token==\n\nhost;x-amz-date;x-amz-security-token\ne3b0"
    local out = redact.text(creq)
    t.ok(not out:find("IQoJ", 1, true), out)
    t.ok(out:find("\nx-amz-security-token:<redacted>\n\nhost;x-amz-date;x-amz-security-token\n", 1, true), out)
    t.ok(out:find("x-amz-date:20150830T123600Z", 1, true), "other lines stay: " .. out)
    t.eq(redact.text("X-Amz-Security-Token: abc"), "X-Amz-Security-Token: <redacted>")
end)

t.case("--trace shows the canonical request and string to sign, never AWS_SESSION_TOKEN", function()
    if not fault then t.skip("MFAKIT_TEST_FAULT not set") end
    local token = "FwoGZXIvYXdzEBYaDTRACETOKEN/with+base64=="
    local secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTRACEKEY"
    assert(http.request{ method = "POST", url = fault .. "/_reset", body = "" })
    assert(http.request{ method = "POST", url = fault .. "/_script", body = json.encode{
        { status = 200, body = "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>1</Account>" ..
            "</GetCallerIdentityResult></GetCallerIdentityResponse>" } } })
    local script = os.getenv("MFAKIT_TEST_TMP") .. "/trace-session.lua"
    local f = assert(io.open(script, "w"))
    f:write(([[
local aws = require "mfakit.aws"
assert(aws.client("sts", { region = "us-east-1", endpoint = %q }):call("GetCallerIdentity"))
]]):format(fault))
    f:close()
    local bin = arg[-1]:find("/") and arg[-1] or "./" .. arg[-1]
    local env = ("env -u AWS_PROFILE AWS_ACCESS_KEY_ID=AKIDSESSION AWS_SECRET_ACCESS_KEY='%s' " ..
        "AWS_SESSION_TOKEN='%s' "):format(secret_key, token)
    local p = assert(io.popen(env .. bin .. " --trace " .. script .. " 2>&1"))
    local out = p:read("a")
    t.ok(p:close(), "script ran: " .. out)
    local seen = json.decode(assert(http.request{ url = fault .. "/_requests" }).body)
    t.eq(seen[1].headers["x-amz-security-token"], token, "the token was sent")
    local creq = out:match("%* sigv4 canonical request:\n(.-)\n%* sigv4 string to sign:")
    t.ok(creq, "canonical request traced:\n" .. out)
    t.ok(creq:find("*   POST\n*   /\n*   \n*   content-type:", 1, true), creq)
    t.ok(creq:find("\n*   x-amz-security-token:<redacted>\n", 1, true), creq)
    t.ok(creq:find("\n*   content-type;host;x-amz-date;x-amz-security-token\n", 1, true), creq)
    local sts = out:match("%* sigv4 string to sign:\n(.-)\n>")
    t.ok(sts and sts:find("^%*   AWS4%-HMAC%-SHA256\n%*   %d+T%d+Z\n%*   %d+/us%-east%-1/sts/aws4_request\n%*   %x+$"),
        "string to sign traced:\n" .. out)
    for _, s in ipairs{ token, token:sub(1, 12), secret_key, secret_key:sub(1, 12) } do
        t.ok(not out:find(s, 1, true), "trace leaks " .. s .. ":\n" .. out)
    end
end)
