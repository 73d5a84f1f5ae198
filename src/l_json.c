/* l_json.c: the "mfakit.json" module (stub, to be filled in). */
#include "host.h"

int luaopen_mfakit_json(lua_State *L)
{
    lua_newtable(L);
    return 1;
}
