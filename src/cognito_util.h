/* cognito_util.h: what a Cognito SRP login sends besides the SRP maths of
 * srp.h: the TIMESTAMP it signs, SECRET_HASH, and the bytes of the
 * SECRET_BLOCK it signs. The rules are in shared/SRP.md (§3.8, §3.9, §5).
 * Knows nothing of Lua. Results are srp.h's statuses, so the binding
 * reports a failure here as it does one in the SRP steps. */
#ifndef MFAKIT_COGNITO_UTIL_H
#define MFAKIT_COGNITO_UTIL_H

#include "srp.h"

#include <stddef.h>
#include <stdint.h>

#define COGNITO_TIMESTAMP_MAX 64   /* "Tue Sep 3 08:09:10 UTC 2024" and then some */
#define COGNITO_SECRET_HASH_LEN 44 /* base64 of an HMAC-SHA256 */

/* "EEE MMM d HH:mm:ss UTC yyyy" in English; -1 if the time cannot be
 * represented. */
int cognito_format_timestamp(int64_t unix_seconds, char *out, size_t cap);

/* SECRET_HASH = base64(HMAC-SHA256(key = secret, username || client_id)) into
 * `out` (COGNITO_SECRET_HASH_LEN + 1 bytes). */
int cognito_secret_hash(const char *username, size_t username_len, const char *client_id,
                        size_t client_id_len, const char *secret, size_t secret_len, char *out);

/* Node's Buffer.from(s, 'base64'): both alphabets, other characters skipped,
 * stops at the first '=', padding optional. `out` holds len * 3 / 4 + 3. */
int cognito_base64_decode_lenient(const char *in, size_t len, unsigned char *out, size_t *out_len);

#endif
