/* l_xml.c: the "mfakit.xml" module (stub, to be filled in). */
#include "host.h"

int luaopen_mfakit_xml(lua_State *L)
{
    lua_newtable(L);
    return 1;
}
