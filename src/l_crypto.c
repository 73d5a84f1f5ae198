/* l_crypto.c: the "mfakit.crypto" module (stub, to be filled in). */
#include "host.h"

int luaopen_mfakit_crypto(lua_State *L)
{
    lua_newtable(L);
    return 1;
}
