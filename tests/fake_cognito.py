#!/usr/bin/env python3
"""A local fake of the Amazon Cognito user pools API, for mfakit's tests.

It covers what moto and cognito-local do not check (see docs/EMULATORS.md):
real SRP verification, device SRP, SMS codes, attribute verification, RevokeToken,
device operations and tokens that verify against a JWKS. docs/FAKE-COGNITO.md
describes it; this is the short version.

Listens on 127.0.0.1 (port from argv[1], 0 = any) and prints the port first thing.
  POST /  X-Amz-Target: AWSCognitoIdentityProviderService.<Op>   the Cognito API
  GET  /<pool_id>/.well-known/jwks.json  (or /.well-known/jwks.json?pool=<pool_id>)
  /_control/...  test set-up and inspection (not Cognito): reset, pool, user,
                 codes, requests, clock, state
Standard library plus `cryptography` (RSA for the tokens). Nothing leaves loopback.
"""
import base64
import hashlib
import hmac
import json
import re
import secrets
import sys
import threading
import time
import traceback
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from fake_cloudtrail import CloudTrail, CloudTrailError

# ---------------------------------------------------------------------------
# SRP, server side (Cognito's variant, written out in docs/SRP.md)
# ---------------------------------------------------------------------------

N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
G = 2


def pad_hex(n):
    """Java BigInteger.toByteArray() of n >= 0: minimal big-endian, plus a 0x00 sign byte (docs/SRP.md, 'padHex')."""
    return n.to_bytes(n.bit_length() // 8 + 1, "big")


def sha256(*parts):
    return hashlib.sha256(b"".join(parts)).digest()


def sha256_int(*parts):
    return int.from_bytes(sha256(*parts), "big")


K = sha256_int(pad_hex(N), pad_hex(G))  # H(00||N||02), docs/SRP.md, 'Constants'
assert format(K, "x") == "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"


def srp_x(salt, realm, ident, password):
    """x = H(padHex(salt) || H(realm || ident || ":" || password)). realm is the pool name (the part of
    the pool id after "_") or the DeviceGroupKey; ident is USER_ID_FOR_SRP or the DeviceKey."""
    return sha256_int(pad_hex(salt), sha256(f"{realm}{ident}:{password}".encode()))


def srp_verifier(salt, realm, ident, password):
    return pow(G, srp_x(salt, realm, ident, password), N)


def srp_server_b_pub(b, v):
    """B = k·v + g^b mod N (what Cognito sends as SRP_B)."""
    return (K * v + pow(G, b, N)) % N


def srp_server_key(a_pub, b_pub, b, v):
    """The 16-byte HKDF key from S = (A·v^u)^b mod N, the same S the client computes; None when u == 0."""
    u = sha256_int(pad_hex(a_pub), pad_hex(b_pub))
    if u == 0:
        return None
    s = pow(a_pub * pow(v, u, N) % N, b, N)
    prk = hmac.new(pad_hex(u), pad_hex(s), hashlib.sha256).digest()
    return hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]


def srp_claim(key, realm, ident, secret_block, timestamp):
    """PASSWORD_CLAIM_SIGNATURE bytes: HMAC(K, realm || ident || secret block bytes || TIMESTAMP)."""
    msg = realm.encode() + ident.encode() + secret_block + timestamp.encode()
    return hmac.new(key, msg, hashlib.sha256).digest()


def srp_new_server(v):
    """A fresh b and B for one challenge (b is 1024 random bits, as a is on the client side)."""
    while True:
        b = secrets.randbits(1024)
        b_pub = srp_server_b_pub(b, v)
        if b and b_pub % N:
            return b, b_pub


# TIMESTAMP. Cognito parses it with Java's SimpleDateFormat("EEE MMM d HH:mm:ss z yyyy", ENGLISH): a
# string that does not parse gives InvalidParameterException; one that parses is re-formatted and the
# canonical string is what the signature is checked against. So "Sep 03" or a wrong weekday parse but
# fail the signature (NotAuthorizedException, as warrant PR #12 and ministack PR #1758 measured), while
# "%e" spacing or German names fail the parse. Simpler than Java: zones other than UTC/GMT are refused.
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
DAYS_LONG = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTHS_LONG = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december"]
TIMESTAMP_RE = re.compile(r"([A-Za-z]+) ([A-Za-z]+) (\d{1,4}) (\d{1,4}):(\d{1,4}):(\d{1,4}) ([A-Za-z]+) (\d{4})")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def format_timestamp(t):
    d = EPOCH + timedelta(seconds=int(t // 1))
    return f"{DAYS[d.weekday()]} {MONTHS[d.month - 1]} {d.day} {d:%H:%M:%S} UTC {d.year}"


def parse_timestamp(s):
    """Seconds since the epoch, or ValueError. Lenient like Java: day 31 of a 30-day month rolls over."""
    m = TIMESTAMP_RE.fullmatch(s)
    if not m:
        raise ValueError(s)
    wday, mon, day, hh, mm, ss, zone, year = m.groups()
    if wday.lower() not in [d.lower() for d in DAYS] + DAYS_LONG or zone.upper() not in ("UTC", "GMT"):
        raise ValueError(s)
    names = [x.lower() for x in MONTHS]
    month = names.index(mon.lower()) if mon.lower() in names else MONTHS_LONG.index(mon.lower())
    try:
        base = datetime(int(year), month + 1, 1, tzinfo=timezone.utc)
        d = base + timedelta(days=int(day) - 1, hours=int(hh), minutes=int(mm), seconds=int(ss))
    except OverflowError:
        raise ValueError(s) from None
    return (d - EPOCH).total_seconds()


# ---------------------------------------------------------------------------
# TOTP (RFC 6238: SHA-1, 6 digits, 30 s; Cognito accepts one step either side)
# ---------------------------------------------------------------------------

def b32decode_loose(s):
    s = s.replace(" ", "").upper()
    return base64.b32decode(s + "=" * (-len(s) % 8))


def totp_at(secret, counter):
    mac = hmac.new(b32decode_loose(secret), counter.to_bytes(8, "big"), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((int.from_bytes(mac[off:off + 4], "big") & 0x7FFFFFFF) % 1000000)


def same(a, b):
    """Constant-time comparison of two strings (any text, unlike hmac.compare_digest on str)."""
    return hmac.compare_digest(str(a).encode(), str(b).encode())


def totp_ok(secret, code, t):
    c = int(t // 30)
    return any(same(totp_at(secret, c + d), code) for d in (-1, 0, 1))


# ---------------------------------------------------------------------------
# Tokens: RS256 JWTs with Cognito's claims, one RSA key for the whole server
# ---------------------------------------------------------------------------

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64decode_loose(s):
    """Standard or URL-safe base64, padded or not (what Node's Buffer.from(s, 'base64') accepts)."""
    s = s.strip().replace("-", "+").replace("_", "/")
    return base64.b64decode(s + "=" * (-len(s) % 4), validate=True)


class Signer:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = base64.b64encode(secrets.token_bytes(32)).decode()  # Cognito kids look like this

    def jwks(self):
        pub = self.key.public_key().public_numbers()
        as_b64 = lambda n: b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))  # noqa: E731
        return {"keys": [{"alg": "RS256", "e": as_b64(pub.e), "kid": self.kid, "kty": "RSA",
                          "n": as_b64(pub.n), "use": "sig"}]}

    def sign(self, claims):
        head = b64url(json.dumps({"kid": self.kid, "alg": "RS256"}, separators=(",", ":")).encode())
        body = b64url(json.dumps(claims, separators=(",", ":")).encode())
        sig = self.key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{head}.{body}.{b64url(sig)}"

    def verify(self, token):
        """The claims if token is a JWT signed by this server's key, else None."""
        try:
            head, body, sig = token.split(".")
            header = json.loads(b64url_decode(head))
            if header.get("alg") != "RS256" or header.get("kid") != self.kid:
                return None
            self.key.public_key().verify(b64url_decode(sig), f"{head}.{body}".encode(),
                                         padding.PKCS1v15(), hashes.SHA256())
            claims = json.loads(b64url_decode(body))
            return claims if isinstance(claims, dict) else None
        except (ValueError, InvalidSignature, UnicodeDecodeError):
            return None


def opaque(prefix, nbytes):
    return prefix + b64url(secrets.token_bytes(nbytes))


def new_refresh_token():
    # Cognito's refresh tokens are JWEs (five dot-separated parts); clients must treat them as opaque.
    head = b64url(b'{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}')
    return ".".join([head] + [b64url(secrets.token_bytes(n)) for n in (256, 12, 1200, 16)])


# ---------------------------------------------------------------------------
# Errors, messages and small validators
# ---------------------------------------------------------------------------

class CognitoError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


def NotAuthorized(msg):  # noqa: N802 - reads like the exception it raises
    return CognitoError("NotAuthorizedException", msg)


def InvalidParameter(msg):  # noqa: N802
    return CognitoError("InvalidParameterException", msg)


BAD_PASSWORD = "Incorrect username or password."
BAD_CODE = "Invalid code or auth state for the user."
BAD_VERIFICATION = "Invalid verification code provided, please try again."
EXPIRED_VERIFICATION = "Invalid code provided, please request a code again."
SESSION_INVALID = "Invalid session for the user."
SESSION_USED = "Invalid session for the user, session can only be used once."
SESSION_EXPIRED = "Invalid session for the user, session is expired."
TIMESTAMP_FORMAT = "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english."
DEVICE_MISSING = "Device does not exist."
AUTH_FLOWS = ["USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH", "ADMIN_NO_SRP_AUTH",
              "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_AUTH"]
CHALLENGES = ["SMS_MFA", "EMAIL_OTP", "SOFTWARE_TOKEN_MFA", "SELECT_MFA_TYPE", "MFA_SETUP", "PASSWORD_VERIFIER",
              "CUSTOM_CHALLENGE", "SELECT_CHALLENGE", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER",
              "ADMIN_NO_SRP_AUTH", "NEW_PASSWORD_REQUIRED", "SMS_OTP", "PASSWORD", "WEB_AUTHN", "PASSWORD_SRP"]
STANDARD_ATTRS = {"address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name",
                  "locale", "middle_name", "name", "nickname", "phone_number", "phone_number_verified",
                  "picture", "preferred_username", "profile", "sub", "updated_at", "website", "zoneinfo"}
UNWRITABLE_ATTRS = {"sub", "email_verified", "phone_number_verified"}  # by a user's own token
E164 = re.compile(r"\+[1-9][0-9]{1,14}")
HEX = re.compile(r"[0-9a-fA-F]+")


def validation(member, constraint, value=None):
    shown = "null" if value is None else f"'{value}'"
    return InvalidParameter(f"1 validation error detected: Value {shown} at '{member[0].lower() + member[1:]}' "
                            f"failed to satisfy constraint: {constraint}")


def need(req, *members):
    """Top-level required members, answered the way AWS's request validation answers them."""
    for m in members:
        if req.get(m) is None:
            raise validation(m, "Member must not be null")
        if not isinstance(req[m], (str, dict, list)):
            raise CognitoError("SerializationException", f"Unexpected value type for {m}")


def need_params(params, *names):
    """Required keys inside AuthParameters / ChallengeResponses."""
    for n in names:
        if not isinstance(params.get(n), str) or params[n] == "":
            raise InvalidParameter(f"Missing required parameter {n}")


def mask_phone(p):
    return "+" + "*" * max(len(p) - 5, 0) + p[-4:]


def mask_email(e):
    local, _, domain = e.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def secret_hash(secret, username, client_id):
    return base64.b64encode(hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()).decode()


def password_problem(pw):
    """Cognito's default policy: 8+ characters, upper, lower and a digit (this fake does not ask for symbols)."""
    if len(pw) < 8:
        return "Password not long enough"
    if not re.search(r"[A-Z]", pw):
        return "Password must have uppercase characters"
    if not re.search(r"[a-z]", pw):
        return "Password must have lowercase characters"
    if not re.search(r"[0-9]", pw):
        return "Password must have numeric characters"
    return None


# ---------------------------------------------------------------------------
# State and the Cognito operations
# ---------------------------------------------------------------------------

class Fake:
    """All state, behind one lock held for each whole request."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.signer = Signer()
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        self.offset = 0.0
        self.pools = {}      # pool id -> pool dict (one app client per pool)
        self.clients = {}    # client id -> pool id
        self.users = {}      # (pool id, internal username) -> user dict
        self.devices = {}    # device key -> device dict
        self.sessions = {}   # Session string -> challenge state
        self.srp = {}        # SECRET_BLOCK bytes -> PASSWORD_VERIFIER state (Cognito sends no Session there)
        self.refresh = {}    # refresh token -> its record
        self.origins = {}    # origin_jti -> {"username", "pool", "revoked"}: one per sign-in
        self.codes = {}      # internal username -> {purpose: {"code", "sent", "destination"}}
        self.requests = []
        self.cloudtrail = CloudTrail()  # LookupEvents over records the tests load (tests/fake_cloudtrail.py)

    def now(self):
        return time.time() + self.offset

    # ---- lookups -------------------------------------------------------

    def pool_of_client(self, client_id):
        pid = self.clients.get(client_id)
        if pid is None:
            raise CognitoError("ResourceNotFoundException", f"User pool client {client_id} does not exist.")
        return self.pools[pid]

    def find_user(self, pool, name):
        """Sign-in by internal username, or by e-mail / phone when the pool makes those sign-in names.
        With alias_attributes the alias must be verified; with username_attributes it need not be."""
        user = self.users.get((pool["id"], name))
        if user:
            return user
        for attr in ("email", "phone_number"):
            as_username = attr in pool["username_attributes"]
            if not as_username and attr not in pool["alias_attributes"]:
                continue
            for (pid, _), u in self.users.items():
                value = u["attrs"].get(attr)
                if pid != pool["id"] or value is None:
                    continue
                same = value.lower() == name.lower() if attr == "email" else value == name
                if same and (as_username or u["attrs"].get(attr + "_verified") == "true"):
                    return u
        return None

    def check_secret_hash(self, pool, client_id, username, given):
        """SECRET_HASH = base64 HMAC-SHA256(key = client secret, username + client id), docs/SRP.md, 'SECRET_HASH'."""
        if not pool["client_secret"]:
            return
        if not given:
            raise NotAuthorized(f"Client {client_id} is configured with secret but SECRET_HASH was not received")
        if not same(given, secret_hash(pool["client_secret"], username, client_id)):
            raise NotAuthorized(f"Unable to verify secret hash for client {client_id}")

    def check_sign_in_allowed(self, user):
        if not user["enabled"]:
            raise NotAuthorized("User is disabled.")
        if user["status"] == "UNCONFIRMED":  # Cognito says so before it looks at the password
            raise CognitoError("UserNotConfirmedException", "User is not confirmed.")
        if user["status"] == "RESET_REQUIRED":
            raise CognitoError("PasswordResetRequiredException", "Password reset required for the user")

    def set_password(self, pool, user, password):
        user["password"] = password
        user["salt"] = secrets.token_bytes(16).hex()
        user["verifier"] = srp_verifier(int(user["salt"], 16), pool["name"], user["username"], password)

    def send_code(self, user, purpose, destination):
        code = "%06d" % secrets.randbelow(1000000)
        self.codes.setdefault(user["username"], {})[purpose] = {
            "code": code, "sent": self.now(), "destination": destination}
        return code

    def delivery(self, user, attr):
        value = user["attrs"][attr]
        if attr == "email":
            return {"Destination": mask_email(value), "DeliveryMedium": "EMAIL", "AttributeName": "email"}
        return {"Destination": mask_phone(value), "DeliveryMedium": "SMS", "AttributeName": "phone_number"}

    # ---- sessions ------------------------------------------------------

    def new_session(self, pool, client_id, user, challenge, **data):
        # Real sessions are ~900-character KMS blobs; this one is as long and as opaque.
        sid = opaque("AYABe", 640)
        self.sessions[sid] = dict(pool=pool["id"], client=client_id, username=user["username"],
                                  challenge=challenge, created=self.now(), used=False, attempts=0, **data)
        return sid

    def take_session(self, sid, challenge, client_id=None):
        """The live session state, or the error Cognito gives. The caller sets used=True on success."""
        s = self.sessions.get(sid) if isinstance(sid, str) else None
        if s is None or (client_id is not None and s["client"] != client_id):
            raise NotAuthorized(SESSION_INVALID)
        if s.get("dead"):  # too many wrong codes: what Cognito answers then
            raise NotAuthorized(SESSION_EXPIRED)
        if s["used"]:
            raise NotAuthorized(SESSION_USED)
        if self.now() - s["created"] > self.pools[s["pool"]]["auth_session_seconds"]:
            raise NotAuthorized(SESSION_EXPIRED)
        if s["challenge"] != challenge:
            raise NotAuthorized(SESSION_INVALID)
        user = self.users.get((s["pool"], s["username"]))
        if user is None:
            raise NotAuthorized(SESSION_INVALID)
        return s, self.pools[s["pool"]], user

    def wrong_code(self, s, exc):
        """The pool's code_attempts wrong codes (default 3) each give the error; the session is then dead."""
        s["attempts"] += 1
        if s["attempts"] >= self.pools[s["pool"]]["code_attempts"]:
            s["dead"] = True
        return exc

    def check_challenge_user(self, pool, client_id, user, resp):
        """USERNAME must name the session's user (internal name or a sign-in alias); SECRET_HASH is
        checked over the USERNAME sent, so an alias-typed hash next to USER_ID_FOR_SRP fails."""
        need_params(resp, "USERNAME")
        self.check_secret_hash(pool, client_id, resp["USERNAME"], resp.get("SECRET_HASH"))
        if self.find_user(pool, resp["USERNAME"]) is not user:
            raise NotAuthorized(BAD_PASSWORD)

    # ---- the steps of a sign-in ----------------------------------------

    def next_step(self, pool, client_id, user, device_key):
        """What Cognito asks for once the password is proven: a new password, device SRP, MFA, or tokens."""
        if user["status"] == "FORCE_CHANGE_PASSWORD":
            attrs = {k: v for k, v in user["attrs"].items() if k != "sub"}
            sid = self.new_session(pool, client_id, user, "NEW_PASSWORD_REQUIRED", device_key=device_key)
            return {"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": sid, "ChallengeParameters": {
                "USER_ID_FOR_SRP": user["username"], "requiredAttributes": "[]", "userAttributes": json.dumps(attrs)}}
        dt = pool["device_tracking"]
        dev = self.user_device(pool, user, device_key)
        # ChallengeRequiredOnNewDevice: "a remembered device can sign in with device authentication
        # instead of SMS and TOTP factors" (AWS API reference, DeviceConfigurationType).
        if dev and dt and dt["challenge_required_on_new_device"] and dev["confirmed"] \
                and dev["status"] == "remembered":
            sid = self.new_session(pool, client_id, user, "DEVICE_SRP_AUTH", device_key=device_key)
            return {"ChallengeName": "DEVICE_SRP_AUTH", "Session": sid, "ChallengeParameters": {}}
        methods = self.mfa_methods(pool, user)
        if methods == "SETUP":
            can = [m for m, on in (("SOFTWARE_TOKEN_MFA", pool["software_token_mfa_configured"]),) if on]
            sid = self.new_session(pool, client_id, user, "MFA_SETUP", device_key=device_key, stage="new")
            return {"ChallengeName": "MFA_SETUP", "Session": sid,
                    "ChallengeParameters": {"MFAS_CAN_SETUP": json.dumps(can, separators=(",", ":"))}}
        if len(methods) == 2 and user["preferred"] in methods:
            methods = [user["preferred"]]
        if len(methods) == 2:
            sid = self.new_session(pool, client_id, user, "SELECT_MFA_TYPE", device_key=device_key)
            return {"ChallengeName": "SELECT_MFA_TYPE", "Session": sid, "ChallengeParameters": {
                "MFAS_CAN_CHOOSE": json.dumps(methods, separators=(",", ":"))}}
        if methods:
            return self.mfa_challenge(pool, client_id, user, methods[0], device_key)
        return self.authenticated(pool, client_id, user, device_key)

    def mfa_methods(self, pool, user):
        """The second factors this sign-in can use, or "SETUP" when MFA is ON and the user has none.
        With MFA ON Cognito texts any user who has a phone number even without an SMS preference."""
        if pool["mfa"] == "OFF":
            return []
        phone = user["attrs"].get("phone_number")
        methods = []
        if user["sms_mfa"] and phone and pool["sms_mfa_configured"]:
            methods.append("SMS_MFA")
        if user["totp_enabled"] and user["totp_verified"] and pool["software_token_mfa_configured"]:
            methods.append("SOFTWARE_TOKEN_MFA")
        if not methods and pool["mfa"] == "ON":
            return ["SMS_MFA"] if phone and pool["sms_mfa_configured"] else "SETUP"
        return methods

    def mfa_challenge(self, pool, client_id, user, name, device_key):
        params, extra = {}, {}
        if name == "SMS_MFA":
            phone = user["attrs"]["phone_number"]
            extra["code"] = self.send_code(user, "sms_mfa", phone)
            params = {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": mask_phone(phone)}
        sid = self.new_session(pool, client_id, user, name, device_key=device_key, **extra)
        return {"ChallengeName": name, "Session": sid, "ChallengeParameters": params}

    def user_device(self, pool, user, key):
        dev = self.devices.get(key) if key else None
        if dev and dev["pool"] == pool["id"] and dev["username"] == user["username"]:
            return dev
        return None

    def authenticated(self, pool, client_id, user, device_key):
        """Tokens. A pool that tracks devices hands out a new device when none was used."""
        dev = self.user_device(pool, user, device_key)
        meta = None
        if pool["device_tracking"] and dev is None:
            group = user.setdefault("device_group_key", "-" + "".join(
                secrets.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(9)))
            region = pool["id"].split("_", 1)[0]
            dev = {"key": f"{region}_{uuid.uuid4()}", "group": group, "pool": pool["id"],
                   "username": user["username"], "confirmed": False, "status": "not_remembered", "name": None,
                   "salt": None, "verifier": None, "created": self.now(), "modified": self.now()}
            self.devices[dev["key"]] = dev
            meta = {"DeviceKey": dev["key"], "DeviceGroupKey": group}
        if dev:
            dev["last_auth"] = self.now()
        result = self.tokens(pool, client_id, user, dev["key"] if dev else None)
        if meta:
            result["NewDeviceMetadata"] = meta
        return {"ChallengeParameters": {}, "AuthenticationResult": result}

    def tokens(self, pool, client_id, user, device_key, origin=None, auth_time=None):
        now = int(self.now())
        new_sign_in = origin is None
        if new_sign_in:
            origin, auth_time = str(uuid.uuid4()), now
            self.origins[origin] = {"username": user["username"], "pool": pool["id"], "revoked": False,
                                    "client": client_id}
        common = {"sub": user["sub"], "iss": f"{self.base_url}/{pool['id']}", "origin_jti": origin,
                  "event_id": str(uuid.uuid4()), "auth_time": auth_time, "exp": now + pool["access_token_seconds"],
                  "iat": now}
        idc = {"aud": client_id, "token_use": "id", "cognito:username": user["username"], **common,
               "jti": str(uuid.uuid4())}
        for k, v in user["attrs"].items():
            if k != "sub":
                idc[k] = (v == "true") if k in ("email_verified", "phone_number_verified") else v
        acc = {**common, "client_id": client_id, "token_use": "access",
               "scope": "aws.cognito.signin.user.admin", "jti": str(uuid.uuid4()), "username": user["username"]}
        if device_key:
            acc["device_key"] = device_key
        result = {"AccessToken": self.signer.sign(acc), "ExpiresIn": pool["access_token_seconds"],
                  "TokenType": "Bearer", "IdToken": self.signer.sign(idc)}
        if new_sign_in:
            token = new_refresh_token()
            self.refresh[token] = {"pool": pool["id"], "client": client_id, "username": user["username"],
                                   "device_key": device_key, "origin": origin, "created": now, "auth_time": now}
            result["RefreshToken"] = token
        return result

    def access(self, req):
        """(pool, user, claims) for a valid access token, or Cognito's NotAuthorizedException."""
        need(req, "AccessToken")
        claims = self.signer.verify(req["AccessToken"])
        pool = self.pools.get(str(claims.get("iss", "")).rsplit("/", 1)[-1]) if claims else None
        if not claims or claims.get("token_use") != "access" or pool is None:
            raise NotAuthorized("Invalid Access Token")
        if claims.get("exp", 0) <= self.now():
            raise NotAuthorized("Access Token has expired")
        if self.origins.get(claims.get("origin_jti"), {}).get("revoked", True):
            raise NotAuthorized("Access Token has been revoked")
        user = self.users.get((pool["id"], claims.get("username")))
        if user is None or user["sub"] != claims.get("sub"):
            raise CognitoError("UserNotFoundException", "User does not exist.")
        if not user["enabled"]:
            raise NotAuthorized("User is disabled.")
        return pool, user, claims

    def verify_claim(self, state, resp, realm, ident):
        """PASSWORD_VERIFIER / DEVICE_PASSWORD_VERIFIER: the client's proof that it knows the password."""
        need_params(resp, "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP")
        try:
            t = parse_timestamp(resp["TIMESTAMP"])
        except ValueError:
            raise InvalidParameter(TIMESTAMP_FORMAT) from None
        if abs(t - self.now()) > 300:  # clients more than 5 minutes off fail (cognito-identity-js #58)
            raise NotAuthorized(BAD_PASSWORD)
        try:
            block = b64decode_loose(resp["PASSWORD_CLAIM_SECRET_BLOCK"])
            sig = base64.b64decode(resp["PASSWORD_CLAIM_SIGNATURE"], validate=True)
        except ValueError:
            raise NotAuthorized(BAD_PASSWORD) from None
        key = srp_server_key(state["A"], state["B"], state["b"], state["v"])
        if block != state["block"] or key is None or not hmac.compare_digest(
                sig, srp_claim(key, realm, ident, block, format_timestamp(t))):
            raise NotAuthorized(BAD_PASSWORD)

    @staticmethod
    def parse_srp_a(value):
        if not HEX.fullmatch(value):
            raise InvalidParameter("SRP_A must be a hexadecimal number")
        a_pub = int(value, 16)
        if a_pub % N == 0:
            raise NotAuthorized(BAD_PASSWORD)
        return a_pub

    # ---- InitiateAuth --------------------------------------------------

    def op_InitiateAuth(self, req):
        need(req, "AuthFlow", "ClientId")
        pool, client_id = self.pool_of_client(req["ClientId"]), req["ClientId"]
        flow, params = req["AuthFlow"], req.get("AuthParameters") or {}
        if flow not in AUTH_FLOWS:
            raise validation("AuthFlow", f"Member must satisfy enum value set: [{', '.join(AUTH_FLOWS)}]", flow)
        if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
            return self.refresh_auth(pool, client_id, params)
        if flow not in ("USER_SRP_AUTH", "USER_PASSWORD_AUTH"):
            raise CognitoError("UnsupportedOperation", f"fake_cognito does not implement AuthFlow {flow}")
        if flow not in pool["explicit_auth_flows"]:
            raise InvalidParameter(f"{flow} flow not enabled for this client")
        need_params(params, "USERNAME")
        typed = params["USERNAME"]
        if flow == "USER_SRP_AUTH":
            need_params(params, "SRP_A")
        else:
            need_params(params, "PASSWORD")
        self.check_secret_hash(pool, client_id, typed, params.get("SECRET_HASH"))  # over the typed name
        user = self.find_user(pool, typed)
        if flow == "USER_SRP_AUTH":
            a_pub = self.parse_srp_a(params["SRP_A"])
            if user is None and not pool["prevent_user_existence_errors"]:
                raise CognitoError("UserNotFoundException", "User does not exist.")
            if user is not None:
                self.check_sign_in_allowed(user)
            # PreventUserExistenceErrors: an unknown user gets a plausible challenge that can never pass.
            name = user["username"] if user else typed
            salt = user["salt"] if user else secrets.token_bytes(16).hex()
            v = user["verifier"] if user else pow(G, secrets.randbits(256), N)
            b, b_pub = srp_new_server(v)
            block = secrets.token_bytes(1024)
            self.srp[block] = {"pool": pool["id"], "client": client_id, "username": name, "fake": user is None,
                               "A": a_pub, "B": b_pub, "b": b, "v": v, "block": block, "created": self.now(),
                               "used": False, "device_key": params.get("DEVICE_KEY")}
            # Measured against AWS (ministack PR #1758): no Session here; SECRET_BLOCK carries the state.
            return {"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": {
                "SALT": salt, "SECRET_BLOCK": base64.b64encode(block).decode(), "SRP_B": format(b_pub, "x"),
                "USERNAME": name, "USER_ID_FOR_SRP": name}}
        if user is None:
            if pool["prevent_user_existence_errors"]:
                raise NotAuthorized(BAD_PASSWORD)
            raise CognitoError("UserNotFoundException", "User does not exist.")
        self.check_sign_in_allowed(user)
        if not same(params["PASSWORD"], user["password"]):
            raise NotAuthorized(BAD_PASSWORD)
        return self.next_step(pool, client_id, user, params.get("DEVICE_KEY"))

    def refresh_auth(self, pool, client_id, params):
        need_params(params, "REFRESH_TOKEN")
        rec = self.refresh.get(params["REFRESH_TOKEN"])
        if rec is None or rec["client"] != client_id:
            raise NotAuthorized("Invalid Refresh Token")
        user = self.users.get((rec["pool"], rec["username"]))
        # The hash is over the internal username (the sub in e-mail-as-username pools), not an alias.
        self.check_secret_hash(pool, client_id, rec["username"], params.get("SECRET_HASH"))
        if self.origins[rec["origin"]]["revoked"]:
            raise NotAuthorized("Refresh Token has been revoked")
        if self.now() - rec["created"] > pool["refresh_token_seconds"]:
            raise NotAuthorized("Refresh Token has expired")
        if user is None:
            raise NotAuthorized("Invalid Refresh Token")
        if not user["enabled"]:
            raise NotAuthorized("User is disabled.")
        # A token issued to a device refreshes only with that DEVICE_KEY while the pool tracks devices.
        if pool["device_tracking"] and rec["device_key"] and params.get("DEVICE_KEY") != rec["device_key"]:
            raise NotAuthorized("Invalid Refresh Token")
        return {"ChallengeParameters": {}, "AuthenticationResult": self.tokens(
            pool, client_id, user, rec["device_key"], origin=rec["origin"], auth_time=rec["auth_time"])}

    # ---- RespondToAuthChallenge ----------------------------------------

    def op_RespondToAuthChallenge(self, req):
        need(req, "ClientId", "ChallengeName")
        pool, client_id, name = self.pool_of_client(req["ClientId"]), req["ClientId"], req["ChallengeName"]
        if name not in CHALLENGES:
            raise validation("ChallengeName", f"Member must satisfy enum value set: [{', '.join(CHALLENGES)}]", name)
        resp = req.get("ChallengeResponses") or {}
        if name == "PASSWORD_VERIFIER":
            return self.password_verifier(pool, client_id, resp)
        handler = {"SMS_MFA": self.answer_code, "SOFTWARE_TOKEN_MFA": self.answer_code,
                   "SELECT_MFA_TYPE": self.answer_select, "MFA_SETUP": self.answer_setup,
                   "NEW_PASSWORD_REQUIRED": self.answer_new_password, "DEVICE_SRP_AUTH": self.answer_device_srp,
                   "DEVICE_PASSWORD_VERIFIER": self.answer_device_verifier}.get(name)
        if handler is None:
            raise CognitoError("UnsupportedOperation", f"fake_cognito does not implement challenge {name}")
        need_params(resp, "USERNAME")
        if not req.get("Session"):
            raise InvalidParameter("Missing required parameter Session")
        s, _, user = self.take_session(req["Session"], name, client_id)
        self.check_challenge_user(pool, client_id, user, resp)
        return handler(pool, client_id, user, s, resp)

    def password_verifier(self, pool, client_id, resp):
        need_params(resp, "USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP")
        self.check_secret_hash(pool, client_id, resp["USERNAME"], resp.get("SECRET_HASH"))
        try:
            st = self.srp.get(b64decode_loose(resp["PASSWORD_CLAIM_SECRET_BLOCK"]))
        except ValueError:
            st = None
        if st is None or st["client"] != client_id:
            raise NotAuthorized(BAD_PASSWORD)
        if st["used"]:
            raise NotAuthorized(SESSION_USED)
        if self.now() - st["created"] > pool["auth_session_seconds"]:
            raise NotAuthorized(SESSION_EXPIRED)
        st["used"] = True  # one attempt per SECRET_BLOCK, right or wrong
        user = None if st["fake"] else self.users.get((pool["id"], st["username"]))
        # USERNAME here must be USER_ID_FOR_SRP, as both AWS clients send it; this fake does not accept an
        # alias in its place (Cognito might, but a client relying on that would be fragile).
        if user is None or resp["USERNAME"] != user["username"]:
            raise NotAuthorized(BAD_PASSWORD)
        self.verify_claim(st, resp, pool["name"], user["username"])
        return self.next_step(pool, client_id, user, resp.get("DEVICE_KEY") or st["device_key"])

    def answer_code(self, pool, client_id, user, s, resp):
        if s["challenge"] == "SMS_MFA":
            need_params(resp, "SMS_MFA_CODE")
            ok = same(resp["SMS_MFA_CODE"], s["code"])
        else:
            need_params(resp, "SOFTWARE_TOKEN_MFA_CODE")
            ok = totp_ok(user["totp_secret"], resp["SOFTWARE_TOKEN_MFA_CODE"], self.now())
        if not ok:
            raise self.wrong_code(s, CognitoError("CodeMismatchException", BAD_CODE))
        s["used"] = True
        return self.authenticated(pool, client_id, user, s["device_key"])

    def answer_select(self, pool, client_id, user, s, resp):
        need_params(resp, "ANSWER")
        methods = self.mfa_methods(pool, user)
        if resp["ANSWER"] not in (methods if isinstance(methods, list) else []):
            raise InvalidParameter(f"Invalid ANSWER {resp['ANSWER']} for SELECT_MFA_TYPE")
        s["used"] = True
        return self.mfa_challenge(pool, client_id, user, resp["ANSWER"], s["device_key"])

    def answer_setup(self, pool, client_id, user, s, resp):
        if s["stage"] != "verified":  # AssociateSoftwareToken + VerifySoftwareToken must come first
            raise NotAuthorized(SESSION_INVALID)
        s["used"] = True
        return self.authenticated(pool, client_id, user, s["device_key"])

    def answer_new_password(self, pool, client_id, user, s, resp):
        need_params(resp, "NEW_PASSWORD")
        problem = password_problem(resp["NEW_PASSWORD"])
        if problem:
            raise CognitoError("InvalidPasswordException", f"Password did not conform with policy: {problem}")
        prefix = "userAttributes."
        attrs = {k[len(prefix):]: v for k, v in resp.items() if k.startswith(prefix)}
        self.check_attributes(attrs)
        s["used"] = True
        self.set_password(pool, user, resp["NEW_PASSWORD"])
        user["status"] = "CONFIRMED"
        self.apply_attributes(user, attrs)
        return self.next_step(pool, client_id, user, s["device_key"])

    def answer_device_srp(self, pool, client_id, user, s, resp):
        need_params(resp, "SRP_A", "DEVICE_KEY")
        dev = self.user_device(pool, user, resp["DEVICE_KEY"])
        if dev is None or not dev["confirmed"]:
            raise CognitoError("ResourceNotFoundException", DEVICE_MISSING)
        a_pub = self.parse_srp_a(resp["SRP_A"])
        s["used"] = True
        b, b_pub = srp_new_server(dev["verifier"])
        block = secrets.token_bytes(1024)
        sid = self.new_session(pool, client_id, user, "DEVICE_PASSWORD_VERIFIER", device_key=dev["key"], srp={
            "A": a_pub, "B": b_pub, "b": b, "v": dev["verifier"], "block": block})
        return {"ChallengeName": "DEVICE_PASSWORD_VERIFIER", "Session": sid, "ChallengeParameters": {
            "SALT": dev["salt"].hex(), "SRP_B": format(b_pub, "x"), "SECRET_BLOCK": base64.b64encode(block).decode(),
            "USERNAME": user["username"], "DEVICE_KEY": dev["key"]}}

    def answer_device_verifier(self, pool, client_id, user, s, resp):
        need_params(resp, "DEVICE_KEY")
        s["used"] = True  # one attempt, like PASSWORD_VERIFIER
        dev = self.user_device(pool, user, resp["DEVICE_KEY"])
        if dev is None or dev["key"] != s["device_key"]:
            raise NotAuthorized(BAD_PASSWORD)
        self.verify_claim(s["srp"], resp, dev["group"], dev["key"])
        return self.authenticated(pool, client_id, user, dev["key"])

    # ---- software tokens and MFA preferences ---------------------------

    def op_AssociateSoftwareToken(self, req):
        secret = base64.b32encode(secrets.token_bytes(20)).decode()  # 32 characters, no padding
        if req.get("AccessToken"):
            # A new secret replaces the old one at once: TOTP stops working until it is verified
            # (reported against Cognito in amplify-js #3844 and keboola/developer-portal #185).
            _, user, _ = self.access(req)
            user.update(totp_secret=secret, totp_verified=False)
            return {"SecretCode": secret}
        if not req.get("Session"):
            raise InvalidParameter("Missing required parameter AccessToken or Session")
        s, pool, user = self.take_session(req["Session"], "MFA_SETUP")
        if s["stage"] != "new":
            raise NotAuthorized(SESSION_INVALID)
        s["used"] = True
        sid = self.new_session(pool, s["client"], user, "MFA_SETUP", device_key=s["device_key"],
                               stage="associated", secret=secret)
        return {"SecretCode": secret, "Session": sid}

    def op_VerifySoftwareToken(self, req):
        need(req, "UserCode")
        code = req["UserCode"]
        if len(code) != 6:
            raise validation("UserCode", "Member must have length less than or equal to 6"
                             if len(code) > 6 else "Member must have length greater than or equal to 6", code)
        if not re.fullmatch(r"[0-9]+", code):
            raise validation("UserCode", "Member must satisfy regular expression pattern: [0-9]+", code)
        mismatch = CognitoError("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
        if req.get("AccessToken"):
            _, user, _ = self.access(req)
            if not user["totp_secret"]:
                raise CognitoError("SoftwareTokenMFANotFoundException",
                                   "Software token has not been associated with the user.")
            if not totp_ok(user["totp_secret"], code, self.now()):
                raise mismatch
            user["totp_verified"] = True
            return {"Status": "SUCCESS"}
        if not req.get("Session"):
            raise InvalidParameter("Missing required parameter AccessToken or Session")
        s, pool, user = self.take_session(req["Session"], "MFA_SETUP")
        if s["stage"] != "associated":
            raise NotAuthorized(SESSION_INVALID)
        if not totp_ok(s["secret"], code, self.now()):
            raise self.wrong_code(s, mismatch)
        s["used"] = True
        user.update(totp_secret=s["secret"], totp_verified=True, totp_enabled=True)
        sid = self.new_session(pool, s["client"], user, "MFA_SETUP", device_key=s["device_key"], stage="verified")
        return {"Status": "SUCCESS", "Session": sid}

    def op_SetUserMFAPreference(self, req):
        """Cognito validates a settings block even when it only disables the factor: SMS settings need a
        phone_number (amplify-js #5766, #8574), software-token settings a verified token (amplify-js
        #944, #1343, #7016; the wording for a never-associated token is from aws-sdk-js-v3 #4645)."""
        _, user, _ = self.access(req)
        return self.set_mfa_preference(user, req)

    @staticmethod
    def set_mfa_preference(user, req):
        sms, soft = req.get("SMSMfaSettings"), req.get("SoftwareTokenMfaSettings")
        if sms is not None and not user["attrs"].get("phone_number"):
            raise InvalidParameter("User does not have a phone_number set to turn on SMS MFA")
        if soft is not None and not user["totp_verified"]:
            raise InvalidParameter("User has not verified software token mfa" if user["totp_secret"] else
                                   "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA")
        if sms and sms.get("PreferredMfa") and soft and soft.get("PreferredMfa"):
            raise InvalidParameter("Only one MFA method can be preferred")
        for settings, name, flag in ((sms, "SMS_MFA", "sms_mfa"), (soft, "SOFTWARE_TOKEN_MFA", "totp_enabled")):
            if settings is None:
                continue
            if "Enabled" in settings:
                user[flag] = bool(settings["Enabled"])
            if settings.get("PreferredMfa") and user[flag]:
                user["preferred"] = name
            elif user["preferred"] == name and (settings.get("PreferredMfa") is False or not user[flag]):
                user["preferred"] = None
        return {}

    # ---- the user's own profile ----------------------------------------

    def op_GetUser(self, req):
        _, user, _ = self.access(req)
        return self.user_out(user)

    @staticmethod
    def user_out(user):
        """GetUser's answer; AdminGetUser adds the status fields."""
        out = {"Username": user["username"],
               "UserAttributes": [{"Name": k, "Value": v} for k, v in user["attrs"].items()]}
        mfa = [m for m, on in (("SMS_MFA", user["sms_mfa"]),
                               ("SOFTWARE_TOKEN_MFA", user["totp_enabled"] and user["totp_verified"])) if on]
        if user["sms_mfa"]:  # the legacy field only ever described SMS
            out["MFAOptions"] = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
        if user["preferred"]:
            out["PreferredMfaSetting"] = user["preferred"]
        if mfa:
            out["UserMFASettingList"] = mfa
        return out

    def check_attributes(self, attrs):
        for name, value in attrs.items():
            if name in UNWRITABLE_ATTRS:
                raise NotAuthorized("A client attempted to write unauthorized attribute")
            if name not in STANDARD_ATTRS and not name.startswith("custom:"):
                raise InvalidParameter(f"Attributes did not conform to the schema: {name}: "
                                       "Attribute does not exist in the schema.")
            if name == "phone_number" and not E164.fullmatch(value or ""):
                raise InvalidParameter("Invalid phone number format.")

    def apply_attributes(self, user, attrs):
        """Set attributes; a changed e-mail or phone becomes unverified and a code is "sent" for it."""
        sent = []
        for name, value in attrs.items():
            changed = user["attrs"].get(name) != value
            user["attrs"][name] = value
            if name in ("email", "phone_number") and changed:
                user["attrs"][name + "_verified"] = "false"
                self.send_code(user, "attribute:" + name, value)
                sent.append(self.delivery(user, name))
        return sent

    @staticmethod
    def attribute_list(req, member):
        attrs = {}
        for a in req.get(member) or []:
            if not isinstance(a, dict) or not isinstance(a.get("Name"), str):
                raise validation(member + ".member.name", "Member must not be null")
            if not isinstance(a.get("Value", ""), str):
                raise CognitoError("SerializationException", f"Unexpected value type in {member}")
            attrs[a["Name"]] = a.get("Value") or ""
        return attrs

    def op_UpdateUserAttributes(self, req):
        need(req, "UserAttributes")
        _, user, _ = self.access(req)
        attrs = self.attribute_list(req, "UserAttributes")
        self.check_attributes(attrs)
        sent = self.apply_attributes(user, attrs)
        return {"CodeDeliveryDetailsList": sent} if sent else {}

    def op_GetUserAttributeVerificationCode(self, req):
        need(req, "AttributeName")
        _, user, _ = self.access(req)
        name = req["AttributeName"]
        if name not in ("email", "phone_number") or not user["attrs"].get(name):
            raise InvalidParameter(f"Cannot send a verification code for attribute {name}")
        self.send_code(user, "attribute:" + name, user["attrs"][name])
        return {"CodeDeliveryDetails": self.delivery(user, name)}

    def op_VerifyUserAttribute(self, req):
        need(req, "AttributeName", "Code")
        _, user, _ = self.access(req)
        name = req["AttributeName"]
        sent = self.codes.get(user["username"], {}).get("attribute:" + name)
        if sent is None or not same(sent["code"], req["Code"]):
            raise CognitoError("CodeMismatchException", BAD_VERIFICATION)
        if self.now() - sent["sent"] > 24 * 3600:
            raise CognitoError("ExpiredCodeException", EXPIRED_VERIFICATION)
        user["attrs"][name + "_verified"] = "true"
        del self.codes[user["username"]]["attribute:" + name]
        return {}

    # ---- devices -------------------------------------------------------

    def own_device(self, pool, user, key):
        dev = self.user_device(pool, user, key)
        if dev is None:
            raise CognitoError("ResourceNotFoundException", DEVICE_MISSING)
        return dev

    def device_out(self, dev):
        attrs = [{"Name": "device_status", "Value": "valid"},
                 {"Name": "dev:device_remembered_status", "Value": dev["status"]}]
        if dev["name"]:
            attrs.insert(0, {"Name": "device_name", "Value": dev["name"]})
        return {"DeviceKey": dev["key"], "DeviceAttributes": attrs, "DeviceCreateDate": dev["created"],
                "DeviceLastModifiedDate": dev["modified"],
                "DeviceLastAuthenticatedDate": dev.get("last_auth", dev["created"])}

    def op_ConfirmDevice(self, req):
        need(req, "AccessToken", "DeviceKey")
        pool, user, _ = self.access(req)
        dev = self.own_device(pool, user, req["DeviceKey"])
        cfg = req.get("DeviceSecretVerifierConfig") or {}
        try:
            verifier = int.from_bytes(base64.b64decode(cfg["PasswordVerifier"], validate=True), "big")
            salt = base64.b64decode(cfg["Salt"], validate=True)
        except (KeyError, TypeError, ValueError):
            raise InvalidParameter("DeviceSecretVerifierConfig needs base64 PasswordVerifier and Salt") from None
        if verifier % N == 0 or not salt:
            raise InvalidParameter("Invalid DeviceSecretVerifierConfig")
        on_prompt = bool(pool["device_tracking"] and pool["device_tracking"]["device_only_remembered_on_user_prompt"])
        dev.update(verifier=verifier, salt=salt, confirmed=True, name=req.get("DeviceName"),
                   status="not_remembered" if on_prompt else "remembered", modified=self.now())
        return {"UserConfirmationNecessary": on_prompt}

    def op_UpdateDeviceStatus(self, req):
        need(req, "AccessToken", "DeviceKey")
        pool, user, _ = self.access(req)
        dev = self.own_device(pool, user, req["DeviceKey"])
        status = req.get("DeviceRememberedStatus")
        if status not in (None, "remembered", "not_remembered"):
            raise validation("DeviceRememberedStatus",
                             "Member must satisfy enum value set: [remembered, not_remembered]", status)
        if status:
            dev.update(status=status, modified=self.now())
        return {}

    def device_page(self, req, pool, user):
        """One page of a user's confirmed devices (ListDevices, AdminListDevices)."""
        limit = req.get("Limit", 60)
        if not isinstance(limit, int) or not 0 <= limit <= 60:
            raise validation("Limit", "Member must have value less than or equal to 60", limit)
        devs = [d for d in self.devices.values()
                if d["pool"] == pool["id"] and d["username"] == user["username"] and d["confirmed"]]
        start = int(req["PaginationToken"]) if str(req.get("PaginationToken", "")).isdigit() else 0
        out = {"Devices": [self.device_out(d) for d in devs[start:start + (limit or 60)]]}
        if start + (limit or 60) < len(devs):
            out["PaginationToken"] = str(start + (limit or 60))
        return out

    def op_ListDevices(self, req):
        pool, user, _ = self.access(req)
        return self.device_page(req, pool, user)

    def op_GetDevice(self, req):
        need(req, "DeviceKey")
        pool, user, _ = self.access(req)
        return {"Device": self.device_out(self.own_device(pool, user, req["DeviceKey"]))}

    def op_ForgetDevice(self, req):
        need(req, "DeviceKey")
        pool, user, _ = self.access(req)
        del self.devices[self.own_device(pool, user, req["DeviceKey"])["key"]]
        return {}

    # ---- signing out ---------------------------------------------------

    def op_GlobalSignOut(self, req):
        pool, user, _ = self.access(req)
        for o in self.origins.values():
            if o["pool"] == pool["id"] and o["username"] == user["username"]:
                o["revoked"] = True
        return {}

    def op_RevokeToken(self, req):
        """Revokes a refresh token and every access token issued from it (same origin_jti)."""
        need(req, "Token", "ClientId")
        pool = self.pool_of_client(req["ClientId"])
        if pool["client_secret"] and not same(req.get("ClientSecret") or "", pool["client_secret"]):
            raise CognitoError("UnauthorizedException", "Client authentication failed.")
        rec = self.refresh.get(req["Token"])
        if rec is None:
            if req["Token"].count(".") == 2:  # an access or ID token
                raise CognitoError("UnsupportedTokenTypeException", "Unsupported token type")
            return {}  # RFC 7009: an unknown token is not an error
        if rec["client"] != req["ClientId"]:
            raise CognitoError("UnauthorizedException", "Token was not issued to this client.")
        self.origins[rec["origin"]]["revoked"] = True
        return {}

    # ---- admin operations (an operator's lost-phone reset) --------------
    # Real Cognito signs these with IAM credentials; the fake checks no
    # signature (as for the public operations) and finds the user by
    # UserPoolId and Username (or a sign-in alias).

    def admin_user(self, req):
        need(req, "UserPoolId", "Username")
        pool = self.pools.get(req["UserPoolId"])
        if pool is None:
            raise CognitoError("ResourceNotFoundException", f"User pool {req['UserPoolId']} does not exist.")
        user = self.find_user(pool, req["Username"])
        if user is None:
            raise CognitoError("UserNotFoundException", "User does not exist.")
        return pool, user

    def op_AdminGetUser(self, req):
        _, user = self.admin_user(req)
        out = self.user_out(user)
        out.update(Enabled=user["enabled"], UserStatus=user["status"], UserCreateDate=user["created"],
                   UserLastModifiedDate=user["created"])
        return out

    def op_AdminSetUserMFAPreference(self, req):
        """The same rules as SetUserMFAPreference, for the user named by pool and username."""
        _, user = self.admin_user(req)
        return self.set_mfa_preference(user, req)

    def op_AdminUpdateUserAttributes(self, req):
        need(req, "UserAttributes")
        _, user = self.admin_user(req)
        attrs = self.attribute_list(req, "UserAttributes")
        # an administrator may set the verified flags a user may not
        self.check_attributes({k: v for k, v in attrs.items() if k not in ("email_verified", "phone_number_verified")})
        self.apply_attributes(user, attrs)
        return {}

    def op_AdminListDevices(self, req):
        pool, user = self.admin_user(req)
        return self.device_page(req, pool, user)

    def op_AdminForgetDevice(self, req):
        need(req, "DeviceKey")
        pool, user = self.admin_user(req)
        del self.devices[self.own_device(pool, user, req["DeviceKey"])["key"]]
        return {}

    def op_AdminUserGlobalSignOut(self, req):
        pool, user = self.admin_user(req)
        for o in self.origins.values():
            if o["pool"] == pool["id"] and o["username"] == user["username"]:
                o["revoked"] = True
        return {}

    # ---- sign-up -------------------------------------------------------

    def op_SignUp(self, req):
        need(req, "ClientId", "Username", "Password")
        pool, client_id = self.pool_of_client(req["ClientId"]), req["ClientId"]
        self.check_secret_hash(pool, client_id, req["Username"], req.get("SecretHash"))
        attrs = self.attribute_list(req, "UserAttributes")
        self.check_attributes(attrs)
        problem = password_problem(req["Password"])
        if problem:
            raise CognitoError("InvalidPasswordException", f"Password did not conform with policy: {problem}")
        user = self.create_user(pool, req["Username"], req["Password"], attrs, "UNCONFIRMED")
        out = {"UserConfirmed": False, "UserSub": user["sub"]}
        target = next((a for a in ("email", "phone_number") if user["attrs"].get(a)), None)
        self.send_code(user, "signup", user["attrs"].get(target))
        if target:
            out["CodeDeliveryDetails"] = self.delivery(user, target)
        return out

    def create_user(self, pool, username, password, attrs, status, sub=None):
        """Shared by SignUp and /_control/user. In a pool whose username_attributes include email, an
        e-mail given as the username becomes the email attribute and the internal username is the sub."""
        sub = sub or str(uuid.uuid4())
        attrs = dict(attrs)
        internal = username
        for attr, looks_like in (("email", "@" in username), ("phone_number", username.startswith("+"))):
            if attr in pool["username_attributes"] and looks_like:
                attrs.setdefault(attr, username)
                internal = sub
                if self.find_user(pool, username):
                    raise CognitoError("UsernameExistsException", f"An account with the given {attr} already exists.")
        if (pool["id"], internal) in self.users:
            raise CognitoError("UsernameExistsException", "User already exists")
        if pool["username_attributes"] and internal != sub:
            raise InvalidParameter("Username should be " + " or ".join(
                {"email": "an email", "phone_number": "a phone number"}[a] for a in pool["username_attributes"]) + ".")
        user = {"username": internal, "sub": sub, "attrs": {"sub": sub, **attrs}, "status": status, "enabled": True,
                "sms_mfa": False, "totp_secret": None, "totp_verified": False, "totp_enabled": False,
                "preferred": None, "created": self.now()}
        self.set_password(pool, user, password)
        self.users[(pool["id"], internal)] = user
        return user

    def signup_user(self, req):
        need(req, "ClientId", "Username")
        pool, client_id = self.pool_of_client(req["ClientId"]), req["ClientId"]
        self.check_secret_hash(pool, client_id, req["Username"], req.get("SecretHash"))
        user = self.find_user(pool, req["Username"])
        if user is None:
            raise CognitoError("UserNotFoundException", "Username/client id combination not found.")
        return user

    def op_ConfirmSignUp(self, req):
        need(req, "ConfirmationCode")
        user = self.signup_user(req)
        if user["status"] != "UNCONFIRMED":
            raise NotAuthorized(f"User cannot be confirmed. Current status is {user['status']}")
        sent = self.codes.get(user["username"], {}).get("signup")
        if sent is None or not same(sent["code"], req["ConfirmationCode"]):
            raise CognitoError("CodeMismatchException", BAD_VERIFICATION)
        if self.now() - sent["sent"] > 24 * 3600:
            raise CognitoError("ExpiredCodeException", EXPIRED_VERIFICATION)
        user["status"] = "CONFIRMED"
        for attr in ("email", "phone_number"):
            if user["attrs"].get(attr) and user["attrs"][attr] == sent["destination"]:
                user["attrs"][attr + "_verified"] = "true"
        del self.codes[user["username"]]["signup"]
        return {}

    def op_ResendConfirmationCode(self, req):
        user = self.signup_user(req)
        if user["status"] != "UNCONFIRMED":
            raise InvalidParameter("User is already confirmed.")
        target = next((a for a in ("email", "phone_number") if user["attrs"].get(a)), None)
        self.send_code(user, "signup", user["attrs"].get(target))
        return {"CodeDeliveryDetails": self.delivery(user, target)} if target else {}

    # ---- dispatch ------------------------------------------------------

    def call(self, op, req):
        fn = getattr(self, "op_" + op, None) if re.fullmatch(r"[A-Za-z]+", op or "") else None
        if fn is None:
            raise CognitoError("UnsupportedOperation", f"fake_cognito does not implement {op}")
        return fn(req)


# ---------------------------------------------------------------------------
# Control API (not Cognito): set-up and inspection for tests
# ---------------------------------------------------------------------------

def control_pool(fake, body):
    pid = body["id"]
    if "_" not in pid:
        raise ValueError("pool id must look like <region>_<name>")
    dt = body.get("device_tracking")
    mfa = body.get("mfa", "OFF")
    if mfa not in ("OFF", "OPTIONAL", "ON"):
        raise ValueError("mfa must be OFF, OPTIONAL or ON")
    if not isinstance(body.get("code_attempts", 3), int) or body.get("code_attempts", 3) < 1:
        raise ValueError("code_attempts must be a positive integer")
    pool = {
        "id": pid, "name": pid.split("_", 1)[1], "client_id": body["client_id"],
        "client_secret": body.get("client_secret"), "mfa": mfa,
        "device_tracking": None if not dt else {
            "challenge_required_on_new_device": bool(dt.get("challenge_required_on_new_device", False)),
            "device_only_remembered_on_user_prompt": bool(dt.get("device_only_remembered_on_user_prompt", False))},
        "auth_session_seconds": body.get("auth_session_seconds", 180),
        # wrong MFA codes a challenge session takes before it is dead (the lockout setting)
        "code_attempts": body.get("code_attempts", 3),
        "prevent_user_existence_errors": bool(body.get("prevent_user_existence_errors", False)),
        "username_attributes": body.get("username_attributes", []),
        "alias_attributes": body.get("alias_attributes", ["email"]),
        "sms_mfa_configured": body.get("sms_mfa_configured", True),
        "software_token_mfa_configured": body.get("software_token_mfa_configured", True),
        "explicit_auth_flows": body.get("explicit_auth_flows", ["USER_SRP_AUTH", "USER_PASSWORD_AUTH"]),
        "access_token_seconds": body.get("access_token_seconds", 3600),
        "refresh_token_seconds": body.get("refresh_token_seconds", 30 * 86400),
    }
    old = fake.pools.get(pid)
    if old:
        fake.clients.pop(old["client_id"], None)
    fake.pools[pid] = pool
    fake.clients[pool["client_id"]] = pid
    return {"id": pid, "client_id": pool["client_id"], "issuer": f"{fake.base_url}/{pid}",
            "jwks_uri": f"{fake.base_url}/{pid}/.well-known/jwks.json"}


def control_user(fake, body):
    pool = fake.pools[body["pool"]]
    attrs = {k: ("true" if v is True else "false" if v is False else str(v))
             for k, v in (body.get("attributes") or {}).items()}
    status = body.get("status", "CONFIRMED")
    if status not in ("CONFIRMED", "UNCONFIRMED", "FORCE_CHANGE_PASSWORD", "RESET_REQUIRED"):
        raise ValueError("bad status")
    user = fake.create_user(pool, body["username"], body["password"], attrs, status, body.get("sub"))
    user["enabled"] = bool(body.get("enabled", True))
    user["sms_mfa"] = bool(body.get("sms_mfa", False))
    if body.get("totp_secret"):
        user.update(totp_secret=body["totp_secret"], totp_verified=True, totp_enabled=True)
    if body.get("preferred") not in (None, "SMS_MFA", "SOFTWARE_TOKEN_MFA"):
        raise ValueError("preferred must be SMS_MFA, SOFTWARE_TOKEN_MFA or null")
    user["preferred"] = body.get("preferred")
    return {"pool": pool["id"], "username": user["username"], "sub": user["sub"]}


def control_state(fake):
    users = [{"pool": pid, **{k: v for k, v in u.items() if k not in ("verifier",)}}
             for (pid, _), u in fake.users.items()]
    devices = [{k: (v.hex() if isinstance(v, bytes) else format(v, "x") if k == "verifier" and v else v)
                for k, v in d.items()} for d in fake.devices.values()]
    return {"now": fake.now(), "offset_seconds": fake.offset, "pools": list(fake.pools.values()), "users": users,
            "devices": devices,
            "revoked": {"origin_jti": [o for o, r in fake.origins.items() if r["revoked"]],
                        "refresh_tokens": [t for t, r in fake.refresh.items() if fake.origins[r["origin"]]["revoked"]]},
            "sign_ins": [{"origin_jti": o, **r} for o, r in fake.origins.items()],
            "live_sessions": sum(1 for s in fake.sessions.values() if not s["used"] and not s.get("dead"))}


def control(fake, method, path, query, body):
    if method == "POST" and path == "/_control/reset":
        fake.reset()
        return {}
    if method == "POST" and path == "/_control/pool":
        return control_pool(fake, body)
    if method == "POST" and path == "/_control/user":
        return control_user(fake, body)
    if method == "GET" and path == "/_control/codes":
        return {user: {purpose: c["code"] for purpose, c in codes.items()} for user, codes in fake.codes.items()}
    if method == "GET" and path == "/_control/requests":
        return fake.requests
    if method == "POST" and path == "/_control/clock":
        if "offset_seconds" in body:
            fake.offset = float(body["offset_seconds"])
        fake.offset += float(body.get("advance_seconds", 0))
        return {"offset_seconds": fake.offset, "now": fake.now()}
    if method == "GET" and path == "/_control/state":
        return control_state(fake)
    if method == "POST" and path == "/_control/cloudtrail":
        return fake.cloudtrail.load(body.get("events") or [])
    raise KeyError(path)


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
CLOUDTRAIL_TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
JWKS_PATH = re.compile(r"/([\w-]+_[0-9A-Za-z]+)/\.well-known/jwks\.json")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake = None  # set in main()

    def log_message(self, *args):
        pass

    def _send(self, status, obj, headers=None, content_type="application/x-amz-json-1.1"):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        self._handle(b"")

    def do_POST(self):  # noqa: N802
        self._handle(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _handle(self, raw):
        fake, url = self.fake, urlparse(self.path)
        with fake.lock:
            if url.path.startswith("/_control/"):
                try:
                    body = json.loads(raw or b"{}")
                    return self._send(200, control(fake, self.command, url.path, parse_qs(url.query), body),
                                      content_type="application/json")
                except KeyError as e:
                    return self._send(404 if str(e).strip("'").startswith("/") else 400,
                                      {"error": f"control: {e!r}"}, content_type="application/json")
                except (ValueError, TypeError, CognitoError) as e:
                    return self._send(400, {"error": f"control: {e}"}, content_type="application/json")
            target = self.headers.get("X-Amz-Target", "")
            rec = {"time": fake.now(), "method": self.command, "path": self.path, "target": target,
                   "operation": target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else None,
                   "headers": {k.lower(): v for k, v in self.headers.items()},
                   "body": raw.decode("utf-8", "replace")}
            fake.requests.append(rec)
            status, obj, headers = self._cognito(url, raw, rec)
            rec["status"] = status
            rec["error"] = obj.get("__type") if status != 200 else None
            ctype = "application/json" if "jwks" in url.path else "application/x-amz-json-1.1"
            self._send(status, obj, headers, ctype)

    def _cognito(self, url, raw, rec):
        fake = self.fake
        m = JWKS_PATH.fullmatch(url.path)
        if self.command == "GET" and (m or url.path == "/.well-known/jwks.json"):
            pid = m.group(1) if m else (parse_qs(url.query).get("pool") or [""])[0]
            if pid not in fake.pools:
                return 404, {"message": f"User pool {pid} does not exist."}, {}
            return 200, fake.signer.jwks(), {}
        if self.command != "POST" or url.path != "/":
            return 404, {"__type": "UnknownOperationException", "message": "no such path"}, {}
        if rec["target"] == CLOUDTRAIL_TARGET:
            rec["operation"] = "CloudTrail.LookupEvents"
            try:
                req = json.loads(raw or b"{}")
                rec["json"] = req
                return 200, fake.cloudtrail.lookup(req, fake.now(), time.monotonic()), {}
            except CloudTrailError as e:
                return 400, {"__type": e.code, "message": e.message}, {"X-Amzn-ErrorType": e.code}
        try:
            if not rec["operation"]:
                raise CognitoError("UnknownOperationException", f"Unknown target {rec['target']!r}")
            try:
                req = json.loads(raw or b"{}")
            except ValueError:
                raise CognitoError("SerializationException", "Request body is not valid JSON") from None
            if not isinstance(req, dict):
                raise CognitoError("SerializationException", "Request body must be a JSON object")
            rec["json"] = req
            return 200, fake.call(rec["operation"], req), {}
        except CognitoError as e:
            return 400, {"__type": e.code, "message": e.message}, {"X-Amzn-ErrorType": e.code}
        except Exception as e:  # a bug in the fake, or input of a shape it did not expect: say so loudly
            traceback.print_exc()
            return 500, {"__type": "InternalErrorException", "message": f"fake_cognito: {e!r}"}, \
                {"X-Amzn-ErrorType": "InternalErrorException"}


class Server(ThreadingHTTPServer):
    request_queue_size = 256  # the default 5 makes concurrent clients wait on SYN retries
    daemon_threads = True


def main():
    server = Server(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Handler)
    port = server.server_address[1]
    Handler.fake = Fake(f"http://127.0.0.1:{port}")
    print(port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
