#!/usr/bin/env node
// gen_sigv4.js: signs requests of our own design with @smithy/signature-v4
// (the signer of AWS SDK for JavaScript v3) and writes what it produced to
// tests/vectors/sigv4-smithy.json, which tests/test_sigv4.lua checks
// mfakit.sigv4 against. Fixed times and no randomness: re-running it gives
// the same file byte for byte.
//
//   cd tests/oracle && npm install && node gen_sigv4.js
"use strict";

const fs = require("fs");
const path = require("path");
const { SignatureV4 } = require("@smithy/signature-v4");
const { Sha256 } = require("@aws-crypto/sha256-js");

const OUT = path.join(__dirname, "..", "vectors", "sigv4-smithy.json");

const AK = "AKIDEXAMPLE";
const SK = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN =
  "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+a/b=c+EXAMPLE" +
  "TOKENdGhpcyBpcyBub3QgYSByZWFsIHRva2Vu/Zm9yIHRlc3Rz+b25seQ==";
const T0 = 1440938160; // 2015-08-30T12:36:00Z, the AWS suites' time
const T1 = 1709251199; // 2024-02-29T23:59:59Z
const FORM = "application/x-www-form-urlencoded; charset=utf-8";
const JSON11 = "application/x-amz-json-1.1";
const IDP = "AWSCognitoIdentityProviderService.";

function form(...pairs) {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

// Each case is the input to mfakit.sigv4.sign{}, minus what every case shares.
const CASES = [
  { name: "iam-list-users", method: "POST", url: "https://iam.amazonaws.com/", service: "iam",
    headers: { "Content-Type": FORM }, body: "Action=ListUsers&Version=2010-05-08" },
  { name: "iam-create-user-special-chars", method: "POST", url: "https://iam.amazonaws.com/",
    service: "iam", headers: { "content-type": FORM },
    body: form(["Action", "CreateUser"], ["UserName", "a+b=c@d.e"], ["Path", "/div/sub/"],
      ["Tags.member.1.Key", "Owner & Team"], ["Tags.member.1.Value", "ü*!'()~ ;"],
      ["Version", "2010-05-08"]) },
  { name: "iam-get-query-protocol", method: "GET", service: "iam",
    url: "https://iam.amazonaws.com/?Version=2010-05-08&Action=ListUsers&MaxItems=10" },
  { name: "iam-with-session-token", method: "POST", url: "https://iam.amazonaws.com/",
    service: "iam", session_token: TOKEN, headers: { "Content-Type": FORM },
    body: "Action=ListMFADevices&Version=2010-05-08" },
  { name: "sts-get-caller-identity", method: "POST", url: "https://sts.amazonaws.com/",
    service: "sts", headers: { "Content-Type": FORM },
    body: "Action=GetCallerIdentity&Version=2011-06-15" },
  { name: "sts-assume-role-regional", method: "POST", region: "eu-west-1", service: "sts",
    url: "https://sts.eu-west-1.amazonaws.com/", session_token: TOKEN,
    headers: { "Content-Type": FORM },
    body: form(["Action", "AssumeRole"], ["RoleArn", "arn:aws:iam::123456789012:role/demo"],
      ["RoleSessionName", "mfa session/1"], ["SerialNumber", "arn:aws:iam::123456789012:mfa/al"],
      ["TokenCode", "123456"], ["Version", "2011-06-15"]) },
  { name: "sns-publish-unicode", method: "POST", region: "eu-central-1", service: "sns",
    url: "https://sns.eu-central-1.amazonaws.com/", headers: { "Content-Type": FORM },
    body: form(["Action", "Publish"], ["PhoneNumber", "+4915112345678"],
      ["Message", "Ihr Code: 123456 — gültig 5 min ✓ <b>&amp;</b>"], ["Version", "2010-03-31"]) },
  { name: "sns-raw-utf8-body", method: "POST", region: "ap-northeast-1", service: "sns",
    url: "https://sns.ap-northeast-1.amazonaws.com/", headers: { "Content-Type": FORM },
    body: "Action=Publish&Message=こんにちは 世界&Version=2010-03-31" },
  { name: "cognito-idp-initiate-auth", method: "POST", region: "eu-central-1",
    service: "cognito-idp", url: "https://cognito-idp.eu-central-1.amazonaws.com/",
    headers: { "Content-Type": JSON11, "X-Amz-Target": IDP + "InitiateAuth" },
    body: JSON.stringify({ AuthFlow: "USER_SRP_AUTH", ClientId: "1example23456789",
      AuthParameters: { USERNAME: "alice@example.com", SRP_A: "abc123" } }) },
  { name: "cognito-idp-admin-token", method: "POST", region: "us-west-2", service: "cognito-idp",
    url: "https://cognito-idp.us-west-2.amazonaws.com/", session_token: TOKEN,
    headers: { "content-type": JSON11, "x-amz-target": IDP + "AdminRespondToAuthChallenge" },
    body: JSON.stringify({ ChallengeName: "SOFTWARE_TOKEN_MFA", UserPoolId: "us-west-2_aaaaaaaaa",
      ChallengeResponses: { USERNAME: "bøb", SOFTWARE_TOKEN_MFA_CODE: "000000" } }) },
  { name: "cognito-identity-credentials", method: "POST", region: "eu-west-1",
    service: "cognito-identity", url: "https://cognito-identity.eu-west-1.amazonaws.com/",
    headers: { "Content-Type": JSON11,
      "X-Amz-Target": "AWSCognitoIdentityService.GetCredentialsForIdentity" },
    body: '{"IdentityId":"eu-west-1:11111111-2222-3333-4444-555555555555"}' },
  { name: "json-upper-case-names", method: "POST", service: "cognito-idp",
    url: "https://cognito-idp.us-east-1.amazonaws.com/",
    headers: { "CONTENT-TYPE": JSON11, "X-AMZ-TARGET": IDP + "ListUsers" }, body: "{}" },
  { name: "empty-body-post", method: "POST", url: "https://iam.amazonaws.com/", service: "iam",
    body: "" },
  { name: "no-body-get", method: "GET", url: "https://example.amazonaws.com/", service: "service" },
  { name: "moto-port", method: "POST", url: "http://localhost:5000/", service: "iam",
    headers: { "Content-Type": FORM }, body: "Action=ListUsers&Version=2010-05-08" },
  { name: "ipv4-port", method: "POST", url: "http://127.0.0.1:8080/", service: "sts",
    session_token: TOKEN, headers: { "Content-Type": FORM },
    body: "Action=GetSessionToken&Version=2011-06-15" },
  { name: "default-port-dropped", method: "GET", service: "iam",
    url: "https://iam.amazonaws.com:443/?Action=ListRoles&Version=2010-05-08" },
  { name: "repeated-query-keys", method: "GET", service: "service",
    url: "https://example.amazonaws.com/?b=2&a=3&a=1&a=2&A=0&a-b=x" },
  { name: "query-plus-and-space", method: "GET", service: "service",
    url: "https://example.amazonaws.com/?q=a+b&r=c%20d&s=e%2Bf" },
  { name: "query-reserved-chars", method: "GET", service: "service",
    url: "https://example.amazonaws.com/?key=a%2Fb%3Dc%26d&empty=&flag&%3D=eq&star=*!'()" },
  { name: "query-unicode", method: "GET", service: "service",
    url: "https://example.amazonaws.com/?name=J%C3%BCrgen&city=Köln&%E2%9C%93=1" },
  { name: "path-unicode-encoded", method: "GET", service: "service",
    url: "https://example.amazonaws.com/caf%C3%A9/men%C3%BC" },
  { name: "path-unicode-raw", method: "GET", service: "service",
    url: "https://example.amazonaws.com/café/ménü/" },
  { name: "path-dot-segments", method: "GET", service: "service",
    url: "https://example.amazonaws.com/a/./b/../c//d/?x=1" },
  { name: "path-special-chars", method: "GET", region: "cn-north-1", service: "execute-api",
    url: "https://abc123.execute-api.cn-north-1.amazonaws.com.cn/prod/items/$stage/a:b@c" },
  { name: "content-sha256-post", method: "POST", url: "https://iam.amazonaws.com/",
    service: "iam", content_sha256: true, headers: { "Content-Type": FORM },
    body: "Action=ListUsers&Version=2010-05-08" },
  { name: "content-sha256-get-token", method: "GET", url: "https://example.amazonaws.com/",
    service: "service", content_sha256: true, session_token: TOKEN },
  { name: "s3-get-object", method: "GET", service: "s3", content_sha256: true,
    url: "https://bucket.s3.us-east-1.amazonaws.com/my%20key//photos/./2024/%C3%A9t%C3%A9.jpg" },
  { name: "s3-unsigned-payload", method: "PUT", service: "s3",
    url: "https://s3.us-east-1.amazonaws.com/bucket/a%2Bb.txt?x-id=PutObject",
    headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "Content-Type": "text/plain" },
    body: "hello" },
  { name: "header-whitespace", method: "POST", url: "https://example.amazonaws.com/",
    service: "service", headers: { "My-Header": "  a   b \t c  ", "X-Tab": "\tx\t" },
    body: "x" },
  { name: "repeated-header", method: "GET", url: "https://example.amazonaws.com/",
    service: "service", headers: { "X-Custom": ["v1", " v2 ", "v1"], "X-Single": ["only"] } },
  { name: "user-agent-signed", method: "POST", url: "https://sts.amazonaws.com/", service: "sts",
    headers: { "User-Agent": "mfakit/0.1.0 lua/5.4", "Content-Type": FORM },
    body: "Action=GetCallerIdentity&Version=2011-06-15" },
  { name: "leap-day-late", method: "POST", time: T1, region: "ap-southeast-2",
    service: "cognito-idp", url: "https://cognito-idp.ap-southeast-2.amazonaws.com/",
    headers: { "Content-Type": JSON11, "X-Amz-Target": IDP + "GetUser" },
    body: '{"AccessToken":"eyJ.example.sig"}' },
  { name: "epoch", method: "GET", time: 0, url: "https://example.amazonaws.com/",
    service: "service" },
];

function parseUrl(url) {
  const m = /^(https?):\/\/([^/?#]+)([^?#]*)(?:\?([^#]*))?/.exec(url);
  if (!m) throw new Error("bad url " + url);
  const [, protocol, authority, rawPath, rawQuery] = m;
  const hp = /^(.*?)(?::(\d+))?$/.exec(authority);
  const port = hp[2] ? Number(hp[2]) : undefined;
  const dflt = protocol === "https" ? 443 : 80;
  const host = port && port !== dflt ? `${hp[1]}:${port}` : hp[1];
  const query = {};
  // URLSearchParams decodes as a browser does ('+' is a space), independently of us
  for (const [k, v] of new URLSearchParams(rawQuery || "")) {
    if (!(k in query)) query[k] = v;
    else query[k] = [].concat(query[k], v);
  }
  return { protocol: protocol + ":", hostname: hp[1], port, host, path: rawPath || "/", query };
}

async function sign(c) {
  const u = parseUrl(c.url);
  const headers = { host: u.host };
  for (const [k, v] of Object.entries(c.headers || {}))
    headers[k] = Array.isArray(v) ? v.map((s) => s.trim()).join(",") : v;
  const signer = new SignatureV4({
    service: c.service, region: c.region, sha256: Sha256,
    credentials: { accessKeyId: AK, secretAccessKey: SK, sessionToken: c.session_token },
    uriEscapePath: c.service !== "s3", applyChecksum: !!c.content_sha256,
  });
  const seen = {};
  const createStringToSign = signer.createStringToSign.bind(signer);
  signer.createStringToSign = async (date, scope, creq, alg) => {
    seen.canonical_request = creq;
    seen.string_to_sign = await createStringToSign(date, scope, creq, alg);
    return seen.string_to_sign;
  };
  const signed = await signer.sign(
    { method: c.method, protocol: u.protocol, hostname: u.hostname, port: u.port, path: u.path,
      query: u.query, headers, body: c.body },
    { signingDate: new Date(c.time * 1000),
      signableHeaders: new Set(Object.keys(headers).map((h) => h.toLowerCase())) });
  const sent = {};
  const names = Object.keys(signed.headers).map((k) => [k.toLowerCase(), k]).sort();
  for (const [lower, k] of names) sent[lower] = signed.headers[k];
  const auth = signed.headers.authorization;
  return { canonical_request: seen.canonical_request, string_to_sign: seen.string_to_sign,
    signature: /Signature=([0-9a-f]{64})$/.exec(auth)[1], authorization: auth, headers: sent };
}

async function main() {
  const out = [];
  for (const c of CASES) {
    const input = { method: c.method, url: c.url, headers: c.headers, body: c.body,
      region: c.region || "us-east-1", service: c.service, access_key: AK, secret_key: SK,
      session_token: c.session_token, time: c.time === undefined ? T0 : c.time,
      content_sha256: !!c.content_sha256 };
    out.push({ name: c.name, input, expect: await sign(input) });
  }
  const meta = { generator: "tests/oracle/gen_sigv4.js",
    signer: "@smithy/signature-v4 " + require("@smithy/signature-v4/package.json").version,
    cases: out };
  fs.writeFileSync(OUT, JSON.stringify(meta, null, 1) + "\n");
  console.log(`wrote ${out.length} cases to ${path.relative(process.cwd(), OUT)}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
