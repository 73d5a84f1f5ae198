/* sigv4_canonical.h: the canonical forms of a request that SigV4 signs:
 * CanonicalURI, CanonicalQueryString, CanonicalHeaders and SignedHeaders.
 * Internal to sigv4.c, which assembles them into the canonical request;
 * the public API is sigv4.h. Every function appends to a sigv4_buf and
 * reports an allocation failure through its `oom`. */
#ifndef MFAKIT_SIGV4_CANONICAL_H
#define MFAKIT_SIGV4_CANONICAL_H

#include "sigv4.h"
#include "sigv4_buf.h"

#include <stddef.h>

/* A header to sign. */
struct sigv4_entry {
    struct sigv4_header h;
    size_t order; /* keeps a repeated header's values in the order given */
};

int sigv4_is_unreserved(unsigned char c);

/* `path` as sent on the wire; sigv4.c picks `normalize` and `s3` by service. */
void sigv4_canon_path(struct sigv4_buf *out, const char *path, size_t n, int normalize, int s3);

/* `q` is the query as sent, without the '?' and the fragment. */
void sigv4_canon_query(struct sigv4_buf *out, const char *q, size_t n);

/* Sorts `e` in place; CanonicalHeaders go to `canon`, SignedHeaders to
 * `names`. */
void sigv4_canon_headers(struct sigv4_buf *canon, struct sigv4_buf *names, struct sigv4_entry *e,
                         size_t n);

/* A header value as CanonicalHeaders holds it. */
void sigv4_add_trimmed(struct sigv4_buf *b, const char *v, size_t n);

#endif
