// tests/oracle/amplify_config.js FILE: hands FILE (what `mfakit guide env
// --format amplify|amplify-outputs` wrote) to the real aws-amplify
// package's Amplify.configure, reads it back with Amplify.getConfig, and
// prints what Amplify made of it: the pool, the client, the MFA status and
// methods (tests/test_install.lua compares them with the stack's).
const fs = require("fs");
const { Amplify } = require("aws-amplify");

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
Amplify.configure(config);
const cognito = ((Amplify.getConfig() || {}).Auth || {}).Cognito || {};
const mfa = cognito.mfa || {};
console.log(JSON.stringify({
  userPoolId: cognito.userPoolId,
  userPoolClientId: cognito.userPoolClientId,
  email: !!(cognito.loginWith && cognito.loginWith.email),
  status: mfa.status,
  smsEnabled: mfa.smsEnabled,
  totpEnabled: mfa.totpEnabled,
}));
