/* l_srp.c: the "mfakit.srp" module (stub, to be filled in). */
#include "host.h"

int luaopen_mfakit_srp(lua_State *L)
{
    lua_newtable(L);
    return 1;
}
