-- tests/test_redact.lua: secrets are removed from JSON, form and XML text.
local redact = require "mfakit.redact"

local t = require "mfakit.test"
t.case("JSON values, escaped quotes included, and nested objects", function()
    t.eq(redact.text('{"Password": "a\\"b\\\\", "USERNAME":"x", "SECRET_HASH":"q\\"q","Session":"s"}'),
        '{"Password": "<redacted>", "USERNAME":"x", "SECRET_HASH":"<redacted>","Session":"<redacted>"}')
    t.eq(redact.text('{"DeviceSecretVerifierConfig": {"Salt": "x", "PasswordVerifier": "y"}, "k": 1}'),
        '{"DeviceSecretVerifierConfig": "<redacted>", "k": 1}')
end)

t.case("form bodies, XML and JWTs", function()
    t.eq(redact.text("Action=X&SecretAccessKey=abc%2F&Tags.member.1.Token=t&UserName=u"),
        "Action=X&SecretAccessKey=<redacted>&Tags.member.1.Token=<redacted>&UserName=u")
    t.eq(redact.text("<Credentials><SessionToken>tok</SessionToken><AccessKeyId>AKID</AccessKeyId>"),
        "<Credentials><SessionToken><redacted></SessionToken><AccessKeyId>AKID</AccessKeyId>")
    t.eq(redact.text("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln here"), "token <redacted-jwt> here")
end)

t.case("temporary passwords, refresh tokens (JWE, five parts), IAM passwords, TOTP URIs", function()
    t.eq(redact.text('{"TemporaryPassword":"T1","AuthParameters":{"REFRESH_TOKEN":"R1"}}'),
        '{"TemporaryPassword":"<redacted>","AuthParameters":{"REFRESH_TOKEN":"<redacted>"}}')
    t.eq(redact.text("Action=ChangePassword&NewPassword=N3w&OldPassword=0ld"),
        "Action=ChangePassword&NewPassword=<redacted>&OldPassword=<redacted>")
    t.eq(redact.text("otpauth://totp/A:b?secret=JBSWY3DP&issuer=A"), "otpauth://totp/A:b?secret=<redacted>&issuer=A")
    t.eq(redact.text("x eyJhbGciOiJSU0EtT0FFUCJ9.AAAA.BBBB.CCCCciphertext.DDDDtag y"), "x <redacted-jwt> y")
end)

t.case("headers: the signature and session token", function()
    t.eq(redact.header("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=abc123"),
        "AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=<redacted>")
    t.eq(redact.header("X-Amz-Security-Token", "tok"), "<redacted>")
    t.eq(redact.header("content-type", "text/plain"), "text/plain")
end)

t.case("a limit cuts first and says how much was left out", function()
    t.eq(redact.text("abcdef", 3), "abc... (3 more bytes)")
    t.eq(redact.text("abc", 3), "abc")
end)

t.case("a secret split by the cut is removed, not its visible start", function()
    t.eq(redact.text('{"Password": "hunter2hunter2"}', 20), '{"Password": "<redacted>"... (10 more bytes)')
    t.eq(redact.text('{"Session": {"a": "b", "c": "d"}}', 20), '{"Session": "<redacted>"... (13 more bytes)')
    t.eq(redact.text("Action=X&Password=abcdefgh", 22), "Action=X&Password=<redacted>... (4 more bytes)")
    t.eq(redact.text("<A><SessionToken>abcdefgh</SessionToken>", 25),
        "<A><SessionToken><redacted>... (15 more bytes)")
    t.eq(redact.text("x eyJhbGciOiJSUzI1NiJ9.eyJzdWIi", 15), "x <redacted-jwt>... (16 more bytes)")
    t.eq(redact.text("token: eyJhbGciOiJSUzI1NiJ9", 20), "token: <redacted-jwt>... (7 more bytes)")
end)

t.case("pathological text: floods of eyJ, braces, quotes and tags redact correctly", function()
    local flood = ("eyJ"):rep(100000)
    t.eq(redact.text(flood), flood)
    t.eq(redact.text(flood .. ".x"), "<redacted-jwt>")
    t.eq(redact.text(('"Password": {'):rep(50000)), '"Password": "<redacted>"')
    t.eq(redact.text('"Password": "' .. ("\\"):rep(50000)), '"Password": "<redacted>"')
    local tags = ("<Password>"):rep(50000)
    t.eq(redact.text(tags), tags)
    t.eq(#redact.text(("<"):rep(1000000), 100), 100 + #"... (999900 more bytes)")
end)

t.case("values: plain secrets anywhere, and the start of one cut by a limit", function()
    t.eq(redact.values("pw hunter22 and hunter22 again", { "hunter22" }), "pw <redacted> and <redacted> again")
    t.eq(redact.values("short abc stays", { "abc" }), "short abc stays")
    local cut = redact.text("the password was hunter22, sorry", 21)
    t.eq(cut, "the password was hunt... (11 more bytes)")
    t.eq(redact.values(cut, { "x%d+", "hunter22" }), "the password was <redacted>... (11 more bytes)")
    t.eq(redact.values("no notice: hunt", { "hunter22" }), "no notice: hunt")
end)
