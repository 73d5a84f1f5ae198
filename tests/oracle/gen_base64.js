// gen_base64.js: what Node's Buffer.from(s, "base64") makes of odd inputs,
// the behaviour crypto.unbase64(s, {lenient = true}) copies (the Cognito
// emulator decodes SRP SECRET_BLOCKs, which may be UUIDs, this way).
//   node tests/oracle/gen_base64.js   (writes tests/vectors/base64-node.json)
// Inputs stay within Latin-1: Node truncates UTF-16 code units above 0xFF to
// their low byte, which has no counterpart for UTF-8 bytes.
"use strict";
const fs = require("fs");
const path = require("path");

const inputs = [
  "",
  "Zg==",
  "Zg",
  "Zg=",
  "Zm9vYmFy",
  "Zm9vYg",
  "Zm9vYmE=",
  "Z",
  "Zm9vY",
  "QQ==",
  "QR==",
  "Zm9v\nYmFy\n",
  "  Zm9v YmFy  ",
  "Zm9v\r\nYmE=\r\n",
  "Zg==Zm9v",
  "Zm=9v",
  "=Zm9v",
  "Zm9v!!YmFy",
  "Zm9v*YmFy===",
  "+/+/",
  "-_-_",
  "+_-/",
  "____",
  "----",
  "!!!!",
  "\u00e9Zm9v\u00ff",
  "431fc1f8-53c5-4e29-b4d2-5fb06039a7f9",
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "6a1e4e0b-2f7c-4bd9-9c3c-8a2ad6f1f0e1",
  "e9b2c9d4-0f3a-4c6f-8a0e-3b1b2f9d7c55",
  "SGVsbG8sIHdvcmxkIQ",
  "SGVsbG8sIHdvcmxkIQ==",
  "SGVsbG8s-IHdvcmxk_IQ",
];

const cases = inputs.map((input) => ({
  input,
  hex: Buffer.from(input, "base64").toString("hex"),
}));

const out = {
  generator: "tests/oracle/gen_base64.js",
  node: process.version,
  cases,
};
const file = path.join(__dirname, "..", "vectors", "base64-node.json");
fs.writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
console.log(`wrote ${cases.length} cases to ${path.relative(process.cwd(), file)}`);
