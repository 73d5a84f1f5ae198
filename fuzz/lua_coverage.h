/* lua_coverage.h: Lua line coverage as libFuzzer feedback, for targets that
 * fuzz Lua code. liblua is not instrumented, so without this libFuzzer sees
 * only the few C lines of the target and cannot tell one input's path
 * through the Lua code from another's. A line hook marks each (previous
 * line, line) pair in libFuzzer's extra counters, the way atheris does for
 * Python. Include it in exactly one file per target. */
#ifndef MFAKIT_FUZZ_LUA_COVERAGE_H
#define MFAKIT_FUZZ_LUA_COVERAGE_H

#include <lua.h>
#include <stdint.h>

#define LUA_COV_SIZE 65536

__attribute__((used, section("__libfuzzer_extra_counters"))) static uint8_t lua_cov[LUA_COV_SIZE];
static uintptr_t lua_cov_prev;

static void lua_cov_hook(lua_State *L, lua_Debug *ar)
{
    if (!lua_getinfo(L, "S", ar))
        return;
    /* the source string is interned: its address names the chunk */
    uintptr_t here = (uintptr_t)ar->source * 31u + (uintptr_t)ar->currentline;
    lua_cov[(here ^ (lua_cov_prev >> 1)) % LUA_COV_SIZE]++;
    lua_cov_prev = here;
}

static void lua_coverage_start(lua_State *L)
{
    lua_sethook(L, lua_cov_hook, LUA_MASKLINE, 0);
}

#endif
