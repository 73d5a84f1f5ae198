/* fuzz_query.c: libFuzzer target for the query-protocol decoder
 * (lua/mfakit/aws/query.lua over l_xml.c and expat), the embedded copy run
 * by the real host: what IAM, SNS and STS answers go through.
 *
 *   make build/bundle.c && fuzz/build   (see fuzz/build for the exact command)
 *   build/fuzz_query -max_total_time=60 fuzz/corpus/query
 *
 * The first byte picks a service and one of its operations; the rest is the
 * answer's body. Lua line coverage is the feedback (lua_coverage.h). Beyond
 * crashes and leaks it checks that query.decode and query.error_of never
 * raise, that decode gives a table or nil plus an InvalidResponse error, and
 * that error_of gives nil or string fields. */
#include "host.h"
#include "lua_coverage.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static const char check[] =
    "local pick, body = ...\n"
    "local query = require 'mfakit.aws.query'\n"
    "local cases = {\n"
    "  { 'iam', 'ListRoles' }, { 'iam', 'GetRole' }, { 'iam', 'ListRolePolicies' },\n"
    "  { 'iam', 'GetPolicyVersion' }, { 'iam', 'ListAttachedRolePolicies' },\n"
    "  { 'sns', 'GetSMSAttributes' }, { 'sns', 'ListSMSSandboxPhoneNumbers' },\n"
    "  { 'sns', 'GetSMSSandboxAccountStatus' }, { 'sts', 'GetCallerIdentity' },\n"
    "  { 'sts', 'AssumeRole' },\n"
    "}\n"
    "local c = cases[pick % #cases + 1]\n"
    "local hints = require('mfakit.aws.hints.' .. c[1])\n"
    "local out, rid = query.decode(c[2], body, hints)\n"
    "if out == nil then\n"
    "  assert(type(rid) == 'table' and rid.code == 'InvalidResponse', 'decode failed oddly')\n"
    "else\n"
    "  assert(type(out) == 'table' and (rid == nil or type(rid) == 'string'))\n"
    "end\n"
    "local e = query.error_of(body)\n"
    "if e ~= nil then\n"
    "  assert(type(e.code) == 'string' and type(e.message) == 'string')\n"
    "  assert(e.request_id == nil or type(e.request_id) == 'string')\n"
    "end\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static lua_State *L;
    if (!L) {
        if (!(L = host_new()))
            abort();
        /* the check is compiled once: a chunk loaded per input would be a
         * new source each time, and look like new Lua coverage */
        if (luaL_loadstring(L, check) != LUA_OK)
            abort();
        lua_setfield(L, LUA_REGISTRYINDEX, "fuzz.check");
        lua_coverage_start(L);
    }
    if (size < 1)
        return 0;
    lua_getfield(L, LUA_REGISTRYINDEX, "fuzz.check");
    lua_pushinteger(L, data[0]);
    lua_pushlstring(L, (const char *)data + 1, size - 1);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
        fprintf(stderr, "%s\n", lua_tostring(L, -1));
        abort();
    }
    lua_gc(L, LUA_GCCOLLECT);
    return 0;
}
