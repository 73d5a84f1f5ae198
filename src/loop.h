/* loop.h: HTTP transfers on one libcurl multi handle. No Lua here: the
 * binding (l_loop.c) and the Lua scheduler (lua/mfakit/task.lua) decide who
 * waits for what; this core only starts transfers and reports which ended. */
#ifndef MFAKIT_LOOP_H
#define MFAKIT_LOOP_H

#include <stddef.h>
#include <stdint.h>

struct loop;

struct loop_request {
    const char *method;
    const char *url;
    const char *const *headers; /* "Name: value" strings */
    size_t header_count;
    const char *body; /* may be NULL; lent to libcurl: keep it until the result is taken */
    size_t body_len;
    long timeout_ms;         /* whole transfer; 0 = none */
    long connect_timeout_ms; /* 0 = libcurl's default */
    const char *ca_bundle;   /* NULL = system default; verification is always on */
    /* Caps on what a server may make us hold (0 = none). The body cap counts
     * decoded bytes, so a gzip bomb stops at it too; a non-2xx answer is an
     * error message and gets the smaller max_error_body. */
    size_t max_body, max_error_body, max_header_size;
};

/* Why a transfer was cut short by a cap (loop_result.too_large). */
enum { LOOP_FIT = 0, LOOP_BODY_TOO_LARGE, LOOP_ERROR_BODY_TOO_LARGE, LOOP_HEADERS_TOO_LARGE };

struct loop_buf {
    char *data;
    size_t len, cap;
};

struct loop_result {
    uint64_t id;
    long status;             /* 0 when the transfer failed */
    struct loop_buf headers; /* raw header block of the final response */
    struct loop_buf body;
    int error;              /* 0, or a CURLcode */
    int too_large;          /* LOOP_FIT, or which cap stopped the transfer */
    size_t cap;             /* the cap that stopped it, in bytes */
    const char *error_text; /* libcurl's static text for `error` */
    double total_seconds;
    struct loop_result *next;
};

struct loop *loop_new(void);
void loop_free(struct loop *loop);

/* The id the next loop_start will return, if it succeeds (the binding files
 * a lent body under it before the transfer can read it). */
uint64_t loop_next_id(const struct loop *loop);

/* Starts a transfer; returns its id (> 0) or 0 with `err` filled. */
uint64_t loop_start(struct loop *loop, const struct loop_request *req, char *err, size_t errlen);

/* Waits up to timeout_ms for activity and drives transfers. Returns the
 * number of transfers still running. */
int loop_poll(struct loop *loop, int timeout_ms);

/* Takes the next finished transfer (caller frees with loop_result_free), or NULL. */
struct loop_result *loop_take_done(struct loop *loop);
void loop_result_free(struct loop_result *r);

/* Cancels a running transfer; it is dropped without a result. */
void loop_cancel(struct loop *loop, uint64_t id);

int loop_running(const struct loop *loop);

/* libcurl's version string (loads libcurl if it was not yet). */
const char *loop_curl_version(void);

#endif
