-- tests/test_aws.lua: AWS clients: protocols, errors, retries, against moto,
-- the fault server and boto3 as the reference for result shapes.
local aws = require "mfakit.aws"
local query = require "mfakit.aws.query"
local json = require "mfakit.json"
local sys = require "mfakit.sys"

local DUMMY = { region = "us-east-1", access_key = "testing", secret_key = "testing" }

local function opts(extra)
    local o = {}
    for k, v in pairs(DUMMY) do o[k] = v end
    for k, v in pairs(extra or {}) do o[k] = v end
    return o
end

local function post(url, body)
    local http = require "mfakit.http"
    return assert(http.request{ method = "POST", url = url, body = body,
        headers = { ["content-type"] = "text/plain" } })
end

local function decode_form(body)
    local out = {}
    for k, v in body:gmatch("([^&=]+)=([^&]*)") do
        out[k:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)] =
            v:gsub("+", " "):gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)
    end
    return out
end

local t = require "mfakit.test"
local moto = t.env("MFAKIT_TEST_MOTO")
local fault = t.env("MFAKIT_TEST_FAULT")
local function need(v, name) if not v then t.skip(name .. " not set (run through tests/run-all)") end end

t.case("query encoding: every byte is spelt as Python's urlencode spells it (botocore's body)", function()
    local bytes = {}
    for b = 1, 255 do bytes[#bytes + 1] = string.char(b) end
    local value = table.concat(bytes) .. " é {} *!'()"
    local path = os.tmpname()
    local f = assert(io.open(path, "wb"))
    f:write(value)
    f:close()
    local p = assert(io.popen("python3 -c 'import sys, urllib.parse; " ..
        "v = open(sys.argv[1], \"rb\").read(); " ..
        "sys.stdout.write(urllib.parse.urlencode([(\"Action\", \"X\"), (\"Version\", \"1\"), " ..
        "(\"K y\", v)]))' " .. path))
    local want = p:read("a")
    p:close()
    os.remove(path)
    if want == "" then t.skip("python3 not available") end
    local body = query.encode("X", { ["K y"] = value }, { api_version = "1", input_lists = {}, input_maps = {} })
    t.eq(body, want)
end)

t.case("query encoding: lists, maps, structures, scalars, empty lists", function()
    local hints = require "mfakit.aws.hints.sns"
    t.eq(decode_form(query.encode("SetSMSAttributes",
        { attributes = { MonthlySpendLimit = "7", DefaultSMSType = "Transactional" } }, hints)), {
        Action = "SetSMSAttributes", Version = "2010-03-31",
        ["attributes.entry.1.key"] = "DefaultSMSType", ["attributes.entry.1.value"] = "Transactional",
        ["attributes.entry.2.key"] = "MonthlySpendLimit", ["attributes.entry.2.value"] = "7",
    })
    t.eq(decode_form(query.encode("GetSMSAttributes", { attributes = { "MonthlySpendLimit" } }, hints)), {
        Action = "GetSMSAttributes", Version = "2010-03-31", ["attributes.member.1"] = "MonthlySpendLimit",
    })
    local iam = require "mfakit.aws.hints.iam"
    t.eq(decode_form(query.encode("CreateRole", {
        RoleName = "r a&b", MaxSessionDuration = 3600,
        Tags = { { Key = "stack", Value = "s=1" }, { Key = "k2", Value = "\u{e9}" } },
    }, iam)), {
        Action = "CreateRole", Version = "2010-05-08", RoleName = "r a&b", MaxSessionDuration = "3600",
        ["Tags.member.1.Key"] = "stack", ["Tags.member.1.Value"] = "s=1",
        ["Tags.member.2.Key"] = "k2", ["Tags.member.2.Value"] = "\u{e9}",
    })
    local body = query.encode("ListRoles", { PathPrefix = "/a b/" }, iam)
    t.ok(body:find("PathPrefix=%2Fa+b%2F", 1, true), body)
    t.ok(query.encode("UntagRole", { TagKeys = {} }, iam):find("TagKeys=$"), "empty list sent bare")
    t.raises("cannot send a function", query.encode, "X", { A = print }, iam)
end)

t.case("query decoding: members, entries, booleans, numbers, policy documents", function()
    local iam = require "mfakit.aws.hints.iam"
    local out, rid = query.decode("GetRole", [[
<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role>
<Path>/</Path><RoleName>r</RoleName><MaxSessionDuration>3600</MaxSessionDuration>
<AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D</AssumeRolePolicyDocument>
<Tags><member><Key>stack</Key><Value>a</Value></member></Tags>
</Role></GetRoleResult><ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata></GetRoleResponse>]], iam)
    t.eq(rid, "rid-1")
    t.eq(out.Role.MaxSessionDuration, 3600)
    t.eq(out.Role.AssumeRolePolicyDocument, { Version = "2012-10-17", Statement = {} })
    t.eq(out.Role.Tags, { { Key = "stack", Value = "a" } })
    out = query.decode("ListAttachedRolePolicies", [[<ListAttachedRolePoliciesResponse>
<ListAttachedRolePoliciesResult><IsTruncated>false</IsTruncated><AttachedPolicies/>
</ListAttachedRolePoliciesResult></ListAttachedRolePoliciesResponse>]], iam)
    t.eq(out, { IsTruncated = false, AttachedPolicies = {} })
    t.eq(json.encode(out.AttachedPolicies), "[]")
    t.fails("InvalidResponse", query.decode("GetRole", "<html>nope</html>", iam))
    t.fails("InvalidResponse", query.decode("GetRole", "<GetRoleResponse><", iam))
end)

t.case("moto: IAM, SNS, STS and Cognito calls return SDK-shaped results", function()
    need(moto, "MFAKIT_TEST_MOTO")
    local o = opts{ endpoint = moto }
    local iam, sns, sts, idp = aws.client("iam", o), aws.client("sns", o), aws.client("sts", o),
        aws.client("cognito-idp", o)
    local name = "aws-test-" .. sys.getpid()
    local doc = json.encode{ Version = "2012-10-17", Statement = { {
        Effect = "Allow", Principal = { Service = "cognito-idp.amazonaws.com" }, Action = "sts:AssumeRole",
        Condition = { StringEquals = { ["sts:ExternalId"] = "x-1" } } } } }
    local role, meta = assert(iam:call("CreateRole", { RoleName = name, AssumeRolePolicyDocument = doc,
        Tags = { { Key = "mfakit:stack", Value = "t" } } }))
    t.eq(role.Role.RoleName, name)
    t.ok(meta.request_id, "request id returned")
    assert(iam:call("AttachRolePolicy", { RoleName = name,
        PolicyArn = "arn:aws:iam::aws:policy/AmazonSNSFullAccess" }))
    local got = assert(iam:call("GetRole", { RoleName = name }))
    t.eq(got.Role.AssumeRolePolicyDocument.Statement[1].Condition.StringEquals["sts:ExternalId"], "x-1")
    t.eq(assert(iam:call("ListAttachedRolePolicies", { RoleName = name })), {
        IsTruncated = false,
        AttachedPolicies = { { PolicyName = "AmazonSNSFullAccess",
                               PolicyArn = "arn:aws:iam::aws:policy/AmazonSNSFullAccess" } },
    })
    assert(sns:call("SetSMSAttributes", { attributes = { MonthlySpendLimit = "7" } }))
    t.eq(assert(sns:call("GetSMSAttributes", { attributes = { "MonthlySpendLimit" } })),
        { attributes = { MonthlySpendLimit = "7" } })
    local who = assert(sts:call("GetCallerIdentity"))
    t.ok(who.Account and who.Arn, "account and arn")
    local pool = assert(idp:call("CreateUserPool", { PoolName = name }))
    t.ok(pool.UserPool.Id:match("^us%-east%-1_"), pool.UserPool.Id)
    assert(idp:call("DeleteUserPool", { UserPoolId = pool.UserPool.Id }))
    assert(iam:call("DetachRolePolicy", { RoleName = name,
        PolicyArn = "arn:aws:iam::aws:policy/AmazonSNSFullAccess" }))
    assert(iam:call("DeleteRole", { RoleName = name }))
end)

t.case("moto: errors carry code, message, status, request id; XML and JSON", function()
    need(moto, "MFAKIT_TEST_MOTO")
    local o = opts{ endpoint = moto }
    local err = t.fails("NoSuchEntity", aws.client("iam", o):call("GetRole", { RoleName = "no-such-role" }))
    t.eq(err.status, 404)
    t.eq(err.retryable, false)
    t.ok(err.request_id, "request id")
    t.ok(err.message:find("no-such-role", 1, true), err.message)
    t.eq(err.operation, "iam:GetRole")
    t.ok(tostring(err):match("^iam:GetRole: NoSuchEntity: .+%(HTTP 404, request .+%)$"), tostring(err))
    err = t.fails("ResourceNotFoundException",
        aws.client("cognito-idp", o):call("DescribeUserPool", { UserPoolId = "us-east-1_nope" }))
    t.eq(err.status, 400)
    t.eq(err.attempts, 1)
end)

t.case("moto: results match boto3's parse of the same calls", function()
    need(moto, "MFAKIT_TEST_MOTO")
    local o = opts{ endpoint = moto }
    local name = "oracle-" .. sys.getpid()
    local iam, idp = aws.client("iam", o), aws.client("cognito-idp", o)
    assert(iam:call("CreateRole", { RoleName = name, AssumeRolePolicyDocument = '{"Statement":[]}',
        Tags = { { Key = "a", Value = "b" } } }))
    assert(iam:call("PutRolePolicy", { RoleName = name, PolicyName = "p",
        PolicyDocument = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:Publish","Resource":"*"}]}' }))
    local pool = assert(idp:call("CreateUserPool", { PoolName = name, MfaConfiguration = "OFF" })).UserPool.Id
    local calls = {
        { "iam", "GetRole", { RoleName = name } },
        { "iam", "ListRoleTags", { RoleName = name } },
        { "iam", "ListRolePolicies", { RoleName = name } },
        { "iam", "GetRolePolicy", { RoleName = name, PolicyName = "p" } },
        { "iam", "ListAttachedRolePolicies", { RoleName = name } },
        { "sns", "GetSMSAttributes", {} },
        { "sts", "GetCallerIdentity", {} },
        { "cognito-idp", "DescribeUserPool", { UserPoolId = pool } },
        { "cognito-idp", "GetUserPoolMfaConfig", { UserPoolId = pool } },
    }
    local f = assert(io.open(os.getenv("MFAKIT_TEST_TMP") .. "/calls.json", "w"))
    f:write(json.encode(calls))
    f:close()
    local p = assert(io.popen("python3 tests/oracle/boto3_calls.py " .. moto .. " < " ..
        os.getenv("MFAKIT_TEST_TMP") .. "/calls.json"))
    local want = assert(json.decode(p:read("a")), "boto3 oracle output")
    p:close()
    -- Timestamps: boto3 makes datetimes; we keep AWS's text. Compare the rest exactly.
    local function strip_times(b, m)
        if type(b) == "table" and b.__timestamp__ then return nil, nil end
        if type(b) ~= "table" or type(m) ~= "table" then return b, m end
        local nb, nm = {}, {}
        for k, v in pairs(b) do nb[k], nm[k] = strip_times(v, m[k]) end
        for k, v in pairs(m) do if b[k] == nil then nm[k] = v end end
        return nb, nm
    end
    for i, c in ipairs(calls) do
        local got = assert(aws.client(c[1], o):call(c[2], c[3]))
        local wb, gm = strip_times(want[i], got)
        t.eq(gm, wb, c[1] .. ":" .. c[2] .. " differs from boto3")
    end
    assert(iam:call("DeleteRolePolicy", { RoleName = name, PolicyName = "p" }))
    assert(iam:call("DeleteRole", { RoleName = name }))
    assert(idp:call("DeleteUserPool", { UserPoolId = pool }))
end)

t.case("moto with signature checks: right key passes, wrong secret is SignatureDoesNotMatch", function()
    local authmoto = t.env("MFAKIT_TEST_MOTO_AUTH")
    need(authmoto, "MFAKIT_TEST_MOTO_AUTH")
    -- the first requests are free (INITIAL_NO_AUTH_ACTION_COUNT): make a user and key
    local iam = aws.client("iam", opts{ endpoint = authmoto })
    local user = "signer-" .. sys.getpid()
    assert(iam:call("CreateUser", { UserName = user }))
    assert(iam:call("PutUserPolicy", { UserName = user, PolicyName = "all", PolicyDocument =
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' }))
    local key = assert(iam:call("CreateAccessKey", { UserName = user })).AccessKey
    local good = { region = "us-east-1", endpoint = authmoto, access_key = key.AccessKeyId,
                   secret_key = key.SecretAccessKey }
    assert(aws.client("iam", good):call("ListRoles"))
    assert(aws.client("sns", good):call("GetSMSAttributes"))
    assert(aws.client("cognito-idp", good):call("ListUserPools", { MaxResults = 5 }))
    local bad = { region = "us-east-1", endpoint = authmoto, access_key = key.AccessKeyId,
                  secret_key = key.SecretAccessKey:sub(2) .. "x" }
    local err = t.fails("SignatureDoesNotMatch", aws.client("iam", bad):call("ListRoles"))
    t.eq(err.status, 403)
    t.eq(err.retryable, false)
    t.fails("SignatureDoesNotMatch", aws.client("cognito-idp", bad):call("ListUserPools", { MaxResults = 5 }))
    t.fails("InvalidClientTokenId", aws.client("sts", opts{ endpoint = authmoto }):call("GetCallerIdentity"))
    -- moto rebuilds a form body the way botocore writes it before checking the
    -- signature: a space must go as "+", and "*", "!", "'" as %XX
    local role = "pretty-" .. sys.getpid()
    local doc = '{\n  "Version": "2012-10-17",\n  "Statement": [ { "Effect": "Allow",\n' ..
        '    "Principal": { "Service": "cognito-idp.amazonaws.com" }, "Action": "sts:AssumeRole",\n' ..
        '    "Condition": { "StringEquals": { "sts:ExternalId": "it\'s (a) * test!" } } } ]\n}'
    local signed = aws.client("iam", good)
    assert(signed:call("CreateRole", { RoleName = role, AssumeRolePolicyDocument = doc,
                                       Description = "a role with spaces in its description" }))
    local back = assert(signed:call("GetRole", { RoleName = role })).Role
    t.eq(back.AssumeRolePolicyDocument, json.decode(doc))
    assert(signed:call("DeleteRole", { RoleName = role }))
end)

local function script(answers)
    post(fault .. "/_reset", "")
    post(fault .. "/_script", json.encode(answers))
end
local function requests()
    local http = require "mfakit.http"
    return json.decode(assert(http.request{ url = fault .. "/_requests" }).body)
end

t.case("retries: 500, 503 and throttling are retried up to max attempts", function()
    need(fault, "MFAKIT_TEST_FAULT")
    script{ { status = 500, body = "" }, { status = 503, body = "<html>busy</html>",
              headers = { ["Content-Type"] = "text/html" } },
            { status = 200, body = '{"UserPools": []}' } }
    local c = aws.client("cognito-idp", opts{ endpoint = fault, retry_base = 0.01 })
    local out, meta = c:call("ListUserPools", { MaxResults = 1 })
    t.eq(out, { UserPools = {} })
    t.eq(meta.attempts, 3)
    script{ { status = 400, body = '{"__type":"TooManyRequestsException","message":"slow down"}' },
            { status = 400, body = '{"__type":"TooManyRequestsException","message":"slow down"}' },
            { status = 400, body = '{"__type":"TooManyRequestsException","message":"slow down"}' },
            { status = 200, body = "{}" } }
    local err = t.fails("TooManyRequestsException", c:call("ListUserPools", { MaxResults = 1 }))
    t.eq(err.attempts, 3)
    t.eq(err.retryable, true)
    t.eq(#requests(), 3)
    script{ { status = 429, body = [[<ErrorResponse><Error><Code>Throttled</Code><Message>x</Message>
</Error><RequestId>r9</RequestId></ErrorResponse>]], headers = { ["Content-Type"] = "text/xml" } },
            { status = 200, body = "<GetSMSAttributesResponse><GetSMSAttributesResult><attributes/>" ..
              "</GetSMSAttributesResult></GetSMSAttributesResponse>" } }
    out, meta = aws.client("sns", opts{ endpoint = fault, retry_base = 0.01 }):call("GetSMSAttributes")
    t.eq(out, { attributes = {} })
    t.eq(meta.attempts, 2)
end)

t.case("retries: LimitExceeded, CodeMismatch and client errors are not retried", function()
    need(fault, "MFAKIT_TEST_FAULT")
    local c = aws.client("cognito-idp", opts{ endpoint = fault, retry_base = 0.01 })
    for _, code in ipairs{ "LimitExceededException", "CodeMismatchException", "InvalidSmsRoleTrustRelationshipException" } do
        script{ { status = 400, body = json.encode{ __type = code, message = "m" } }, { status = 200, body = "{}" } }
        local err = t.fails(code, c:call("ListUserPools", { MaxResults = 1 }))
        t.eq(err.attempts, 1, code)
        t.eq(#requests(), 1, code)
    end
end)

t.case("error shapes: X-Amzn-ErrorType, namespaced __type, XML for JSON services, non-AWS bodies", function()
    need(fault, "MFAKIT_TEST_FAULT")
    local c = aws.client("cognito-idp", opts{ endpoint = fault, max_attempts = 1 })
    script{ { status = 400, body = '{"message":"m1"}', headers = { ["X-Amzn-ErrorType"] =
        "NotAuthorizedException:http://internal.amazon.com/", ["x-amzn-RequestId"] = "req-7" } } }
    local err = t.fails("NotAuthorizedException", c:call("ListUserPools", { MaxResults = 1 }))
    t.eq({ err.message, err.request_id }, { "m1", "req-7" })
    script{ { status = 400, body = '{"__type":"com.amazonaws.cognito#UserNotFoundException","message":"m2"}' } }
    t.fails("UserNotFoundException", c:call("ListUserPools", { MaxResults = 1 }))
    script{ { status = 403, body = "<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code>" ..
        "<Message>bad sig</Message><Type>Sender</Type></Error></Errors></ErrorResponse>",
        headers = { ["Content-Type"] = "text/html" } } }
    t.fails("SignatureDoesNotMatch", c:call("ListUserPools", { MaxResults = 1 }))
    script{ { status = 502, body = "<html><body><h1>502 Bad Gateway</h1> proxy says no</body></html>",
        headers = { ["Content-Type"] = "text/html" } } }
    err = t.fails("ServiceError", c:call("ListUserPools", { MaxResults = 1 }))
    t.ok(tostring(err):find("502 Bad Gateway proxy says no", 1, true), tostring(err))
    t.eq(err.retryable, true)
    script{ { status = 200, body = '{"UserPools": [', headers = {} } }
    t.fails("InvalidResponse", c:call("ListUserPools", { MaxResults = 1 }))
    script{ { status = 200, body = '{"UserPools": []}', truncate = true } }
    err = t.fails("NetworkError", c:call("ListUserPools", { MaxResults = 1 }))
    t.eq(err.operation, "cognito-idp:ListUserPools")
end)

t.case("timeouts fire and are retried, then reported", function()
    need(fault, "MFAKIT_TEST_FAULT")
    script{ { status = 200, body = "{}", delay = 1.5 }, { status = 200, body = "{}", delay = 1.5 } }
    local c = aws.client("cognito-idp", opts{ endpoint = fault, timeout = 0.3, max_attempts = 2, retry_base = 0.01 })
    local err = t.fails("Timeout", c:call("ListUserPools", { MaxResults = 1 }))
    t.eq(err.attempts, 2)
end)

t.case("a timeout is not retried for one-shot operations (codes, creates)", function()
    need(fault, "MFAKIT_TEST_FAULT")
    script{ { status = 200, body = "{}", delay = 1 }, { status = 200, body = "{}" } }
    local c = aws.client("cognito-idp", opts{ endpoint = fault, timeout = 0.3, retry_base = 0.01 })
    local err = t.fails("Timeout", c:call("RespondToAuthChallenge", { ChallengeName = "SMS_MFA", ClientId = "c",
        Session = "s", ChallengeResponses = { USERNAME = "u", SMS_MFA_CODE = "123456" } }))
    t.eq(err.attempts, 1)
    script{ { status = 200, body = "{}", delay = 1 }, { status = 200, body = "{}" } }
    err = t.fails("Timeout", c:call("CreateUserPool", { PoolName = "p" }))
    t.eq(err.attempts, 1)
    script{ { status = 200, body = "{}", delay = 1 }, { status = 200, body = '{"UserPools": []}' } }
    local _, meta = assert(c:call("ListUserPools", { MaxResults = 1 }))
    t.eq(meta.attempts, 2)
end)

t.case("one-shot operations: no retry after a 5xx or a drop; throttling is retried", function()
    need(fault, "MFAKIT_TEST_FAULT")
    local c = aws.client("cognito-idp", opts{ endpoint = fault, retry_base = 0.01 })
    local auth = { AuthFlow = "USER_PASSWORD_AUTH", ClientId = "c",
                   AuthParameters = { USERNAME = "u", PASSWORD = "p" } }
    local challenge = { ChallengeName = "SMS_MFA", ClientId = "c", Session = "s",
                        ChallengeResponses = { USERNAME = "u", SMS_MFA_CODE = "123456" } }
    for _, op in ipairs{ { "InitiateAuth", auth }, { "RespondToAuthChallenge", challenge },
                         { "SignUp", { ClientId = "c", Username = "u", Password = "p" } },
                         { "UpdateUserAttributes", { AccessToken = "a", UserAttributes = {} } } } do
        script{ { status = 500, body = "" }, { status = 200, body = "{}" } }
        local err = t.fails("ServiceError", c:call(op[1], op[2]))
        t.eq({ err.attempts, #requests() }, { 1, 1 }, op[1] .. " after a 500")
        script{ { status = 200, body = "{}", truncate = true }, { status = 200, body = "{}" } }
        err = t.fails("NetworkError", c:call(op[1], op[2]))
        t.eq({ err.attempts, #requests() }, { 1, 1 }, op[1] .. " after a dropped connection")
    end
    script{ { status = 400, body = '{"__type":"TooManyRequestsException","message":"slow down"}' },
            { status = 429, body = "" }, { status = 200, body = '{"Session": "s2"}' } }
    local out, meta = assert(c:call("InitiateAuth", auth))
    t.eq({ out.Session, meta.attempts, #requests() }, { "s2", 3, 3 })
    -- a refused connection never reached the server: trying again is safe
    local err = t.fails("ConnectFailed", aws.client("cognito-idp", opts{ endpoint = "http://127.0.0.1:1",
        retry_base = 0.01, max_attempts = 2 }):call("InitiateAuth", auth))
    t.eq(err.attempts, 2)
end)

t.case("InvalidResponse carries attempts, status and operation", function()
    need(fault, "MFAKIT_TEST_FAULT")
    script{ { status = 500, body = "" }, { status = 200, body = '{"UserPools": [' } }
    local c = aws.client("cognito-idp", opts{ endpoint = fault, retry_base = 0.01 })
    local err = t.fails("InvalidResponse", c:call("ListUserPools", { MaxResults = 1 }))
    t.eq({ err.attempts, err.status, err.operation }, { 2, 200, "cognito-idp:ListUserPools" })
    script{ { status = 200, body = "<NotIt/>", headers = { ["Content-Type"] = "text/xml" } } }
    err = t.fails("InvalidResponse", aws.client("iam", opts{ endpoint = fault }):call("ListRoles"))
    t.eq(err.attempts, 1)
end)

t.case("configuration errors name the operation", function()
    local c = aws.client("iam", { endpoint = "ftp://nowhere", region = "us-east-1", access_key = "a", secret_key = "b" })
    local err = t.fails("InvalidEndpoint", c:call("ListRoles"))
    t.eq({ err.operation, err.attempts }, { "iam:ListRoles", 0 })
end)

t.case("public Cognito operations go unsigned, others signed", function()
    need(fault, "MFAKIT_TEST_FAULT")
    script{ { status = 200, body = "{}" }, { status = 200, body = "{}" } }
    local c = aws.client("cognito-idp", opts{ endpoint = fault })
    assert(c:call("InitiateAuth", { AuthFlow = "USER_PASSWORD_AUTH", ClientId = "c",
        AuthParameters = { USERNAME = "u", PASSWORD = "p" } }))
    assert(c:call("ListUserPools", { MaxResults = 1 }))
    local reqs = requests()
    t.eq(reqs[1].headers.authorization, nil)
    t.eq(reqs[1].headers["x-amz-target"], "AWSCognitoIdentityProviderService.InitiateAuth")
    t.eq(reqs[1].headers["content-type"], "application/x-amz-json-1.1")
    t.ok(reqs[2].headers.authorization:find("/us-east-1/cognito-idp/aws4_request", 1, true))
    t.eq(json.decode(reqs[1].body).AuthParameters.USERNAME, "u")
end)

t.case("misuse raises", function()
    t.raises("unknown service", aws.client, "s3")
    t.raises("operation name expected", aws.client("iam", DUMMY).call, aws.client("iam", DUMMY), "get role")
    t.raises("bad argument #2 to 'client:call' (table or nil expected", aws.client("iam", DUMMY).call,
        aws.client("iam", DUMMY), "GetRole", "x")
    t.raises("max_attempts", aws.client, "iam", { max_attempts = 0 })
end)
