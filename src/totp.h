/* totp.h: HOTP (RFC 4226) and TOTP (RFC 6238) over OpenSSL HMAC, and the
 * Base32 (RFC 4648 §6) that authenticator secrets are written in. This core
 * knows nothing of Lua. */
#ifndef MFAKIT_TOTP_H
#define MFAKIT_TOTP_H

#include <stddef.h>
#include <stdint.h>

enum totp_alg {
    TOTP_SHA1,
    TOTP_SHA256,
    TOTP_SHA512,
};

#define TOTP_DIGITS_MIN 6
#define TOTP_DIGITS_MAX 10

/* "SHA1", "SHA256" or "SHA512", any case; -1 otherwise. */
int totp_alg_parse(const char *name);
const char *totp_alg_name(enum totp_alg alg);

/* The HOTP value of `counter` as `digits` zero-padded decimal digits in
 * `out` (digits + 1 bytes). Returns 0, or -1 if digits is out of range or
 * HMAC fails. */
int totp_generate(const unsigned char *key, size_t key_len, uint64_t counter, int digits,
                  enum totp_alg alg, char *out);

/* The same, reusing work across calls: a generator keeps the fetched HMAC
 * and stays keyed with the last key (a copy of it, and the HMAC pads; both
 * cleansed when the key changes and by totp_gen_free), so codes for one
 * secret cost one HMAC each. Not thread-safe: one per thread or Lua state.
 * totp_gen_new returns NULL if OpenSSL has no HMAC or memory is short. */
struct totp_gen;
struct totp_gen *totp_gen_new(void);
void totp_gen_free(struct totp_gen *g);
int totp_gen_code(struct totp_gen *g, const unsigned char *key, size_t key_len, uint64_t counter,
                  int digits, enum totp_alg alg, char *out);

/* RFC 6238 §4.2: T = floor((time - T0) / period), T0 = 0. */
uint64_t totp_counter(int64_t unix_seconds, int64_t period);

/* Decodes Base32, any case, ignoring spaces, tabs and line breaks, with or
 * without '=' padding. `out` holds len * 5 / 8 + 1 bytes. Returns 0, or -1
 * on a character outside the alphabet, misplaced padding or an impossible
 * length. */
int totp_b32_decode(const char *in, size_t len, unsigned char *out, size_t *out_len);

/* Encodes upper-case Base32, padded with '=' if `pad`. `out` holds
 * totp_b32_encoded_len(len) + 1 bytes. Returns the length written. */
size_t totp_b32_encoded_len(size_t len);
size_t totp_b32_encode(const unsigned char *in, size_t len, int pad, char *out);

#endif
