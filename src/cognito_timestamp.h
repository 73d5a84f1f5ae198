/* cognito_timestamp.h: the TIMESTAMP a Cognito SRP login sends and signs
 * into PASSWORD_CLAIM_SIGNATURE, in the form AWS's JavaScript client gives
 * it. Knows nothing of Lua. */
#ifndef MFAKIT_COGNITO_TIMESTAMP_H
#define MFAKIT_COGNITO_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

#define COGNITO_TIMESTAMP_MAX 64 /* "Tue Sep 3 08:09:10 UTC 2024" and then some */

/* "EEE MMM d HH:mm:ss UTC yyyy" in English, the day without a leading
 * zero; -1 if the time cannot be represented. */
int cognito_format_timestamp(int64_t unix_seconds, char *out, size_t cap);

#endif
