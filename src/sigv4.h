/* sigv4.h: AWS Signature Version 4 (header signing), as plain C.
 *
 * The caller describes a request (method, absolute URL, headers, body) and
 * credentials; sigv4_sign_request() returns the Authorization value and,
 * when asked (keep_steps), every intermediate the spec names, so a mismatch
 * with AWS can be pinned to one step. Knows nothing of Lua.
 *
 * The URL's path is taken byte for byte as it goes on the wire: for every
 * service but S3 it is normalised and then percent-encoded once more, so
 * "/a%20b" signs as "/a%2520b" and a raw "/a b" as "/a%20b", which is what
 * AWS's suites and the SDKs do. Query names and values are decoded ('+' is
 * a space) and re-encoded, so either spelling signs alike. */
#ifndef MFAKIT_SIGV4_H
#define MFAKIT_SIGV4_H

#include <stddef.h>
#include <stdint.h>

enum sigv4_status {
    SIGV4_OK = 0,
    SIGV4_BAD_URL,   /* the URL cannot be parsed: data from outside, not misuse */
    SIGV4_BAD_INPUT, /* a header name/value or the time cannot be signed */
    SIGV4_NO_MEMORY,
    SIGV4_CRYPTO, /* OpenSSL refused: should never happen */
};

/* One header line. A name may repeat: values of the same name (compared
 * case-insensitively) are joined with ',' in the order given. */
struct sigv4_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

struct sigv4_request {
    const char *method;
    const char *url; /* http(s)://host[:port]/path?query#fragment-ignored */
    const char *body;
    size_t body_len;
    const struct sigv4_header *headers;
    size_t header_count;
    const char *region;
    const char *service;
    const char *access_key;
    const char *secret_key;
    const char *session_token; /* NULL or "": none */
    int64_t time;              /* Unix seconds */
    int content_sha256;        /* add and sign x-amz-content-sha256 */
    int normalize_path;        /* <0: by service (all but S3), 0: no, >0: yes */
    int keep_steps;            /* fill the steps of sigv4_signed (for a trace) */
};

struct sigv4_signed {
    /* the steps: NULL unless the request asked to keep them */
    char *canonical_request;
    char *string_to_sign;
    char *signed_headers;
    char *authorization;
    char *host; /* Host value derived from the URL; NULL when a header gave it */
    char signature[65];
    char amz_date[17];     /* YYYYMMDDTHHMMSSZ */
    char payload_hash[65]; /* also the x-amz-content-sha256 value */
};

/* Fills `out` (which the caller must release with sigv4_signed_free, also on
 * failure). On failure writes a one-line reason, never a secret, to err. */
enum sigv4_status sigv4_sign_request(const struct sigv4_request *req, struct sigv4_signed *out,
                                     char *err, size_t err_len);

void sigv4_signed_free(struct sigv4_signed *out);

/* Whether sigv4_sign_request drops a caller's header of this name because
 * it sets the header itself (x-amz-date, authorization, and the token or
 * payload hash when asked to add them). The binding uses it to build what
 * is sent. */
int sigv4_header_replaced(const struct sigv4_request *req, const char *name, size_t name_len);

#endif
