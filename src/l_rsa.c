/* l_rsa.c: the "mfakit.rsa" module: RSA signature checks for JWTs signed
 * by Cognito (RS256), with the public key given as a JWK's n and e. */
#include "host.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <string.h>

static const char *const alg_names[] = {"RS256", "RS384", "RS512", NULL};

static const EVP_MD *alg_md(int i)
{
    return i == 0 ? EVP_sha256() : i == 1 ? EVP_sha384() : EVP_sha512();
}

/* n and e arrive as big-endian bytes (already base64url-decoded in Lua). */
static EVP_PKEY *make_key(const unsigned char *n, size_t nlen, const unsigned char *e, size_t elen)
{
    EVP_PKEY *key = NULL;
    BIGNUM *bn_n = BN_bin2bn(n, (int)nlen, NULL);
    BIGNUM *bn_e = BN_bin2bn(e, (int)elen, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (bn_n && bn_e && bld && ctx && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) &&
        (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(ctx) > 0)
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    BN_free(bn_n);
    BN_free(bn_e);
    return key;
}

/* verify{n=, e=, alg="RS256", data=, signature=} -> boolean | nil, err */
static int rsa_verify(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    size_t nlen, elen, dlen, slen;
    const char *n = host_field_string(L, 1, "n", 0, &nlen);
    const char *e = host_field_string(L, 1, "e", 0, &elen);
    const char *data = host_field_string(L, 1, "data", 0, &dlen);
    const char *sig = host_field_string(L, 1, "signature", 0, &slen);
    lua_getfield(L, 1, "alg");
    int alg = luaL_checkoption(L, -1, "RS256", alg_names);
    if (nlen < 128 || nlen > 1024 || elen == 0 || elen > 8)
        return host_fail(L, "InvalidKey", "RSA key of %d bits is not acceptable", (int)nlen * 8);
    EVP_PKEY *key = make_key((const unsigned char *)n, nlen, (const unsigned char *)e, elen);
    if (!key)
        return host_fail(L, "InvalidKey", "cannot build an RSA key from n and e");
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestVerifyInit(md, NULL, alg_md(alg), NULL, key) == 1 &&
             EVP_DigestVerify(md, (const unsigned char *)sig, slen, (const unsigned char *)data,
                              dlen) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    lua_pushboolean(L, ok);
    return 1;
}

static const luaL_Reg rsa_functions[] = {
    {"verify", rsa_verify},
    {NULL, NULL},
};

int luaopen_mfakit_rsa(lua_State *L)
{
    luaL_newlib(L, rsa_functions);
    return 1;
}
