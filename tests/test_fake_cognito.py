#!/usr/bin/env python3
"""Self-check of tests/fake_cognito.py:  python3 tests/test_fake_cognito.py

1. The fake's server-side SRP against tests/vectors/srp.json (amazon-cognito-identity-js): B from the
   reference b and v equals SRP_B, and every vector's PASSWORD_CLAIM_SIGNATURE verifies.
2. A client-side SRP written here from docs/SRP.md (independent of mfakit and of the fake's
   code) reproduces the vectors too, and then drives the running fake through every flow it offers.
"""
import base64
import hashlib
import hmac
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fake_cognito as fc  # noqa: E402

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402

VEC = json.load(open(os.path.join(HERE, "vectors", "srp.json")))

# ---------------------------------------------------------------------------
# A client-side SRP, from docs/SRP.md only
# ---------------------------------------------------------------------------
N = int(VEC["N"], 16)
G = 2


def pad(n):
    return n.to_bytes(n.bit_length() // 8 + 1, "big")


def h(b):
    return hashlib.sha256(b).digest()


def hint(b):
    return int.from_bytes(h(b), "big")


KMUL = hint(pad(N) + pad(G))
assert format(KMUL, "x") == VEC["k"]


def b64d(s):
    s = s.replace("-", "+").replace("_", "/")
    return base64.b64decode(s + "=" * (-len(s) % 4))


def client_x(salt_int, realm, ident, password):
    return hint(pad(salt_int) + h(f"{realm}{ident}:{password}".encode()))


def client_signature(a, b_hex, salt_hex, realm, ident, password, block_b64, ts):
    big_a, big_b = pow(G, a, N), int(b_hex, 16)
    if big_b % N == 0:
        raise ValueError("B cannot be zero")
    u = hint(pad(big_a) + pad(big_b))
    x = client_x(int(salt_hex, 16), realm, ident, password)
    s = pow((big_b - KMUL * pow(G, x, N)) % N, a + u * x, N)
    prk = hmac.new(pad(u), pad(s), hashlib.sha256).digest()
    key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
    msg = realm.encode() + ident.encode() + b64d(block_b64) + ts.encode()
    return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()


WD, MO = "Mon Tue Wed Thu Fri Sat Sun".split(), "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def client_timestamp(t):
    tm = time.gmtime(t)
    return f"{WD[tm.tm_wday]} {MO[tm.tm_mon - 1]} {tm.tm_mday} {tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d} " \
           f"UTC {tm.tm_year}"


def shash(secret, username, client_id):
    return base64.b64encode(hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()).decode()


def totp(secret, t):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, int(t // 30).to_bytes(8, "big"), hashlib.sha1).digest()
    o = mac[-1] & 15
    return "%06d" % ((int.from_bytes(mac[o:o + 4], "big") & 0x7FFFFFFF) % 1000000)


# ---------------------------------------------------------------------------
# Part 1: known-answer vectors
# ---------------------------------------------------------------------------

def check_vectors():
    n_server = n_client = 0
    for c in VEC["cases"]:
        if c["kind"] in ("user", "device_auth"):
            realm, ident = ((c["pool_id"].split("_", 1)[1], c["user_id"]) if c["kind"] == "user"
                            else (c["device_group_key"], c["device_key"]))
            password = c.get("password", c.get("device_password"))
            want = base64.b64decode(c["password_claim_signature"])
            got = client_signature(int(c["a"], 16), c["srp_b"], c["salt"], realm, ident, password,
                                   c["secret_block"], c["timestamp"])
            assert got == c["password_claim_signature"], ("client", c["name"])
            n_client += 1
            assert fc.format_timestamp(c["unix_time"]) == c["timestamp"], c["name"]
            ref = c.get("server_side_reference")
            if not ref:  # the moto-shaped cases have no server reference
                continue
            b, v = int(ref["b"], 16), int(ref["v"], 16)
            assert fc.srp_server_b_pub(b, v) == int(c["srp_b"], 16), ("B", c["name"])
            assert fc.srp_verifier(int(c["salt"], 16), realm, ident, password) == v, ("v", c["name"])
            key = fc.srp_server_key(int(c["srp_a"], 16), int(c["srp_b"], 16), b, v)
            sig = fc.srp_claim(key, realm, ident, fc.b64decode_loose(c["secret_block"]),
                               fc.format_timestamp(fc.parse_timestamp(c["timestamp"])))
            assert hmac.compare_digest(sig, want), ("signature", c["name"])
            bad = fc.srp_claim(key, realm, ident + "x", fc.b64decode_loose(c["secret_block"]), c["timestamp"])
            assert bad != want
            n_server += 1
        elif c["kind"] == "device_confirm":
            salt = int(c["salt_bytes"], 16)
            verifier = pow(G, client_x(salt, c["device_group_key"], c["device_key"], c["device_password"]), N)
            assert base64.b64encode(pad(salt)).decode() == c["Salt"], c["name"]
            assert base64.b64encode(pad(verifier)).decode() == c["PasswordVerifier"], c["name"]
        elif c["kind"] == "user_error":
            try:
                client_signature(int(c["a"], 16), c["srp_b"], "01", "p", "u", "x", "AA==", "t")
                raise AssertionError(c["name"])
            except ValueError:
                pass
    for t in VEC["timestamps"]:
        assert fc.format_timestamp(t["unix_time"]) == t["timestamp"], t
        assert client_timestamp(t["unix_time"]) == t["timestamp"], t
        assert fc.parse_timestamp(t["timestamp"]) == t["unix_time"], t
    # Java-style parse: a zero-padded day parses (and then fails the signature); %e spacing does not.
    assert fc.parse_timestamp("Tue Sep 03 08:09:10 UTC 2024") == 1725350950
    for bad in ("Tue Sep  3 08:09:10 UTC 2024", "Di Sep 3 08:09:10 UTC 2024", "Tue Sep 3 08:09:10 2024", ""):
        try:
            fc.parse_timestamp(bad)
            raise AssertionError(bad)
        except ValueError:
            pass
    return n_server, n_client


# ---------------------------------------------------------------------------
# Part 2: the running fake
# ---------------------------------------------------------------------------

class Api:
    def __init__(self, url):
        self.url = url

    def raw(self, method, path, body=None, headers=None):
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, dict(r.headers), json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), json.loads(e.read() or b"{}")

    def call(self, op, body):
        return self.raw("POST", "/", body, {"X-Amz-Target": "AWSCognitoIdentityProviderService." + op,
                                            "Content-Type": "application/x-amz-json-1.1"})

    def ok(self, op, body):
        status, headers, out = self.call(op, body)
        assert status == 200, (op, status, out)
        assert headers.get("x-amzn-RequestId") and headers["Content-Type"] == "application/x-amz-json-1.1"
        return out

    def fail(self, op, body, code, message=None):
        status, headers, out = self.call(op, body)
        assert status == 400 and out.get("__type") == code, (op, code, status, out)
        assert headers.get("X-Amzn-ErrorType") == code and headers.get("x-amzn-RequestId")
        if message is not None:
            assert out["message"] == message, (op, out["message"], message)
        return out

    def ctl(self, method, path, body=None):
        status, _, out = self.raw(method, "/_control/" + path, body if body is not None else {})
        assert status == 200, (path, status, out)
        return out


class Client:
    """What an app does: SRP, challenges and secret hashes, written from docs/SRP.md."""

    def __init__(self, api, pool_id, client_id, secret=None):
        self.api, self.pool_id, self.client_id, self.secret = api, pool_id, client_id, secret

    def sh(self, username):
        return {"SECRET_HASH": shash(self.secret, username, self.client_id)} if self.secret else {}

    def srp_start(self, typed, device_key=None, hash_name=None):
        a = secrets.randbits(1024)
        params = {"USERNAME": typed, "SRP_A": format(pow(G, a, N), "x"), **self.sh(hash_name or typed)}
        if device_key:
            params["DEVICE_KEY"] = device_key
        out = self.api.ok("InitiateAuth", {"AuthFlow": "USER_SRP_AUTH", "ClientId": self.client_id,
                                           "AuthParameters": params})
        assert out["ChallengeName"] == "PASSWORD_VERIFIER" and "Session" not in out, out
        return a, out["ChallengeParameters"]

    def verifier_response(self, a, cp, password, ident=None, ts=None, hash_name=None, device_key=None):
        uid = cp["USER_ID_FOR_SRP"]
        ts = ts or client_timestamp(time.time())
        realm = self.pool_id.split("_", 1)[1]
        resp = {"USERNAME": uid, "PASSWORD_CLAIM_SECRET_BLOCK": cp["SECRET_BLOCK"], "TIMESTAMP": ts,
                "PASSWORD_CLAIM_SIGNATURE": client_signature(a, cp["SRP_B"], cp["SALT"], realm, ident or uid,
                                                             password, cp["SECRET_BLOCK"], ts),
                **self.sh(hash_name or uid)}
        if device_key:
            resp["DEVICE_KEY"] = device_key
        return {"ClientId": self.client_id, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": resp}

    def srp_login(self, typed, password, device_key=None):
        a, cp = self.srp_start(typed, device_key)
        return self.api.ok("RespondToAuthChallenge", self.verifier_response(a, cp, password, device_key=device_key))

    def password_login(self, typed, password, **extra):
        return self.api.call("InitiateAuth", {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": self.client_id,
                                              "AuthParameters": {"USERNAME": typed, "PASSWORD": password,
                                                                 **self.sh(typed), **extra}})

    def respond(self, out, username, responses, expect_ok=True):
        body = {"ClientId": self.client_id, "ChallengeName": out["ChallengeName"], "Session": out["Session"],
                "ChallengeResponses": {"USERNAME": username, **self.sh(username), **responses}}
        return self.api.ok("RespondToAuthChallenge", body) if expect_ok else body

    def refresh(self, token, username, device_key=None):
        params = {"REFRESH_TOKEN": token, **self.sh(username)}
        if device_key:
            params["DEVICE_KEY"] = device_key
        return self.api.call("InitiateAuth", {"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": self.client_id,
                                              "AuthParameters": params})


def jwt_verify(api, pool_id, token):
    _, _, jwks = api.raw("GET", f"/{pool_id}/.well-known/jwks.json")
    _, _, jwks2 = api.raw("GET", f"/.well-known/jwks.json?pool={pool_id}")
    assert jwks == jwks2
    head, body, sig = token.split(".")
    header = json.loads(b64d(head))
    jwk = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    assert jwk["alg"] == "RS256" and jwk["use"] == "sig" and header["alg"] == "RS256"
    pub = rsa.RSAPublicNumbers(int.from_bytes(b64d(jwk["e"]), "big"), int.from_bytes(b64d(jwk["n"]), "big"))
    pub.public_key().verify(b64d(sig), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return json.loads(b64d(body))


def run_server_checks(api):
    api.ctl("POST", "reset")
    # --- P1: a client with a secret, MFA optional ----------------------------
    p1 = api.ctl("POST", "pool", {"id": "us-east-1_Fake1", "client_id": "client1", "client_secret": "s3cr3t",
                                  "mfa": "OPTIONAL"})
    assert p1["issuer"] == api.url + "/us-east-1_Fake1"
    api.ctl("POST", "user", {"pool": "us-east-1_Fake1", "username": "alice", "password": "Alice-Pass-1",
                             "attributes": {"email": "alice@example.com", "email_verified": True}})
    c1 = Client(api, "us-east-1_Fake1", "client1", "s3cr3t")
    out = c1.srp_login("alice", "Alice-Pass-1")
    ar = out["AuthenticationResult"]
    assert ar["ExpiresIn"] == 3600 and ar["TokenType"] == "Bearer" and ar["RefreshToken"].count(".") == 4
    idc, acc = jwt_verify(api, "us-east-1_Fake1", ar["IdToken"]), jwt_verify(api, "us-east-1_Fake1", ar["AccessToken"])
    assert idc["token_use"] == "id" and idc["aud"] == "client1" and idc["cognito:username"] == "alice"
    assert idc["iss"] == p1["issuer"] and idc["email"] == "alice@example.com" and idc["email_verified"] is True
    assert acc["token_use"] == "access" and acc["client_id"] == "client1" and acc["username"] == "alice"
    assert acc["scope"] == "aws.cognito.signin.user.admin" and acc["sub"] == idc["sub"] and "device_key" not in acc
    assert api.ok("GetUser", {"AccessToken": ar["AccessToken"]})["Username"] == "alice"
    api.fail("GetUser", {"AccessToken": ar["IdToken"]}, "NotAuthorizedException", "Invalid Access Token")
    forged = ar["AccessToken"][:-6] + ("AAAAAA" if not ar["AccessToken"].endswith("AAAAAA") else "BBBBBB")
    api.fail("GetUser", {"AccessToken": forged}, "NotAuthorizedException", "Invalid Access Token")
    # the email alias signs in with USER_ID_FOR_SRP = the internal username
    a, cp = c1.srp_start("alice@example.com")
    assert cp["USER_ID_FOR_SRP"] == "alice" and cp["USERNAME"] == "alice"
    api.ok("RespondToAuthChallenge", c1.verifier_response(a, cp, "Alice-Pass-1"))
    # wrong password, reused SECRET_BLOCK, TIMESTAMP checks
    a, cp = c1.srp_start("alice@example.com")
    body = c1.verifier_response(a, cp, "Alice-Pass-1")
    body["ChallengeResponses"].update(USERNAME="alice@example.com", **c1.sh("alice@example.com"))
    api.fail("RespondToAuthChallenge", body, "NotAuthorizedException", fc.BAD_PASSWORD)  # not USER_ID_FOR_SRP
    a, cp = c1.srp_start("alice")
    api.fail("RespondToAuthChallenge", c1.verifier_response(a, cp, "wrong"), "NotAuthorizedException",
             fc.BAD_PASSWORD)
    api.fail("RespondToAuthChallenge", c1.verifier_response(a, cp, "Alice-Pass-1"), "NotAuthorizedException",
             fc.SESSION_USED)
    now = client_timestamp(time.time())
    wd, rest = now.split(" ", 1)
    other_day = WD[(WD.index(wd) + 1) % 7] + " " + rest
    padded = now.split(" ")
    padded[2] = padded[2].zfill(2) if len(padded[2]) == 1 else padded[2]
    padded_day = " ".join(padded)
    for ts, code, msg in ((other_day, "NotAuthorizedException", fc.BAD_PASSWORD),
                          (client_timestamp(time.time() - 600), "NotAuthorizedException", fc.BAD_PASSWORD),
                          (now.replace(" ", "  ", 2).replace("  ", " ", 1), "InvalidParameterException",
                           fc.TIMESTAMP_FORMAT),
                          ("Di" + now[3:], "InvalidParameterException", fc.TIMESTAMP_FORMAT),
                          (now.replace("UTC", "+0000"), "InvalidParameterException", fc.TIMESTAMP_FORMAT)):
        a, cp = c1.srp_start("alice")
        api.fail("RespondToAuthChallenge", c1.verifier_response(a, cp, "Alice-Pass-1", ts=ts), code, msg)
    if padded_day != now:  # "Sep 03" parses like Java, then the canonical "Sep 3" does not match
        a, cp = c1.srp_start("alice")
        api.fail("RespondToAuthChallenge", c1.verifier_response(a, cp, "Alice-Pass-1", ts=padded_day),
                 "NotAuthorizedException", fc.BAD_PASSWORD)
    # secret hash
    api.fail("InitiateAuth", {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "client1",
                              "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Alice-Pass-1"}},
             "NotAuthorizedException", "Client client1 is configured with secret but SECRET_HASH was not received")
    api.fail("InitiateAuth", {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "client1", "AuthParameters": {
        "USERNAME": "alice", "PASSWORD": "Alice-Pass-1", "SECRET_HASH": shash("nope", "alice", "client1")}},
        "NotAuthorizedException", "Unable to verify secret hash for client client1")
    status, _, out = c1.password_login("alice", "Alice-Pass-1")
    assert status == 200 and "AuthenticationResult" in out and out["ChallengeParameters"] == {}
    status, _, out = c1.password_login("alice", "wrong")
    assert out["__type"] == "NotAuthorizedException" and out["message"] == fc.BAD_PASSWORD
    status, _, out = c1.password_login("nobody", "x")
    assert out["__type"] == "UserNotFoundException", out
    api.fail("InitiateAuth", {"AuthFlow": "USER_SRP_AUTH"}, "InvalidParameterException",
             "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: "
             "Member must not be null")
    api.fail("InitiateAuth", {"AuthFlow": "USER_SRP_AUTH", "ClientId": "nope"}, "ResourceNotFoundException")
    api.fail("InitiateAuth", {"AuthFlow": "USER_SRP_AUTH", "ClientId": "client1",
                              "AuthParameters": {"USERNAME": "alice", **c1.sh("alice")}},
             "InvalidParameterException", "Missing required parameter SRP_A")
    api.fail("AdminCreateUser", {}, "UnsupportedOperation")
    status, _, out = api.raw("POST", "/", b"{not json", {"X-Amz-Target": "AWSCognitoIdentityProviderService.GetUser"})
    assert status == 400 and out["__type"] == "SerializationException"

    # --- software token set up with the access token, MFA preferences -------
    at = ar["AccessToken"]
    api.fail("SetUserMFAPreference", {"AccessToken": at, "SoftwareTokenMfaSettings": {"Enabled": True}},
             "InvalidParameterException", "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA")
    api.fail("SetUserMFAPreference", {"AccessToken": at, "SMSMfaSettings": {"Enabled": True}},
             "InvalidParameterException", "User does not have a phone_number set to turn on SMS MFA")
    secret = api.ok("AssociateSoftwareToken", {"AccessToken": at})["SecretCode"]
    assert len(secret) == 32
    api.fail("SetUserMFAPreference", {"AccessToken": at, "SoftwareTokenMfaSettings": {"Enabled": True}},
             "InvalidParameterException", "User has not verified software token mfa")
    wrong = "%06d" % ((int(totp(secret, time.time())) + 500000) % 1000000)
    api.fail("VerifySoftwareToken", {"AccessToken": at, "UserCode": wrong}, "EnableSoftwareTokenMFAException")
    api.fail("VerifySoftwareToken", {"AccessToken": at, "UserCode": "12a456"}, "InvalidParameterException")
    assert api.ok("VerifySoftwareToken", {"AccessToken": at, "UserCode": totp(secret, time.time())}) == \
        {"Status": "SUCCESS"}
    api.ok("SetUserMFAPreference", {"AccessToken": at, "SoftwareTokenMfaSettings": {"Enabled": True,
                                                                                    "PreferredMfa": True}})
    got = api.ok("GetUser", {"AccessToken": at})
    assert got["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"] and got["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert "MFAOptions" not in got
    # a new secret disables TOTP until it is verified
    secret = api.ok("AssociateSoftwareToken", {"AccessToken": at})["SecretCode"]
    assert "UserMFASettingList" not in api.ok("GetUser", {"AccessToken": at})
    api.ok("VerifySoftwareToken", {"AccessToken": at, "UserCode": totp(secret, time.time())})
    assert api.ok("GetUser", {"AccessToken": at})["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]

    # --- attributes, verification codes, expiry through the clock ----------
    api.fail("UpdateUserAttributes", {"AccessToken": at, "UserAttributes": [
        {"Name": "phone_number", "Value": "555-0100"}]}, "InvalidParameterException", "Invalid phone number format.")
    api.fail("UpdateUserAttributes", {"AccessToken": at, "UserAttributes": [
        {"Name": "email_verified", "Value": "true"}]}, "NotAuthorizedException")
    out = api.ok("UpdateUserAttributes", {"AccessToken": at, "UserAttributes": [
        {"Name": "phone_number", "Value": "+15555550100"}]})
    assert out["CodeDeliveryDetailsList"] == [{"Destination": "+*******0100", "DeliveryMedium": "SMS",
                                               "AttributeName": "phone_number"}], out
    code = api.ctl("GET", "codes")["alice"]["attribute:phone_number"]
    api.fail("VerifyUserAttribute", {"AccessToken": at, "AttributeName": "phone_number",
                                     "Code": "%06d" % ((int(code) + 1) % 1000000)}, "CodeMismatchException")
    api.ok("VerifyUserAttribute", {"AccessToken": at, "AttributeName": "phone_number", "Code": code})
    attrs = {a["Name"]: a["Value"] for a in api.ok("GetUser", {"AccessToken": at})["UserAttributes"]}
    assert attrs["phone_number_verified"] == "true"
    out = api.ok("GetUserAttributeVerificationCode", {"AccessToken": at, "AttributeName": "email"})
    assert out["CodeDeliveryDetails"]["Destination"] == "a***@e***"
    code = api.ctl("GET", "codes")["alice"]["attribute:email"]
    api.ctl("POST", "clock", {"offset_seconds": 25 * 3600})
    api.fail("GetUser", {"AccessToken": at}, "NotAuthorizedException", "Access Token has expired")
    status, _, out = c1.refresh(ar["RefreshToken"], "alice")
    assert status == 200 and "RefreshToken" not in out["AuthenticationResult"], out
    at2 = out["AuthenticationResult"]["AccessToken"]
    assert jwt_verify(api, "us-east-1_Fake1", at2)["origin_jti"] == acc["origin_jti"]
    api.fail("VerifyUserAttribute", {"AccessToken": at2, "AttributeName": "email", "Code": code},
             "ExpiredCodeException", fc.EXPIRED_VERIFICATION)
    api.ctl("POST", "clock", {"offset_seconds": 0})
    status, _, out = c1.refresh("garbage", "alice")
    assert out["message"] == "Invalid Refresh Token"

    # --- GlobalSignOut and RevokeToken -------------------------------------
    api.ok("GlobalSignOut", {"AccessToken": at2})
    api.fail("GetUser", {"AccessToken": at2}, "NotAuthorizedException", "Access Token has been revoked")
    status, _, out = c1.refresh(ar["RefreshToken"], "alice")
    assert out["message"] == "Refresh Token has been revoked", out
    a, cp = c1.srp_start("alice")
    out = api.ok("RespondToAuthChallenge", c1.verifier_response(a, cp, "Alice-Pass-1"))
    assert out["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and out["ChallengeParameters"] == {}
    ar = c1.respond(out, "alice", {"SOFTWARE_TOKEN_MFA_CODE": totp(secret, time.time())})["AuthenticationResult"]
    api.fail("RevokeToken", {"Token": ar["RefreshToken"], "ClientId": "client1"}, "UnauthorizedException")
    api.fail("RevokeToken", {"Token": ar["AccessToken"], "ClientId": "client1", "ClientSecret": "s3cr3t"},
             "UnsupportedTokenTypeException")
    api.ok("RevokeToken", {"Token": ar["RefreshToken"], "ClientId": "client1", "ClientSecret": "s3cr3t"})
    api.fail("GetUser", {"AccessToken": ar["AccessToken"]}, "NotAuthorizedException", "Access Token has been revoked")
    assert c1.refresh(ar["RefreshToken"], "alice")[2]["message"] == "Refresh Token has been revoked"
    assert api.ctl("GET", "state")["revoked"]["refresh_tokens"]

    # --- P2: e-mail as username, the USER_ID_FOR_SRP / SECRET_HASH trap ----
    api.ctl("POST", "pool", {"id": "eu-west-2_Alias9", "client_id": "client2", "client_secret": "sec2",
                             "username_attributes": ["email"]})
    peggy = api.ctl("POST", "user", {"pool": "eu-west-2_Alias9", "username": "peggy@example.com",
                                     "password": "Peggy-Pass-2024"})
    assert peggy["username"] == peggy["sub"]
    c2 = Client(api, "eu-west-2_Alias9", "client2", "sec2")
    a, cp = c2.srp_start("peggy@example.com")
    assert cp["USER_ID_FOR_SRP"] == peggy["sub"]
    api.fail("RespondToAuthChallenge", c2.verifier_response(a, cp, "Peggy-Pass-2024", ident="peggy@example.com"),
             "NotAuthorizedException", fc.BAD_PASSWORD)  # typed name in x and the message
    a, cp = c2.srp_start("peggy@example.com")
    api.fail("RespondToAuthChallenge", c2.verifier_response(a, cp, "Peggy-Pass-2024", hash_name="peggy@example.com"),
             "NotAuthorizedException", "Unable to verify secret hash for client client2")
    ar = c2.srp_login("peggy@example.com", "Peggy-Pass-2024")["AuthenticationResult"]
    assert jwt_verify(api, "eu-west-2_Alias9", ar["IdToken"])["cognito:username"] == peggy["sub"]
    assert c2.refresh(ar["RefreshToken"], "peggy@example.com")[2]["__type"] == "NotAuthorizedException"
    assert c2.refresh(ar["RefreshToken"], peggy["sub"])[0] == 200

    # --- P3: SMS, TOTP, SELECT_MFA_TYPE, sessions, sign-up, new password ---
    api.ctl("POST", "pool", {"id": "us-east-1_Mfa3", "client_id": "client3", "mfa": "OPTIONAL"})
    api.ctl("POST", "user", {"pool": "us-east-1_Mfa3", "username": "bob", "password": "Bob-Pass-1", "sms_mfa": True,
                             "attributes": {"phone_number": "+15555550100", "phone_number_verified": True}})
    c3 = Client(api, "us-east-1_Mfa3", "client3")
    out = c3.password_login("bob", "Bob-Pass-1")[2]
    assert out["ChallengeName"] == "SMS_MFA" and out["ChallengeParameters"] == {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": "+*******0100"}, out
    code = api.ctl("GET", "codes")["bob"]["sms_mfa"]
    bad = "%06d" % ((int(code) + 1) % 1000000)
    api.fail("RespondToAuthChallenge", c3.respond(out, "bob", {"SMS_MFA_CODE": bad}, False),
             "CodeMismatchException", fc.BAD_CODE)
    api.fail("RespondToAuthChallenge", c3.respond(out, "bob", {}, False), "InvalidParameterException",
             "Missing required parameter SMS_MFA_CODE")
    c3.respond(out, "bob", {"SMS_MFA_CODE": code})
    api.fail("RespondToAuthChallenge", c3.respond(out, "bob", {"SMS_MFA_CODE": code}, False),
             "NotAuthorizedException", fc.SESSION_USED)
    out = c3.password_login("bob", "Bob-Pass-1")[2]
    for _ in range(3):
        api.fail("RespondToAuthChallenge", c3.respond(out, "bob", {"SMS_MFA_CODE": "000000"}, False),
                 "CodeMismatchException")  # (one in a million that 000000 is right)
    api.fail("RespondToAuthChallenge", c3.respond(out, "bob", {"SMS_MFA_CODE": api.ctl("GET", "codes")["bob"][
        "sms_mfa"]}, False), "NotAuthorizedException", fc.SESSION_EXPIRED)  # dead after code_attempts (3)
    out = c3.password_login("bob", "Bob-Pass-1")[2]
    api.ctl("POST", "clock", {"advance_seconds": 181})
    api.fail("RespondToAuthChallenge", c3.respond(out, "bob", {"SMS_MFA_CODE": api.ctl("GET", "codes")["bob"][
        "sms_mfa"]}, False), "NotAuthorizedException", fc.SESSION_EXPIRED)
    api.ctl("POST", "clock", {"offset_seconds": 0})
    # both factors, no preference -> SELECT_MFA_TYPE
    tsec = base64.b32encode(secrets.token_bytes(20)).decode()
    api.ctl("POST", "user", {"pool": "us-east-1_Mfa3", "username": "dave", "password": "Dave-Pass-1",
                             "sms_mfa": True, "totp_secret": tsec, "attributes": {"phone_number": "+15555550199"}})
    out = c3.password_login("dave", "Dave-Pass-1")[2]
    assert out["ChallengeName"] == "SELECT_MFA_TYPE" and \
        json.loads(out["ChallengeParameters"]["MFAS_CAN_CHOOSE"]) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    out = c3.respond(out, "dave", {"ANSWER": "SOFTWARE_TOKEN_MFA"})
    assert out["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    api.fail("RespondToAuthChallenge", c3.respond(out, "dave", {"SOFTWARE_TOKEN_MFA_CODE": "000000"}, False),
             "CodeMismatchException")
    assert "AuthenticationResult" in c3.respond(out, "dave", {"SOFTWARE_TOKEN_MFA_CODE": totp(tsec, time.time())})
    # sign-up
    api.fail("SignUp", {"ClientId": "client3", "Username": "erin", "Password": "short"}, "InvalidPasswordException",
             "Password did not conform with policy: Password not long enough")
    api.fail("SignUp", {"ClientId": "client3", "Username": "erin", "Password": "Erin-Pass-1",
                        "UserAttributes": [{"Name": "phone_number", "Value": "0100"}]},
             "InvalidParameterException", "Invalid phone number format.")
    out = api.ok("SignUp", {"ClientId": "client3", "Username": "erin", "Password": "Erin-Pass-1",
                            "UserAttributes": [{"Name": "email", "Value": "erin@example.com"}]})
    assert out["UserConfirmed"] is False and out["UserSub"] and out["CodeDeliveryDetails"] == {
        "Destination": "e***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    api.fail("SignUp", {"ClientId": "client3", "Username": "erin", "Password": "Erin-Pass-1"},
             "UsernameExistsException")
    assert c3.password_login("erin", "wrong")[2]["__type"] == "UserNotConfirmedException"
    api.fail("ConfirmSignUp", {"ClientId": "client3", "Username": "erin", "ConfirmationCode": "x"},
             "CodeMismatchException", fc.BAD_VERIFICATION)
    api.ok("ResendConfirmationCode", {"ClientId": "client3", "Username": "erin"})
    api.ok("ConfirmSignUp", {"ClientId": "client3", "Username": "erin",
                             "ConfirmationCode": api.ctl("GET", "codes")["erin"]["signup"]})
    api.fail("ResendConfirmationCode", {"ClientId": "client3", "Username": "erin"}, "InvalidParameterException")
    assert "AuthenticationResult" in c3.srp_login("erin", "Erin-Pass-1")
    # FORCE_CHANGE_PASSWORD -> NEW_PASSWORD_REQUIRED
    api.ctl("POST", "user", {"pool": "us-east-1_Mfa3", "username": "gina", "password": "Temp-Pass-1",
                             "status": "FORCE_CHANGE_PASSWORD", "attributes": {"email": "gina@example.com"}})
    out = c3.srp_login("gina", "Temp-Pass-1")
    assert out["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and \
        json.loads(out["ChallengeParameters"]["userAttributes"])["email"] == "gina@example.com"
    api.fail("RespondToAuthChallenge", c3.respond(out, "gina", {"NEW_PASSWORD": "weak"}, False),
             "InvalidPasswordException")
    assert "AuthenticationResult" in c3.respond(out, "gina", {"NEW_PASSWORD": "Gina-New-Pass-1",
                                                              "userAttributes.name": "Gina"})
    assert "AuthenticationResult" in c3.srp_login("gina", "Gina-New-Pass-1")

    # --- P4: MFA ON, a user without a factor -> MFA_SETUP -------------------
    api.ctl("POST", "pool", {"id": "us-east-1_On4", "client_id": "client4", "mfa": "ON"})
    api.ctl("POST", "user", {"pool": "us-east-1_On4", "username": "hank", "password": "Hank-Pass-1"})
    c4 = Client(api, "us-east-1_On4", "client4")
    out = c4.srp_login("hank", "Hank-Pass-1")
    assert out["ChallengeName"] == "MFA_SETUP" and out["ChallengeParameters"]["MFAS_CAN_SETUP"] == \
        '["SOFTWARE_TOKEN_MFA"]'
    assoc = api.ok("AssociateSoftwareToken", {"Session": out["Session"]})
    api.fail("AssociateSoftwareToken", {"Session": out["Session"]}, "NotAuthorizedException", fc.SESSION_USED)
    ver = api.ok("VerifySoftwareToken", {"Session": assoc["Session"], "UserCode": totp(assoc["SecretCode"],
                                                                                       time.time())})
    assert ver["Status"] == "SUCCESS" and ver["Session"]
    ar = c4.respond({"ChallengeName": "MFA_SETUP", "Session": ver["Session"]}, "hank", {})["AuthenticationResult"]
    assert api.ok("GetUser", {"AccessToken": ar["AccessToken"]})["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert c4.srp_login("hank", "Hank-Pass-1")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"

    # --- P5: devices ---------------------------------------------------------
    api.ctl("POST", "pool", {"id": "us-east-1_Dev5", "client_id": "client5", "client_secret": "sec5",
                             "mfa": "OPTIONAL", "device_tracking": {"challenge_required_on_new_device": True,
                                                                    "device_only_remembered_on_user_prompt": False}})
    api.ctl("POST", "user", {"pool": "us-east-1_Dev5", "username": "frank", "password": "Frank-Pass-1",
                             "sms_mfa": True, "attributes": {"phone_number": "+15555550142"}})
    c5 = Client(api, "us-east-1_Dev5", "client5", "sec5")
    out = c5.srp_login("frank", "Frank-Pass-1")
    assert out["ChallengeName"] == "SMS_MFA"
    ar = c5.respond(out, "frank", {"SMS_MFA_CODE": api.ctl("GET", "codes")["frank"]["sms_mfa"]})[
        "AuthenticationResult"]
    meta = ar["NewDeviceMetadata"]
    assert meta["DeviceKey"].startswith("us-east-1_") and meta["DeviceGroupKey"].startswith("-")
    at = ar["AccessToken"]
    assert jwt_verify(api, "us-east-1_Dev5", at)["device_key"] == meta["DeviceKey"]
    dev_pw = base64.b64encode(secrets.token_bytes(40)).decode()
    salt = secrets.randbits(128)
    ver = pow(G, client_x(salt, meta["DeviceGroupKey"], meta["DeviceKey"], dev_pw), N)
    out = api.ok("ConfirmDevice", {"AccessToken": at, "DeviceKey": meta["DeviceKey"], "DeviceName": "laptop",
                                   "DeviceSecretVerifierConfig": {"PasswordVerifier": base64.b64encode(pad(ver)).decode(),
                                                                  "Salt": base64.b64encode(pad(salt)).decode()}})
    assert out == {"UserConfirmationNecessary": False}
    devs = api.ok("ListDevices", {"AccessToken": at})["Devices"]
    assert [d["DeviceKey"] for d in devs] == [meta["DeviceKey"]] and \
        {"Name": "device_name", "Value": "laptop"} in devs[0]["DeviceAttributes"]
    assert c5.refresh(ar["RefreshToken"], "frank")[2]["message"] == "Invalid Refresh Token"
    assert c5.refresh(ar["RefreshToken"], "frank", meta["DeviceKey"])[0] == 200

    def device_login(password):
        out = c5.srp_login("frank", "Frank-Pass-1", device_key=meta["DeviceKey"])
        if out["ChallengeName"] != "DEVICE_SRP_AUTH":
            return out
        a = secrets.randbits(1024)
        out = c5.respond(out, "frank", {"SRP_A": format(pow(G, a, N), "x"), "DEVICE_KEY": meta["DeviceKey"]})
        cp = out["ChallengeParameters"]
        assert out["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER" and cp["DEVICE_KEY"] == meta["DeviceKey"]
        ts = client_timestamp(time.time())
        body = c5.respond(out, cp["USERNAME"], {
            "DEVICE_KEY": meta["DeviceKey"], "PASSWORD_CLAIM_SECRET_BLOCK": cp["SECRET_BLOCK"], "TIMESTAMP": ts,
            "PASSWORD_CLAIM_SIGNATURE": client_signature(a, cp["SRP_B"], cp["SALT"], meta["DeviceGroupKey"],
                                                         meta["DeviceKey"], password, cp["SECRET_BLOCK"], ts)}, False)
        return api.call("RespondToAuthChallenge", body)[2]

    out = device_login("not the device password")
    assert out["__type"] == "NotAuthorizedException", out
    out = device_login(dev_pw)
    assert "NewDeviceMetadata" not in out["AuthenticationResult"], out
    at = out["AuthenticationResult"]["AccessToken"]
    assert jwt_verify(api, "us-east-1_Dev5", at)["device_key"] == meta["DeviceKey"]
    assert api.ok("GetDevice", {"AccessToken": at, "DeviceKey": meta["DeviceKey"]})["Device"]["DeviceKey"] == \
        meta["DeviceKey"]
    api.ok("UpdateDeviceStatus", {"AccessToken": at, "DeviceKey": meta["DeviceKey"],
                                  "DeviceRememberedStatus": "not_remembered"})
    assert device_login(dev_pw)["ChallengeName"] == "SMS_MFA"  # not remembered: MFA again
    api.ok("ForgetDevice", {"AccessToken": at, "DeviceKey": meta["DeviceKey"]})
    assert api.ok("ListDevices", {"AccessToken": at})["Devices"] == []
    api.fail("GetDevice", {"AccessToken": at, "DeviceKey": meta["DeviceKey"]}, "ResourceNotFoundException")

    # --- P6: PreventUserExistenceErrors, status and flow checks -------------
    api.ctl("POST", "pool", {"id": "us-east-1_Prev6", "client_id": "client6", "prevent_user_existence_errors": True,
                             "explicit_auth_flows": ["USER_SRP_AUTH"]})
    api.ctl("POST", "user", {"pool": "us-east-1_Prev6", "username": "ivan", "password": "Ivan-Pass-1",
                             "status": "RESET_REQUIRED"})
    api.ctl("POST", "user", {"pool": "us-east-1_Prev6", "username": "judy", "password": "Judy-Pass-1",
                             "enabled": False})
    c6 = Client(api, "us-east-1_Prev6", "client6")
    a, cp = c6.srp_start("ghost")  # an unknown user gets a challenge that cannot pass
    api.fail("RespondToAuthChallenge", c6.verifier_response(a, cp, "whatever"), "NotAuthorizedException",
             fc.BAD_PASSWORD)
    assert c6.password_login("ghost", "x")[2]["message"] == "USER_PASSWORD_AUTH flow not enabled for this client"
    api.fail("InitiateAuth", {"AuthFlow": "USER_SRP_AUTH", "ClientId": "client6", "AuthParameters": {
        "USERNAME": "ivan", "SRP_A": "abc"}}, "PasswordResetRequiredException")
    api.fail("InitiateAuth", {"AuthFlow": "USER_SRP_AUTH", "ClientId": "client6", "AuthParameters": {
        "USERNAME": "judy", "SRP_A": "abc"}}, "NotAuthorizedException", "User is disabled.")

    # --- concurrency, the record, the state ----------------------------------
    errors = []

    def worker():
        try:
            for _ in range(3):
                assert c3.password_login("erin", "Erin-Pass-1")[0] == 200
        except Exception as e:  # noqa: BLE001
            errors.append(e)
    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    reqs = api.ctl("GET", "requests")
    assert any(r["operation"] == "ConfirmDevice" and "PasswordVerifier" in r["body"] for r in reqs)
    state = api.ctl("GET", "state")
    assert {u["username"] for u in state["users"]} >= {"alice", "bob", "erin", "frank", peggy["sub"]}
    api.ctl("POST", "reset")
    assert api.ctl("GET", "state")["users"] == [] and api.ctl("GET", "requests") == []
    return len(reqs)


def main():
    n_server, n_client = check_vectors()
    print(f"vectors: {n_server} server-side signatures and B values, {n_client} client-side signatures, "
          f"{len(VEC['timestamps'])} timestamps: ok")
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_cognito.py"), "0"], stdout=subprocess.PIPE)
    try:
        port = int(proc.stdout.readline())
        n = run_server_checks(Api(f"http://127.0.0.1:{port}"))
        print(f"fake_cognito on port {port}: every flow ok ({n} Cognito requests)")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
