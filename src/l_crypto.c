/* l_crypto.c: the "mfakit.crypto" module, a binding over OpenSSL 3.
 *
 * Digests, HMAC and HKDF return raw bytes; hex and base64 convert. Every
 * argument that carries bytes must be a string (a number is refused rather
 * than coerced: hashing 42 instead of "42" is a bug). Decoding text from
 * outside (unhex, unbase64) returns nil, err; misuse raises. Key material in
 * our own buffers is wiped with OPENSSL_cleanse; the Lua strings are the
 * caller's to manage. */
#include "host.h"
#include "b64_lenient.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#define RANDOM_MAX (1 << 20)

static const char *const alg_names[] = {"sha256", "sha1", "sha512", NULL};

static const EVP_MD *alg_md(int i)
{
    switch (i) {
    case 1:
        return EVP_sha1();
    case 2:
        return EVP_sha512();
    default:
        return EVP_sha256();
    }
}

static const char *check_bytes(lua_State *L, int arg, size_t *len)
{
    if (lua_type(L, arg) != LUA_TSTRING)
        luaL_typeerror(L, arg, "string");
    return lua_tolstring(L, arg, len);
}

/* A string field of an options table, or `def` when absent. */
static const char *opt_field(lua_State *L, const char *key, const char *def, size_t *len)
{
    const char *s = host_field_string(L, 1, key, HOST_FIELD_OPTIONAL, len);
    if (!s && def)
        *len = strlen(def);
    return s ? s : def;
}

static int digest(lua_State *L, const EVP_MD *md)
{
    size_t len;
    const char *s = check_bytes(L, 1, &len);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!EVP_Digest(s, len, out, &n, md, NULL)) {
        ERR_clear_error();
        return luaL_error(L, "digest failed");
    }
    lua_pushlstring(L, (const char *)out, n);
    return 1;
}

static int crypto_sha256(lua_State *L)
{
    return digest(L, EVP_sha256());
}

static int crypto_sha1(lua_State *L)
{
    return digest(L, EVP_sha1());
}

static int crypto_sha512(lua_State *L)
{
    return digest(L, EVP_sha512());
}

static int crypto_hmac(lua_State *L)
{
    const EVP_MD *md = alg_md(luaL_checkoption(L, 1, NULL, alg_names));
    size_t klen, mlen;
    const char *key = check_bytes(L, 2, &klen);
    const char *msg = check_bytes(L, 3, &mlen);
    luaL_argcheck(L, klen <= INT_MAX, 2, "key too long");
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!HMAC(md, key, (int)klen, (const unsigned char *)msg, mlen, out, &n)) {
        ERR_clear_error();
        return luaL_error(L, "hmac failed");
    }
    lua_pushlstring(L, (const char *)out, n);
    OPENSSL_cleanse(out, sizeof out);
    return 1;
}

/* hkdf{alg=, key=, salt=, info=, length=}: RFC 5869 extract-and-expand. */
static int crypto_hkdf(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    size_t alen, klen, slen, ilen;
    const char *alg = opt_field(L, "alg", "sha256", &alen);
    int which = 0;
    while (alg_names[which] && strcmp(alg_names[which], alg) != 0)
        which++;
    if (!alg_names[which])
        return luaL_error(L, "hkdf: unknown alg '%s'", alg);
    const EVP_MD *md = alg_md(which);
    const char *key = opt_field(L, "key", NULL, &klen);
    if (!key)
        return luaL_error(L, "hkdf: missing field 'key'");
    const char *salt = opt_field(L, "salt", "", &slen);
    const char *info = opt_field(L, "info", "", &ilen);
    lua_Integer length = host_field_integer(L, 1, "length", 0, 0);
    lua_Integer max = 255 * (lua_Integer)EVP_MD_get_size(md);
    if (length < 1 || length > max)
        return luaL_error(L, "hkdf: length must be 1..%d for this hash", (int)max);
    if (klen > INT_MAX || slen > INT_MAX || ilen > INT_MAX)
        return luaL_error(L, "hkdf: input too long");

    unsigned char out[255 * EVP_MAX_MD_SIZE];
    size_t outlen = (size_t)length;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    int ok = ctx && EVP_PKEY_derive_init(ctx) > 0 && EVP_PKEY_CTX_set_hkdf_md(ctx, md) > 0 &&
             EVP_PKEY_CTX_set1_hkdf_salt(ctx, (const unsigned char *)salt, (int)slen) > 0 &&
             EVP_PKEY_CTX_set1_hkdf_key(ctx, (const unsigned char *)key, (int)klen) > 0 &&
             EVP_PKEY_CTX_add1_hkdf_info(ctx, (const unsigned char *)info, (int)ilen) > 0 &&
             EVP_PKEY_derive(ctx, out, &outlen) > 0 && outlen == (size_t)length;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        OPENSSL_cleanse(out, sizeof out);
        ERR_clear_error();
        return luaL_error(L, "hkdf failed");
    }
    lua_pushlstring(L, (const char *)out, outlen);
    OPENSSL_cleanse(out, outlen);
    return 1;
}

/* A failing CSPRNG raises rather than returning nil: a caller that forgets
 * to check must not go on with a predictable value. */
static int crypto_random(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n >= 0 && n <= RANDOM_MAX, 1, "must be 0..1048576");
    luaL_Buffer b;
    unsigned char *p = (unsigned char *)luaL_buffinitsize(L, &b, (size_t)n);
    if (n > 0 && RAND_bytes(p, (int)n) != 1) {
        ERR_clear_error();
        return luaL_error(L, "random: RAND_bytes failed");
    }
    luaL_pushresultsize(&b, (size_t)n);
    return 1;
}

/* hex is a formatting choice, not cryptography: OpenSSL's own helper
 * (OPENSSL_buf2hexstr) gives upper case with colons. */
static int crypto_hex(lua_State *L)
{
    static const char digits[] = "0123456789abcdef";
    size_t len;
    const unsigned char *s = (const unsigned char *)check_bytes(L, 1, &len);
    luaL_Buffer b;
    char *p = luaL_buffinitsize(L, &b, 2 * len);
    for (size_t i = 0; i < len; i++) {
        p[2 * i] = digits[s[i] >> 4];
        p[2 * i + 1] = digits[s[i] & 15];
    }
    luaL_pushresultsize(&b, 2 * len);
    return 1;
}

static int crypto_unhex(lua_State *L)
{
    size_t len;
    const char *s = check_bytes(L, 1, &len);
    if (len % 2)
        return host_fail(L, "InvalidHex", "odd number of hex digits (%I)", (lua_Integer)len);
    luaL_Buffer b;
    unsigned char *p = (unsigned char *)luaL_buffinitsize(L, &b, len / 2);
    for (size_t i = 0; i < len; i += 2) {
        int hi = OPENSSL_hexchar2int((unsigned char)s[i]);
        int lo = OPENSSL_hexchar2int((unsigned char)s[i + 1]);
        if (hi < 0 || lo < 0)
            return host_fail(L, "InvalidHex", "not a hex digit at byte %I",
                             (lua_Integer)(i + (hi < 0 ? 1 : 2)));
        p[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    luaL_pushresultsize(&b, len / 2);
    return 1;
}

static int crypto_base64(lua_State *L)
{
    size_t len;
    const unsigned char *s = (const unsigned char *)check_bytes(L, 1, &len);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    /* EVP_EncodeBlock takes an int; whole groups of 3 keep chunks seamless */
    const size_t chunk = 3u << 20;
    while (len > 0) {
        size_t n = len < chunk ? len : chunk;
        char *p = luaL_prepbuffsize(&b, 4 * ((n + 2) / 3) + 1); /* + its NUL */
        luaL_addsize(&b, (size_t)EVP_EncodeBlock((unsigned char *)p, s, (int)n));
        s += n;
        len -= n;
    }
    luaL_pushresult(&b);
    return 1;
}

/* Decoding state for unbase64: characters are checked and normalised to the
 * standard alphabet here, then decoded by EVP_DecodeBlock in whole quads
 * (it requires them, and does not check where '=' may appear). */
struct b64 {
    luaL_Buffer b;
    unsigned char quads[4096];
    size_t n;   /* characters in quads */
    size_t pad; /* '=' seen */
};

static void b64_flush(struct b64 *d)
{
    if (d->n == 0)
        return;
    unsigned char *p = (unsigned char *)luaL_prepbuffsize(&d->b, d->n / 4 * 3);
    int got = EVP_DecodeBlock(p, d->quads, (int)d->n);
    /* cannot fail: every character was checked */
    luaL_addsize(&d->b, got > 0 ? (size_t)got : 0);
    d->n = 0;
}

static int b64_value_char(unsigned char c, int url)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return c;
    if (url)
        return c == '-' ? '+' : c == '_' ? '/' : -1;
    return c == '+' || c == '/' ? c : -1;
}

/* unbase64(s [, {url=, lenient=}]). Strict (the default): one alphabet,
 * padding optional but correct if present. lenient decodes as Node's
 * Buffer.from(s, "base64") does (b64_lenient.h). */
static int crypto_unbase64(lua_State *L)
{
    size_t len;
    const unsigned char *s = (const unsigned char *)check_bytes(L, 1, &len);
    int url = 0, lenient = 0;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        url = host_field_boolean(L, 2, "url", 0);
        lenient = host_field_boolean(L, 2, "lenient", 0);
    }
    lua_settop(L, 2);
    if (lenient) {
        luaL_Buffer b;
        size_t n = 0;
        unsigned char *p = (unsigned char *)luaL_buffinitsize(L, &b, B64_LENIENT_OUT_MAX(len));
        if (b64_lenient_decode((const char *)s, len, p, &n) != 0)
            return luaL_error(L, "unbase64: EVP_DecodeBlock failed");
        luaL_pushresultsize(&b, n);
        return 1;
    }
    struct b64 *d = lua_newuserdatauv(L, sizeof *d, 0);
    d->n = d->pad = 0;
    luaL_buffinit(L, &d->b);
    size_t total = 0; /* alphabet characters, excluding padding */
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '=') {
            d->pad++;
            continue;
        }
        int c = b64_value_char(s[i], url);
        if (c < 0 || d->pad > 0)
            return host_fail(L, "InvalidBase64", "unexpected character at byte %I",
                             (lua_Integer)i + 1);
        d->quads[d->n++] = (unsigned char)c;
        total++;
        if (d->n == sizeof d->quads)
            b64_flush(d);
    }
    size_t rem = total % 4;
    if (rem == 1 || (d->pad > 0 && (d->pad > 2 || (total + d->pad) % 4 != 0)))
        return host_fail(L, "InvalidBase64", "wrong length or padding");
    if (rem > 1) {
        d->quads[d->n++] = '=';
        if (rem == 2)
            d->quads[d->n++] = '=';
    }
    size_t missing = rem > 1 ? 4 - rem : 0;
    b64_flush(d);
    /* EVP_DecodeBlock counts the padding as zero bytes */
    luaL_buffsub(&d->b, missing);
    luaL_pushresult(&d->b);
    return 1;
}

/* Constant time for equal lengths; the length itself is not secret. */
static int crypto_equal(lua_State *L)
{
    size_t alen, blen;
    const char *a = check_bytes(L, 1, &alen);
    const char *b = check_bytes(L, 2, &blen);
    lua_pushboolean(L, alen == blen && CRYPTO_memcmp(a, b, alen) == 0);
    return 1;
}

static const luaL_Reg crypto_funcs[] = {
    /* raw bytes out */
    {"sha256", crypto_sha256},
    {"sha1", crypto_sha1},
    {"sha512", crypto_sha512},
    {"hmac", crypto_hmac},
    {"hkdf", crypto_hkdf},
    {"random", crypto_random},
    /* text <-> bytes */
    {"hex", crypto_hex},
    {"unhex", crypto_unhex},
    {"base64", crypto_base64},
    {"unbase64", crypto_unbase64},
    /* constant time */
    {"equal", crypto_equal},
    {NULL, NULL},
};

int luaopen_mfakit_crypto(lua_State *L)
{
    luaL_newlib(L, crypto_funcs);
    /* the OpenSSL actually loaded ("OpenSSL 3.0.19 1 Jul 2025"), for mfakit --version */
    lua_pushstring(L, OpenSSL_version(OPENSSL_VERSION));
    lua_setfield(L, -2, "library_version");
    return 1;
}
