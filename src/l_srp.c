/* l_srp.c: the "mfakit.srp" module, a thin binding over srp.c,
 * cognito_timestamp.c and cognito_secret_hash.c.
 *
 *   local s = srp.new{pool_id = "us-east-1_AbCdEfGhI"}   -- or device_group_key =
 *   s:srp_a()                                             --> SRP_A
 *   s:password_claim{user_id=, password=, salt=, srp_b=, secret_block=, timestamp=}
 *                                                         --> signature, timestamp
 *   srp.device_secret{device_group_key=, device_key=}     --> {password=, Salt=, PasswordVerifier=}
 *   srp.timestamp(t), srp.secret_hash(username, client_id, secret), srp.group()
 */
#include "host.h"
#include "srp.h"
#include "cognito_secret_hash.h"
#include "cognito_timestamp.h"

#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#define SESSION_MT "mfakit.srp.session"

struct l_session {
    struct srp_session *s;
};

/* Test-injected bytes (a, password_bytes, salt_bytes) arrive as hex; 0 when
 * the field is absent. A malformed value is a mistake in the calling script,
 * so it raises. */
static int hex_field(lua_State *L, int arg, const char *name, unsigned char *buf, size_t min,
                     size_t max, size_t *out_len)
{
    size_t len = 0;
    const char *hex = host_field_string(L, arg, name, HOST_FIELD_OPTIONAL, &len);
    if (hex && (strlen(hex) != len || OPENSSL_hexstr2buf_ex(buf, max, out_len, hex, '\0') != 1 ||
                *out_len < min))
        luaL_argerror(L, arg,
                      lua_pushfstring(L, "field '%s': hex of %d to %d bytes expected", name,
                                      (int)min, (int)max));
    lua_pop(L, 1);
    return hex != NULL;
}

static int push_status(lua_State *L, int status)
{
    return host_fail(L, srp_status_code(status), "%s", srp_status_message(status));
}

static int srp_new(lua_State *L)
{
    size_t pool_len = 0, dgk_len = 0, grp_len = 0, a_len = 0;
    unsigned char a[SRP_A_BYTES];
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *pool_id = host_field_string(L, 1, "pool_id", HOST_FIELD_OPTIONAL, &pool_len);
    const char *dgk = host_field_string(L, 1, "device_group_key", HOST_FIELD_OPTIONAL, &dgk_len);
    const char *grp = dgk;
    grp_len = dgk_len;
    luaL_argcheck(L, (pool_id == NULL) != (dgk == NULL), 1,
                  "exactly one of 'pool_id' and 'device_group_key' expected");
    if (pool_id) {
        /* docs/SRP.md, PASSWORD_VERIFIER step 2: the pool name is what follows the '_' */
        const char *sep = memchr(pool_id, '_', pool_len);
        luaL_argcheck(L, sep && sep + 1 < pool_id + pool_len, 1,
                      "pool_id must look like 'us-east-1_AbCdEfGhI'");
        grp = sep + 1;
        grp_len = pool_len - (size_t)(grp - pool_id);
    }
    int has_a = hex_field(L, 1, "a", a, 1, sizeof a, &a_len);
    struct l_session *ud = lua_newuserdatauv(L, sizeof *ud, 0);
    ud->s = NULL;
    luaL_setmetatable(L, SESSION_MT);
    int status = SRP_OK;
    ud->s = srp_session_new(grp, grp_len, has_a ? a : NULL, a_len, &status);
    OPENSSL_cleanse(a, sizeof a);
    if (!ud->s)
        return push_status(L, status);
    return 1;
}

static struct srp_session *check_session(lua_State *L)
{
    struct l_session *ud = luaL_checkudata(L, 1, SESSION_MT);
    if (!ud->s)
        luaL_error(L, "attempt to use a closed SRP session");
    return ud->s;
}

static int srp_srp_a(lua_State *L)
{
    char hex[SRP_N_HEX_MAX + 1];
    if (!srp_session_srp_a(check_session(L), hex, sizeof hex))
        return push_status(L, SRP_NOMEM);
    lua_pushstring(L, hex);
    return 1;
}

/* s:_a_bytes(): internal, for tests: how long the secret a is */
static int srp_a_bytes(lua_State *L)
{
    lua_pushinteger(L, srp_session_a_bytes(check_session(L)));
    return 1;
}

static int srp_password_claim(lua_State *L)
{
    struct srp_session *s = check_session(L);
    struct srp_claim in;
    char sig[SRP_SIG_B64_LEN + 1], now[COGNITO_TIMESTAMP_MAX];
    luaL_checktype(L, 2, LUA_TTABLE);
    in.user_id = host_field_string(L, 2, "user_id", 0, &in.user_id_len);
    in.password = host_field_string(L, 2, "password", 0, &in.password_len);
    in.salt = host_field_string(L, 2, "salt", 0, &in.salt_len);
    in.srp_b = host_field_string(L, 2, "srp_b", 0, &in.srp_b_len);
    in.secret_block = host_field_string(L, 2, "secret_block", 0, &in.secret_block_len);
    in.timestamp = host_field_string(L, 2, "timestamp", HOST_FIELD_OPTIONAL, &in.timestamp_len);
    if (!in.timestamp) {
        if (cognito_format_timestamp((int64_t)time(NULL), now, sizeof now) != 0)
            return luaL_error(L, "the system clock cannot be formatted");
        in.timestamp = now;
        in.timestamp_len = strlen(now);
    }
    int status = srp_session_claim(s, &in, sig);
    if (status != SRP_OK)
        return push_status(L, status);
    lua_pushstring(L, sig);
    lua_pushlstring(L, in.timestamp, in.timestamp_len);
    return 2;
}

static int srp_close(lua_State *L)
{
    struct l_session *ud = luaL_checkudata(L, 1, SESSION_MT);
    srp_session_free(ud->s);
    ud->s = NULL;
    return 0;
}

static int srp_session_tostring(lua_State *L)
{
    struct l_session *ud = luaL_checkudata(L, 1, SESSION_MT);
    lua_pushstring(L, ud->s ? "mfakit.srp.session" : "mfakit.srp.session (closed)");
    return 1;
}

static int srp_device_secret(lua_State *L)
{
    size_t dgk_len = 0, key_len = 0, n = 0;
    unsigned char pw[SRP_DEVICE_PASSWORD_BYTES], salt[SRP_DEVICE_SALT_BYTES];
    struct srp_device_secret out;
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *dgk = host_field_string(L, 1, "device_group_key", 0, &dgk_len);
    const char *key = host_field_string(L, 1, "device_key", 0, &key_len);
    int has_pw = hex_field(L, 1, "password_bytes", pw, sizeof pw, sizeof pw, &n);
    int has_salt = hex_field(L, 1, "salt_bytes", salt, sizeof salt, sizeof salt, &n);
    int status = srp_device_verifier(dgk, dgk_len, key, key_len, has_pw ? pw : NULL,
                                     has_salt ? salt : NULL, &out);
    OPENSSL_cleanse(pw, sizeof pw);
    if (status != SRP_OK) {
        OPENSSL_cleanse(&out, sizeof out);
        return push_status(L, status);
    }
    lua_createtable(L, 0, 3);
    lua_pushstring(L, out.password);
    lua_setfield(L, -2, "password");
    lua_pushstring(L, out.salt);
    lua_setfield(L, -2, "Salt");
    lua_pushstring(L, out.verifier);
    lua_setfield(L, -2, "PasswordVerifier");
    OPENSSL_cleanse(&out, sizeof out);
    return 1;
}

static int srp_timestamp(lua_State *L)
{
    char buf[COGNITO_TIMESTAMP_MAX];
    lua_Integer t = lua_isnoneornil(L, 1) ? (lua_Integer)time(NULL) : luaL_checkinteger(L, 1);
    luaL_argcheck(L, cognito_format_timestamp((int64_t)t, buf, sizeof buf) == 0, 1,
                  "time out of range");
    lua_pushstring(L, buf);
    return 1;
}

static int srp_secret_hash(lua_State *L)
{
    size_t user_len, id_len, secret_len;
    char out[COGNITO_SECRET_HASH_LEN + 1];
    const char *user = luaL_checklstring(L, 1, &user_len);
    const char *client_id = luaL_checklstring(L, 2, &id_len);
    const char *secret = luaL_checklstring(L, 3, &secret_len);
    if (cognito_secret_hash(user, user_len, client_id, id_len, secret, secret_len, out) != 0)
        return push_status(L, SRP_CRYPTO);
    lua_pushstring(L, out);
    return 1;
}

static int srp_group(lua_State *L)
{
    char n[SRP_N_HEX_MAX + 1], k[65];
    int status = srp_group_hex(n, sizeof n, k, sizeof k);
    if (status != SRP_OK)
        return push_status(L, status);
    lua_createtable(L, 0, 3);
    lua_pushstring(L, n);
    lua_setfield(L, -2, "N");
    lua_pushinteger(L, 2);
    lua_setfield(L, -2, "g");
    lua_pushstring(L, k);
    lua_setfield(L, -2, "k");
    return 1;
}

static const luaL_Reg session_methods[] = {
    {"srp_a", srp_srp_a},
    {"_a_bytes", srp_a_bytes},
    {"password_claim", srp_password_claim},
    {"close", srp_close},
    {NULL, NULL},
};

static const luaL_Reg session_meta[] = {
    {"__gc", srp_close},
    {"__close", srp_close},
    {"__tostring", srp_session_tostring},
    {NULL, NULL},
};

static const luaL_Reg srp_functions[] = {
    {"new", srp_new},
    {"device_secret", srp_device_secret},
    {"timestamp", srp_timestamp},
    {"secret_hash", srp_secret_hash},
    {"group", srp_group},
    {NULL, NULL},
};

int luaopen_mfakit_srp(lua_State *L)
{
    luaL_newmetatable(L, SESSION_MT);
    luaL_setfuncs(L, session_meta, 0);
    luaL_newlib(L, session_methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    luaL_newlib(L, srp_functions);
    return 1;
}
