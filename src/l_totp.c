/* l_totp.c: the "mfakit.totp" module (stub, to be filled in). */
#include "host.h"

int luaopen_mfakit_totp(lua_State *L)
{
    lua_newtable(L);
    return 1;
}
