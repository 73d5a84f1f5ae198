/* cognito_util.c: the Cognito helpers of cognito_util.h. Section numbers (§)
 * refer to shared/SRP.md. */
#include "cognito_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int cognito_format_timestamp(int64_t unix_seconds, char *out, size_t cap)
{
    /* §3.8: fixed English names; strftime's %a and %b follow the locale */
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    time_t t = (time_t)unix_seconds;
    if ((int64_t)t != unix_seconds || !gmtime_r(&t, &tm))
        return -1;
    int n =
        snprintf(out, cap, "%s %s %d %02d:%02d:%02d UTC %lld", days[tm.tm_wday], months[tm.tm_mon],
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)tm.tm_year + 1900);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* §5: the key is the secret string's bytes, not its base64 decoding. */
int cognito_secret_hash(const char *username, size_t username_len, const char *client_id,
                        size_t client_id_len, const char *secret, size_t secret_len, char *out)
{
    /* A NULL key means "keep the old key" to EVP_MAC_init, so an empty key
     * must still be a real pointer. */
    static const unsigned char empty[1];
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    unsigned char mac[32];
    size_t mac_len = 0;
    const void *key = secret_len ? (const void *)secret : empty;
    EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
    int ok = ctx && EVP_MAC_init(ctx, key, secret_len, params) &&
             EVP_MAC_update(ctx, (const unsigned char *)username, username_len) &&
             EVP_MAC_update(ctx, (const unsigned char *)client_id, client_id_len) &&
             EVP_MAC_final(ctx, mac, &mac_len, sizeof mac) && mac_len == sizeof mac;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(hmac);
    if (!ok)
        return SRP_CRYPTO;
    EVP_EncodeBlock((unsigned char *)out, mac, sizeof mac);
    return SRP_OK;
}

int cognito_base64_decode_lenient(const char *in, size_t len, unsigned char *out, size_t *out_len)
{
    /* moto sends a UUID as SECRET_BLOCK, and AWS's JS client still signs
     * (DESIGN.md): do what Node's decoder does (both alphabets, other
     * characters skipped, the first '=' ends the data), then let OpenSSL
     * do the bits. */
    char *norm = malloc(len + 4);
    size_t n = 0;
    if (!norm)
        return SRP_NOMEM;
    for (size_t i = 0; i < len && in[i] != '='; i++) {
        char c = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
        if (c != '\0' && strchr(b64_alphabet, c))
            norm[n++] = c;
    }
    if (n % 4 == 1)
        n--; /* a lone sextet holds no whole byte; Node drops it */
    size_t bytes = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
    while (n % 4 != 0)
        norm[n++] = '=';
    /* EVP_DecodeBlock counts the padding as zero bytes: keep `bytes`. */
    int r = EVP_DecodeBlock(out, (const unsigned char *)norm, (int)n);
    free(norm);
    if (r < 0 || (size_t)r < bytes)
        return SRP_CRYPTO;
    *out_len = bytes;
    return SRP_OK;
}
