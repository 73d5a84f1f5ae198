/* b64_lenient.h: base64 decoded as Node's Buffer.from(s, "base64") decodes
 * it, which is what AWS's JavaScript client does to Cognito's SECRET_BLOCK
 * (moto sends a UUID there, and the client still signs). Both alphabets
 * count ('-' and '_' as '+' and '/'), any other character is skipped, the
 * first '=' ends the data, padding is optional, and a lone trailing
 * character (six bits, no whole byte) is dropped. Every input decodes to
 * something. Knows nothing of Lua. */
#ifndef MFAKIT_B64_LENIENT_H
#define MFAKIT_B64_LENIENT_H

#include <stddef.h>

/* Room `out` needs for an input of `len` characters. */
#define B64_LENIENT_OUT_MAX(len) ((len) / 4 * 3 + 3)

/* Decodes `in` into `out` and sets *out_len; -1 only if OpenSSL refuses. */
int b64_lenient_decode(const char *in, size_t len, unsigned char *out, size_t *out_len);

#endif
