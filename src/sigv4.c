/* sigv4.c: AWS Signature Version 4 for request headers.
 *
 * The functions follow the steps of AWS's "Create a signed AWS API request":
 * canon_path, canon_query, canon_headers, hash_payload,
 * make_canonical_request, make_string_to_sign, derive_signing_key and
 * sign_and_authorize. Checked against AWS's two test suites and against
 * @smithy/signature-v4 in tests/test_sigv4.lua. */
#include "sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ALGORITHM "AWS4-HMAC-SHA256"

/* Growable string. These hold session tokens and signing material, hence
 * the clearing realloc and free. */
struct buf {
    char *p;
    size_t len, cap;
    int oom;
};

/* Room for n more bytes and a NUL; 0 after an allocation failed. */
static int buf_reserve(struct buf *b, size_t n)
{
    if (!b->oom && b->len + n >= b->cap) {
        size_t cap = (b->len + n) * 2 + 64;
        char *p = OPENSSL_clear_realloc(b->p, b->cap, cap);
        b->oom = !p;
        if (p) {
            b->p = p;
            b->cap = cap;
        }
    }
    return !b->oom;
}

static void buf_add(struct buf *b, const void *s, size_t n)
{
    if (!buf_reserve(b, n))
        return;
    if (n > 0) /* s may be NULL then, which memcpy does not allow */
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_adds(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void buf_addc(struct buf *b, char c)
{
    buf_add(b, &c, 1);
}

static void buf_free(struct buf *b)
{
    OPENSSL_clear_free(b->p, b->cap);
    *b = (struct buf){0};
}

static void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if (!buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static const char *str(const struct buf *b)
{
    return b->p && !b->oom ? b->p : "";
}

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

static int sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) || md_len != 32)
        return 0;
    hex_lower(md, 32, out);
    return 1;
}

static int hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                       unsigned char out[32])
{
    unsigned int out_len = 0;
    return HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &out_len) && out_len == 32;
}

/* RFC 3986's unreserved characters are all SigV4 leaves bare. Not isalnum():
 * that follows the locale. */
static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (unsigned char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int is_escape(const char *s, size_t i, size_t n)
{
    return s[i] == '%' && i + 2 < n && hex_value((unsigned char)s[i + 1]) >= 0 &&
           hex_value((unsigned char)s[i + 2]) >= 0;
}

static void encode_byte(struct buf *b, unsigned char c)
{
    static const char digits[] = "0123456789ABCDEF";
    char e[3] = {'%', digits[c >> 4], digits[c & 15]};
    if (is_unreserved(c))
        buf_addc(b, (char)c);
    else
        buf_add(b, e, 3);
}

/* "Normalize URI paths according to RFC 3986" as botocore and smithy do:
 * drop "." and empty segments (repeated slashes), let ".." eat its parent,
 * keep a trailing slash. */
static void normalize_path(struct buf *out, const char *path, size_t n)
{
    size_t *starts = malloc((n + 1) * sizeof *starts), depth = 0;
    if (!starts) {
        out->oom = 1;
        return;
    }
    for (size_t i = 0, j; i <= n; i = j + 1) {
        for (j = i; j < n && path[j] != '/'; j++)
            ;
        if (j - i == 2 && path[i] == '.' && path[i + 1] == '.') {
            if (depth > 0 && !out->oom)
                out->len = starts[--depth];
        } else if (j > i && !(j - i == 1 && path[i] == '.')) {
            starts[depth++] = out->len;
            buf_addc(out, '/');
            buf_add(out, path + i, j - i);
        }
    }
    if (depth == 0 || path[n - 1] == '/')
        buf_addc(out, '/');
    free(starts);
}

/* CanonicalURI. All services but S3 sign the path encoded once more than it
 * is sent ("double encoding"). S3 signs it as sent: its escapes stay, and
 * only bytes that cannot go bare are encoded. */
static void canon_path(struct buf *out, const char *path, size_t n, int normalize, int s3)
{
    struct buf norm = {0};
    if (n == 0)
        path = "/", n = 1;
    if (normalize) {
        normalize_path(&norm, path, n);
        out->oom |= norm.oom;
        path = norm.p ? norm.p : "";
        n = norm.len;
    }
    for (size_t i = 0; i < n; i++) {
        if (path[i] == '/') {
            buf_addc(out, '/');
        } else if (s3 && is_escape(path, i, n)) {
            char e[3] = {'%', path[i + 1], path[i + 2]};
            for (int k = 1; k < 3; k++)
                e[k] = (char)(e[k] >= 'a' ? e[k] - 'a' + 'A' : e[k]);
            buf_add(out, e, 3);
            i += 2;
        } else {
            encode_byte(out, (unsigned char)path[i]);
        }
    }
    buf_free(&norm);
}

/* A query name or value, decoded as sent ('+' is a space, as the SDKs'
 * parsers take it) and encoded again: "%e1%88%b4" and raw UTF-8 sign alike. */
static void canon_query_part(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (is_escape(s, i, n)) {
            c = (unsigned char)(hex_value((unsigned char)s[i + 1]) << 4 |
                                hex_value((unsigned char)s[i + 2]));
            i += 2;
        }
        encode_byte(b, c);
    }
}

struct qparam {
    size_t key, key_len, val_len; /* offsets into the encoded buffer; value follows key */
    const char *base;
};

static int cmp_span(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

static int cmp_qparam(const void *pa, const void *pb)
{
    const struct qparam *a = pa, *b = pb;
    const char *ak = a->base + a->key, *bk = b->base + b->key;
    int c = cmp_span(ak, a->key_len, bk, b->key_len);
    return c ? c : cmp_span(ak + a->key_len, a->val_len, bk + b->key_len, b->val_len);
}

/* CanonicalQueryString: encoded name=value pairs sorted by name, then by
 * value (a repeated name), joined by '&'. */
static void canon_query(struct buf *out, const char *q, size_t n)
{
    size_t count = 1, np = 0;
    for (size_t i = 0; i < n; i++)
        count += q[i] == '&';
    struct qparam *params = calloc(count, sizeof *params);
    struct buf enc = {0};
    if (!params || !buf_reserve(&enc, 3 * n)) /* at most %XX for every byte */
        enc.oom = 1;
    for (size_t i = 0, end, eq; params && i < n; i = end + 1) {
        for (end = i; end < n && q[end] != '&'; end++)
            ;
        for (eq = i; eq < end && q[eq] != '='; eq++)
            ;
        if (end == i)
            continue;
        struct qparam *p = &params[np++];
        p->key = enc.len;
        canon_query_part(&enc, q + i, eq - i);
        p->key_len = enc.len - p->key;
        canon_query_part(&enc, q + eq + (eq < end), end - eq - (eq < end));
        p->val_len = enc.len - p->key - p->key_len;
    }
    for (size_t i = 0; i < np && !enc.oom; i++)
        params[i].base = enc.p;
    if (np > 0 && !enc.oom)
        qsort(params, np, sizeof *params, cmp_qparam);
    for (size_t i = 0; i < np && !enc.oom; i++) {
        if (i > 0)
            buf_addc(out, '&');
        buf_add(out, enc.p + params[i].key, params[i].key_len);
        buf_addc(out, '=');
        buf_add(out, enc.p + params[i].key + params[i].key_len, params[i].val_len);
    }
    out->oom |= enc.oom;
    buf_free(&enc);
    free(params);
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
        while (++i < auth_len && (is_unreserved((unsigned char)auth[i]) || auth[i] == ':'))
            ;
        if (i >= auth_len || auth[i++] != ']')
            return fail(s, SIGV4_BAD_URL, "bad IPv6 address in URL");
    } else {
        while (i < auth_len && is_unreserved((unsigned char)auth[i]))
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

/* "Trim leading and trailing spaces, convert sequential spaces to a single
 * space"; tabs count as spaces, as in the SDKs. */
static void add_trimmed(struct buf *b, const char *v, size_t n)
{
    int space = 0, started = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == ' ' || v[i] == '\t') {
            space = started;
            continue;
        }
        if (space)
            buf_addc(b, ' ');
        space = 0;
        started = 1;
        buf_addc(b, v[i]);
    }
}

static int is_token(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_unreserved((unsigned char)s[i]) && !strchr("!#$%&'*+^`|", s[i]))
            return 0;
    return n > 0;
}

struct entry {
    struct sigv4_header h;
    size_t order; /* keeps a repeated header's values in the order given */
};

static int cmp_name(const struct entry *a, const struct entry *b)
{
    size_t n = a->h.name_len < b->h.name_len ? a->h.name_len : b->h.name_len;
    int c = strncasecmp(a->h.name, b->h.name, n);
    return c ? c : (a->h.name_len > b->h.name_len) - (a->h.name_len < b->h.name_len);
}

/* Same name in another case ("Host", "host") sorts by its bytes, so the
 * result never depends on the order a Lua table was walked in. */
static int cmp_entry(const void *pa, const void *pb)
{
    const struct entry *a = pa, *b = pb;
    int c = cmp_name(a, b);
    if (c == 0)
        c = memcmp(a->h.name, b->h.name, a->h.name_len);
    return c ? c : (a->order > b->order) - (a->order < b->order);
}

static void add_lower(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_addc(b, (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]));
}

static void add_entry(struct entry *e, size_t *n, const char *name, const char *value, size_t len)
{
    e[*n] = (struct entry){{name, strlen(name), value, len}, *n};
    (*n)++;
}

/* The headers to sign: the caller's (less those we set), Host when no header
 * gave it, X-Amz-Date, the session token and the payload hash. */
static size_t collect_headers(struct signer *s, struct entry *e)
{
    const struct sigv4_request *req = s->req;
    struct sigv4_signed *out = s->out;
    size_t n = 0;
    int has_host = 0;
    for (size_t i = 0; i < req->header_count; i++) {
        const struct sigv4_header *h = &req->headers[i];
        if (!sigv4_header_replaced(req, h->name, h->name_len)) {
            has_host |= name_is(h->name, h->name_len, "host");
            e[n] = (struct entry){*h, n};
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

/* CanonicalHeaders and SignedHeaders: names lower-cased and sorted, the
 * values of a repeated name joined by ',' in the order given. */
static void canon_headers(struct buf *canon, struct buf *names, struct entry *e, size_t n)
{
    qsort(e, n, sizeof *e, cmp_entry);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && cmp_name(&e[i], &e[i - 1]) == 0) {
            buf_addc(canon, ',');
        } else {
            if (i > 0) {
                buf_addc(canon, '\n');
                buf_addc(names, ';');
            }
            add_lower(canon, e[i].h.name, e[i].h.name_len);
            add_lower(names, e[i].h.name, e[i].h.name_len);
            buf_addc(canon, ':');
        }
        add_trimmed(canon, e[i].h.value, e[i].h.value_len);
    }
    buf_addc(canon, '\n');
}

/* HashedPayload: a caller's x-amz-content-sha256 (UNSIGNED-PAYLOAD for S3,
 * say) stands for the body, as in the SDKs; else SHA-256 of the body. */
static enum sigv4_status hash_payload(struct signer *s)
{
    const struct sigv4_request *req = s->req;
    for (size_t i = 0; i < req->header_count; i++) {
        const struct sigv4_header *h = &req->headers[i];
        if (name_is(h->name, h->name_len, "x-amz-content-sha256") && !req->content_sha256) {
            struct buf b = {0};
            add_trimmed(&b, h->value, h->value_len);
            int fits = !b.oom && b.len < sizeof s->out->payload_hash;
            if (fits)
                memcpy(s->out->payload_hash, b.p ? b.p : "", b.len + 1);
            buf_free(&b);
            return fits ? SIGV4_OK : fail(s, SIGV4_BAD_INPUT, "bad x-amz-content-sha256 value");
        }
    }
    if (!sha256_hex(req->body ? req->body : "", req->body_len, s->out->payload_hash))
        return fail(s, SIGV4_CRYPTO, "SHA-256 failed");
    return SIGV4_OK;
}

static void make_canonical_request(struct signer *s, struct buf *b, struct buf *names,
                                   struct entry *e, size_t n)
{
    const char *svc = s->req->service;
    int s3 = strcmp(svc, "s3") == 0 || strncmp(svc, "s3-", 3) == 0 || strcmp(svc, "s3express") == 0;
    int normalize = s->req->normalize_path < 0 ? !s3 : s->req->normalize_path;
    struct buf uri = {0}, query = {0}, headers = {0};
    canon_path(&uri, s->path, s->path_len, normalize, s3);
    canon_query(&query, s->query, s->query_len);
    canon_headers(&headers, names, e, n);
    b->oom = uri.oom || query.oom || headers.oom || names->oom;
    buf_printf(b,
               "%s\n" /* HTTPRequestMethod */
               "%s\n" /* CanonicalURI */
               "%s\n" /* CanonicalQueryString */
               "%s\n" /* CanonicalHeaders, each ending in \n */
               "%s\n" /* SignedHeaders */
               "%s",  /* HashedPayload */
               s->req->method, str(&uri), str(&query), str(&headers), str(names),
               s->out->payload_hash);
    buf_free(&uri);
    buf_free(&query);
    buf_free(&headers);
}

static void make_string_to_sign(struct signer *s, struct buf *b, const struct buf *creq)
{
    char creq_hash[65];
    b->oom = !sha256_hex(creq->p, creq->len, creq_hash);
    buf_printf(b,
               "%s\n" /* Algorithm */
               "%s\n" /* RequestDateTime */
               "%s\n" /* CredentialScope */
               "%s",  /* HashedCanonicalRequest */
               ALGORITHM, s->out->amz_date, s->scope, creq_hash);
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
 * "aws4_request"), through two buffers since HMAC() must not write its key. */
static int derive_signing_key(const struct sigv4_request *req, const char *date8,
                              unsigned char key[32])
{
    struct buf k0 = {0};
    unsigned char tmp[32];
    buf_adds(&k0, "AWS4");
    buf_adds(&k0, req->secret_key);
    int ok = !k0.oom && hmac_sha256(k0.p, k0.len, date8, 8, tmp) &&
             hmac_sha256(tmp, 32, req->region, strlen(req->region), key) &&
             hmac_sha256(key, 32, req->service, strlen(req->service), tmp) &&
             hmac_sha256(tmp, 32, "aws4_request", 12, key);
    buf_free(&k0);
    OPENSSL_cleanse(tmp, sizeof tmp);
    return ok;
}

static int sign_and_authorize(struct signer *s, struct buf *auth)
{
    unsigned char key[32], sig[32];
    const char *sts = s->out->string_to_sign;
    int ok = derive_signing_key(s->req, s->out->amz_date, key) &&
             hmac_sha256(key, 32, sts, strlen(sts), sig);
    OPENSSL_cleanse(key, sizeof key);
    if (!ok)
        return 0;
    hex_lower(sig, 32, s->out->signature);
    buf_printf(auth, "%s Credential=%s/%s, SignedHeaders=%s, Signature=%s", ALGORITHM,
               s->req->access_key, s->scope, s->out->signed_headers, s->out->signature);
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
static int take(struct buf *b, char **field)
{
    buf_add(b, "", 0);
    if (b->oom)
        return 0;
    *field = b->p;
    *b = (struct buf){0};
    return 1;
}

enum sigv4_status sigv4_sign_request(const struct sigv4_request *req, struct sigv4_signed *out,
                                     char *err, size_t err_len)
{
    struct signer s = {.req = req, .out = out, .err = err, .err_len = err_len};
    *out = (struct sigv4_signed){0};
    enum sigv4_status st = parse_url(&s, req->url);
    if (st == SIGV4_OK)
        st = check_input(&s);
    if (st == SIGV4_OK)
        st = hash_payload(&s);
    if (st != SIGV4_OK)
        return st;
    struct buf creq = {0}, names = {0}, sts = {0}, auth = {0};
    struct entry *e = calloc(req->header_count + 4, sizeof *e);
    size_t n = e ? collect_headers(&s, e) : (size_t)-1;
    if (n != (size_t)-1) {
        make_canonical_request(&s, &creq, &names, e, n);
        if (!creq.oom)
            make_string_to_sign(&s, &sts, &creq);
    }
    if (n == (size_t)-1 || !take(&creq, &out->canonical_request) ||
        !take(&names, &out->signed_headers) || !take(&sts, &out->string_to_sign))
        st = fail(&s, SIGV4_NO_MEMORY, "out of memory");
    else if (!sign_and_authorize(&s, &auth))
        st = fail(&s, SIGV4_CRYPTO, "HMAC-SHA256 failed");
    else if (!take(&auth, &out->authorization))
        st = fail(&s, SIGV4_NO_MEMORY, "out of memory");
    buf_free(&creq);
    buf_free(&names);
    buf_free(&sts);
    buf_free(&auth);
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
