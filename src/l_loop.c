/* l_loop.c: the "mfakit.loop" module, the binding over loop.c used by
 * lua/mfakit/http.lua and lua/mfakit/task.lua. Scripts use mfakit.http. */
#include "host.h"
#include "loop.h"

#include <ctype.h>
#include "curl_lazy.h"
#include <stdlib.h>
#include <string.h>

#define LOOP_MT "mfakit.loop"
#define MAX_HEADERS 128

/* Request bodies lent to libcurl (CURLOPT_POSTFIELDS, not a copy): each stays
 * in this table, upvalue 2, by transfer id until its result is taken or the
 * transfer is cancelled, so the garbage collector cannot free it while
 * libcurl may still send from it. */
#define BODIES lua_upvalueindex(2)

static void body_release(lua_State *L, uint64_t id)
{
    lua_pushnil(L);
    lua_rawseti(L, BODIES, (lua_Integer)id);
}

static struct loop *check_loop(lua_State *L)
{
    struct loop **p = lua_touserdata(L, lua_upvalueindex(1));
    if (!*p)
        luaL_error(L, "the HTTP loop is closed");
    return *p;
}

static int loop_gc(lua_State *L)
{
    struct loop **p = luaL_checkudata(L, 1, LOOP_MT);
    loop_free(*p);
    *p = NULL;
    return 0;
}

static void add_header_line(lua_State *L, int keep, size_t *n, const char *name)
{
    luaL_argcheck(L, lua_type(L, -1) == LUA_TSTRING, 1, "header values must be strings");
    size_t vlen;
    const char *v = lua_tolstring(L, -1, &vlen);
    luaL_argcheck(L, !memchr(v, '\r', vlen) && !memchr(v, '\n', vlen), 1,
                  "header values must not contain line breaks");
    luaL_argcheck(L, *n < MAX_HEADERS, 1, "too many headers");
    lua_pushfstring(L, "%s: %s", name, v);
    lua_rawseti(L, keep, (lua_Integer)++ * n);
}

/* Collects "Name: value" lines from the headers table (a value may be an
 * array of strings for a repeated header). The lines are kept alive in a
 * table left on the stack until the transfer has copied them. */
static size_t collect_headers(lua_State *L, int idx, const char **out)
{
    size_t n = 0;
    lua_newtable(L);
    int keep = lua_gettop(L);
    if (lua_getfield(L, idx, "headers") != LUA_TNIL) {
        luaL_argcheck(L, lua_istable(L, -1), 1, "headers must be a table");
        int headers = lua_gettop(L);
        lua_pushnil(L);
        while (lua_next(L, headers)) {
            luaL_argcheck(L, lua_type(L, -2) == LUA_TSTRING, 1, "header names must be strings");
            const char *name = lua_tostring(L, -2);
            if (lua_istable(L, -1)) {
                int list = lua_gettop(L);
                for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, list); i++) {
                    lua_rawgeti(L, list, i);
                    add_header_line(L, keep, &n, name);
                    lua_pop(L, 1);
                }
            } else {
                add_header_line(L, keep, &n, name);
            }
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, keep, (lua_Integer)i + 1);
        out[i] = lua_tostring(L, -1);
        lua_pop(L, 1);
    }
    return n;
}

static long opt_ms(lua_State *L, int idx, const char *field)
{
    lua_getfield(L, idx, field);
    double s = luaL_optnumber(L, -1, 0);
    lua_pop(L, 1);
    luaL_argcheck(L, s >= 0, idx, "timeouts must not be negative");
    return (long)(s * 1000.0 + 0.5);
}

static size_t opt_size(lua_State *L, int idx, const char *field)
{
    lua_Integer n = host_field_integer(L, idx, field, HOST_FIELD_OPTIONAL, 0);
    luaL_argcheck(L, n >= 0, idx, "size caps must not be negative");
    return (size_t)n;
}

static int loop_lstart(lua_State *L)
{
    struct loop *loop = check_loop(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    struct loop_request req = {0};
    lua_getfield(L, 1, "url");
    req.url = luaL_checkstring(L, -1);
    lua_getfield(L, 1, "method");
    req.method = luaL_optstring(L, -1, "GET");
    int body = lua_getfield(L, 1, "body") != LUA_TNIL ? lua_gettop(L) : 0;
    if (body)
        req.body = luaL_checklstring(L, body, &req.body_len);
    lua_getfield(L, 1, "ca_bundle");
    req.ca_bundle = luaL_optstring(L, -1, NULL);
    req.timeout_ms = opt_ms(L, 1, "timeout");
    req.connect_timeout_ms = opt_ms(L, 1, "connect_timeout");
    req.max_body = opt_size(L, 1, "max_body");
    req.max_error_body = opt_size(L, 1, "max_error_body");
    req.max_header_size = opt_size(L, 1, "max_header_size");
    const char *lines[MAX_HEADERS];
    req.header_count = collect_headers(L, 1, lines);
    req.headers = lines;
    /* filed before libcurl holds the pointer: filing may raise (out of
     * memory), and nothing may have started then */
    uint64_t next = loop_next_id(loop);
    if (body) {
        lua_pushvalue(L, body);
        lua_rawseti(L, BODIES, (lua_Integer)next);
    }
    char err[256];
    uint64_t id = loop_start(loop, &req, err, sizeof err);
    if (!id) {
        body_release(L, next);
        return host_fail(L, "RequestFailed", "%s", err);
    }
    lua_pushinteger(L, (lua_Integer)id);
    return 1;
}

static void push_headers(lua_State *L, const struct loop_buf *raw)
{
    lua_newtable(L);
    const char *p = raw->data, *end = raw->data + raw->len;
    if (!p)
        return;
    const char *nl = memchr(p, '\n', (size_t)(end - p)); /* skip the status line */
    p = nl ? nl + 1 : end;
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *colon = memchr(p, ':', (size_t)(le - p));
        if (colon && colon > p) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (const char *c = p; c < colon; c++)
                luaL_addchar(&b, (char)tolower((unsigned char)*c));
            luaL_pushresult(&b);
            const char *v = colon + 1, *ve = le;
            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            lua_pushvalue(L, -1);
            if (lua_rawget(L, -3) == LUA_TSTRING) {
                lua_pushliteral(L, ", ");
                lua_pushlstring(L, v, (size_t)(ve - v));
                lua_concat(L, 3);
            } else {
                lua_pop(L, 1);
                lua_pushlstring(L, v, (size_t)(ve - v));
            }
            lua_rawset(L, -3);
        }
        p = le + 1;
    }
}

static const char *transport_code(int e, int *retryable)
{
    *retryable = 1;
    switch (e) {
    case CURLE_OPERATION_TIMEDOUT:
        return "Timeout";
    case CURLE_COULDNT_CONNECT:
        return "ConnectFailed";
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return "ResolveFailed";
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        *retryable = 0;
        return "TLSError";
    case CURLE_URL_MALFORMAT:
        *retryable = 0;
        return "InvalidURL";
    case CURLE_UNSUPPORTED_PROTOCOL: /* also what a garbled status line gives */
        *retryable = 0;
        return "ProtocolError";
    default:
        return "NetworkError";
    }
}

static const char *too_large_what(int which)
{
    switch (which) {
    case LOOP_BODY_TOO_LARGE:
        return "response body";
    case LOOP_ERROR_BODY_TOO_LARGE:
        return "error response body";
    default:
        return "response headers";
    }
}

static void push_result(lua_State *L, const struct loop_result *r)
{
    lua_createtable(L, 0, 8);
    lua_pushinteger(L, (lua_Integer)r->id);
    lua_setfield(L, -2, "id");
    lua_pushnumber(L, r->total_seconds);
    lua_setfield(L, -2, "time");
    if (r->too_large) {
        /* never retried: the same server would send the same answer */
        lua_pushliteral(L, "ResponseTooLarge");
        lua_setfield(L, -2, "error");
        if (r->cap)
            lua_pushfstring(L, "the %s passed the cap of %I bytes", too_large_what(r->too_large),
                            (lua_Integer)r->cap);
        else
            lua_pushfstring(L, "the %s are larger than libcurl accepts",
                            too_large_what(r->too_large));
        lua_setfield(L, -2, "message");
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "retryable");
        return;
    }
    if (r->error) {
        int retryable;
        lua_pushstring(L, transport_code(r->error, &retryable));
        lua_setfield(L, -2, "error");
        lua_pushstring(L, r->error_text);
        lua_setfield(L, -2, "message");
        lua_pushboolean(L, retryable);
        lua_setfield(L, -2, "retryable");
        return;
    }
    lua_pushinteger(L, r->status);
    lua_setfield(L, -2, "status");
    push_headers(L, &r->headers);
    lua_setfield(L, -2, "headers");
    lua_pushlstring(L, r->body.data ? r->body.data : "", r->body.len);
    lua_setfield(L, -2, "body");
}

/* poll(seconds) -> array of finished transfers */
static int loop_lpoll(lua_State *L)
{
    struct loop *loop = check_loop(L);
    double s = luaL_optnumber(L, 1, 0);
    int ms = s <= 0 ? 0 : s > 3600 ? 3600000 : (int)(s * 1000.0 + 0.5);
    loop_poll(loop, ms);
    lua_newtable(L);
    struct loop_result *r;
    int n = 0;
    while ((r = loop_take_done(loop))) {
        body_release(L, r->id);
        push_result(L, r);
        loop_result_free(r);
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

static int loop_lcancel(lua_State *L)
{
    uint64_t id = (uint64_t)luaL_checkinteger(L, 1);
    loop_cancel(check_loop(L), id);
    body_release(L, id);
    return 0;
}

static int loop_lrunning(lua_State *L)
{
    lua_pushinteger(L, loop_running(check_loop(L)));
    return 1;
}

static int loop_lversion(lua_State *L)
{
    lua_pushstring(L, loop_curl_version());
    return 1;
}

static const luaL_Reg loop_functions[] = {
    {"start", loop_lstart},     {"poll", loop_lpoll},       {"cancel", loop_lcancel},
    {"running", loop_lrunning}, {"version", loop_lversion}, {NULL, NULL},
};

int luaopen_mfakit_loop(lua_State *L)
{
    lua_newtable(L);
    struct loop **p = lua_newuserdatauv(L, sizeof *p, 0);
    *p = NULL;
    luaL_newmetatable(L, LOOP_MT);
    lua_pushcfunction(L, loop_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    *p = loop_new();
    if (!*p)
        return luaL_error(L, "out of memory");
    lua_newtable(L); /* BODIES */
    luaL_setfuncs(L, loop_functions, 2);
    return 1;
}
