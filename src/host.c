/* host.c: builds the Lua state every script runs in.
 *
 * C modules are put in package.preload; the Lua library (lua/mfakit/...) is
 * compiled into the binary and found by a searcher placed before Lua's own,
 * so `require "mfakit.aws"` never touches the file system. For development,
 * MFAKIT_LUA_DIR=path/to/lua makes that searcher read the source tree
 * instead, so an edited module needs no rebuild. */
#include "host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const luaL_Reg c_modules[] = {
    {"mfakit.crypto", luaopen_mfakit_crypto},
    {"mfakit.json", luaopen_mfakit_json},
    {"mfakit.xml", luaopen_mfakit_xml},
    {"mfakit.sigv4", luaopen_mfakit_sigv4},
    {"mfakit.loop", luaopen_mfakit_loop},
    {"mfakit.srp", luaopen_mfakit_srp},
    {"mfakit.totp", luaopen_mfakit_totp},
    {"mfakit.sys", luaopen_mfakit_sys},
    {"mfakit.rsa", luaopen_mfakit_rsa},
    {"mfakit.fs", luaopen_mfakit_fs},
    {NULL, NULL},
};

/* The shared error table's __tostring: one line a person can act on, e.g.
 * "cognito-idp:InitiateAuth: NotAuthorizedException: Incorrect username or
 * password. (HTTP 400, request 1a2b)". Built with lua_concat, not a
 * luaL_Buffer: the fields read along the way would sit above the buffer. */
static int error_tostring(lua_State *L)
{
    int base = lua_gettop(L);
    if (lua_getfield(L, 1, "operation") == LUA_TSTRING)
        lua_pushliteral(L, ": ");
    else
        lua_pop(L, 1);
    if (lua_getfield(L, 1, "code") != LUA_TSTRING) {
        lua_pop(L, 1);
        lua_pushliteral(L, "Error");
    }
    if (lua_getfield(L, 1, "message") == LUA_TSTRING && lua_rawlen(L, -1) > 0) {
        lua_pushliteral(L, ": ");
        lua_insert(L, -2);
    } else {
        lua_pop(L, 1);
    }
    int has_status = lua_getfield(L, 1, "status") == LUA_TNUMBER;
    lua_Integer status = has_status ? lua_tointeger(L, -1) : 0;
    lua_pop(L, 1);
    int has_id = lua_getfield(L, 1, "request_id") == LUA_TSTRING;
    if (!has_id)
        lua_pop(L, 1);
    if (has_status && has_id) {
        lua_pushfstring(L, " (HTTP %I, request ", status);
        lua_insert(L, -2);
        lua_pushliteral(L, ")");
    } else if (has_id) {
        lua_pushliteral(L, " (request ");
        lua_insert(L, -2);
        lua_pushliteral(L, ")");
    } else if (has_status) {
        lua_pushfstring(L, " (HTTP %I)", status);
    }
    lua_concat(L, lua_gettop(L) - base);
    return 1;
}

static void push_error_metatable(lua_State *L)
{
    if (luaL_newmetatable(L, "mfakit.error")) {
        lua_pushcfunction(L, error_tostring);
        lua_setfield(L, -2, "__tostring");
        lua_pushliteral(L, "mfakit.error");
        lua_setfield(L, -2, "__name");
    }
}

int host_fail(lua_State *L, const char *code, const char *fmt, ...)
{
    va_list ap;
    lua_pushnil(L);
    lua_createtable(L, 0, 4);
    lua_pushstring(L, code);
    lua_setfield(L, -2, "code");
    va_start(ap, fmt);
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    lua_setfield(L, -2, "message");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "retryable");
    push_error_metatable(L);
    lua_setmetatable(L, -2);
    return 2;
}

/* Searcher for the embedded library (or MFAKIT_LUA_DIR in development). */
static int search_bundle(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    const char *dir = getenv("MFAKIT_LUA_DIR");
    if (dir && *dir) {
        lua_pushstring(L, dir);
        lua_pushliteral(L, "/");
        luaL_gsub(L, name, ".", "/");
        lua_pushliteral(L, ".lua");
        lua_concat(L, 4);
        const char *path = lua_tostring(L, -1);
        FILE *f = fopen(path, "r");
        if (f) {
            fclose(f);
            if (luaL_loadfile(L, path) != LUA_OK)
                return luaL_error(L, "error loading module '%s':\n\t%s", name, lua_tostring(L, -1));
            lua_pushvalue(L, -2);
            return 2;
        }
        lua_pop(L, 1);
    }
    for (size_t i = 0; i < bundled_module_count; i++) {
        const struct bundled_module *m = &bundled_modules[i];
        if (strcmp(m->name, name) != 0)
            continue;
        lua_pushfstring(L, "@%s", m->path);
        if (luaL_loadbuffer(L, m->source, m->size, lua_tostring(L, -1)) != LUA_OK)
            return luaL_error(L, "error loading module '%s':\n\t%s", name, lua_tostring(L, -1));
        lua_pushstring(L, m->path);
        return 2;
    }
    lua_pushfstring(L, "no embedded module '%s'", name);
    return 1;
}

static void install_searcher(lua_State *L)
{
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "searchers");
    /* after the preload searcher (1), before the path searchers */
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer i = n; i >= 2; i--) {
        lua_rawgeti(L, -1, i);
        lua_rawseti(L, -2, i + 1);
    }
    lua_pushcfunction(L, search_bundle);
    lua_rawseti(L, -2, 2);
    lua_pop(L, 1);

    lua_getfield(L, -1, "preload");
    for (const luaL_Reg *m = c_modules; m->name; m++) {
        lua_pushcfunction(L, m->func);
        lua_setfield(L, -2, m->name);
    }
    lua_pop(L, 2);
}

/* Strict globals: reading or writing a name that was never declared is an
 * error, which catches the typo'd variable before it reaches AWS. Scripts
 * use locals; a deliberate global is declared with rawset(_G, name, v). */
static int strict_index(lua_State *L)
{
    return luaL_error(L, "undeclared global '%s' (use a local, or rawset(_G, name, value))",
                      luaL_tolstring(L, 2, NULL));
}

static int strict_newindex(lua_State *L)
{
    return luaL_error(
        L, "assignment to undeclared global '%s' (use a local, or rawset(_G, name, value))",
        luaL_tolstring(L, 2, NULL));
}

static void make_globals_strict(lua_State *L)
{
    lua_pushglobaltable(L);
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, strict_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, strict_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_setmetatable(L, -2);
    lua_pop(L, 1);
}

lua_State *host_new(void)
{
    lua_State *L = luaL_newstate();
    if (!L)
        return NULL;
    luaL_openlibs(L);
    push_error_metatable(L);
    lua_pop(L, 1);
    install_searcher(L);
    lua_pushnil(L); /* `arg` exists from the start, so strictness allows it */
    lua_setglobal(L, "arg");
    make_globals_strict(L);
    return L;
}

static int traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int host_docall(lua_State *L, int nargs, int nresults)
{
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, traceback);
    lua_insert(L, base);
    int status = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    if (status != LUA_OK) {
        fprintf(stderr, "mfakit: %s\n", lua_tostring(L, -1));
        fflush(stderr);
        lua_pop(L, 1);
    }
    return status;
}
