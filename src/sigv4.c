/* sigv4.c: AWS Signature Version 4 for request headers.
 *
 * The functions follow the steps of AWS's "Create a signed AWS API request":
 * hash_payload, make_canonical_request (over the canonical URI, query and
 * headers of sigv4_canonical.c), make_string_to_sign, derive_signing_key
 * and sign_and_authorize. Checked against AWS's two test suites and against
 * @smithy/signature-v4 in tests/test_sigv4.lua. */
#include "sigv4.h"
#include "sigv4_canonical.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ALGORITHM "AWS4-HMAC-SHA256"

/* One signing: the request, the URL's parts, the results and the reason
 * for a failure. */
struct signer {
    const struct sigv4_request *req;
    struct sigv4_signed *out;
    const char *host, *path, *query;
    size_t host_len, path_len, query_len;
    unsigned port, default_port;
    char scope[256];
    char *err;
    size_t err_len;
};

static enum sigv4_status fail(struct signer *s, enum sigv4_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (s->err && s->err_len)
        vsnprintf(s->err, s->err_len, fmt, ap);
    va_end(ap);
    return st;
}

static void hex_lower(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* SHA-256 and HMAC-SHA256, fetched once: HMAC() and EVP_sha256() look the
 * algorithm up by name on every call in OpenSSL 3, which was a quarter of
 * the time of a signing. */
static struct {
    EVP_MD *sha256;
    EVP_MAC_CTX *hmac; /* keyless; each signing works on a copy */
} algs;
static CRYPTO_ONCE algs_once = CRYPTO_ONCE_STATIC_INIT;

static void algs_fetch(void)
{
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    algs.sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    algs.hmac = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
    EVP_MAC_free(hmac); /* the context holds its own reference */
    if (algs.hmac && !EVP_MAC_CTX_set_params(algs.hmac, params)) {
        EVP_MAC_CTX_free(algs.hmac);
        algs.hmac = NULL;
    }
}

static int algs_ready(void)
{
    return CRYPTO_THREAD_run_once(&algs_once, algs_fetch) && algs.sha256 && algs.hmac;
}

static int sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!EVP_Digest(data, len, md, &md_len, algs.sha256, NULL) || md_len != 32)
        return 0;
    hex_lower(md, 32, out);
    return 1;
}

/* `key` is never empty here, which matters: EVP_MAC_init reads a NULL key
 * as "keep the old one". */
static int hmac_sha256(EVP_MAC_CTX *ctx, const void *key, size_t key_len, const void *data,
                       size_t len, unsigned char out[32])
{
    size_t out_len = 0;
    return EVP_MAC_init(ctx, key, key_len, NULL) && EVP_MAC_update(ctx, data, len) &&
           EVP_MAC_final(ctx, out, &out_len, 32) && out_len == 32;
}

/* Only what signing needs from the URL: host, port, path and query. */
static enum sigv4_status parse_url(struct signer *s, const char *url)
{
    size_t skip = 0, i = 0;
    if (strncasecmp(url, "https://", 8) == 0)
        skip = 8, s->default_port = 443;
    else if (strncasecmp(url, "http://", 7) == 0)
        skip = 7, s->default_port = 80;
    else
        return fail(s, SIGV4_BAD_URL, "URL must start with http:// or https://");
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return fail(s, SIGV4_BAD_URL, "control character in URL");
    const char *auth = url + skip;
    size_t auth_len = strcspn(auth, "/?#");
    if (auth_len > 0 && auth[0] == '[') {
        while (++i < auth_len && (sigv4_is_unreserved((unsigned char)auth[i]) || auth[i] == ':'))
            ;
        if (i >= auth_len || auth[i++] != ']')
            return fail(s, SIGV4_BAD_URL, "bad IPv6 address in URL");
    } else {
        while (i < auth_len && sigv4_is_unreserved((unsigned char)auth[i]))
            i++;
    }
    s->host = auth;
    s->host_len = i;
    s->port = s->default_port;
    if (i == 0 || (i < auth_len && auth[i] != ':'))
        return fail(s, SIGV4_BAD_URL, "bad host in URL");
    if (i < auth_len) {
        unsigned long port = 0;
        for (size_t k = ++i; k < auth_len; k++) {
            if (auth[k] < '0' || auth[k] > '9' || auth_len - i > 5)
                return fail(s, SIGV4_BAD_URL, "bad port in URL");
            port = port * 10 + (unsigned long)(auth[k] - '0');
        }
        if (port == 0 || port > 65535)
            return fail(s, SIGV4_BAD_URL, "bad port in URL");
        s->port = (unsigned)port;
    }
    s->path = auth + auth_len;
    s->path_len = strcspn(s->path, "?#");
    if (s->path[s->path_len] == '?') {
        s->query = s->path + s->path_len + 1;
        s->query_len = strcspn(s->query, "#");
    }
    return SIGV4_OK;
}

static int name_is(const char *name, size_t len, const char *lower)
{
    return strlen(lower) == len && strncasecmp(name, lower, len) == 0;
}

int sigv4_header_replaced(const struct sigv4_request *req, const char *name, size_t name_len)
{
    int token = req->session_token && *req->session_token;
    return name_is(name, name_len, "x-amz-date") || name_is(name, name_len, "authorization") ||
           (token && name_is(name, name_len, "x-amz-security-token")) ||
           (req->content_sha256 && name_is(name, name_len, "x-amz-content-sha256"));
}

static int is_token(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!sigv4_is_unreserved((unsigned char)s[i]) && !strchr("!#$%&'*+^`|", s[i]))
            return 0;
    return n > 0;
}

static void add_entry(struct sigv4_entry *e, size_t *n, const char *name, const char *value,
                      size_t len)
{
    e[*n] = (struct sigv4_entry){{name, strlen(name), value, len}, *n};
    (*n)++;
}

/* The headers to sign: the caller's (less those we set), Host when no header
 * gave it, X-Amz-Date, the session token and the payload hash. */
static size_t collect_headers(struct signer *s, struct sigv4_entry *e)
{
    const struct sigv4_request *req = s->req;
    struct sigv4_signed *out = s->out;
    size_t n = 0;
    int has_host = 0;
    for (size_t i = 0; i < req->header_count; i++) {
        const struct sigv4_header *h = &req->headers[i];
        if (!sigv4_header_replaced(req, h->name, h->name_len)) {
            has_host |= name_is(h->name, h->name_len, "host");
            e[n] = (struct sigv4_entry){*h, n};
            n++;
        }
    }
    if (!has_host) {
        size_t len = s->host_len + 7;
        if (!(out->host = OPENSSL_malloc(len)))
            return (size_t)-1;
        snprintf(out->host, len, s->port == s->default_port ? "%.*s" : "%.*s:%u", (int)s->host_len,
                 s->host, s->port);
        add_entry(e, &n, "host", out->host, strlen(out->host));
    }
    add_entry(e, &n, "x-amz-date", out->amz_date, 16);
    if (req->session_token && *req->session_token)
        add_entry(e, &n, "x-amz-security-token", req->session_token, strlen(req->session_token));
    if (req->content_sha256)
        add_entry(e, &n, "x-amz-content-sha256", out->payload_hash, 64);
    return n;
}

/* HashedPayload: a caller's x-amz-content-sha256 (UNSIGNED-PAYLOAD for S3,
 * say) stands for the body, as in the SDKs; else SHA-256 of the body. */
static enum sigv4_status hash_payload(struct signer *s)
{
    const struct sigv4_request *req = s->req;
    for (size_t i = 0; i < req->header_count; i++) {
        const struct sigv4_header *h = &req->headers[i];
        if (name_is(h->name, h->name_len, "x-amz-content-sha256") && !req->content_sha256) {
            struct sigv4_buf b = {0};
            sigv4_add_trimmed(&b, h->value, h->value_len);
            int fits = !b.oom && b.len < sizeof s->out->payload_hash;
            if (fits)
                memcpy(s->out->payload_hash, b.p ? b.p : "", b.len + 1);
            sigv4_buf_free(&b);
            return fits ? SIGV4_OK : fail(s, SIGV4_BAD_INPUT, "bad x-amz-content-sha256 value");
        }
    }
    if (!sha256_hex(req->body ? req->body : "", req->body_len, s->out->payload_hash))
        return fail(s, SIGV4_CRYPTO, "SHA-256 failed");
    return SIGV4_OK;
}

static void make_canonical_request(struct signer *s, struct sigv4_buf *b, struct sigv4_buf *names,
                                   struct sigv4_entry *e, size_t n)
{
    const char *svc = s->req->service;
    int s3 = strcmp(svc, "s3") == 0 || strncmp(svc, "s3-", 3) == 0 || strcmp(svc, "s3express") == 0;
    int normalize = s->req->normalize_path < 0 ? !s3 : s->req->normalize_path;
    struct sigv4_buf uri = {0}, query = {0}, headers = {0};
    sigv4_canon_path(&uri, s->path, s->path_len, normalize, s3);
    sigv4_canon_query(&query, s->query, s->query_len);
    sigv4_canon_headers(&headers, names, e, n);
    b->oom = uri.oom || query.oom || headers.oom || names->oom;
    sigv4_buf_printf(b,
                     "%s\n" /* HTTPRequestMethod */
                     "%s\n" /* CanonicalURI */
                     "%s\n" /* CanonicalQueryString */
                     "%s\n" /* CanonicalHeaders, each ending in \n */
                     "%s\n" /* SignedHeaders */
                     "%s",  /* HashedPayload */
                     s->req->method, sigv4_buf_str(&uri), sigv4_buf_str(&query),
                     sigv4_buf_str(&headers), sigv4_buf_str(names), s->out->payload_hash);
    sigv4_buf_free(&uri);
    sigv4_buf_free(&query);
    sigv4_buf_free(&headers);
}

static void make_string_to_sign(struct signer *s, struct sigv4_buf *b, const struct sigv4_buf *creq)
{
    char creq_hash[65];
    b->oom = !sha256_hex(creq->p, creq->len, creq_hash);
    sigv4_buf_printf(b,
                     "%s\n" /* Algorithm */
                     "%s\n" /* RequestDateTime */
                     "%s\n" /* CredentialScope */
                     "%s",  /* HashedCanonicalRequest */
                     ALGORITHM, s->out->amz_date, s->scope, creq_hash);
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
 * "aws4_request"), through two buffers since an HMAC must not write its key. */
static int derive_signing_key(EVP_MAC_CTX *ctx, const struct sigv4_request *req, const char *date8,
                              unsigned char key[32])
{
    struct sigv4_buf k0 = {0};
    unsigned char tmp[32];
    sigv4_buf_adds(&k0, "AWS4");
    sigv4_buf_adds(&k0, req->secret_key);
    int ok = !k0.oom && hmac_sha256(ctx, k0.p, k0.len, date8, 8, tmp) &&
             hmac_sha256(ctx, tmp, 32, req->region, strlen(req->region), key) &&
             hmac_sha256(ctx, key, 32, req->service, strlen(req->service), tmp) &&
             hmac_sha256(ctx, tmp, 32, "aws4_request", 12, key);
    sigv4_buf_free(&k0);
    OPENSSL_cleanse(tmp, sizeof tmp);
    return ok;
}

static int sign_and_authorize(struct signer *s, const struct sigv4_buf *sts,
                              const struct sigv4_buf *names, struct sigv4_buf *auth)
{
    unsigned char key[32], sig[32];
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(algs.hmac);
    int ok = ctx && derive_signing_key(ctx, s->req, s->out->amz_date, key) &&
             hmac_sha256(ctx, key, 32, sts->p, sts->len, sig);
    EVP_MAC_CTX_free(ctx); /* clears the keyed state */
    OPENSSL_cleanse(key, sizeof key);
    if (!ok)
        return 0;
    hex_lower(sig, 32, s->out->signature);
    sigv4_buf_printf(auth, "%s Credential=%s/%s, SignedHeaders=%s, Signature=%s", ALGORITHM,
                     s->req->access_key, s->scope, sigv4_buf_str(names), s->out->signature);
    return 1;
}

static enum sigv4_status check_input(struct signer *s)
{
    const struct sigv4_request *req = s->req;
    for (size_t i = 0; i < req->header_count; i++) {
        const struct sigv4_header *h = &req->headers[i];
        int name_len = (int)(h->name_len > 64 ? 64 : h->name_len);
        if (!is_token(h->name, h->name_len))
            return fail(s, SIGV4_BAD_INPUT, "bad header name '%.*s'", name_len, h->name);
        for (size_t k = 0; k < h->value_len; k++)
            if (h->value[k] == '\r' || h->value[k] == '\n' || h->value[k] == '\0')
                return fail(s, SIGV4_BAD_INPUT, "value of header '%.*s' contains CR, LF or NUL",
                            name_len, h->name);
    }
    if (!is_token(req->method, strlen(req->method)))
        return fail(s, SIGV4_BAD_INPUT, "bad method");
    /* AMZ dates have four-digit years: 1970 to the end of 9999 */
    time_t t = (time_t)req->time;
    struct tm tm;
    if (req->time < 0 || req->time > INT64_C(253402300799) || !gmtime_r(&t, &tm) ||
        strftime(s->out->amz_date, sizeof s->out->amz_date, "%Y%m%dT%H%M%SZ", &tm) != 16)
        return fail(s, SIGV4_BAD_INPUT, "time out of range");
    int len = snprintf(s->scope, sizeof s->scope, "%.8s/%s/%s/aws4_request", s->out->amz_date,
                       req->region, req->service);
    if (len < 0 || (size_t)len >= sizeof s->scope)
        return fail(s, SIGV4_BAD_INPUT, "region or service too long");
    return SIGV4_OK;
}

/* Moves a finished buffer into a result field; 0 after an allocation failed. */
static int take(struct sigv4_buf *b, char **field)
{
    sigv4_buf_add(b, "", 0);
    if (b->oom)
        return 0;
    *field = b->p;
    *b = (struct sigv4_buf){0};
    return 1;
}

enum sigv4_status sigv4_sign_request(const struct sigv4_request *req, struct sigv4_signed *out,
                                     char *err, size_t err_len)
{
    struct signer s = {.req = req, .out = out, .err = err, .err_len = err_len};
    *out = (struct sigv4_signed){0};
    if (!algs_ready())
        return fail(&s, SIGV4_CRYPTO, "OpenSSL has no SHA-256 or HMAC");
    enum sigv4_status st = parse_url(&s, req->url);
    if (st == SIGV4_OK)
        st = check_input(&s);
    if (st == SIGV4_OK)
        st = hash_payload(&s);
    if (st != SIGV4_OK)
        return st;
    struct sigv4_buf creq = {0}, names = {0}, sts = {0}, auth = {0};
    struct sigv4_entry *e = calloc(req->header_count + 4, sizeof *e);
    size_t n = e ? collect_headers(&s, e) : (size_t)-1;
    if (n != (size_t)-1) {
        make_canonical_request(&s, &creq, &names, e, n);
        if (!creq.oom)
            make_string_to_sign(&s, &sts, &creq);
    }
    if (n == (size_t)-1 || creq.oom || names.oom || sts.oom)
        st = fail(&s, SIGV4_NO_MEMORY, "out of memory");
    else if (!sign_and_authorize(&s, &sts, &names, &auth))
        st = fail(&s, SIGV4_CRYPTO, "HMAC-SHA256 failed");
    else if (!take(&auth, &out->authorization))
        st = fail(&s, SIGV4_NO_MEMORY, "out of memory");
    /* the steps are for a person reading a trace: copied out only then */
    else if (req->keep_steps &&
             (!take(&creq, &out->canonical_request) || !take(&names, &out->signed_headers) ||
              !take(&sts, &out->string_to_sign)))
        st = fail(&s, SIGV4_NO_MEMORY, "out of memory");
    sigv4_buf_free(&creq);
    sigv4_buf_free(&names);
    sigv4_buf_free(&sts);
    sigv4_buf_free(&auth);
    free(e);
    return st;
}

static void free_secret(char **p)
{
    if (*p)
        OPENSSL_clear_free(*p, strlen(*p));
    *p = NULL;
}

void sigv4_signed_free(struct sigv4_signed *out)
{
    free_secret(&out->canonical_request);
    free_secret(&out->string_to_sign);
    free_secret(&out->authorization);
    free_secret(&out->signed_headers);
    free_secret(&out->host);
    OPENSSL_cleanse(out->signature, sizeof out->signature);
}
