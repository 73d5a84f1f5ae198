/* fuzz_json.c: libFuzzer target for mfakit.json (l_json.c over cJSON).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_DEFAULT_SOURCE -Isrc \
 *       $(pkg-config --cflags lua5.4 libcjson) fuzz/fuzz_json.c src/l_json.c \
 *       $(pkg-config --libs lua5.4 libcjson) -lm -o build/fuzz_json
 *   build/fuzz_json -max_total_time=60
 *
 * Beyond crashes and leaks it checks the promises of the binding: decode
 * never raises; whatever it returns, encode accepts (but for infinity, from
 * numbers like 1e400); and encoding is stable: encode(decode(encode(v))) ==
 * encode(v). */
#include "host.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* l_json.c needs only host_fail from the host; keep the nil, err shape */
int host_fail(lua_State *L, const char *code, const char *fmt, ...)
{
    (void)fmt;
    lua_pushnil(L);
    lua_pushstring(L, code);
    return 2;
}

static const char check[] = "local json, s = ...\n"
                            "local v, err = json.decode(s)\n"
                            "if v == nil then assert(err == 'InvalidJSON') return end\n"
                            "local ok, s1 = pcall(json.encode, v)\n"
                            "if not ok then assert(s1:find('infinity'), s1) return end\n"
                            "local v2, err2 = json.decode(s1)\n"
                            "assert(err2 == nil, s1)\n"
                            "local s2 = json.encode(v2)\n"
                            "assert(s1 == s2, s1 .. ' ~= ' .. s2)\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static lua_State *L;
    if (!L) {
        L = luaL_newstate();
        luaL_openlibs(L);
        luaL_requiref(L, "mfakit.json", luaopen_mfakit_json, 0);
        lua_setfield(L, LUA_REGISTRYINDEX, "fuzz.json");
    }
    if (luaL_loadstring(L, check) != LUA_OK)
        abort();
    lua_getfield(L, LUA_REGISTRYINDEX, "fuzz.json");
    lua_pushlstring(L, (const char *)data, size);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
        fprintf(stderr, "%s\n", lua_tostring(L, -1));
        abort();
    }
    lua_gc(L, LUA_GCCOLLECT);
    return 0;
}
