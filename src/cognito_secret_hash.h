/* cognito_secret_hash.h: the SECRET_HASH that Cognito asks for with every
 * authentication call of an app client that has a secret. Knows nothing of
 * Lua. */
#ifndef MFAKIT_COGNITO_SECRET_HASH_H
#define MFAKIT_COGNITO_SECRET_HASH_H

#include <stddef.h>

#define COGNITO_SECRET_HASH_LEN 44 /* base64 of an HMAC-SHA256 */

/* SECRET_HASH = base64(HMAC-SHA256(key = secret, username || client_id)) into
 * `out` (COGNITO_SECRET_HASH_LEN + 1 bytes). 0, or -1 if OpenSSL fails. */
int cognito_secret_hash(const char *username, size_t username_len, const char *client_id,
                        size_t client_id_len, const char *secret, size_t secret_len, char *out);

#endif
