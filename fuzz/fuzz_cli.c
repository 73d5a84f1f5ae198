/* fuzz_cli.c: libFuzzer target for the command-line option parser,
 * cli.parse (lua/mfakit/cli.lua), run by the embedded Lua library.
 *
 *   make build/bundle.c
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_DEFAULT_SOURCE -Isrc \
 *       $(pkg-config --cflags lua5.4 libcurl libcjson openssl expat) fuzz/fuzz_cli.c \
 *       $(find src -name '*.c' ! -name main.c) build/bundle.c \
 *       $(pkg-config --libs lua5.4 libcjson openssl expat) -ldl -lm -o build/fuzz_cli
 *   build/fuzz_cli -max_total_time=60 fuzz/corpus/cli
 *
 * Input: the arguments, separated by NUL bytes (at most 64). Beyond crashes
 * it checks the parser's promises: it never raises on strings; it returns
 * opts, positional or nil, message; every option has the kind its spec
 * names (a flag is true, a number is finite, a list holds strings), and
 * every positional argument is one of the inputs.
 *
 * The Lua interpreter (Debian's liblua) is not instrumented, so libFuzzer
 * would see only the C side. A line hook feeds the Lua lines run into
 * libFuzzer's extra counters, so the search is guided by the parser's own
 * branches. */
#include "host.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 64
#define LUA_COUNTERS 8192

__attribute__((used, section("__libfuzzer_extra_counters"))) static uint8_t
    lua_counters[LUA_COUNTERS];

/* a line of cli.lua -> its counter (the harness's own lines are not counted) */
static void line_hook(lua_State *L, lua_Debug *ar)
{
    if (!lua_getinfo(L, "S", ar) || !strstr(ar->source, "mfakit/cli.lua"))
        return;
    lua_counters[(unsigned)ar->currentline % LUA_COUNTERS]++;
}

static const char check[] =
    "local cli, config, args = ...\n"
    "local spec = { name = 'string', ['user-pool-id'] = 'string', flag = 'flag', n = 'number',\n"
    "               list = 'list', help = 'flag' }\n"
    "local saved = {}\n"
    "for k, v in pairs(config) do saved[k] = v end\n"
    "local opts, pos = cli.parse(args, spec)\n"
    "for k in pairs(config) do config[k] = saved[k] end\n"
    "if opts == nil then assert(type(pos) == 'string' and not pos:find('\\n'), pos) return end\n"
    "assert(type(opts) == 'table' and type(pos) == 'table')\n"
    "local given = {}\n"
    "for _, a in ipairs(args) do given[a] = true end\n"
    "for _, p in ipairs(pos) do assert(given[p], 'positional not from the input: ' .. tostring(p)) end\n"
    "for k, v in pairs(opts) do\n"
    "    local kind = assert(spec[k], 'option not in the spec: ' .. tostring(k))\n"
    "    if kind == 'flag' then assert(v == true)\n"
    "    elseif kind == 'number' then assert(type(v) == 'number' and v == v and v ~= math.huge and v ~= -math.huge)\n"
    "    elseif kind == 'list' then for _, s in ipairs(v) do assert(type(s) == 'string') end\n"
    "    else assert(type(v) == 'string') end\n"
    "end\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static lua_State *L;
    if (!L) {
        L = host_new();
        if (!L)
            abort();
        lua_getglobal(L, "require");
        lua_pushliteral(L, "mfakit.cli");
        lua_call(L, 1, 1);
        lua_setfield(L, LUA_REGISTRYINDEX, "fuzz.cli");
        lua_getglobal(L, "require");
        lua_pushliteral(L, "mfakit.config");
        lua_call(L, 1, 1);
        lua_setfield(L, LUA_REGISTRYINDEX, "fuzz.config");
        lua_sethook(L, line_hook, LUA_MASKLINE, 0);
        if (luaL_loadstring(L, check) != LUA_OK)
            abort();
        lua_setfield(L, LUA_REGISTRYINDEX, "fuzz.check");
    }
    lua_getfield(L, LUA_REGISTRYINDEX, "fuzz.check");
    lua_getfield(L, LUA_REGISTRYINDEX, "fuzz.cli");
    lua_getfield(L, LUA_REGISTRYINDEX, "fuzz.config");
    lua_createtable(L, 8, 0);
    size_t start = 0;
    int n = 0;
    for (size_t i = 0; i <= size && n < MAX_ARGS; i++) {
        if (i == size || data[i] == 0) {
            lua_pushlstring(L, (const char *)data + start, i - start);
            lua_rawseti(L, -2, ++n);
            start = i + 1;
        }
    }
    if (lua_pcall(L, 3, 0, 0) != LUA_OK) {
        fprintf(stderr, "%s\n", lua_tostring(L, -1));
        abort();
    }
    lua_gc(L, LUA_GCCOLLECT);
    return 0;
}
