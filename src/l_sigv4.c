/* l_sigv4.c: the "mfakit.sigv4" module (stub, to be filled in). */
#include "host.h"

int luaopen_mfakit_sigv4(lua_State *L)
{
    lua_newtable(L);
    return 1;
}
