/* host_field.c: the readers of an options table's fields declared in
 * host.h, shared by every binding so that misuse reads alike everywhere:
 *   bad argument #1 to 'sign' (field 'region': string expected, got nil) */
#include "host.h"

#include <string.h>

static int field_error(lua_State *L, int arg, const char *name, const char *what)
{
    return luaL_argerror(
        L, arg,
        lua_pushfstring(L, "field '%s': %s expected, got %s", name, what, luaL_typename(L, -1)));
}

int host_field(lua_State *L, int arg, const char *name, int type)
{
    arg = lua_absindex(L, arg);
    int t = lua_getfield(L, arg, name);
    /* `x = cond and value` leaves false: for any but a boolean field it
     * means "not given", as nil does */
    if (t == LUA_TBOOLEAN && type != LUA_TBOOLEAN && !lua_toboolean(L, -1))
        return LUA_TNIL;
    if (t != type && t != LUA_TNIL)
        field_error(L, arg, name, lua_typename(L, type));
    return t;
}

const char *host_field_string(lua_State *L, int arg, const char *name, int flags, size_t *len)
{
    size_t n = 0;
    arg = lua_absindex(L, arg);
    if (host_field(L, arg, name, LUA_TSTRING) == LUA_TNIL) {
        if (!(flags & HOST_FIELD_OPTIONAL))
            field_error(L, arg, name, "string");
        if (len)
            *len = 0;
        return NULL;
    }
    const char *s = lua_tolstring(L, -1, &n);
    if ((flags & HOST_FIELD_NONEMPTY) && n == 0)
        luaL_argerror(L, arg, lua_pushfstring(L, "field '%s' must not be empty", name));
    if ((flags & HOST_FIELD_TEXT) && strlen(s) != n)
        luaL_argerror(L, arg, lua_pushfstring(L, "field '%s' contains a NUL byte", name));
    if (len)
        *len = n;
    return s;
}

lua_Integer host_field_integer(lua_State *L, int arg, const char *name, int flags, lua_Integer def)
{
    arg = lua_absindex(L, arg);
    int t = lua_getfield(L, arg, name);
    int isnum = 0;
    lua_Integer v = lua_tointegerx(L, -1, &isnum); /* as luaL_checkinteger: "6" and 6.0 do */
    if ((t == LUA_TNIL || (t == LUA_TBOOLEAN && !lua_toboolean(L, -1))) &&
        (flags & HOST_FIELD_OPTIONAL)) {
        v = def;
        isnum = 1;
    }
    if (!isnum)
        field_error(L, arg, name, "integer");
    lua_pop(L, 1);
    return v;
}

int host_field_boolean(lua_State *L, int arg, const char *name, int def)
{
    int v = lua_getfield(L, arg, name) == LUA_TNIL ? def : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}
