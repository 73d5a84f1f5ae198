#!/usr/bin/env node
/*
 * gen_srp.js: known-answer vectors for mfakit.srp, produced by AWS's own
 * client, amazon-cognito-identity-js (version pinned in package.json).
 *
 *   cd tests/oracle && npm install && node gen_srp.js
 *
 * writes ../vectors/srp.json; a rerun gives the same file byte for byte.
 *
 * Only two things are pinned: the library's randomness (crypto.getRandomValues,
 * which its WordArray.random reads for `a`, the device password and the device
 * salt) and its clock (Date, which DateHelper formats). The vectors come out of
 * the library's real CognitoUser.authenticateUser, generateHashDevice /
 * ConfirmDevice and getDeviceResponse code; its Cognito client is a stub
 * `client.request` that plays the server. The server answers PASSWORD_VERIFIER
 * with a SALT, an SRP_B = k·v + g^b from a server secret b and the verifier v,
 * and a SECRET_BLOCK, then captures what the library sends. The server side
 * here is BigInt arithmetic written from docs/SRP.md: every signature the
 * library sends must equal the server's own (A·v^u)^b computation, or the run
 * stops. moto-style cases (random SALT/SRP_B, a UUID SECRET_BLOCK) have no
 * verifier and are the library's answer alone.
 *
 * Inputs are searched over deterministic seeds (SHA-256 of "case/field#i")
 * until each case has the padHex lengths it is meant to cover. Each case's
 * `flags` are computed from its values, not declared.
 */
'use strict';

const assert = require('assert');
const nodeCrypto = require('crypto');
const fs = require('fs');
const path = require('path');

// ---- pinned randomness: WordArray reads each Uint32 as big-endian bytes,
// so filling the words big-endian hands the library exactly these bytes.
let randomQueue = Buffer.alloc(0);
globalThis.crypto.getRandomValues = (arr) => {
	assert(arr instanceof Uint32Array, 'library asked for non-Uint32 randomness');
	assert(randomQueue.length >= arr.byteLength, 'library asked for more randomness than pinned');
	for (let i = 0; i < arr.length; i++) arr[i] = randomQueue.readUInt32BE(i * 4);
	randomQueue = randomQueue.subarray(arr.byteLength);
	return arr;
};

// ---- pinned clock
const RealDate = Date;
let nowMs = null;
globalThis.Date = class PinnedDate extends RealDate {
	constructor(...args) {
		assert(args.length || nowMs !== null, 'library read the clock outside a case');
		if (args.length) super(...args);
		else super(nowMs);
	}
	static now() {
		assert(nowMs !== null, 'library read the clock outside a case');
		return nowMs;
	}
};

const Cognito = require('amazon-cognito-identity-js');
const LIBRARY = `amazon-cognito-identity-js ${require('amazon-cognito-identity-js/package.json').version}`;

// ---- server side (docs/SRP.md, 'padHex' to 'PASSWORD_VERIFIER'), BigInt
const utf8 = (s) => Buffer.from(s, 'utf8');
const sha256 = (...bufs) => nodeCrypto.createHash('sha256').update(Buffer.concat(bufs)).digest();
const hmac = (key, ...bufs) => nodeCrypto.createHmac('sha256', key).update(Buffer.concat(bufs)).digest();
const toBig = (buf) => (buf.length ? BigInt(`0x${buf.toString('hex')}`) : 0n);
const hex = (n) => n.toString(16);

function padHex(n) {
	let h = hex(n);
	if (h.length % 2) h = `0${h}`;
	if (/^[89a-f]/.test(h)) h = `00${h}`;
	return Buffer.from(h, 'hex');
}
const len = (n) => padHex(n).length;

function modPow(base, exp, mod) {
	let r = 1n;
	let b = ((base % mod) + mod) % mod;
	for (let e = exp; e > 0n; e >>= 1n) {
		if (e & 1n) r = (r * b) % mod;
		b = (b * b) % mod;
	}
	return r;
}

// N is the library's own; srp.c carries the RFC 3526 hex and the test compares them
randomQueue = Buffer.alloc(128, 1);
const N_HEX = new Cognito.AuthenticationHelper('x').N.toString(16);
const N = BigInt(`0x${N_HEX}`);
const g = 2n;
const k = toBig(sha256(padHex(N), padHex(g)));
assert.strictEqual(hex(k), '538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6');
assert(N_HEX.startsWith('ffffffffffffffffc90fdaa2') && N_HEX.endsWith('a93ad2caffffffffffffffff'));

const computeX = (group, userId, password, salt) =>
	toBig(sha256(padHex(salt), sha256(utf8(`${group}${userId}:${password}`))));
const clientS = ({ a, B, u, x }) => modPow(B - k * modPow(g, x, N), a + u * x, N);

function signature({ u, S, group, userId, secretBlock, timestamp }) {
	const prk = hmac(padHex(u), padHex(S));
	const key = hmac(prk, utf8('Caldera Derived Key'), Buffer.from([1])).subarray(0, 16);
	return hmac(key, utf8(group), utf8(userId), Buffer.from(secretBlock, 'base64'), utf8(timestamp)).toString('base64');
}

// ---- deterministic seeds
function drbg(label, n) {
	const blocks = [];
	for (let i = 0; blocks.length * 32 < n; i++) blocks.push(sha256(utf8(`${label}#${i}`)));
	return Buffer.concat(blocks).subarray(0, n);
}

function search(label, make, accept) {
	for (let i = 0; i < 200000; i++) {
		const r = make(`${label}/${i}`);
		if (accept(r)) return r;
	}
	throw new Error(`no seed satisfies ${label}`);
}

function pickA(label, wantA = () => true) {
	return search(`${label}/a`, (s) => {
		const bytes = drbg(s, 128);
		return { bytes, a: toBig(bytes), A: modPow(g, toBig(bytes), N) };
	}, (r) => wantA(r.A));
}

/* A real exchange: v from (group, id, password, salt), then a server secret
 * b searched until B, u and S have the wanted lengths. */
function pickServer(label, { A, group, userId, password, salt }, want = () => true) {
	const x = computeX(group, userId, password, BigInt(`0x${salt}`));
	const v = modPow(g, x, N);
	return search(`${label}/b`, (s) => {
		const b = toBig(drbg(s, 128));
		const B = (k * v + modPow(g, b, N)) % N;
		const u = toBig(sha256(padHex(A), padHex(B)));
		return { b, B, v, x, u, S: modPow((A * modPow(v, u, N)) % N, b, N) };
	}, want);
}

// ---- the stubbed Cognito, driving the library's real login code
const CLIENT_ID = '1example23456789abcdefghij';

function memoryStorage() {
	const m = new Map();
	return { getItem: (key) => (m.has(key) ? m.get(key) : null), setItem: (key, v) => m.set(key, String(v)),
		removeItem: (key) => m.delete(key), clear: () => m.clear() };
}

function tokens(unix, newDevice) {
	const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
	const jwt = `${enc({ alg: 'none' })}.${enc({ iat: unix, exp: unix + 3600 })}.sig`;
	const result = { AccessToken: jwt, IdToken: jwt, RefreshToken: 'refresh' };
	if (newDevice) result.NewDeviceMetadata = newDevice;
	return result;
}

/* One authenticateUser. `user` is the PASSWORD_VERIFIER the server plays;
 * `device` (optional) the DEVICE_PASSWORD_VERIFIER that follows; `newDevice`
 * (optional) makes the server hand out NewDeviceMetadata. */
function runLogin({ unix, random, poolId, username, password, user, device, newDevice }) {
	randomQueue = Buffer.concat(random);
	nowMs = unix * 1000;
	const storage = memoryStorage();
	if (device) {
		const prefix = `CognitoIdentityServiceProvider.${CLIENT_ID}.${user.userId}`;
		storage.setItem(`${prefix}.deviceKey`, device.deviceKey);
		storage.setItem(`${prefix}.randomPasswordKey`, device.password);
		storage.setItem(`${prefix}.deviceGroupKey`, device.deviceGroupKey);
	}
	const pool = new Cognito.CognitoUserPool({ UserPoolId: poolId, ClientId: CLIENT_ID, Storage: storage });
	const cognitoUser = new Cognito.CognitoUser({ Username: username, Pool: pool, Storage: storage });
	const sent = {};
	const challenge = (name, session, p, extra) => ({ ChallengeName: name, Session: session, ChallengeParameters:
		p ? { SALT: p.salt, SRP_B: p.srpB, SECRET_BLOCK: p.secretBlock, USERNAME: user.userId, ...extra } : {} });
	pool.client.request = (op, params, cb) => {
		const step = `${op} ${params.ChallengeName || ''}`.trim();
		if (step === 'InitiateAuth') {
			sent.srpA = params.AuthParameters.SRP_A;
			return cb(null, challenge('PASSWORD_VERIFIER', 's1', user, { USER_ID_FOR_SRP: user.userId }));
		}
		if (step === 'RespondToAuthChallenge PASSWORD_VERIFIER') {
			sent.user = params.ChallengeResponses;
			if (device) return cb(null, challenge('DEVICE_SRP_AUTH', 's2'));
			return cb(null, { AuthenticationResult: tokens(unix, newDevice) });
		}
		if (step === 'RespondToAuthChallenge DEVICE_SRP_AUTH') {
			sent.deviceSrpA = params.ChallengeResponses.SRP_A;
			return cb(null, challenge('DEVICE_PASSWORD_VERIFIER', 's3', device, { DEVICE_KEY: device.deviceKey }));
		}
		if (step === 'RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER') {
			sent.device = params.ChallengeResponses;
			return cb(null, { AuthenticationResult: tokens(unix) });
		}
		if (step === 'ConfirmDevice') {
			sent.confirm = params.DeviceSecretVerifierConfig;
			sent.devicePassword = cognitoUser.randomPassword;
			return cb(null, { UserConfirmationNecessary: false });
		}
		throw new Error(`unexpected ${step}`);
	};
	let outcome = null;
	const unexpected = (name) => () => { outcome = new Error(`unexpected callback ${name}`); };
	try {
		cognitoUser.authenticateUser(new Cognito.AuthenticationDetails({ Username: username, Password: password }), {
			onSuccess: () => { outcome = 'success'; },
			onFailure: (err) => { outcome = err; },
			mfaRequired: unexpected('mfaRequired'),
			newPasswordRequired: unexpected('newPasswordRequired'),
			totpRequired: unexpected('totpRequired'),
			customChallenge: unexpected('customChallenge'),
		});
	} catch (err) {
		outcome = err;
	}
	nowMs = null;
	assert.strictEqual(randomQueue.length, 0, 'pinned randomness left unread');
	return { outcome, sent };
}

// ---- case inputs
const CASE_TIMES = [
	1725350950, // Tue Sep 3 08:09:10 UTC 2024, docs/SRP.md's example
	1704067199, // Sun Dec 31 23:59:59 UTC 2023
	1709164800, // Thu Feb 29 00:00:00 UTC 2024
	1735689600, // Wed Jan 1 00:00:00 UTC 2025
	1752364805, // Sun Jul 13 00:00:05 UTC 2025
	1762232400, // Tue Nov 4 05:00:00 UTC 2025
	1767225600, // Thu Jan 1 00:00:00 UTC 2026
	1781308800, // Sat Jun 13 00:00:00 UTC 2026
	1790812800, // Thu Oct 1 00:00:00 UTC 2026
	1777593600, // Fri May 1 00:00:00 UTC 2026
	1741597507, // Mon Mar 10 09:05:07 UTC 2025
	1786977000, // Mon Aug 17 14:30:00 UTC 2026
];
let timeIndex = 0;
const nextTime = () => CASE_TIMES[timeIndex++ % CASE_TIMES.length];

const secretBlock = (label) => drbg(`${label}/block`, 600 + (drbg(`${label}/len`, 1)[0] % 200) * 4).toString('base64');

function uuid(label) {
	const h = drbg(label, 16).toString('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function saltString(label, kind) {
	const bytes = search(`${label}/salt`, (s) => drbg(s, 16), (b) => {
		if (kind === 'high_bit') return b[0] >= 0x80;
		if (kind === 'leading_zero') return b[0] === 0 && b[1] !== 0;
		if (kind === 'odd') return b[0] < 0x10 && b[0] > 0;
		return b[0] > 0x0f && b[0] < 0x80;
	});
	const h = bytes.toString('hex');
	if (kind === 'odd') return h.slice(1);
	if (kind === 'leading_zero') return `00${h.slice(0, 30)}`; // two zero bytes kept in the string
	return h;
}

function flagsOf(flags, { A, B, u, S, srpA, srpB, salt, password, userId, username, block, timestamp }) {
	const saltInt = BigInt(`0x${salt}`);
	const add = (cond, flag) => cond && flags.add(flag);
	flags.add(`A_${len(A)}`).add(`B_${len(B)}`).add(`u_${len(u)}`);
	add(S !== undefined, `S_${S !== undefined && len(S)}`);
	add(srpA.length % 2, 'srp_a_odd_length');
	add(srpB !== hex(B), 'srp_b_not_minimal');
	add(srpB.length === 768 && /[A-F]/.test(srpB), 'srp_b_zero_padded_upper');
	add(salt.startsWith('00'), 'salt_leading_zero');
	add(salt.length % 2, 'salt_odd_length');
	add(saltInt > 0n && padHex(saltInt)[0] === 0, 'salt_high_bit');
	add(/[^\x00-\x7f]/.test(password), 'password_non_ascii');
	add(password.includes(':'), 'password_colon');
	add(username !== undefined && username !== userId, 'user_id_differs_from_username');
	if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(block)) flags.add('secret_block_uuid');
	else if (/[-_]/.test(block) || block.length % 4) flags.add('secret_block_urlsafe_unpadded');
	else flags.add('secret_block_standard');
	flags.add(/^\w{3} \w{3} \d /.test(timestamp) ? 'timestamp_single_digit_day' : 'timestamp_two_digit_day');
	return [...flags].sort();
}

function exchangeRecord(c) {
	const { A, B, u, S, srv, sent, claim } = c;
	const flags = flagsOf(new Set(c.extraFlags), { A, B, u, S: srv ? S : undefined, srpA: c.srpA, srpB: c.srpB, salt: c.salt,
		password: c.password, userId: c.userId, username: c.username, block: c.block, timestamp: claim.TIMESTAMP });
	const who = c.kind === 'user'
		? { pool_id: c.poolId, username: c.username, user_id: c.userId, password: c.password }
		: { device_group_key: c.group, device_key: c.userId, device_password: c.password };
	const out = { name: c.name, kind: c.kind, flags, ...who, a: c.aBytes.toString('hex'), srp_a: c.srpA, salt: c.salt,
		srp_b: c.srpB, secret_block: c.block, unix_time: c.unix, timestamp: claim.TIMESTAMP,
		password_claim_signature: claim.PASSWORD_CLAIM_SIGNATURE };
	if (srv) out.server_side_reference = { b: hex(srv.b), v: hex(srv.v) };
	assert.strictEqual(claim.PASSWORD_CLAIM_SECRET_BLOCK, c.block);
	assert.strictEqual(clientS({ a: c.a, B, u, x: computeX(c.group, c.userId, c.password, BigInt(`0x${c.salt}`)) }), S);
	if (srv) {
		assert.strictEqual(S, srv.S, `${c.name}: client S differs from server S`);
		const mine = signature({ u, S, group: c.group, userId: c.userId, secretBlock: c.block, timestamp: claim.TIMESTAMP });
		assert.strictEqual(claim.PASSWORD_CLAIM_SIGNATURE, mine, `${c.name}: the server rejects the signature`);
	}
	return out;
}

function userCase(spec) {
	const { name, poolId, username, password } = spec;
	const group = poolId.split('_')[1];
	const userId = spec.userId || username;
	const salt = spec.salt || saltString(name, spec.saltKind);
	const block = spec.secretBlock || secretBlock(name);
	const { bytes: aBytes, a, A } = pickA(name, spec.wantA);
	const srv = spec.moto ? null : pickServer(name, { A, group, userId, password, salt }, spec.wantServer);
	const B = srv ? srv.B : BigInt(`0x${spec.srpB}`);
	const srpB = srv ? (spec.formatB || hex)(B) : spec.srpB;
	const unix = nextTime();
	const user = { salt, srpB, secretBlock: block, userId };
	const { outcome, sent } = runLogin({ unix, random: [aBytes], poolId, username, password, user });
	assert.strictEqual(outcome, 'success', `${name}: ${outcome}`);
	assert.strictEqual(sent.srpA, hex(A), `${name}: SRP_A`);
	assert.strictEqual(sent.user.USERNAME, userId);
	const u = toBig(sha256(padHex(A), padHex(B)));
	const S = clientS({ a, B, u, x: computeX(group, userId, password, BigInt(`0x${salt}`)) });
	return exchangeRecord({ kind: 'user', name, poolId, group, username, userId, password, salt, block, aBytes, a, A,
		B, u, S, srv, srpA: sent.srpA, srpB, unix, claim: sent.user, extraFlags: spec.moto ? ['moto_style'] : [] });
}

/* A plain, verified user login that precedes each device step. */
function priorLogin(label) {
	const username = `user-${label}`;
	const password = 'Correct-Horse-9';
	const salt = saltString(`${label}/login`);
	const { bytes, A } = pickA(`${label}/login`);
	const srv = pickServer(`${label}/login`, { A, group: 'DeViCePool', userId: username, password, salt });
	const block = secretBlock(`${label}/login`);
	const check = (sent) => {
		const want = signature({ ...srv, group: 'DeViCePool', userId: username, secretBlock: block, timestamp: sent.user.TIMESTAMP });
		assert.strictEqual(sent.user.PASSWORD_CLAIM_SIGNATURE, want, `${label}: prior login`);
	};
	const user = { salt, srpB: hex(srv.B), secretBlock: block, userId: username };
	return { poolId: 'us-east-1_DeViCePool', username, password, bytes, user, check };
}

function deviceConfirmCase({ name, deviceGroupKey, deviceKey, saltLen, verifierLen }) {
	const saltBytes = search(`${name}/salt`, (s) => drbg(s, 16), (b) => len(toBig(b)) === saltLen);
	const saltInt = toBig(saltBytes);
	const pw = search(`${name}/password`, (s) => {
		const bytes = drbg(s, 40);
		const password = bytes.toString('base64');
		return { bytes, password, V: modPow(g, computeX(deviceGroupKey, deviceKey, password, saltInt), N) };
	}, (r) => verifierLen === undefined || len(r.V) === verifierLen);
	const login = priorLogin(name);
	const newDevice = { DeviceKey: deviceKey, DeviceGroupKey: deviceGroupKey };
	const { outcome, sent } = runLogin({ ...login, unix: nextTime(), random: [login.bytes, pw.bytes, saltBytes], newDevice });
	assert.strictEqual(outcome, 'success', `${name}: ${outcome}`);
	login.check(sent);
	assert.strictEqual(sent.devicePassword, pw.password);
	assert.strictEqual(sent.confirm.Salt, padHex(saltInt).toString('base64'));
	assert.strictEqual(sent.confirm.PasswordVerifier, padHex(pw.V).toString('base64'));
	return { name, kind: 'device_confirm', flags: [`device_salt_${len(saltInt)}`, `verifier_${len(pw.V)}`].sort(),
		device_group_key: deviceGroupKey, device_key: deviceKey, password_bytes: pw.bytes.toString('hex'),
		salt_bytes: saltBytes.toString('hex'), device_password: sent.devicePassword, Salt: sent.confirm.Salt,
		PasswordVerifier: sent.confirm.PasswordVerifier };
}

function deviceAuthCase(spec) {
	const { name, deviceGroupKey: group, deviceKey: userId } = spec;
	const login = priorLogin(name);
	const password = drbg(`${name}/password`, 40).toString('base64');
	const salt = spec.salt || saltString(name, spec.saltKind);
	const block = secretBlock(name);
	const { bytes: aBytes, a, A } = pickA(name, spec.wantA);
	const srv = pickServer(name, { A, group, userId, password, salt }, spec.wantServer);
	const unix = nextTime();
	const device = { deviceKey: userId, deviceGroupKey: group, password, salt, srpB: hex(srv.B), secretBlock: block };
	const { outcome, sent } = runLogin({ ...login, unix, random: [login.bytes, aBytes], device });
	assert.strictEqual(outcome, 'success', `${name}: ${outcome}`);
	login.check(sent);
	assert.strictEqual(sent.deviceSrpA, hex(A));
	assert.strictEqual(sent.device.DEVICE_KEY, userId);
	return exchangeRecord({ kind: 'device_auth', name, group, userId, password, salt, block, aBytes, a, A, B: srv.B,
		u: srv.u, S: srv.S, srv, srpA: sent.deviceSrpA, srpB: hex(srv.B), unix, claim: sent.device,
		extraFlags: ['device_auth'] });
}

/* SRP_B values the library refuses ("B cannot be zero."): B mod N == 0. */
function errorCase(name, srpB) {
	const { bytes } = pickA(name);
	const user = { salt: 'ab', srpB, secretBlock: 'QUJD', userId: 'alice' };
	const { outcome } = runLogin({ unix: nextTime(), random: [bytes], poolId: 'us-east-1_AbCdEfGhI', username: 'alice',
		password: 'pw', user });
	assert(outcome instanceof Error && /B cannot be zero/.test(outcome.message), `${name}: ${outcome}`);
	return { name, kind: 'user_error', a: bytes.toString('hex'), srp_b: srpB, error: 'InvalidSRPB',
		library_error: outcome.message };
}

function timestampVectors() {
	const times = [0, -1, 59, 86399, 951782400, 1000000000, 1234567890, 2147483647, 2147483648, 4102444800, 4107542399];
	// and a deterministic spread over 1971..2099
	for (let i = 0; times.length < 60; i++) times.push(31536000 + Number(toBig(drbg(`timestamp/${i}`, 6)) % 4070908800n));
	const helper = new Cognito.DateHelper();
	const out = [...new Set([...times, ...CASE_TIMES])].sort((x, y) => x - y).map((t) => {
		nowMs = t * 1000;
		const timestamp = helper.getNowString();
		nowMs = null;
		return { unix_time: t, timestamp };
	});
	const seen = (re) => out.some((o) => re.test(o.timestamp));
	for (const w of 'Sun Mon Tue Wed Thu Fri Sat'.split(' ')) assert(seen(new RegExp(`^${w} `)), w);
	for (const m of 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ')) assert(seen(new RegExp(` ${m} `)), m);
	assert(seen(/^\w+ \w+ \d /) && seen(/^\w+ \w+ \d\d /) && seen(/ 0\d:/));
	return out;
}

function main() {
	const pool = 'us-east-1_AbCdEfGhI';
	const lens = (wA, wB, wU, wS) => ({
		wantA: (A) => wA === undefined || len(A) === wA,
		wantServer: (c) => [[wB, c.B], [wU, c.u], [wS, c.S]].every(([w, n]) => w === undefined || len(n) === w),
	});
	const motoB = (label) => drbg(label, 16).toString('hex');
	const cases = [
		{ name: 'user-01-basic', username: 'alice', password: 'Passw0rd!', saltKind: 'plain' },
		{ name: 'user-02-all-385-u33-salt-high-bit', username: 'bob', password: 'Secr3t-Pass', saltKind: 'high_bit', ...lens(385, 385, 33, 385) },
		{ name: 'user-03-all-384-u32', username: 'carol', password: 'Another1!', ...lens(384, 384, 32, 384) },
		{ name: 'user-04-a383', username: 'dave', password: 'dave-Password-1', ...lens(383) },
		{ name: 'user-05-b383', username: 'erin', password: 'erin-Password-1', ...lens(undefined, 383) },
		{ name: 'user-06-u31', username: 'frank', password: 'frank-Password-1', ...lens(undefined, undefined, 31) },
		{ name: 'user-07-s383', username: 'grace', password: 'grace-Password-1', ...lens(undefined, undefined, undefined, 383) },
		{ name: 'user-08-srp-a-odd', username: 'heidi', password: 'heidi-Password-1', wantA: (A) => hex(A).length % 2 === 1 },
		{ name: 'user-09-salt-leading-zero', username: 'ivan', password: 'ivan-Password-1', saltKind: 'leading_zero' },
		{ name: 'user-10-salt-odd-length', username: 'judy', password: 'judy-Password-1', saltKind: 'odd' },
		{ name: 'user-11-srp-b-zero-padded-upper', username: 'mallory', password: 'mallory-Pass-1', formatB: (B) => hex(B).toUpperCase().padStart(768, '0') },
		{ name: 'user-12-password-non-ascii', username: 'niaj', password: 'pässwörd-日本語-🔑-Ω' },
		{ name: 'user-13-password-colons', username: 'olivia', password: 'a:b::c:' },
		{ name: 'user-14-alias-sign-in', poolId: 'eu-west-2_Zz9YyXx8', username: 'peggy@example.com', userId: 'c8a1f3e2-7b4d-4e5f-9a6b-1c2d3e4f5a6b', password: 'Peggy-Pass-2024' },
		{ name: 'user-15-non-ascii-user-id', username: 'rupert', userId: 'rüpert:ñ', password: 'x' },
		{ name: 'user-16-secret-block-urlsafe-unpadded', username: 'sybil', password: 'sybil-Pass-1', secretBlock: drbg('user-16', 500).toString('base64url') },
		{ name: 'user-17-moto-uuid', poolId: 'us-east-1_MotoPool1', username: 'trent', userId: uuid('user-17/sub'), password: 'Trent-Pass-1', moto: true, salt: motoB('user-17/salt'), srpB: motoB('user-17/b'), secretBlock: uuid('user-17/session') },
		// an observed moto reply (docs/EMULATORS.md, 'What moto accepts without checking'),
		// with a leading 0 nibble added to SALT and SRP_B
		{ name: 'user-18-moto-uuid-short-b', poolId: 'us-east-1_MotoPool1', username: 'victor', userId: uuid('user-18/sub'), password: 'Victor-Pass-1', moto: true, salt: '0e49d15ba58d9482191b930cc20d94018', srpB: '038ee5075cca74464aa72b3fbfbec569c', secretBlock: '431fc1f8-53c5-4e29-b4d2-5fb06039a7f9' },
		{ name: 'user-19-long-password', username: 'walter', password: `${'W'.repeat(200)}!1a` },
		{ name: 'user-20-a385-b384-u33', username: 'xavier', password: 'xavier-Pass-1', ...lens(385, 384, 33) },
		{ name: 'user-21-b385-s384-u32', username: 'yvonne', password: 'yvonne-Pass-1', ...lens(384, 385, 32, 384) },
	];
	const vectors = cases.map((c) => userCase({ poolId: pool, ...c }));
	const deviceKey = (i) => `us-east-1_${uuid(`device-key/${i}`)}`;
	[
		{ name: 'device-confirm-01', saltLen: 16, verifierLen: 384 },
		{ name: 'device-confirm-02-salt17', saltLen: 17, verifierLen: 385 },
		{ name: 'device-confirm-03-salt15', saltLen: 15 },
		{ name: 'device-confirm-04-verifier383', saltLen: 16, verifierLen: 383 },
		{ name: 'device-confirm-05-verifier385', saltLen: 16, verifierLen: 385 },
	].forEach((c, i) => vectors.push(deviceConfirmCase({ ...c, deviceGroupKey: '-aBcDeFgHi', deviceKey: deviceKey(i) })));
	[
		{ name: 'device-auth-01' },
		{ name: 'device-auth-02-salt-leading-zero', saltKind: 'leading_zero' },
		{ name: 'device-auth-03-salt-high-bit-s385', saltKind: 'high_bit', ...lens(385, undefined, undefined, 385) },
		{ name: 'device-auth-04-u31', saltKind: 'odd', ...lens(undefined, undefined, 31) },
	].forEach((c, i) => vectors.push(deviceAuthCase({ ...c, deviceGroupKey: `-dGk${i}Xy`, deviceKey: deviceKey(10 + i) })));
	vectors.push(errorCase('error-01-b-zero', '0'), errorCase('error-02-b-equals-n', N_HEX), errorCase('error-03-b-2n', hex(2n * N)));

	const doc = { generator: 'tests/oracle/gen_srp.js', library: LIBRARY, N: N_HEX, k: hex(k), cases: vectors,
		timestamps: timestampVectors() };
	const file = path.join(__dirname, '..', 'vectors', 'srp.json');
	fs.writeFileSync(file, `${JSON.stringify(doc, null, 1)}\n`);
	console.log(`wrote ${path.relative(process.cwd(), file)}: ${vectors.length} cases, ${doc.timestamps.length} timestamps`);
	console.log(`flags: ${[...new Set(vectors.flatMap((v) => v.flags || []))].sort().join(' ')}`);
}

main();
