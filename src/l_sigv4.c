/* l_sigv4.c: require "mfakit.sigv4", a thin binding over sigv4.c.
 *
 *   local s = sigv4.sign{ method=, url=, body=, headers=, region=, service=,
 *                         access_key=, secret_key=, session_token=, time=,
 *                         content_sha256=, normalize_path=, trace= }
 *   s.headers (everything to send, name -> value); with trace = true also
 *   s.authorization, s.signature, s.canonical_request, s.string_to_sign,
 *   s.signed_headers, which only a person reading a trace needs
 *
 * A header value may be an array of strings: a repeated header. Misuse raises;
 * a URL that cannot be parsed returns nil, err (InvalidURL). */
#include "host.h"
#include "sigv4.h"

#include <math.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define RESULT_MT "mfakit.sigv4.result"

/* The headers table, under "headers" or the same word in any case. */
static int push_headers_table(lua_State *L)
{
    if (lua_getfield(L, 1, "headers") == LUA_TNIL) {
        lua_pop(L, 1);
        lua_pushnil(L);
        int found = 0;
        while (lua_next(L, 1)) {
            if (lua_type(L, -2) == LUA_TSTRING && strcasecmp(lua_tostring(L, -2), "headers") == 0) {
                found = 1;
                lua_remove(L, -2);
                break;
            }
            lua_pop(L, 1);
        }
        if (!found)
            lua_pushnil(L);
    }
    if (!lua_isnil(L, -1))
        luaL_argcheck(L, lua_istable(L, -1), 1, "'headers': table expected");
    return lua_istable(L, -1);
}

static void add_header(lua_State *L, struct sigv4_header *h, size_t *n, int anchor, int value)
{
    if (!lua_isstring(L, value))
        luaL_argerror(L, 1,
                      lua_pushfstring(L, "header '%s': string expected, got %s",
                                      lua_tostring(L, -2), luaL_typename(L, value)));
    lua_pushvalue(L, value);
    h[*n].value = lua_tolstring(L, -1, &h[*n].value_len); /* numbers become strings here */
    lua_rawseti(L, anchor, (lua_Integer)*n + 1);
    h[*n].name = lua_tolstring(L, -2, &h[*n].name_len);
    (*n)++;
}

/* Converts the headers table (on top) to an array the core reads; the
 * strings stay alive in an anchor table pushed below the array. */
static struct sigv4_header *collect_headers(lua_State *L, size_t *count)
{
    int tbl = lua_gettop(L);
    size_t n = 0;
    for (lua_pushnil(L); lua_next(L, tbl); lua_pop(L, 1)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_argerror(L, 1, "header names must be strings");
        n += lua_istable(L, -1) ? lua_rawlen(L, -1) : 1;
    }
    lua_createtable(L, (int)n, 0);
    int anchor = lua_gettop(L);
    struct sigv4_header *h = lua_newuserdatauv(L, (n ? n : 1) * sizeof *h, 0);
    n = 0;
    for (lua_pushnil(L); lua_next(L, tbl); lua_pop(L, 1)) {
        if (!lua_istable(L, -1)) {
            add_header(L, h, &n, anchor, lua_gettop(L));
            continue;
        }
        lua_Integer len = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer i = 1; i <= len; i++) {
            lua_rawgeti(L, -1, i);
            lua_pushvalue(L, -3); /* name on top of the value, as add_header wants */
            lua_insert(L, -2);
            add_header(L, h, &n, anchor, lua_gettop(L));
            lua_pop(L, 2);
        }
    }
    *count = n;
    return h;
}

static int64_t field_time(lua_State *L)
{
    if (host_field(L, 1, "time", LUA_TNUMBER) == LUA_TNIL)
        return (int64_t)time(NULL);
    if (lua_isinteger(L, -1))
        return (int64_t)lua_tointeger(L, -1);
    lua_Number x = floor(lua_tonumber(L, -1));
    luaL_argcheck(L, x >= 0 && x < 253402300800.0, 1, "field 'time' out of range");
    return (int64_t)x;
}

static int result_gc(lua_State *L)
{
    sigv4_signed_free(luaL_checkudata(L, 1, RESULT_MT));
    return 0;
}

/* Leading and trailing blanks mean nothing in HTTP; dropping them lets a
 * repeated header be joined into the exact bytes that were signed. */
static void push_trimmed(lua_State *L, const char *v, size_t n)
{
    while (n > 0 && (*v == ' ' || *v == '\t'))
        v++, n--;
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    lua_pushlstring(L, v, n);
}

/* What to send: the caller's headers under the names given (a repeated one
 * joined with ',', which HTTP takes as the same), then the signer's own. */
static void push_send_headers(lua_State *L, const struct sigv4_request *req,
                              const struct sigv4_signed *out)
{
    lua_createtable(L, 0, (int)req->header_count + 5);
    for (size_t i = 0; i < req->header_count; i++) {
        const struct sigv4_header *h = &req->headers[i];
        if (sigv4_header_replaced(req, h->name, h->name_len))
            continue;
        lua_pushlstring(L, h->name, h->name_len);
        if (lua_rawget(L, -2) == LUA_TSTRING) {
            lua_pushliteral(L, ",");
            push_trimmed(L, h->value, h->value_len);
            lua_concat(L, 3);
        } else {
            lua_pop(L, 1);
            push_trimmed(L, h->value, h->value_len);
        }
        lua_pushlstring(L, h->name, h->name_len);
        lua_insert(L, -2);
        lua_rawset(L, -3);
    }
    if (out->host) {
        lua_pushstring(L, out->host);
        lua_setfield(L, -2, "Host");
    }
    lua_pushstring(L, out->amz_date);
    lua_setfield(L, -2, "X-Amz-Date");
    if (req->session_token && *req->session_token) {
        lua_pushstring(L, req->session_token);
        lua_setfield(L, -2, "X-Amz-Security-Token");
    }
    if (req->content_sha256) {
        lua_pushstring(L, out->payload_hash);
        lua_setfield(L, -2, "X-Amz-Content-Sha256");
    }
    lua_pushstring(L, out->authorization);
    lua_setfield(L, -2, "Authorization");
}

static int sigv4_sign(lua_State *L)
{
    struct sigv4_request req = {0};
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkstack(L, 40, "sigv4.sign");
    size_t url_len;
    const int text = HOST_FIELD_NONEMPTY | HOST_FIELD_TEXT;
    req.method = host_field_string(L, 1, "method", text, NULL);
    req.url = host_field_string(L, 1, "url", HOST_FIELD_NONEMPTY, &url_len);
    req.body = host_field_string(L, 1, "body", HOST_FIELD_OPTIONAL, &req.body_len);
    req.region = host_field_string(L, 1, "region", text, NULL);
    req.service = host_field_string(L, 1, "service", text, NULL);
    req.access_key = host_field_string(L, 1, "access_key", text, NULL);
    req.secret_key = host_field_string(L, 1, "secret_key", text, NULL);
    req.session_token =
        host_field_string(L, 1, "session_token", HOST_FIELD_OPTIONAL | HOST_FIELD_TEXT, NULL);
    req.time = field_time(L);
    req.content_sha256 = host_field_boolean(L, 1, "content_sha256", 0);
    req.normalize_path = host_field_boolean(L, 1, "normalize_path", -1);
    req.keep_steps = host_field_boolean(L, 1, "trace", 0);
    if (push_headers_table(L))
        req.headers = collect_headers(L, &req.header_count);

    if (strlen(req.url) != url_len) /* the URL is data: a NUL in it is not misuse */
        return host_fail(L, "InvalidURL", "NUL byte in URL");

    struct sigv4_signed *out = lua_newuserdatauv(L, sizeof *out, 0);
    memset(out, 0, sizeof *out);
    if (luaL_newmetatable(L, RESULT_MT)) {
        lua_pushcfunction(L, result_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    char err[256] = "";
    switch (sigv4_sign_request(&req, out, err, sizeof err)) {
    case SIGV4_OK:
        break;
    case SIGV4_BAD_URL:
        return host_fail(L, "InvalidURL", "%s", err);
    default:
        return luaL_error(L, "sigv4.sign: %s", err);
    }
    lua_createtable(L, 0, req.keep_steps ? 6 : 1);
    if (req.keep_steps) {
        lua_pushstring(L, out->authorization);
        lua_setfield(L, -2, "authorization");
        lua_pushstring(L, out->signature);
        lua_setfield(L, -2, "signature");
        lua_pushstring(L, out->canonical_request);
        lua_setfield(L, -2, "canonical_request");
        lua_pushstring(L, out->string_to_sign);
        lua_setfield(L, -2, "string_to_sign");
        lua_pushstring(L, out->signed_headers);
        lua_setfield(L, -2, "signed_headers");
    }
    push_send_headers(L, &req, out);
    lua_setfield(L, -2, "headers");
    sigv4_signed_free(out);
    return 1;
}

int luaopen_mfakit_sigv4(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"sign", sigv4_sign},
        {NULL, NULL},
    };
    luaL_newlib(L, funcs);
    return 1;
}
