/* totp.c: RFC 4226 HOTP, RFC 6238 TOTP and RFC 4648 Base32. */
#include "totp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static const char *const alg_names[] = {
    [TOTP_SHA1] = "SHA1",
    [TOTP_SHA256] = "SHA256",
    [TOTP_SHA512] = "SHA512",
};

static int ascii_upper(int c)
{
    return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

int totp_alg_parse(const char *name)
{
    for (int i = TOTP_SHA1; i <= TOTP_SHA512; i++) {
        const char *want = alg_names[i];
        size_t j = 0;
        while (want[j] && ascii_upper((unsigned char)name[j]) == want[j])
            j++;
        if (want[j] == '\0' && name[j] == '\0')
            return i;
    }
    return -1;
}

const char *totp_alg_name(enum totp_alg alg)
{
    return alg_names[alg];
}

/* The HMAC implementation is fetched once: a fetch by name takes locks and
 * walks the provider store, which cost more than the HMAC itself. */
static EVP_MAC *hmac_impl;
static CRYPTO_ONCE hmac_once = CRYPTO_ONCE_STATIC_INIT;

static void hmac_fetch(void)
{
    hmac_impl = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

struct totp_gen {
    EVP_MAC_CTX *mac; /* keyed with key/alg below, or NULL */
    int alg;
    size_t key_len;
    unsigned char *key; /* a copy, to tell whether the next key is the same */
};

struct totp_gen *totp_gen_new(void)
{
    if (!CRYPTO_THREAD_run_once(&hmac_once, hmac_fetch) || !hmac_impl)
        return NULL;
    return calloc(1, sizeof(struct totp_gen));
}

static void gen_forget(struct totp_gen *g)
{
    EVP_MAC_CTX_free(g->mac); /* OpenSSL cleanses the HMAC pads it held */
    if (g->key)
        OPENSSL_clear_free(g->key, g->key_len);
    g->mac = NULL;
    g->key = NULL;
    g->key_len = 0;
}

void totp_gen_free(struct totp_gen *g)
{
    if (!g)
        return;
    gen_forget(g);
    free(g);
}

/* Keys the MAC with `key` unless it already is: HMAC's key set-up hashes
 * two padded blocks, as much work as the code itself. */
static int gen_rekey(struct totp_gen *g, const unsigned char *key, size_t key_len,
                     enum totp_alg alg)
{
    /* A NULL key means "keep the old key" to EVP_MAC_init, so an empty key
     * must still be a real pointer. */
    static const unsigned char empty[1];
    if (g->mac && g->alg == (int)alg && g->key_len == key_len &&
        CRYPTO_memcmp(g->key, key_len ? key : empty, key_len) == 0)
        return EVP_MAC_init(g->mac, NULL, 0, NULL);
    gen_forget(g);
    char digest[8];
    snprintf(digest, sizeof digest, "%s", alg_names[alg]);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    g->key = OPENSSL_malloc(key_len ? key_len : 1);
    g->mac = EVP_MAC_CTX_new(hmac_impl);
    if (!g->key || !g->mac || !EVP_MAC_init(g->mac, key_len ? key : empty, key_len, params)) {
        OPENSSL_free(g->key);
        g->key = NULL;
        gen_forget(g);
        return 0;
    }
    memcpy(g->key, key_len ? key : empty, key_len);
    g->key_len = key_len;
    g->alg = (int)alg;
    return 1;
}

int totp_gen_code(struct totp_gen *g, const unsigned char *key, size_t key_len, uint64_t counter,
                  int digits, enum totp_alg alg, char *out)
{
    unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
    size_t mac_len = 0;
    if (digits < TOTP_DIGITS_MIN || digits > TOTP_DIGITS_MAX || alg < TOTP_SHA1 ||
        alg > TOTP_SHA512)
        return -1;
    /* RFC 4226 §5.2: the counter is 8 bytes, big-endian */
    for (int i = 7; i >= 0; i--) {
        msg[i] = (unsigned char)(counter & 0xff);
        counter >>= 8;
    }
    if (!gen_rekey(g, key, key_len, alg) || !EVP_MAC_update(g->mac, msg, sizeof msg) ||
        !EVP_MAC_final(g->mac, mac, &mac_len, sizeof mac) || mac_len < 20) {
        gen_forget(g);
        return -1;
    }
    /* RFC 4226 §5.3: dynamic truncation to 31 bits */
    unsigned offset = mac[mac_len - 1] & 0x0f;
    uint64_t bin = ((uint64_t)(mac[offset] & 0x7f) << 24) | ((uint64_t)mac[offset + 1] << 16) |
                   ((uint64_t)mac[offset + 2] << 8) | mac[offset + 3];
    OPENSSL_cleanse(mac, sizeof mac);
    uint64_t mod = 1;
    for (int i = 0; i < digits; i++)
        mod *= 10;
    /* 10 digits exceed 31 bits: the value is then only zero-padded */
    bin %= mod;
    for (int i = digits - 1; i >= 0; i--) {
        out[i] = (char)('0' + bin % 10);
        bin /= 10;
    }
    out[digits] = '\0';
    return 0;
}

int totp_generate(const unsigned char *key, size_t key_len, uint64_t counter, int digits,
                  enum totp_alg alg, char *out)
{
    struct totp_gen *g = totp_gen_new();
    int rc = g ? totp_gen_code(g, key, key_len, counter, digits, alg, out) : -1;
    totp_gen_free(g);
    return rc;
}

uint64_t totp_counter(int64_t unix_seconds, int64_t period)
{
    return (uint64_t)(unix_seconds / period);
}

/* Symbol values, any case; -1 outside the alphabet. A table, because a
 * secret is decoded on every code. */
#define B32_PAIR(i) ['A' + (i)] = (i) + 1, ['a' + (i)] = (i) + 1
static const signed char b32_values[256] = {
    B32_PAIR(0),  B32_PAIR(1),  B32_PAIR(2),  B32_PAIR(3),  B32_PAIR(4),  B32_PAIR(5),
    B32_PAIR(6),  B32_PAIR(7),  B32_PAIR(8),  B32_PAIR(9),  B32_PAIR(10), B32_PAIR(11),
    B32_PAIR(12), B32_PAIR(13), B32_PAIR(14), B32_PAIR(15), B32_PAIR(16), B32_PAIR(17),
    B32_PAIR(18), B32_PAIR(19), B32_PAIR(20), B32_PAIR(21), B32_PAIR(22), B32_PAIR(23),
    B32_PAIR(24), B32_PAIR(25), ['2'] = 27,   ['3'] = 28,   ['4'] = 29,   ['5'] = 30,
    ['6'] = 31,   ['7'] = 32,
};

static int b32_value(int c)
{
    return b32_values[c & 0xff] - 1; /* stored plus one, so 0 is "none" */
}

int totp_b32_decode(const char *in, size_t len, unsigned char *out, size_t *out_len)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t symbols = 0, pads = 0, n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        /* secrets are shown in groups ("JBSW Y3DP ...") and get pasted so */
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (c == '=') {
            pads++;
            continue;
        }
        int v = b32_value((unsigned char)c);
        if (v < 0 || pads > 0)
            return -1;
        acc = (acc << 5) | (uint32_t)v;
        bits += 5;
        symbols++;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    /* RFC 4648 §6: a final quantum has 2, 4, 5 or 7 symbols, and padding,
     * when present, fills it to 8 */
    size_t rest = symbols % 8;
    if (rest == 1 || rest == 3 || rest == 6)
        return -1;
    if (pads > 0 && (rest == 0 || rest + pads != 8))
        return -1;
    *out_len = n;
    return 0;
}

size_t totp_b32_encoded_len(size_t len)
{
    return (len + 4) / 5 * 8;
}

size_t totp_b32_encode(const unsigned char *in, size_t len, int pad, char *out)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[n++] = b32_alphabet[(acc >> bits) & 31];
        }
        acc &= (1u << bits) - 1;
    }
    if (bits > 0)
        out[n++] = b32_alphabet[(acc << (5 - bits)) & 31];
    while (pad && n % 8 != 0)
        out[n++] = '=';
    out[n] = '\0';
    return n;
}
