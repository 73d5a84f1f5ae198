/* fuzz_xml.c: libFuzzer target for mfakit.xml (l_xml.c over expat).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_DEFAULT_SOURCE -Isrc \
 *       $(pkg-config --cflags lua5.4 expat) fuzz/fuzz_xml.c src/l_xml.c \
 *       $(pkg-config --libs lua5.4 expat) -o build/fuzz_xml
 *   build/fuzz_xml -max_total_time=60
 *
 * Beyond crashes and leaks it checks that decode never raises and that what
 * it returns has the LOM shape: tag and attr on every element, children that
 * are elements or non-empty strings, never two strings in a row. */
#include "host.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int host_fail(lua_State *L, const char *code, const char *fmt, ...)
{
    (void)fmt;
    lua_pushnil(L);
    lua_pushstring(L, code);
    return 2;
}

static const char check[] =
    "local xml, s = ...\n"
    "local doc, err = xml.decode(s)\n"
    "if doc == nil then assert(err == 'InvalidXML') return end\n"
    "local function walk(el)\n"
    "  assert(type(el.tag) == 'string' and type(el.attr) == 'table')\n"
    "  for i, name in ipairs(el.attr) do assert(type(el.attr[name]) == 'string', i) end\n"
    "  local prev\n"
    "  for _, c in ipairs(el) do\n"
    "    if type(c) == 'table' then walk(c) else\n"
    "      assert(type(c) == 'string' and #c > 0 and type(prev) ~= 'string')\n"
    "    end\n"
    "    prev = c\n"
    "  end\n"
    "end\n"
    "walk(doc)\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static lua_State *L;
    if (!L) {
        L = luaL_newstate();
        luaL_openlibs(L);
        luaL_requiref(L, "mfakit.xml", luaopen_mfakit_xml, 0);
        lua_setfield(L, LUA_REGISTRYINDEX, "fuzz.xml");
    }
    if (luaL_loadstring(L, check) != LUA_OK)
        abort();
    lua_getfield(L, LUA_REGISTRYINDEX, "fuzz.xml");
    lua_pushlstring(L, (const char *)data, size);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
        fprintf(stderr, "%s\n", lua_tostring(L, -1));
        abort();
    }
    lua_gc(L, LUA_GCCOLLECT);
    return 0;
}
