/* srp.c: Amazon Cognito's SRP-6a over OpenSSL BIGNUM, byte for byte what
 * amazon-cognito-identity-js sends. The comments name the section of
 * docs/SRP.md (and the step in it) each rule comes from: "PASSWORD_VERIFIER 4"
 * is step 4 of "PASSWORD_VERIFIER: RespondToAuthChallenge". That page also
 * lists the traps this file steers around. */
#include "srp.h"
#include "b64_lenient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

/* RFC 3526 §4, the 3072-bit MODP group (also RFC 5054 Appendix A). */
static const char n_hex[] =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
    "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
    "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA4836"
    "1C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804"
    "F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6"
    "955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64"
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D226"
    "1AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

static const char hkdf_info[] = "Caldera Derived Key";

/* Cognito's values are below N (768 digits); SRP_B may carry leading zeros.
 * Anything far longer is not an SRP value, and refusing it bounds the work
 * done on input from outside. */
#define HEX_INPUT_MAX 4096

static struct {
    BIGNUM *n, *g, *k;
    BN_MONT_CTX *mont;
    EVP_MAC *hmac;
    EVP_KDF *hkdf;
    int ok;
} group;
static CRYPTO_ONCE group_once = CRYPTO_ONCE_STATIC_INIT;

struct part {
    const void *p;
    size_t n;
};

/* padHex of any value this file meets: below N, or SRP_B/SALT as received */
struct padded {
    size_t n;
    unsigned char b[HEX_INPUT_MAX / 2 + 1];
};

struct srp_session {
    BIGNUM *a,
        *big_a; /* SRP_A's hex is made when asked: a session waiting on the network stays small */
    size_t group_len;
    char group[]; /* pool name or device group key, for x and the message */
};

static const char *const statuses[][2] = {
    [SRP_OK] = {"OK", "success"},
    [SRP_BAD_B] = {"InvalidSRPB", "SRP_B is not a valid hex value or is 0 mod N"},
    [SRP_BAD_SALT] = {"InvalidSalt", "SALT is not a valid hex value"},
    [SRP_BAD_U] = {"InvalidSRPU", "u = H(A, B) is 0"},
    [SRP_NOMEM] = {"OutOfMemory", "out of memory"},
    [SRP_CRYPTO] = {"CryptoError", "an OpenSSL operation failed"},
};

const char *srp_status_code(int status)
{
    return statuses[status >= 0 && status <= SRP_CRYPTO ? status : SRP_CRYPTO][0];
}

const char *srp_status_message(int status)
{
    return statuses[status >= 0 && status <= SRP_CRYPTO ? status : SRP_CRYPTO][1];
}

static int sha256(const struct part *parts, size_t count, unsigned char *out)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    for (size_t i = 0; ok && i < count; i++)
        ok = EVP_DigestUpdate(md, parts[i].p, parts[i].n);
    ok = ok && EVP_DigestFinal_ex(md, out, NULL);
    EVP_MD_CTX_free(md);
    return ok;
}

static int hmac_sha256(const void *key, size_t key_len, const struct part *parts, size_t count,
                       unsigned char *out)
{
    /* A NULL key means "keep the old key" to EVP_MAC_init, so an empty key
     * must still be a real pointer. */
    static const unsigned char empty[1];
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    size_t out_len = 0;
    EVP_MAC_CTX *mac = EVP_MAC_CTX_new(group.hmac);
    int ok = mac && EVP_MAC_init(mac, key_len ? key : empty, key_len, params);
    for (size_t i = 0; ok && i < count; i++)
        ok = EVP_MAC_update(mac, parts[i].p, parts[i].n);
    ok = ok && EVP_MAC_final(mac, out, &out_len, 32) && out_len == 32;
    EVP_MAC_CTX_free(mac);
    return ok;
}

/* padHex: Java's BigInteger.toByteArray(), i.e. minimal bytes plus a 0x00 sign
 * byte when the top bit is set. Never a fixed 384-byte pad. */
static int pad_hex(const BIGNUM *v, struct padded *out)
{
    int n = BN_num_bits(v) / 8 + 1;
    out->n = (size_t)n;
    return out->n <= sizeof out->b && BN_bn2binpad(v, out->b, n) == n;
}

/* Lower-case hex without leading zeros, as JavaScript's toString(16). */
static int lower_hex(const BIGNUM *v, char *out, size_t cap)
{
    char *hex = BN_bn2hex(v);
    if (!hex)
        return 0;
    const char *p = hex;
    while (p[0] == '0' && p[1] != '\0')
        p++;
    size_t i = 0;
    for (; p[i] && i + 1 < cap; i++)
        out[i] = (char)(p[i] >= 'A' && p[i] <= 'F' ? p[i] - 'A' + 'a' : p[i]);
    out[i] = '\0';
    int whole = p[i] == '\0';
    OPENSSL_free(hex);
    return whole;
}

static void group_init(void)
{
    unsigned char digest[32];
    struct padded n_pad, g_pad;
    group.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    group.hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    group.g = BN_new();
    group.mont = BN_MONT_CTX_new();
    BN_CTX *ctx = BN_CTX_new();
    if (group.hmac && group.hkdf && group.g && group.mont && ctx && BN_hex2bn(&group.n, n_hex) &&
        BN_set_word(group.g, 2) && BN_MONT_CTX_set(group.mont, group.n, ctx) &&
        pad_hex(group.n, &n_pad) && pad_hex(group.g, &g_pad)) {
        /* Constants: k = H(padHex(N) || padHex(g)) = H(00 || N || 02). */
        struct part parts[] = {{n_pad.b, n_pad.n}, {g_pad.b, g_pad.n}};
        if (sha256(parts, 2, digest))
            group.k = BN_bin2bn(digest, sizeof digest, NULL);
        group.ok = group.k != NULL;
    }
    BN_CTX_free(ctx);
}

static int group_ready(void)
{
    return CRYPTO_THREAD_run_once(&group_once, group_init) && group.ok;
}

/* g^e mod N with e secret (a or x). */
static int pow_g(BIGNUM *r, const BIGNUM *e, BN_CTX *ctx)
{
    return BN_mod_exp_mont_consttime(r, group.g, e, group.n, ctx, group.mont);
}

struct srp_session *srp_session_new(const char *grp, size_t grp_len, const unsigned char *a,
                                    size_t a_len, int *status)
{
    unsigned char random_a[SRP_A_RANDOM_BYTES];
    BN_CTX *ctx = BN_CTX_new();
    struct srp_session *s = calloc(1, sizeof *s + grp_len + 1);
    *status = SRP_NOMEM;
    if (!s || !ctx)
        goto fail;
    memcpy(s->group, grp, grp_len);
    s->group_len = grp_len;
    *status = SRP_CRYPTO;
    /* USER_SRP_AUTH 1: random bytes as an unsigned integer, not reduced mod N.
     * 424 bits, not the JS SDK's 1024: the cost of g^a and of S grows with
     * the exponent's length, and the server only checks A mod N != 0, so
     * nothing changes on the wire (docs/SRP.md, "The size of a"). */
    if (!a && RAND_priv_bytes(random_a, sizeof random_a) != 1)
        goto fail;
    s->a = a ? BN_bin2bn(a, (int)a_len, NULL) : BN_bin2bn(random_a, sizeof random_a, NULL);
    OPENSSL_cleanse(random_a, sizeof random_a);
    s->big_a = BN_new();
    if (!group_ready() || !s->a || !s->big_a)
        goto fail;
    BN_set_flags(s->a, BN_FLG_CONSTTIME);
    /* USER_SRP_AUTH 3: SRP_A is A.toString(16): lower case, no leading zeros. */
    if (!pow_g(s->big_a, s->a, ctx) || BN_is_zero(s->big_a))
        goto fail;
    BN_CTX_free(ctx);
    *status = SRP_OK;
    return s;
fail:
    BN_CTX_free(ctx);
    srp_session_free(s);
    return NULL;
}

void srp_session_free(struct srp_session *s)
{
    if (!s)
        return;
    BN_clear_free(s->a);
    BN_free(s->big_a);
    free(s);
}

int srp_session_srp_a(const struct srp_session *s, char *out, size_t cap)
{
    return lower_hex(s->big_a, out, cap);
}

int srp_session_a_bytes(const struct srp_session *s)
{
    return BN_num_bytes(s->a);
}

/* PASSWORD_VERIFIER 1: Cognito's hex strings are integers (case and leading zeros do not
 * matter). BN_hex2bn alone would accept a '-' and stop at the first non-hex
 * character, so every character is checked first. */
static int parse_hex(BIGNUM **out, const char *s, size_t len)
{
    char buf[HEX_INPUT_MAX + 1];
    if (len == 0 || len > HEX_INPUT_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (OPENSSL_hexchar2int((unsigned char)s[i]) < 0)
            return 0;
        buf[i] = s[i];
    }
    buf[len] = '\0';
    return BN_hex2bn(out, buf) == (int)len;
}

/* PASSWORD_VERIFIER 5 (ConfirmDevice 3):
 * x = H(padHex(salt) || H(utf8(group || user || ":" || password))). */
static BIGNUM *compute_x(const char *grp, size_t grp_len, const char *user, size_t user_len,
                         const char *password, size_t password_len, const BIGNUM *salt)
{
    unsigned char inner[32], digest[32];
    struct padded salt_pad;
    BIGNUM *x = NULL;
    struct part id[] = {{grp, grp_len}, {user, user_len}, {":", 1}, {password, password_len}};
    struct part outer[] = {{salt_pad.b, 0}, {inner, sizeof inner}};
    if (pad_hex(salt, &salt_pad) && sha256(id, 4, inner)) {
        outer[0].n = salt_pad.n;
        if (sha256(outer, 2, digest))
            x = BN_bin2bn(digest, sizeof digest, NULL);
    }
    if (x)
        BN_set_flags(x, BN_FLG_CONSTTIME);
    OPENSSL_cleanse(inner, sizeof inner);
    OPENSSL_cleanse(digest, sizeof digest);
    return x;
}

/* PASSWORD_VERIFIER 6: S = (B - k·g^x) ^ (a + u·x) mod N, the base reduced into [0, N). */
static int compute_s(BIGNUM *S, const struct srp_session *s, const BIGNUM *b, const BIGNUM *u,
                     const BIGNUM *x, BN_CTX *ctx)
{
    BN_CTX_start(ctx);
    BIGNUM *base = BN_CTX_get(ctx);
    BIGNUM *exp = BN_CTX_get(ctx);
    int ok = exp != NULL;
    ok = ok && pow_g(base, x, ctx) && BN_mod_mul(base, group.k, base, group.n, ctx) &&
         BN_mod_sub(base, b, base, group.n, ctx);
    /* the exponent is an ordinary integer (about 512 bits, u·x, with a 424-bit a): not mod N */
    ok = ok && BN_mul(exp, u, x, ctx) && BN_add(exp, exp, s->a);
    ok = ok && BN_mod_exp_mont_consttime(S, base, exp, group.n, ctx, group.mont);
    BN_clear(base);
    BN_clear(exp);
    BN_CTX_end(ctx);
    return ok;
}

/* PASSWORD_VERIFIER 7: HKDF-SHA256, salt = padHex(u), IKM = padHex(S), one block, 16 bytes. */
static int derive_key(const BIGNUM *u, const BIGNUM *S, unsigned char *key)
{
    struct padded u_pad, s_pad;
    char digest[] = "SHA256";
    int ok = pad_hex(u, &u_pad) && pad_hex(S, &s_pad);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, s_pad.b, ok ? s_pad.n : 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, u_pad.b, ok ? u_pad.n : 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)hkdf_info,
                                          sizeof hkdf_info - 1),
        OSSL_PARAM_construct_end(),
    };
    EVP_KDF_CTX *kctx = ok ? EVP_KDF_CTX_new(group.hkdf) : NULL;
    ok = kctx && EVP_KDF_derive(kctx, key, 16, params);
    EVP_KDF_CTX_free(kctx);
    OPENSSL_cleanse(&s_pad, sizeof s_pad);
    return ok;
}

/* PASSWORD_VERIFIER 4: u = H(padHex(A) || padHex(B)), B as received (not reduced). */
static BIGNUM *compute_u(const BIGNUM *big_a, const BIGNUM *b)
{
    unsigned char digest[32];
    struct padded a_pad, b_pad;
    if (!pad_hex(big_a, &a_pad) || !pad_hex(b, &b_pad))
        return NULL;
    struct part parts[] = {{a_pad.b, a_pad.n}, {b_pad.b, b_pad.n}};
    return sha256(parts, 2, digest) ? BN_bin2bn(digest, sizeof digest, NULL) : NULL;
}

int srp_session_claim(const struct srp_session *s, const struct srp_claim *in, char *sig)
{
    int status = SRP_NOMEM;
    unsigned char key[16], mac[32], *block = malloc(B64_LENIENT_OUT_MAX(in->secret_block_len));
    size_t block_len = 0;
    BIGNUM *b = NULL, *salt = NULL, *u = NULL, *x = NULL, *S = BN_new();
    BN_CTX *ctx = BN_CTX_new();
    if (!block || !S || !ctx)
        goto out;
    BN_set_flags(S, BN_FLG_CONSTTIME);
    status = SRP_BAD_B;
    if (!parse_hex(&b, in->srp_b, in->srp_b_len) || !BN_mod(S, b, group.n, ctx) || BN_is_zero(S))
        goto out;
    status = SRP_BAD_SALT;
    if (!parse_hex(&salt, in->salt, in->salt_len))
        goto out;
    status = SRP_CRYPTO;
    u = compute_u(s->big_a, b);
    if (u && BN_is_zero(u))
        status = SRP_BAD_U;
    if (!u || BN_is_zero(u))
        goto out;
    x = compute_x(s->group, s->group_len, in->user_id, in->user_id_len, in->password,
                  in->password_len, salt);
    if (!x || !compute_s(S, s, b, u, x, ctx) || !derive_key(u, S, key))
        goto out;
    if (b64_lenient_decode(in->secret_block, in->secret_block_len, block, &block_len) != 0)
        goto out;
    /* PASSWORD_VERIFIER 9: poolName || userId || raw SECRET_BLOCK || TIMESTAMP. */
    struct part msg[] = {{s->group, s->group_len},
                         {in->user_id, in->user_id_len},
                         {block, block_len},
                         {in->timestamp, in->timestamp_len}};
    status = hmac_sha256(key, sizeof key, msg, 4, mac) ? SRP_OK : SRP_CRYPTO;
    if (status == SRP_OK)
        EVP_EncodeBlock((unsigned char *)sig, mac, sizeof mac);
out:
    OPENSSL_cleanse(key, sizeof key);
    free(block);
    BN_free(b);
    BN_free(salt);
    BN_free(u);
    BN_clear_free(x);
    BN_clear_free(S);
    BN_CTX_free(ctx);
    return status;
}

int srp_device_verifier(const char *grp, size_t grp_len, const char *device_key,
                        size_t device_key_len, const unsigned char *password_bytes,
                        const unsigned char *salt_bytes, struct srp_device_secret *out)
{
    unsigned char pw[SRP_DEVICE_PASSWORD_BYTES], salt_raw[SRP_DEVICE_SALT_BYTES];
    struct padded salt_pad, v_pad;
    int status = SRP_CRYPTO;
    BIGNUM *salt = NULL, *x = NULL, *v = BN_new();
    BN_CTX *ctx = BN_CTX_new();
    if (password_bytes)
        memcpy(pw, password_bytes, sizeof pw);
    if (salt_bytes)
        memcpy(salt_raw, salt_bytes, sizeof salt_raw);
    if (!v || !ctx || !group_ready() || (!password_bytes && RAND_bytes(pw, sizeof pw) != 1) ||
        (!salt_bytes && RAND_bytes(salt_raw, sizeof salt_raw) != 1))
        goto out;
    /* ConfirmDevice 1: the whole base64 text, padding included, is the password. */
    EVP_EncodeBlock((unsigned char *)out->password, pw, sizeof pw);
    /* ConfirmDevice 2: 16 random bytes as an integer, re-encoded: 15 to 17 bytes. */
    salt = BN_bin2bn(salt_raw, sizeof salt_raw, NULL);
    if (!salt || !pad_hex(salt, &salt_pad))
        goto out;
    EVP_EncodeBlock((unsigned char *)out->salt, salt_pad.b, (int)salt_pad.n);
    x = compute_x(grp, grp_len, device_key, device_key_len, out->password, strlen(out->password),
                  salt);
    if (!x || !pow_g(v, x, ctx) || !pad_hex(v, &v_pad))
        goto out;
    EVP_EncodeBlock((unsigned char *)out->verifier, v_pad.b, (int)v_pad.n);
    status = SRP_OK;
out:
    OPENSSL_cleanse(pw, sizeof pw);
    BN_free(salt);
    BN_clear_free(x);
    BN_free(v);
    BN_CTX_free(ctx);
    return status;
}

int srp_group_hex(char *n_out, size_t n_cap, char *k_out, size_t k_cap)
{
    if (!group_ready())
        return SRP_CRYPTO;
    return lower_hex(group.n, n_out, n_cap) && lower_hex(group.k, k_out, k_cap) ? SRP_OK
                                                                                : SRP_NOMEM;
}
