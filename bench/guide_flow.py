#!/usr/bin/env python3
"""bench/guide_flow.py ENDPOINT TAG: the guide's calls as one boto3 process.

The baseline for bench/guide_flow.lua, which makes the same calls in the same
order with mfakit. TAG makes the role, pool and user names unique per round.
Exits 0 when every call succeeded and the SMS MFA login gave tokens. Prints
cpu_ms=N: this process's CPU time from its start (time.process_time).
"""
import json
import sys
import time

import boto3

POLICY = "arn:aws:iam::aws:policy/AmazonSNSFullAccess"
PASSWORD = "Bench-Passw0rd!"


def main():
    endpoint, tag = sys.argv[1], sys.argv[2]
    kw = dict(endpoint_url=endpoint, region_name="us-east-1",
              aws_access_key_id="testing", aws_secret_access_key="testing")
    iam = boto3.client("iam", **kw)
    idp = boto3.client("cognito-idp", **kw)
    sns = boto3.client("sns", **kw)

    role_name = "mfakit-bench-sms-" + tag
    external_id = "mfakit-bench-" + tag
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "cognito-idp.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]})
    iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName=role_name, PolicyArn=POLICY)
    role_arn = iam.get_role(RoleName=role_name)["Role"]["Arn"]

    pool_id = idp.create_user_pool(
        PoolName="mfakit-bench-" + tag, MfaConfiguration="OPTIONAL",
        AutoVerifiedAttributes=["email"],
        SmsConfiguration={"SnsCallerArn": role_arn, "ExternalId": external_id},
    )["UserPool"]["Id"]
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
        SmsMfaConfiguration={"SmsConfiguration": {"SnsCallerArn": role_arn, "ExternalId": external_id}},
        SoftwareTokenMfaConfiguration={"Enabled": True})
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="mfakit-bench", GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]

    user = "qa-" + tag
    idp.sign_up(ClientId=client_id, Username=user, Password=PASSWORD, UserAttributes=[
        {"Name": "email", "Value": user + "@example.com"},
        {"Name": "phone_number", "Value": "+15555550100"}])
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=user)
    auth = {"USERNAME": user, "PASSWORD": PASSWORD}
    for _ in range(2):
        r = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=auth)
        assert r["AuthenticationResult"]["AccessToken"], "no tokens before MFA"
    idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username=user,
                                      SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    r = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=auth)
    assert r["ChallengeName"] == "SMS_MFA", r.get("ChallengeName")
    r = idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="SMS_MFA", Session=r["Session"],
                                      ChallengeResponses={"USERNAME": user, "SMS_MFA_CODE": "123456"})
    assert r["AuthenticationResult"]["IdToken"], "no tokens after SMS MFA"

    sns.set_sms_attributes(attributes={"DefaultSMSType": "Transactional", "MonthlySpendLimit": "1"})
    got = sns.get_sms_attributes(attributes=["DefaultSMSType", "MonthlySpendLimit"])["attributes"]
    assert got.get("DefaultSMSType") == "Transactional", got

    idp.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    idp.delete_user_pool(UserPoolId=pool_id)
    iam.detach_role_policy(RoleName=role_name, PolicyArn=POLICY)
    iam.delete_role(RoleName=role_name)
    print("cpu_ms=%.1f" % (time.process_time() * 1000))


if __name__ == "__main__":
    main()
