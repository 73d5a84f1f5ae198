-- tests/test_guide_delivery_logs.lua: guide step 11 against moto: the role
-- SNS assumes to write SMS delivery logs, the account's delivery-status
-- attributes in the region Cognito sends from, idempotent, and down that
-- deletes the role and puts back the attributes it found.
local sys = require "mfakit.sys"
local json = require "mfakit.json"
local aws = require "mfakit.aws"
local support = dofile("tests/support.lua")
local gsupport = dofile("tests/guide_support.lua")

local t = require "mfakit.test"
local moto = t.env("MFAKIT_TEST_MOTO")
local tmp = t.env("MFAKIT_TEST_TMP") or "/tmp"
local g = moto and gsupport.new(moto, tmp .. "/delivery")

t.case("--sms-delivery-logs: a role for SNS and the attributes; up twice; down restores and deletes", function()
    if not moto then t.skip("MFAKIT_TEST_MOTO not set") end
    -- a region of its own: the attributes are account-wide there
    local region = "ap-southeast-1"
    local sns = aws.client("sns", { endpoint = moto, region = region, access_key = "testing",
                                    secret_key = "testing" })
    local before = assert(sns:call("GetSMSAttributes")).attributes or {}
    local s = "dl-" .. sys.getpid() .. "-" .. math.random(1e6)
    local function run(args)
        return support.run(g:cmd(args):gsub("AWS_REGION=us%-east%-1", "AWS_REGION=" .. region))
    end
    local out, err, rc = run("plan --stack " .. s .. " --sms-delivery-logs")
    t.eq(rc, 0, err)
    t.ok(out:find("11 sms-logs    create    create role " .. s .. "-sns-delivery-logs", 1, true), out)
    out, err, rc = run("up --stack " .. s .. " --sms-delivery-logs")
    t.eq(rc, 0, err .. out)
    t.ok(out:find("11 sms-logs    created", 1, true), out)
    local role = assert(g.iam:call("GetRole", { RoleName = s .. "-sns-delivery-logs" })).Role
    t.ok(tostring(role.AssumeRolePolicyDocument):find("sns.amazonaws.com", 1, true) or
         json.encode(role.AssumeRolePolicyDocument):find("sns.amazonaws.com", 1, true), "trusted by SNS")
    local attrs = assert(sns:call("GetSMSAttributes")).attributes
    t.eq({ attrs.DeliveryStatusIAMRole, attrs.DeliveryStatusSuccessSamplingRate }, { role.Arn, "100" })
    t.eq(g:state(s).resources.delivery_logs.region, region)
    out, err, rc = run("up --stack " .. s)
    t.eq(rc, 0, err)
    t.ok(out:find("11 sms-logs    exists", 1, true), out)
    out, err, rc = run("status --stack " .. s)
    t.eq(rc, 0, err .. out)
    out, err, rc = run("down --stack " .. s)
    t.eq(rc, 0, err .. out)
    t.ok(out:find("11 sms-logs    deleted   delivery-status attributes restored in " .. region .. ", role " .. s, 1,
        true), out)
    t.fails("NoSuchEntity", g.iam:call("GetRole", { RoleName = s .. "-sns-delivery-logs" }))
    attrs = assert(sns:call("GetSMSAttributes")).attributes
    t.eq({ attrs.DeliveryStatusIAMRole or "", attrs.DeliveryStatusSuccessSamplingRate or "" },
         { before.DeliveryStatusIAMRole or "", before.DeliveryStatusSuccessSamplingRate or "" })
end)
