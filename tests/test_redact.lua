-- tests/test_redact.lua: secrets are removed from JSON, form and XML text.
local redact = require "mfakit.redact"

return function(t)
    t.test("JSON values, escaped quotes included, and nested objects", function()
        t.eq(redact.text('{"Password": "a\\"b\\\\", "USERNAME":"x", "SECRET_HASH":"q\\"q","Session":"s"}'),
            '{"Password": "<redacted>", "USERNAME":"x", "SECRET_HASH":"<redacted>","Session":"<redacted>"}')
        t.eq(redact.text('{"DeviceSecretVerifierConfig": {"Salt": "x", "PasswordVerifier": "y"}, "k": 1}'),
            '{"DeviceSecretVerifierConfig": "<redacted>", "k": 1}')
    end)

    t.test("form bodies, XML and JWTs", function()
        t.eq(redact.text("Action=X&SecretAccessKey=abc%2F&Tags.member.1.Token=t&UserName=u"),
            "Action=X&SecretAccessKey=<redacted>&Tags.member.1.Token=<redacted>&UserName=u")
        t.eq(redact.text("<Credentials><SessionToken>tok</SessionToken><AccessKeyId>AKID</AccessKeyId>"),
            "<Credentials><SessionToken><redacted></SessionToken><AccessKeyId>AKID</AccessKeyId>")
        t.eq(redact.text("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln here"), "token <redacted-jwt> here")
    end)

    t.test("temporary passwords, refresh tokens (JWE, five parts), IAM passwords, TOTP URIs", function()
        t.eq(redact.text('{"TemporaryPassword":"T1","AuthParameters":{"REFRESH_TOKEN":"R1"}}'),
            '{"TemporaryPassword":"<redacted>","AuthParameters":{"REFRESH_TOKEN":"<redacted>"}}')
        t.eq(redact.text("Action=ChangePassword&NewPassword=N3w&OldPassword=0ld"),
            "Action=ChangePassword&NewPassword=<redacted>&OldPassword=<redacted>")
        t.eq(redact.text("otpauth://totp/A:b?secret=JBSWY3DP&issuer=A"), "otpauth://totp/A:b?secret=<redacted>&issuer=A")
        t.eq(redact.text("x eyJhbGciOiJSU0EtT0FFUCJ9.AAAA.BBBB.CCCCciphertext.DDDDtag y"), "x <redacted-jwt> y")
    end)

    t.test("headers: the signature and session token", function()
        t.eq(redact.header("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=abc123"),
            "AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=<redacted>")
        t.eq(redact.header("X-Amz-Security-Token", "tok"), "<redacted>")
        t.eq(redact.header("content-type", "text/plain"), "text/plain")
    end)
end
