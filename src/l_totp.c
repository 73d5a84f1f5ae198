/* l_totp.c: the "mfakit.totp" module, a thin binding over totp.c.
 *
 *   totp.code(secret, time, {digits = 6, period = 30, algorithm = "SHA1"})
 *   totp.hotp(secret, counter, {digits = 6, algorithm = "SHA1"})
 *   totp.verify(secret, code, {window = 1, time = now, ...})  --> true, offset | false
 *   totp.uri{secret=, account=, issuer=, digits=, period=, algorithm=}
 *   totp.base32_encode(bytes [, pad = true]), totp.base32_decode(s)
 *   totp.seconds_left(period, time)
 * Secrets are Base32 text; a secret that does not decode gives nil, err
 * (InvalidBase32) because it comes from outside (a QR code, Cognito).
 * Decoded secrets live on the C stack and are cleansed after each call, but
 * the module keeps the last secret's keyed HMAC (and a copy of the key, to
 * recognise it) so that codes for one secret do not redo the key set-up:
 * both are cleansed when another secret comes or the Lua state closes. */
#include "host.h"
#include "totp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#define WINDOW_MAX 100

struct options {
    int digits;
    int alg;
    lua_Integer period;
};

/* Reads {digits=, period=, algorithm=} at `arg` (absent or nil: defaults). */
static struct options check_options(lua_State *L, int arg)
{
    struct options o = {6, TOTP_SHA1, 30};
    if (lua_isnoneornil(L, arg))
        return o;
    luaL_checktype(L, arg, LUA_TTABLE);
    lua_Integer digits = host_field_integer(L, arg, "digits", HOST_FIELD_OPTIONAL, 6);
    luaL_argcheck(L, digits >= TOTP_DIGITS_MIN && digits <= TOTP_DIGITS_MAX, arg,
                  "field 'digits' must be 6 to 10");
    o.digits = (int)digits;
    o.period = host_field_integer(L, arg, "period", HOST_FIELD_OPTIONAL, 30);
    luaL_argcheck(L, o.period >= 1 && o.period <= 86400, arg, "field 'period' must be 1 to 86400");
    if (lua_getfield(L, arg, "algorithm") != LUA_TNIL) {
        const char *name = lua_tostring(L, -1);
        o.alg = name && lua_type(L, -1) == LUA_TSTRING ? totp_alg_parse(name) : -1;
        luaL_argcheck(L, o.alg >= 0, arg, "field 'algorithm' must be SHA1, SHA256 or SHA512");
    }
    lua_pop(L, 1);
    return o;
}

static int64_t to_time(lua_State *L, lua_Number t, int arg)
{
    luaL_argcheck(L, t >= 0 && t < 9.2e18, arg, "time must be non-negative Unix seconds");
    return (int64_t)floor(t);
}

/* The time for `opts` at `arg`: its field `time` (a number, floats
 * floored), or now. */
static int64_t field_time(lua_State *L, int arg)
{
    int64_t t = (int64_t)time(NULL);
    if (!lua_istable(L, arg))
        return t;
    if (host_field(L, arg, "time", LUA_TNUMBER) != LUA_TNIL)
        t = to_time(L, lua_tonumber(L, -1), arg);
    lua_pop(L, 1);
    return t;
}

/* Secrets up to this many decoded bytes (a 409-character Base32 text) are
 * decoded on the stack; longer ones are malloc'd. */
#define KEY_STACK 256

struct secret {
    unsigned char *key; /* buf, or malloc'd */
    size_t len;
    unsigned char buf[KEY_STACK];
};

/* Decodes the Base32 secret at `arg` into `sec` (release it with
 * free_secret), or pushes nil, err and returns 0. */
static int check_secret(lua_State *L, int arg, struct secret *sec)
{
    size_t len;
    const char *s = luaL_checklstring(L, arg, &len);
    sec->key = sec->buf;
    sec->len = 0;
    if (len * 5 / 8 + 1 > sizeof sec->buf && !(sec->key = malloc(len * 5 / 8 + 1)))
        return luaL_error(L, "out of memory");
    if (totp_b32_decode(s, len, sec->key, &sec->len) != 0 || sec->len == 0) {
        OPENSSL_cleanse(sec->key, len * 5 / 8 + 1); /* what was decoded before the fault */
        if (sec->key != sec->buf)
            free(sec->key);
        host_fail(L, "InvalidBase32", "the TOTP secret is not Base32 (RFC 4648)");
        return 0;
    }
    return 1;
}

static void free_secret(struct secret *sec)
{
    OPENSSL_cleanse(sec->key, sec->len);
    if (sec->key != sec->buf)
        free(sec->key);
}

/* The module's generator, its first upvalue: it stays keyed with the last
 * secret, so a loop over one secret does not redo HMAC's key set-up. */
#define GEN_MT "mfakit.totp.generator"

struct l_gen {
    struct totp_gen *g;
};

static struct totp_gen *generator(lua_State *L)
{
    struct l_gen *ud = lua_touserdata(L, lua_upvalueindex(1));
    if (!ud->g && !(ud->g = totp_gen_new()))
        luaL_error(L, "OpenSSL has no HMAC");
    return ud->g;
}

static int gen_gc(lua_State *L)
{
    struct l_gen *ud = luaL_checkudata(L, 1, GEN_MT);
    totp_gen_free(ud->g);
    ud->g = NULL;
    return 0;
}

static int push_value(lua_State *L, struct totp_gen *gen, struct secret *sec, uint64_t counter,
                      const struct options *o)
{
    char code[TOTP_DIGITS_MAX + 1];
    int rc =
        totp_gen_code(gen, sec->key, sec->len, counter, o->digits, (enum totp_alg)o->alg, code);
    free_secret(sec);
    if (rc != 0)
        return host_fail(L, "CryptoError", "HMAC failed");
    lua_pushstring(L, code);
    return 1;
}

static int totp_code(lua_State *L)
{
    struct secret sec;
    int64_t t;
    int opts = 3;
    /* totp.code(secret, {time =, ...}) reads as well as (secret, time, {...}) */
    if (lua_istable(L, 2)) {
        opts = 2;
        t = field_time(L, 2);
    } else {
        t = lua_isnoneornil(L, 2) ? (int64_t)time(NULL) : to_time(L, luaL_checknumber(L, 2), 2);
    }
    struct options o = check_options(L, opts);
    struct totp_gen *gen = generator(L);
    if (!check_secret(L, 1, &sec))
        return 2;
    return push_value(L, gen, &sec, totp_counter(t, o.period), &o);
}

static int totp_hotp(lua_State *L)
{
    struct secret sec;
    lua_Integer counter = luaL_checkinteger(L, 2);
    luaL_argcheck(L, counter >= 0, 2, "counter must be non-negative");
    struct options o = check_options(L, 3);
    struct totp_gen *gen = generator(L);
    if (!check_secret(L, 1, &sec))
        return 2;
    return push_value(L, gen, &sec, (uint64_t)counter, &o);
}

static int totp_verify(lua_State *L)
{
    struct secret sec;
    size_t code_len;
    const char *code = luaL_checklstring(L, 2, &code_len);
    struct options o = check_options(L, 3);
    int64_t t = field_time(L, 3);
    lua_Integer window =
        lua_istable(L, 3) ? host_field_integer(L, 3, "window", HOST_FIELD_OPTIONAL, 1) : 1;
    luaL_argcheck(L, window >= 0 && window <= WINDOW_MAX, 3, "field 'window' must be 0 to 100");
    struct totp_gen *gen = generator(L);
    if (!check_secret(L, 1, &sec))
        return 2;
    uint64_t now = totp_counter(t, o.period);
    int matched = 0, failed = 0;
    lua_Integer offset = 0;
    /* every step of the window is computed and compared in constant time,
     * so the time taken does not tell which step matched */
    for (lua_Integer d = -window; d <= window; d++) {
        char want[TOTP_DIGITS_MAX + 1];
        if (d < 0 && (uint64_t)-d > now)
            continue; /* before the epoch */
        if (totp_gen_code(gen, sec.key, sec.len, now + (uint64_t)d, o.digits, (enum totp_alg)o.alg,
                          want)) {
            failed = 1;
            continue;
        }
        int same = code_len == (size_t)o.digits && CRYPTO_memcmp(want, code, code_len) == 0;
        if (same && (!matched || llabs(d) < llabs(offset)))
            offset = d;
        matched |= same;
        OPENSSL_cleanse(want, sizeof want);
    }
    free_secret(&sec);
    if (failed)
        return host_fail(L, "CryptoError", "HMAC failed");
    lua_pushboolean(L, matched);
    if (!matched)
        return 1;
    lua_pushinteger(L, offset);
    return 2;
}

/* Key Uri Format: percent-encode all but RFC 3986 unreserved characters
 * and '@' (legal in a path and a query, as in the format's own examples). */
static void add_encoded(luaL_Buffer *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '@') {
            luaL_addchar(b, (char)c);
        } else {
            luaL_addchar(b, '%');
            luaL_addchar(b, hex[c >> 4]);
            luaL_addchar(b, hex[c & 15]);
        }
    }
}

static const char *label_field(lua_State *L, const char *name, int flags, size_t *len)
{
    const char *s = host_field_string(L, 1, name, flags, len);
    /* the label's issuer and account are split on ':' by the apps */
    luaL_argcheck(L, !s || (*len > 0 && !memchr(s, ':', *len)), 1,
                  lua_pushfstring(L, "field '%s' must be non-empty and without ':'", name));
    return s;
}

static int totp_uri(lua_State *L)
{
    size_t secret_len = 0, account_len = 0, issuer_len = 0;
    struct secret sec;
    luaL_checktype(L, 1, LUA_TTABLE);
    struct options o = check_options(L, 1);
    const char *account = label_field(L, "account", 0, &account_len);
    const char *issuer = label_field(L, "issuer", HOST_FIELD_OPTIONAL, &issuer_len);
    const char *secret = host_field_string(L, 1, "secret", 0, &secret_len);
    if (!check_secret(L, lua_gettop(L), &sec))
        return 2;
    free_secret(&sec);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "otpauth://totp/");
    if (issuer) {
        add_encoded(&b, issuer, issuer_len);
        luaL_addchar(&b, ':');
    }
    add_encoded(&b, account, account_len);
    /* the format asks for the secret without padding; spaces go too */
    luaL_addstring(&b, "?secret=");
    for (size_t i = 0; i < secret_len; i++) {
        char c = secret[i];
        if (c != '=' && c != ' ' && c != '\t' && c != '\r' && c != '\n')
            luaL_addchar(&b, (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c));
    }
    if (issuer) {
        luaL_addstring(&b, "&issuer=");
        add_encoded(&b, issuer, issuer_len);
    }
    lua_pushfstring(L, "&algorithm=%s&digits=%d&period=%d", totp_alg_name((enum totp_alg)o.alg),
                    o.digits, (int)o.period);
    luaL_addvalue(&b);
    luaL_pushresult(&b);
    return 1;
}

static int totp_base32_encode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    int pad = lua_isnoneornil(L, 2) ? 1 : lua_toboolean(L, 2);
    luaL_Buffer b;
    char *out = luaL_buffinitsize(L, &b, totp_b32_encoded_len(len) + 1);
    luaL_pushresultsize(&b, totp_b32_encode((const unsigned char *)s, len, pad, out));
    return 1;
}

static int totp_base32_decode(lua_State *L)
{
    size_t len, out_len = 0;
    const char *s = luaL_checklstring(L, 1, &len);
    luaL_Buffer b;
    unsigned char *out = (unsigned char *)luaL_buffinitsize(L, &b, len * 5 / 8 + 1);
    if (totp_b32_decode(s, len, out, &out_len) != 0)
        return host_fail(L, "InvalidBase32", "not Base32 (RFC 4648)");
    luaL_pushresultsize(&b, out_len);
    return 1;
}

static int totp_seconds_left(lua_State *L)
{
    lua_Integer period = luaL_optinteger(L, 1, 30);
    luaL_argcheck(L, period >= 1, 1, "period must be positive");
    int64_t t = lua_isnoneornil(L, 2) ? (int64_t)time(NULL) : to_time(L, luaL_checknumber(L, 2), 2);
    lua_pushinteger(L, period - (lua_Integer)(t % period));
    return 1;
}

static const luaL_Reg totp_functions[] = {
    {"code", totp_code},
    {"hotp", totp_hotp},
    {"verify", totp_verify},
    {"uri", totp_uri},
    {"base32_encode", totp_base32_encode},
    {"base32_decode", totp_base32_decode},
    {"seconds_left", totp_seconds_left},
    {NULL, NULL},
};

int luaopen_mfakit_totp(lua_State *L)
{
    luaL_newlibtable(L, totp_functions);
    struct l_gen *ud = lua_newuserdatauv(L, sizeof *ud, 0);
    ud->g = NULL; /* made on first use: loading the module stays cheap */
    if (luaL_newmetatable(L, GEN_MT)) {
        lua_pushcfunction(L, gen_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    luaL_setfuncs(L, totp_functions, 1);
    return 1;
}
