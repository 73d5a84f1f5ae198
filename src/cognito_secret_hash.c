/* cognito_secret_hash.c: Cognito's SECRET_HASH (cognito_secret_hash.h). */
#include "cognito_secret_hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

/* The key is the secret string's bytes, not its base64 decoding, though
 * the secret looks like base64. */
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
        return -1;
    EVP_EncodeBlock((unsigned char *)out, mac, sizeof mac);
    return 0;
}
