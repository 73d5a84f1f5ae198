/* l_xml.c: the "mfakit.xml" module, a binding over expat.
 *
 * decode(s) returns the document element in LuaExpat's LOM shape:
 *   {tag = "Name", attr = {"a1", "a2", a1 = "v1", a2 = "v2"}, child, ...}
 * where attr lists the attribute names in order as well as by name, and a
 * child is an element table or a string. Adjacent character data (entity
 * and character references, CDATA) is merged into one string; whitespace-
 * only text is dropped from elements that contain elements (indentation),
 * but kept in a leaf, where it is the value. Tag names are kept as written:
 * no namespace processing, so xmlns stays in attr. Comments and processing
 * instructions are dropped.
 *
 * Malformed input gives nil, err (InvalidXML, with line and column). A
 * DOCTYPE is refused outright: AWS replies never carry one, and without it
 * no entity can be declared, so entity expansion attacks (billion laughs,
 * external entities) cannot start. */
#include "host.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XML_MAX_DEPTH 1000
#define BOX_NAME "mfakit.xml.box"

/* Lives in a userdata, so that the parser and the text buffer are freed by
 * the garbage collector whatever happens. */
struct xml_box {
    XML_Parser parser;
    lua_State *L;
    char *text; /* character data not yet added to the open element */
    size_t len, cap;
    int depth;
    int failed, raised, nomem;
    char error[128];
    unsigned long line, column;
    const XML_Char *name, **atts;         /* the start tag being handled */
    char has_elements[XML_MAX_DEPTH + 1]; /* per open element */
};

/* Stack slots of xml_decode while expat runs: the open elements by depth,
 * and the box. */
#define OPEN_ELEMENTS 2
#define BOX_SLOT 3

static int box_gc(lua_State *L)
{
    struct xml_box *box = luaL_checkudata(L, 1, BOX_NAME);
    if (box->parser)
        XML_ParserFree(box->parser);
    free(box->text);
    box->parser = NULL;
    box->text = NULL;
    return 0;
}

/* Stops the parse with our own message; only the first one is kept. */
static void fail(struct xml_box *box, const char *msg)
{
    if (box->failed)
        return;
    box->failed = 1;
    snprintf(box->error, sizeof box->error, "%s", msg);
    box->line = XML_GetCurrentLineNumber(box->parser);
    box->column = XML_GetCurrentColumnNumber(box->parser) + 1;
    XML_StopParser(box->parser, XML_FALSE);
}

static int all_space(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

/* Adds the pending text to the open element, unless it is indentation:
 * whitespace beside element children. Runs protected (see call). */
static void flush_text(lua_State *L, struct xml_box *box, int child_follows)
{
    if (box->len == 0)
        return;
    if (box->depth > 0 &&
        !(all_space(box->text, box->len) && (child_follows || box->has_elements[box->depth]))) {
        lua_rawgeti(L, 1, box->depth);
        lua_pushlstring(L, box->text, box->len);
        lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
        lua_pop(L, 1);
    }
    box->len = 0;
}

/* protected: (open elements, box) */
static int start_element(lua_State *L)
{
    struct xml_box *box = lua_touserdata(L, 2);
    flush_text(L, box, 1);
    int nattr = 0;
    while (box->atts[2 * nattr])
        nattr++;
    lua_createtable(L, 0, 2);
    lua_pushstring(L, box->name);
    lua_setfield(L, -2, "tag");
    lua_createtable(L, nattr, nattr);
    for (int i = 0; i < nattr; i++) {
        lua_pushstring(L, box->atts[2 * i]);
        lua_pushvalue(L, -1);
        lua_rawseti(L, -3, i + 1);
        lua_pushstring(L, box->atts[2 * i + 1]);
        lua_rawset(L, -3);
    }
    lua_setfield(L, -2, "attr");
    if (box->depth > 0) {
        lua_rawgeti(L, 1, box->depth);
        lua_pushvalue(L, -2);
        lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
        lua_pop(L, 1);
    }
    lua_rawseti(L, 1, box->depth + 1);
    box->has_elements[box->depth] = 1;
    box->depth++;
    box->has_elements[box->depth] = 0;
    return 0;
}

/* protected: (open elements, box) */
static int end_element(lua_State *L)
{
    struct xml_box *box = lua_touserdata(L, 2);
    flush_text(L, box, 0);
    if (box->depth > 1) { /* the root stays, as the result */
        lua_pushnil(L);
        lua_rawseti(L, 1, box->depth);
    }
    box->depth--;
    return 0;
}

/* Runs f under lua_pcall: a Lua error (out of memory) must not unwind
 * through expat, which then refuses to free a parser it thinks is still
 * inside a handler. The error is left on the stack for xml_decode to raise
 * once expat has returned. */
static void call(struct xml_box *box, lua_CFunction f)
{
    lua_State *L = box->L;
    if (!lua_checkstack(L, 3)) {
        box->nomem = 1;
        fail(box, "out of memory");
        return;
    }
    lua_pushcfunction(L, f);
    lua_pushvalue(L, OPEN_ELEMENTS);
    lua_pushvalue(L, BOX_SLOT);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
        box->raised = 1;
        fail(box, "Lua error");
    }
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xml_box *box = ud;
    if (box->failed)
        return;
    if (box->depth >= XML_MAX_DEPTH) {
        char msg[64];
        snprintf(msg, sizeof msg, "elements nested deeper than %d", XML_MAX_DEPTH);
        fail(box, msg);
        return;
    }
    box->name = name;
    box->atts = atts;
    call(box, start_element);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    struct xml_box *box = ud;
    (void)name; /* expat has already checked that it matches */
    if (!box->failed)
        call(box, end_element);
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    struct xml_box *box = ud;
    if (box->failed || len <= 0)
        return;
    if ((size_t)len > box->cap - box->len) {
        size_t cap = box->cap ? box->cap : 256;
        while ((size_t)len > cap - box->len)
            cap *= 2;
        char *text = realloc(box->text, cap);
        if (!text) {
            box->nomem = 1;
            fail(box, "out of memory");
            return;
        }
        box->text = text;
        box->cap = cap;
    }
    memcpy(box->text + box->len, s, (size_t)len);
    box->len += (size_t)len;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    fail(ud, "DOCTYPE declarations are not allowed");
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_parameter,
                              const XML_Char *value, int value_length, const XML_Char *base,
                              const XML_Char *sysid, const XML_Char *pubid,
                              const XML_Char *notation)
{
    (void)name, (void)is_parameter, (void)value, (void)value_length, (void)base;
    (void)sysid, (void)pubid, (void)notation;
    fail(ud, "entity declarations are not allowed");
}

static int xml_decode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    lua_settop(L, 1);
    lua_newtable(L);                                            /* OPEN_ELEMENTS */
    struct xml_box *box = lua_newuserdatauv(L, sizeof *box, 0); /* BOX_SLOT */
    memset(box, 0, sizeof *box);
    luaL_setmetatable(L, BOX_NAME);
    box->L = L;
    box->parser = XML_ParserCreate(NULL);
    if (!box->parser)
        return luaL_error(L, "xml.decode: out of memory");
    XML_SetUserData(box->parser, box);
    XML_SetElementHandler(box->parser, on_start, on_end);
    XML_SetCharacterDataHandler(box->parser, on_text);
    XML_SetStartDoctypeDeclHandler(box->parser, on_doctype);
    XML_SetEntityDeclHandler(box->parser, on_entity);

    /* XML_Parse takes an int length */
    enum XML_Status status = XML_STATUS_OK;
    const size_t chunk = 1u << 30;
    while (status == XML_STATUS_OK && len > chunk) {
        status = XML_Parse(box->parser, s, (int)chunk, XML_FALSE);
        s += chunk;
        len -= chunk;
    }
    if (status == XML_STATUS_OK)
        status = XML_Parse(box->parser, s, (int)len, XML_TRUE);

    if (!box->failed && status != XML_STATUS_OK) {
        box->failed = 1;
        snprintf(box->error, sizeof box->error, "%s",
                 XML_ErrorString(XML_GetErrorCode(box->parser)));
        box->line = XML_GetErrorLineNumber(box->parser);
        box->column = XML_GetErrorColumnNumber(box->parser) + 1;
    }
    XML_ParserFree(box->parser);
    box->parser = NULL;
    /* running out of memory is not the document's fault */
    if (box->raised)
        return lua_error(L);
    if (box->nomem)
        return luaL_error(L, "xml.decode: out of memory");
    if (box->failed)
        return host_fail(L, "InvalidXML", "%s at line %I, column %I", box->error,
                         (lua_Integer)box->line, (lua_Integer)box->column);
    lua_rawgeti(L, OPEN_ELEMENTS, 1);
    return 1;
}

static const luaL_Reg xml_funcs[] = {
    {"decode", xml_decode},
    {NULL, NULL},
};

int luaopen_mfakit_xml(lua_State *L)
{
    if (luaL_newmetatable(L, BOX_NAME)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    luaL_newlib(L, xml_funcs);
    /* the expat actually linked ("expat_2.5.0"), for mfakit --version */
    lua_pushstring(L, XML_ExpatVersion());
    lua_setfield(L, -2, "library_version");
    return 1;
}
