/* fuzz_redact.c: libFuzzer target for mfakit.redact (lua/mfakit/redact.lua,
 * the embedded copy, run by the real host).
 *
 *   make build/bundle.c && fuzz/build   (see fuzz/build for the exact command)
 *   build/fuzz_redact -max_total_time=60 fuzz/corpus/redact
 *
 * The first two bytes give the cut (limit); the rest is the text. Lua line
 * coverage is the feedback (lua_coverage.h). Beyond crashes and leaks it
 * checks that redact.text never raises, returns a string, ends with the cut
 * notice (with the right count) when the text was cut, and leaves nothing
 * shaped like a JWT: no "eyJ" + base64url + "." survives, cut or not (the
 * old pattern's meaning, checked with that pattern). Then that
 * redact.values leaves no "hunter22", nor its start just before the cut. */
#include "host.h"
#include "lua_coverage.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static const char check[] =
    "local redact, s, limit = ...\n"
    "if limit == 0 then limit = nil end\n"
    "local out = redact.text(s, limit)\n"
    "assert(type(out) == 'string')\n"
    "local cut = limit and #s > limit\n"
    "if cut then assert(out:find('%.%.%. %(' .. (#s - limit) .. ' more bytes%)$'), 'notice') end\n"
    "assert(not out:find('eyJ[%w_%-]+%.'), 'a JWT survived: ' .. out)\n"
    "local v = redact.values(out, { 'hunter22' })\n"
    "assert(not v:find('hunter22', 1, true), 'a value survived: ' .. v)\n"
    "local before = v:match('^(.-)%.%.%. %(%d+ more bytes%)$')\n"
    "if before then\n"
    "  for k = 1, 7 do\n"
    "    assert(before:sub(-k) ~= ('hunter22'):sub(1, k), 'a cut value survived')\n"
    "  end\n"
    "end\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static lua_State *L;
    if (!L) {
        L = host_new();
        if (!L)
            abort();
        lua_getglobal(L, "require");
        lua_pushliteral(L, "mfakit.redact");
        if (lua_pcall(L, 1, 1, 0) != LUA_OK)
            abort();
        lua_setfield(L, LUA_REGISTRYINDEX, "fuzz.redact");
        /* the check is compiled once: a chunk loaded per input would be a
         * new source each time, and look like new Lua coverage */
        if (luaL_loadstring(L, check) != LUA_OK)
            abort();
        lua_setfield(L, LUA_REGISTRYINDEX, "fuzz.check");
        lua_coverage_start(L);
    }
    if (size < 2)
        return 0;
    lua_getfield(L, LUA_REGISTRYINDEX, "fuzz.check");
    lua_getfield(L, LUA_REGISTRYINDEX, "fuzz.redact");
    lua_pushlstring(L, (const char *)data + 2, size - 2);
    lua_pushinteger(L, (lua_Integer)(data[0] | (data[1] << 8)) % 512);
    if (lua_pcall(L, 3, 0, 0) != LUA_OK) {
        fprintf(stderr, "%s\n", lua_tostring(L, -1));
        abort();
    }
    lua_gc(L, LUA_GCCOLLECT);
    return 0;
}
