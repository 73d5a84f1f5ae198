/* fuzz_state.c: libFuzzer target for the guide's state-file reader
 * (lua/mfakit/stack/state.lua and stack/schema.lua, the embedded copies, run
 * by the real host).
 *
 *   make build/bundle.c && fuzz/build   (see fuzz/build for the exact command)
 *   build/fuzz_state -max_total_time=60 fuzz/corpus/state
 *
 * The input is written as the state file of stack "fz" and loaded. Beyond
 * crashes and leaks it checks that loading never raises: a file is either a
 * state (then saving it and loading it again gives a state too: a file we
 * accept once we always accept) or InvalidStateFile, in one line. Lua line
 * coverage is the feedback (lua_coverage.h). */
#include "host.h"
#include "lua_coverage.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char check[] =
    "local state, dir, text = ...\n"
    "local f = assert(io.open(dir .. '/fz.json', 'wb'))\n"
    "f:write(text) f:close()\n"
    "local st, err = state.load(dir, 'fz')\n"
    "if not st then\n"
    "  assert(err.code == 'InvalidStateFile', 'code ' .. tostring(err.code))\n"
    "  assert(not tostring(err):find('\\n'), 'one line')\n"
    "  return\n"
    "end\n"
    "assert(st:save())\n"
    "local again, err2 = state.load(dir, 'fz')\n"
    "assert(again, 'saved state refused: ' .. tostring(err2))\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static lua_State *L;
    static char dir[64];
    if (!L) {
        snprintf(dir, sizeof dir, "/tmp/fuzz_state.%d", (int)getpid());
        char cmd[96];
        snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
        if (system(cmd) != 0)
            abort();
        L = host_new();
        if (!L)
            abort();
        lua_getglobal(L, "require");
        lua_pushliteral(L, "mfakit.stack.state");
        if (lua_pcall(L, 1, 1, 0) != LUA_OK)
            abort();
        lua_setfield(L, LUA_REGISTRYINDEX, "fuzz.state");
        /* the check is compiled once: a chunk loaded per input would be a
         * new source each time, and look like new Lua coverage */
        if (luaL_loadstring(L, check) != LUA_OK)
            abort();
        lua_setfield(L, LUA_REGISTRYINDEX, "fuzz.check");
        lua_coverage_start(L);
    }
    lua_getfield(L, LUA_REGISTRYINDEX, "fuzz.check");
    lua_getfield(L, LUA_REGISTRYINDEX, "fuzz.state");
    lua_pushstring(L, dir);
    lua_pushlstring(L, (const char *)data, size);
    if (lua_pcall(L, 3, 0, 0) != LUA_OK) {
        fprintf(stderr, "%s\n", lua_tostring(L, -1));
        abort();
    }
    lua_gc(L, LUA_GCCOLLECT);
    return 0;
}
