/* l_json.c: the "mfakit.json" module, a binding over cJSON.
 *
 * decode(s) returns a value or nil, err (InvalidJSON): the text comes from
 * outside. encode(v) raises on values JSON cannot hold: that is a bug in the
 * script. json.null is a NULL lightuserdata; json.array(t) marks a table with
 * json.array_mt so that an empty one encodes as [] (decoded arrays carry the
 * mark, so they round-trip). Object keys are written sorted, so the same
 * table always gives the same text.
 *
 * Numbers: cJSON parses every number to a double, so integral values within
 * +-2^53 become Lua integers (1.0 too: the lexical form is gone) and larger
 * ones floats; 1e400 becomes math.huge, which encode refuses. Lua integers
 * encode exactly, floats in the fewest digits (up to 17) that read back the
 * same. cJSON also accepts a few forms strict JSON does not (01, 1., -.5).
 *
 * cJSON works on C strings, so a NUL inside a string (raw or \u0000) cannot
 * be carried either way: decode rejects it and encode raises. */
#include "host.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH CJSON_NESTING_LIMIT
#define STRINGIFY(x) #x
#define STR(x) STRINGIFY(x)
#define BOX_NAME "mfakit.json.box"

/* Holds what cJSON allocated while Lua code may still raise (out of memory,
 * unencodable value), so that the garbage collector frees it instead of it
 * leaking. */
struct json_box {
    cJSON *tree;
    char *text;
};

static int box_gc(lua_State *L)
{
    struct json_box *box = luaL_checkudata(L, 1, BOX_NAME);
    cJSON_Delete(box->tree);
    cJSON_free(box->text);
    box->tree = NULL;
    box->text = NULL;
    return 0;
}

static struct json_box *push_box(lua_State *L)
{
    struct json_box *box = lua_newuserdatauv(L, sizeof *box, 0);
    box->tree = NULL;
    box->text = NULL;
    luaL_setmetatable(L, BOX_NAME);
    return box;
}

/* The array metatable is the module's upvalue 1. */
static void push_array_mt(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
}

/* ---- decode ---- */

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A pass over the text before cJSON sees it, for what cJSON gets wrong or
 * leaves unsaid. A malformed \uXXXX or \u0000 becomes a NUL byte in cJSON,
 * which silently truncates the string there; a raw NUL truncates too. And
 * past its nesting limit cJSON reports a plain syntax error. Returns the
 * offset of the offending byte, or -1, setting *why. */
static long prescan(const char *s, size_t len, const char **why)
{
    int in_string = 0, depth = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\0') {
            *why = "NUL byte";
            return (long)i;
        }
        if (!in_string) {
            if (c == '"') {
                in_string = 1;
            } else if ((c == '[' || c == '{') && ++depth > JSON_MAX_DEPTH) {
                *why = "nested deeper than " STR(JSON_MAX_DEPTH);
                return (long)i;
            } else if (c == ']' || c == '}') {
                depth--;
            }
        } else if (c == '"') {
            in_string = 0;
        } else if (c == '\\' && i + 1 < len) {
            if (s[i + 1] == 'u' &&
                (len - i < 6 || !is_hex(s[i + 2]) || !is_hex(s[i + 3]) || !is_hex(s[i + 4]) ||
                 !is_hex(s[i + 5]) || memcmp(s + i + 2, "0000", 4) == 0)) {
                *why = "malformed or NUL \\u escape";
                return (long)i;
            }
            i++; /* the escaped character, so "\\u0000" is left alone */
        }
    }
    return -1;
}

/* omit_nulls: an AWS answer's null means "absent", as the SDKs read it, so
 * a null member or array element is left out rather than made json.null. */
static void push_item(lua_State *L, const cJSON *item, int omit_nulls)
{
    luaL_checkstack(L, 3, "JSON nested too deep");
    if (cJSON_IsNull(item)) {
        lua_pushlightuserdata(L, NULL);
    } else if (cJSON_IsFalse(item) || cJSON_IsTrue(item)) {
        lua_pushboolean(L, cJSON_IsTrue(item));
    } else if (cJSON_IsNumber(item)) {
        double d = item->valuedouble;
        if (floor(d) == d && fabs(d) <= 9007199254740992.0)
            lua_pushinteger(L, (lua_Integer)d);
        else
            lua_pushnumber(L, d);
    } else if (cJSON_IsString(item)) {
        lua_pushstring(L, item->valuestring);
    } else if (cJSON_IsArray(item)) {
        lua_createtable(L, cJSON_GetArraySize(item), 0);
        lua_Integer i = 1;
        for (const cJSON *c = item->child; c; c = c->next) {
            if (omit_nulls && cJSON_IsNull(c))
                continue;
            push_item(L, c, omit_nulls);
            lua_rawseti(L, -2, i++);
        }
        push_array_mt(L);
        lua_setmetatable(L, -2);
    } else { /* object; cJSON has no other types after a parse */
        lua_createtable(L, 0, cJSON_GetArraySize(item));
        for (const cJSON *c = item->child; c; c = c->next) {
            if (omit_nulls && cJSON_IsNull(c))
                continue;
            lua_pushstring(L, c->string);
            push_item(L, c, omit_nulls);
            lua_rawset(L, -3);
        }
    }
}

static int json_decode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    int omit_nulls = 0;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        omit_nulls = host_field_boolean(L, 2, "omit_nulls", 0);
    }
    const char *why = NULL;
    long bad = prescan(s, len, &why);
    if (bad >= 0)
        return host_fail(L, "InvalidJSON", "%s at byte %I", why, (lua_Integer)bad + 1);
    struct json_box *box = push_box(L);
    const char *end = NULL;
    /* len + 1: cJSON wants the terminating NUL (every Lua string has one)
     * inside the length to accept the end of the text. */
    box->tree = cJSON_ParseWithLengthOpts(s, len + 1, &end, 1);
    if (!box->tree) {
        size_t at = end ? (size_t)(end - s) : 0;
        if (at >= len)
            return host_fail(L, "InvalidJSON", "unexpected end of input at byte %I",
                             (lua_Integer)len + 1);
        return host_fail(L, "InvalidJSON", "syntax error at byte %I", (lua_Integer)at + 1);
    }
    push_item(L, box->tree, omit_nulls);
    cJSON_Delete(box->tree);
    box->tree = NULL;
    return 1;
}

/* ---- encode ---- */

static cJSON *to_item(lua_State *L, int idx, int depth);

static cJSON *checked(lua_State *L, cJSON *item)
{
    if (!item)
        luaL_error(L, "json.encode: out of memory");
    return item;
}

/* Gives `item` to `parent` at once: until then nothing may raise, or it
 * would leak. */
static void attach(lua_State *L, cJSON *parent, const char *key, cJSON *item)
{
    if (key ? !cJSON_AddItemToObject(parent, key, item) : !cJSON_AddItemToArray(parent, item)) {
        cJSON_Delete(item);
        luaL_error(L, "json.encode: out of memory");
    }
}

static cJSON *number_item(lua_State *L, int idx)
{
    char buf[64];
    if (lua_isinteger(L, idx)) {
        snprintf(buf, sizeof buf, LUA_INTEGER_FMT, (LUAI_UACINT)lua_tointeger(L, idx));
    } else {
        double d = (double)lua_tonumber(L, idx);
        if (!isfinite(d))
            luaL_error(L, "json.encode: cannot encode %s", isnan(d) ? "NaN" : "infinity");
        /* the shortest of 15..17 digits that reads back as the same double */
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, d);
            if (strtod(buf, NULL) == d)
                break;
        }
    }
    /* Raw, because cJSON would print a large integer through a double. */
    return checked(L, cJSON_CreateRaw(buf));
}

static const char *check_no_nul(lua_State *L, int idx, const char *what)
{
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    if (strlen(s) != len)
        luaL_error(L, "json.encode: %s contains a NUL byte", what);
    return s;
}

/* An array if marked or keyed exactly 1..n, an object if keyed only by
 * strings; anything else would lose data, so it raises. Leaves the number
 * of keys on the stack. */
static int is_array(lua_State *L, int idx)
{
    int marked = 0;
    if (lua_getmetatable(L, idx)) {
        push_array_mt(L);
        marked = lua_rawequal(L, -1, -2);
        lua_pop(L, 2);
    }
    lua_Integer count = 0, strings = 0, max = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        count++;
        if (lua_type(L, -1) == LUA_TSTRING) {
            strings++;
        } else if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1) {
            if (lua_tointeger(L, -1) > max)
                max = lua_tointeger(L, -1);
        } else {
            luaL_error(L, "json.encode: cannot encode a table key of type %s",
                       luaL_typename(L, -1));
        }
    }
    lua_pushinteger(L, count);
    if (strings == count && !marked)
        return 0;
    if (strings > 0)
        luaL_error(L, "json.encode: table mixes array and object keys");
    if (max != count)
        luaL_error(L, "json.encode: sparse array (%d of %d slots set)", (int)count, (int)max);
    return 1;
}

static int key_less(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void fill_object(lua_State *L, int idx, int depth, cJSON *obj, size_t n)
{
    /* keys sorted, so that output is deterministic (signatures, diffs) */
    const char **keys = lua_newuserdatauv(L, n * sizeof *keys + 1, 0);
    size_t i = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        keys[i++] = check_no_nul(L, -1, "object key");
    }
    qsort(keys, n, sizeof *keys, key_less);
    for (i = 0; i < n; i++) {
        lua_pushstring(L, keys[i]);
        lua_rawget(L, idx);
        attach(L, obj, keys[i], to_item(L, lua_gettop(L), depth + 1));
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static cJSON *table_item(lua_State *L, int idx, int depth)
{
    if (depth >= JSON_MAX_DEPTH)
        luaL_error(L, "json.encode: nested deeper than %d (or a cycle)", JSON_MAX_DEPTH);
    luaL_checkstack(L, 6, "json.encode: nested too deep");
    int array = is_array(L, idx);
    lua_Integer n = lua_tointeger(L, -1);
    lua_pop(L, 1);
    struct json_box *box = push_box(L); /* owns the container until it has a parent */
    box->tree = checked(L, array ? cJSON_CreateArray() : cJSON_CreateObject());
    if (array) {
        for (lua_Integer i = 1; i <= n; i++) {
            lua_rawgeti(L, idx, i);
            attach(L, box->tree, NULL, to_item(L, lua_gettop(L), depth + 1));
            lua_pop(L, 1);
        }
    } else {
        fill_object(L, idx, depth, box->tree, (size_t)n);
    }
    cJSON *item = box->tree;
    box->tree = NULL;
    lua_pop(L, 1);
    return item;
}

static cJSON *to_item(lua_State *L, int idx, int depth)
{
    switch (lua_type(L, idx)) {
    case LUA_TBOOLEAN:
        return checked(L, cJSON_CreateBool(lua_toboolean(L, idx)));
    case LUA_TNUMBER:
        return number_item(L, idx);
    case LUA_TSTRING:
        return checked(L, cJSON_CreateString(check_no_nul(L, idx, "string")));
    case LUA_TTABLE:
        return table_item(L, idx, depth);
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == NULL)
            return checked(L, cJSON_CreateNull());
        break;
    default:
        break;
    }
    luaL_error(L, "json.encode: cannot encode a %s", luaL_typename(L, idx));
    return NULL;
}

static int json_encode(lua_State *L)
{
    luaL_checkany(L, 1);
    lua_settop(L, 1);
    struct json_box *box = push_box(L);
    box->tree = to_item(L, 1, 0);
    box->text = cJSON_PrintUnformatted(box->tree);
    if (!box->text)
        return luaL_error(L, "json.encode: out of memory");
    lua_pushstring(L, box->text);
    cJSON_free(box->text);
    cJSON_Delete(box->tree);
    box->text = NULL;
    box->tree = NULL;
    return 1;
}

static int json_array(lua_State *L)
{
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_newtable(L);
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    push_array_mt(L);
    lua_setmetatable(L, 1);
    return 1;
}

static const luaL_Reg json_funcs[] = {
    {"decode", json_decode},
    {"encode", json_encode},
    {"array", json_array},
    {NULL, NULL},
};

int luaopen_mfakit_json(lua_State *L)
{
    if (luaL_newmetatable(L, BOX_NAME)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    luaL_newlibtable(L, json_funcs);
    lua_newtable(L); /* array_mt */
    lua_pushliteral(L, "json.array");
    lua_setfield(L, -2, "__name");
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "array_mt");
    luaL_setfuncs(L, json_funcs, 1);
    lua_pushlightuserdata(L, NULL);
    lua_setfield(L, -2, "null");
    /* the cJSON actually linked, for mfakit --version */
    lua_pushstring(L, cJSON_Version());
    lua_setfield(L, -2, "library_version");
    return 1;
}
