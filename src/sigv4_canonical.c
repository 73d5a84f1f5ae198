/* sigv4_canonical.c: the canonical URI, query string and headers of Task 1
 * of AWS's "Create a signed AWS API request". Where the spec leaves details
 * open (normalisation, '+', repeated names, tabs), the comments below say
 * which SDK behaviour is followed. */
#include "sigv4_canonical.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* RFC 3986's unreserved characters are all SigV4 leaves bare. Not isalnum():
 * that follows the locale. */
int sigv4_is_unreserved(unsigned char c)
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

static void encode_byte(struct sigv4_buf *b, unsigned char c)
{
    static const char digits[] = "0123456789ABCDEF";
    char e[3] = {'%', digits[c >> 4], digits[c & 15]};
    if (sigv4_is_unreserved(c))
        sigv4_buf_addc(b, (char)c);
    else
        sigv4_buf_add(b, e, 3);
}

/* "Normalize URI paths according to RFC 3986" as botocore and smithy do:
 * drop "." and empty segments (repeated slashes), let ".." eat its parent,
 * keep a trailing slash. */
static void normalize_path(struct sigv4_buf *out, const char *path, size_t n)
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
            sigv4_buf_addc(out, '/');
            sigv4_buf_add(out, path + i, j - i);
        }
    }
    if (depth == 0 || path[n - 1] == '/')
        sigv4_buf_addc(out, '/');
    free(starts);
}

/* CanonicalURI. All services but S3 sign the path encoded once more than it
 * is sent ("double encoding"). S3 signs it as sent: its escapes stay, and
 * only bytes that cannot go bare are encoded. */
void sigv4_canon_path(struct sigv4_buf *out, const char *path, size_t n, int normalize, int s3)
{
    struct sigv4_buf norm = {0};
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
            sigv4_buf_addc(out, '/');
        } else if (s3 && is_escape(path, i, n)) {
            char e[3] = {'%', path[i + 1], path[i + 2]};
            for (int k = 1; k < 3; k++)
                e[k] = (char)(e[k] >= 'a' ? e[k] - 'a' + 'A' : e[k]);
            sigv4_buf_add(out, e, 3);
            i += 2;
        } else {
            encode_byte(out, (unsigned char)path[i]);
        }
    }
    sigv4_buf_free(&norm);
}

/* A query name or value, decoded as sent ('+' is a space, as the SDKs'
 * parsers take it) and encoded again: "%e1%88%b4" and raw UTF-8 sign alike. */
static void canon_query_part(struct sigv4_buf *b, const char *s, size_t n)
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
void sigv4_canon_query(struct sigv4_buf *out, const char *q, size_t n)
{
    size_t count = 1, np = 0;
    for (size_t i = 0; i < n; i++)
        count += q[i] == '&';
    struct qparam *params = calloc(count, sizeof *params);
    struct sigv4_buf enc = {0};
    if (!params || !sigv4_buf_reserve(&enc, 3 * n)) /* at most %XX for every byte */
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
            sigv4_buf_addc(out, '&');
        sigv4_buf_add(out, enc.p + params[i].key, params[i].key_len);
        sigv4_buf_addc(out, '=');
        sigv4_buf_add(out, enc.p + params[i].key + params[i].key_len, params[i].val_len);
    }
    out->oom |= enc.oom;
    sigv4_buf_free(&enc);
    free(params);
}

/* "Trim leading and trailing spaces, convert sequential spaces to a single
 * space"; tabs count as spaces, as in the SDKs. */
void sigv4_add_trimmed(struct sigv4_buf *b, const char *v, size_t n)
{
    int space = 0, started = 0;
    if (!sigv4_buf_reserve(b, n)) /* the value never grows: one check, not one a byte */
        return;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == ' ' || v[i] == '\t') {
            space = started;
            continue;
        }
        if (space)
            b->p[b->len++] = ' ';
        space = 0;
        started = 1;
        b->p[b->len++] = v[i];
    }
    b->p[b->len] = '\0';
}

static int cmp_name(const struct sigv4_entry *a, const struct sigv4_entry *b)
{
    size_t n = a->h.name_len < b->h.name_len ? a->h.name_len : b->h.name_len;
    int c = strncasecmp(a->h.name, b->h.name, n);
    return c ? c : (a->h.name_len > b->h.name_len) - (a->h.name_len < b->h.name_len);
}

/* Same name in another case ("Host", "host") sorts by its bytes, so the
 * result never depends on the order a Lua table was walked in. */
static int cmp_entry(const void *pa, const void *pb)
{
    const struct sigv4_entry *a = pa, *b = pb;
    int c = cmp_name(a, b);
    if (c == 0)
        c = memcmp(a->h.name, b->h.name, a->h.name_len);
    return c ? c : (a->order > b->order) - (a->order < b->order);
}

static void add_lower(struct sigv4_buf *b, const char *s, size_t n)
{
    if (!sigv4_buf_reserve(b, n))
        return;
    for (size_t i = 0; i < n; i++)
        b->p[b->len++] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
    b->p[b->len] = '\0';
}

/* CanonicalHeaders and SignedHeaders: names lower-cased and sorted, the
 * values of a repeated name joined by ',' in the order given. */
void sigv4_canon_headers(struct sigv4_buf *canon, struct sigv4_buf *names, struct sigv4_entry *e,
                         size_t n)
{
    qsort(e, n, sizeof *e, cmp_entry);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && cmp_name(&e[i], &e[i - 1]) == 0) {
            sigv4_buf_addc(canon, ',');
        } else {
            if (i > 0) {
                sigv4_buf_addc(canon, '\n');
                sigv4_buf_addc(names, ';');
            }
            add_lower(canon, e[i].h.name, e[i].h.name_len);
            add_lower(names, e[i].h.name, e[i].h.name_len);
            sigv4_buf_addc(canon, ':');
        }
        sigv4_add_trimmed(canon, e[i].h.value, e[i].h.value_len);
    }
    sigv4_buf_addc(canon, '\n');
}
