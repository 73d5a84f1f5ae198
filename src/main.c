/* main.c: the mfakit command. Option parsing, commands and running scripts
 * live in Lua (lua/mfakit/main.lua); C only creates the state, hands over
 * argv and turns the result into an exit status. */
#include "host.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    lua_State *L = host_new();
    if (!L) {
        fputs("mfakit: cannot create Lua state: out of memory\n", stderr);
        return 1;
    }
    int status = 1;
    lua_getglobal(L, "require");
    lua_pushliteral(L, "mfakit.main");
    if (host_docall(L, 1, 1) == LUA_OK) {
        lua_createtable(L, argc, 0);
        for (int i = 0; i < argc; i++) {
            lua_pushstring(L, argv[i]);
            lua_rawseti(L, -2, i);
        }
        if (host_docall(L, 1, 1) == LUA_OK)
            status = (int)luaL_optinteger(L, -1, 0);
    }
    lua_close(L);
    return status;
}
