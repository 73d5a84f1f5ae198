#!/usr/bin/env node
/*
 * bench/srp_node.js VECTORS NODE_MODULES [PASSES]: the baseline for SRP, the
 * client side of one password login as amazon-cognito-identity-js (AWS's
 * own JS client) computes it, on the inputs of tests/vectors/srp.json.
 *
 * As tests/oracle/gen_srp.js does, it pins the library's randomness (so `a`
 * is the vector's) and its clock (so TIMESTAMP is the vector's), and runs
 * the library's real CognitoUser.authenticateUser against a stub client
 * that answers InitiateAuth with the vector's PASSWORD_VERIFIER challenge.
 * The stub refuses the RespondToAuthChallenge it is then sent, so the timed
 * call is the client's computation (A = g^a, u, x, S, HKDF, the signature)
 * and not the library's token handling. Each signature is checked against
 * the vector, so the work timed is the right work.
 *
 * Node 20 has no per-thread CPU clock, so a login is timed with hrtime: the
 * call is synchronous and one core is otherwise idle, so this is the main
 * thread's CPU time (V8's helper threads are not counted).
 * PASSES (default 1) runs over the vector's user cases follow a short warm-up.
 * Prints one line: key=value pairs (median_ms, mean_ms, logins, library).
 */
'use strict';

const assert = require('assert');
const fs = require('fs');
const path = require('path');

const [vectorsFile, nodeModules, passesArg] = process.argv.slice(2);
const passes = Number(passesArg || 1);

let randomQueue = Buffer.alloc(0);
globalThis.crypto.getRandomValues = (arr) => {
	assert(randomQueue.length >= arr.byteLength, 'library asked for more randomness than pinned');
	for (let i = 0; i < arr.length; i++) arr[i] = randomQueue.readUInt32BE(i * 4);
	randomQueue = randomQueue.subarray(arr.byteLength);
	return arr;
};
const RealDate = Date;
let nowMs = 0;
globalThis.Date = class PinnedDate extends RealDate {
	constructor(...args) {
		if (args.length) super(...args);
		else super(nowMs);
	}
	static now() { return nowMs; }
};

const lib = path.join(path.resolve(nodeModules), 'amazon-cognito-identity-js');
const Cognito = require(lib);
const version = require(path.join(lib, 'package.json')).version;
const doc = JSON.parse(fs.readFileSync(vectorsFile, 'utf8'));
const cases = doc.cases.filter((c) => c.kind === 'user');
assert(cases.length > 0, 'no user cases in the vectors');

const REFUSED = new Error('stub: stop after the claim');

function memoryStorage() {
	const m = new Map();
	return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)),
		removeItem: (k) => m.delete(k), clear: () => m.clear() };
}

/* One login's client computation; returns [milliseconds, signature]. */
function login(c) {
	randomQueue = Buffer.from(c.a, 'hex');
	nowMs = c.unix_time * 1000;
	const pool = new Cognito.CognitoUserPool({ UserPoolId: c.pool_id, ClientId: '1example23456789abcdefghij',
		Storage: memoryStorage() });
	const user = new Cognito.CognitoUser({ Username: c.username, Pool: pool, Storage: memoryStorage() });
	const details = new Cognito.AuthenticationDetails({ Username: c.username, Password: c.password });
	let sent = null;
	let outcome = null;
	pool.client.request = (op, params, cb) => {
		if (op === 'InitiateAuth') {
			return cb(null, { ChallengeName: 'PASSWORD_VERIFIER', Session: 's1', ChallengeParameters: {
				SALT: c.salt, SRP_B: c.srp_b, SECRET_BLOCK: c.secret_block, USERNAME: c.user_id,
				USER_ID_FOR_SRP: c.user_id } });
		}
		sent = params.ChallengeResponses;
		return cb(REFUSED);
	};
	const t0 = process.hrtime.bigint();
	user.authenticateUser(details, {
		onSuccess: () => { outcome = 'success'; },
		onFailure: (err) => { outcome = err; },
	});
	const ms = Number(process.hrtime.bigint() - t0) / 1e6;
	assert.strictEqual(outcome, REFUSED, `${c.name}: ${outcome}`);
	assert.strictEqual(sent.TIMESTAMP, c.timestamp, `${c.name}: timestamp`);
	return [ms, sent.PASSWORD_CLAIM_SIGNATURE];
}

for (const c of cases.slice(0, 3)) login(c); // warm-up: V8 compiles the hot loops
const times = [];
for (let p = 0; p < passes; p++) {
	for (const c of cases) {
		const [ms, sig] = login(c);
		assert.strictEqual(sig, c.password_claim_signature, `${c.name}: signature differs from the vector`);
		times.push(ms);
	}
}
times.sort((x, y) => x - y);
const median = times.length % 2 ? times[(times.length - 1) / 2]
	: (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
const mean = times.reduce((s, t) => s + t, 0) / times.length;
console.log(`median_ms=${median.toFixed(3)} mean_ms=${mean.toFixed(3)} logins=${times.length} ` +
	`library=amazon-cognito-identity-js@${version}`);
