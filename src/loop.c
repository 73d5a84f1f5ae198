/* loop.c: libcurl multi transfers, in the shape of curl's 10-at-a-time.c.
 * One multi handle per Lua state; each transfer owns its easy handle, header
 * list and buffers until it finishes and its result is taken. A finished
 * transfer's easy handle is reset and kept for the next one (up to
 * LOOP_IDLE_MAX), rather than freed and made again for every request. */
#include "loop.h"

#include "curl_lazy.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct transfer {
    CURL *easy;
    struct curl_slist *headers;
    struct loop_result *result;
    size_t max_body, max_error_body, max_header_size;
    int headers_done; /* the final response's blank line has come */
    struct transfer *next;
};

/* Idle easy handles kept for reuse: enough for a burst of sign-ins to find
 * one ready, few enough that an idle loop holds little memory. */
#define LOOP_IDLE_MAX 256

/* libcurl's receive buffer per transfer (CURLOPT_BUFFERSIZE; its default is
 * 16 KiB, most of the memory of a transfer in flight), at the least it
 * takes. AWS answers are small (Cognito's sign-in replies are 0.3-2.4 KB),
 * and a larger body just takes more reads: at 1,000 sign-ins in flight each
 * KiB here is a KiB per sign-in. */
#define LOOP_RECV_BUFFER 1024L

/* libcurl's send buffer (CURLOPT_UPLOAD_BUFFERSIZE), at the least it takes.
 * libcurl 7.88 does not allocate it for a body under 64 KiB given whole, but
 * 8.x does, at its 64 KiB default: measured at 1,000 requests in flight, 8.14
 * holds 72 KiB per request with the default and 24 KiB with this
 * (docs/LOAD.md). */
#define LOOP_SEND_BUFFER (16L * 1024)

struct loop {
    CURLM *multi;
    CURL *idle[LOOP_IDLE_MAX];
    int n_idle;
    struct transfer *running;
    struct loop_result *done_head, *done_tail;
    uint64_t next_id;
    int count;
};

/* libcurl, once loaded (see curl_lazy.h) */
static const struct curl_lazy *CL;

static int buf_append(struct loop_buf *b, const char *data, size_t len)
{
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + len + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p)
            return -1;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

/* A declared length up to this is reserved at once; a larger one (or a
 * hostile Content-Length over a stalled body) grows as the bytes come. */
#define LOOP_RESERVE_MAX (64 * 1024)

/* The first piece of a body: room for the whole of a small declared length,
 * so that a reply held until its sign-in runs again takes what it needs,
 * not the next power of two. gzip makes the declared length the compressed
 * one: the buffer then grows as usual. */
static int buf_reserve_declared(struct transfer *t, size_t cap)
{
    curl_off_t declared = -1;
    CL->easy_getinfo(t->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &declared);
    if (declared <= 0 || declared > LOOP_RESERVE_MAX || (cap && (size_t)declared > cap))
        return 1;
    struct loop_buf *b = &t->result->body;
    b->data = malloc((size_t)declared + 1);
    if (!b->data)
        return 0;
    b->cap = (size_t)declared + 1;
    return 1;
}

/* Returning less than asked makes libcurl abort with CURLE_WRITE_ERROR;
 * finish() then reports the cap rather than a write error. */
static size_t over_cap(struct loop_result *r, int which, size_t cap)
{
    r->too_large = which;
    r->cap = cap;
    return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
    struct transfer *t = userdata;
    struct loop_result *r = t->result;
    long status = 0;
    CL->easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    int is_error = status < 200 || status > 299;
    size_t cap = is_error && t->max_error_body ? t->max_error_body : t->max_body;
    if (cap && (size * n > cap || r->body.len > cap - size * n))
        return over_cap(r, is_error ? LOOP_ERROR_BODY_TOO_LARGE : LOOP_BODY_TOO_LARGE, cap);
    if (!r->body.data && !buf_reserve_declared(t, cap))
        return 0;
    return buf_append(&r->body, data, size * n) == 0 ? size * n : 0;
}

/* Keeps only the final response's headers: a 100 Continue or a proxy's
 * CONNECT answer comes first and starts with its own status line. */
static size_t on_header(char *data, size_t size, size_t n, void *userdata)
{
    struct transfer *t = userdata;
    struct loop_result *r = t->result;
    if (size * n >= 5 && memcmp(data, "HTTP/", 5) == 0)
        r->headers.len = 0;
    t->headers_done = (size * n == 2 && data[0] == '\r') || (size * n == 1 && data[0] == '\n');
    size_t cap = t->max_header_size;
    if (cap && (size * n > cap || r->headers.len > cap - size * n))
        return over_cap(r, LOOP_HEADERS_TOO_LARGE, cap);
    return buf_append(&r->headers, data, size * n) == 0 ? size * n : 0;
}

struct loop *loop_new(void)
{
    struct loop *loop = calloc(1, sizeof *loop);
    if (loop)
        loop->next_id = 1;
    return loop;
}

/* libcurl and the multi handle come with the first transfer. */
static int loop_ready(struct loop *loop, char *err, size_t errlen)
{
    if (loop->multi)
        return 1;
    if (!CL && !(CL = curl_lazy_get(err, errlen)))
        return 0;
    loop->multi = CL->multi_init();
    if (!loop->multi) {
        snprintf(err, errlen, "cannot create a libcurl multi handle");
        return 0;
    }
    return 1;
}

const char *loop_curl_version(void)
{
    char err[256];
    if (!CL && !(CL = curl_lazy_get(err, sizeof err)))
        return "libcurl not loaded";
    return CL->version();
}

/* An easy handle for a new transfer: an idle one if there is one. */
static CURL *easy_get(struct loop *loop)
{
    if (loop->n_idle > 0)
        return loop->idle[--loop->n_idle];
    return CL->easy_init();
}

/* Back to the idle list, reset: curl_easy_reset forgets every option (the
 * URL, headers, body, callbacks), so nothing of one request leaks into the
 * next; the connections stay in the multi handle's cache either way. */
static void easy_put(struct loop *loop, CURL *e)
{
    if (loop->n_idle < LOOP_IDLE_MAX) {
        CL->easy_reset(e);
        loop->idle[loop->n_idle++] = e;
    } else {
        CL->easy_cleanup(e);
    }
}

static void transfer_free(struct loop *loop, struct transfer *t)
{
    CL->multi_remove_handle(loop->multi, t->easy);
    easy_put(loop, t->easy);
    CL->slist_free_all(t->headers);
    if (t->result)
        loop_result_free(t->result);
    free(t);
}

void loop_result_free(struct loop_result *r)
{
    if (!r)
        return;
    free(r->headers.data);
    free(r->body.data);
    free(r);
}

void loop_free(struct loop *loop)
{
    if (!loop)
        return;
    while (loop->running) {
        struct transfer *t = loop->running;
        loop->running = t->next;
        transfer_free(loop, t);
    }
    struct loop_result *r;
    while ((r = loop_take_done(loop)))
        loop_result_free(r);
    while (loop->n_idle > 0)
        CL->easy_cleanup(loop->idle[--loop->n_idle]);
    if (loop->multi)
        CL->multi_cleanup(loop->multi);
    free(loop);
}

static int setup_easy(struct transfer *t, const struct loop_request *req)
{
    CURL *e = t->easy;
    int ok = 1;
    t->max_body = req->max_body;
    t->max_error_body = req->max_error_body;
    t->max_header_size = req->max_header_size;
    ok &= CL->easy_setopt(e, CURLOPT_URL, req->url) == CURLE_OK;
    ok &= CL->easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    /* Signed requests must never be replayed elsewhere: 3xx is returned as is. */
    ok &= CL->easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
    ok &= CL->easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK;
    ok &= CL->easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK;
    ok &= CL->easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
    ok &= CL->easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK;
    ok &= CL->easy_setopt(e, CURLOPT_BUFFERSIZE, LOOP_RECV_BUFFER) == CURLE_OK;
    ok &= CL->easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, LOOP_SEND_BUFFER) == CURLE_OK;
    if (req->ca_bundle && *req->ca_bundle)
        ok &= CL->easy_setopt(e, CURLOPT_CAINFO, req->ca_bundle) == CURLE_OK;
    if (req->timeout_ms > 0)
        ok &= CL->easy_setopt(e, CURLOPT_TIMEOUT_MS, req->timeout_ms) == CURLE_OK;
    if (req->connect_timeout_ms > 0)
        ok &= CL->easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms) == CURLE_OK;
    ok &= CL->easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
    ok &= CL->easy_setopt(e, CURLOPT_WRITEDATA, t) == CURLE_OK;
    ok &= CL->easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
    ok &= CL->easy_setopt(e, CURLOPT_HEADERDATA, t) == CURLE_OK;
    ok &= CL->easy_setopt(e, CURLOPT_PRIVATE, t) == CURLE_OK;

    const char *method = req->method ? req->method : "GET";
    if (req->body) {
        ok &=
            CL->easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len) == CURLE_OK;
        /* lent, not copied: the caller keeps it until the result is taken */
        ok &= CL->easy_setopt(e, CURLOPT_POSTFIELDS, req->body) == CURLE_OK;
        if (strcmp(method, "POST") != 0)
            ok &= CL->easy_setopt(e, CURLOPT_CUSTOMREQUEST, method) == CURLE_OK;
    } else if (strcmp(method, "HEAD") == 0) {
        ok &= CL->easy_setopt(e, CURLOPT_NOBODY, 1L) == CURLE_OK;
    } else if (strcmp(method, "GET") != 0) {
        ok &= CL->easy_setopt(e, CURLOPT_CUSTOMREQUEST, method) == CURLE_OK;
    }

    /* curl would add these on its own; they are not signed, so suppress them. */
    static const char *const suppressed[] = {"Expect:", "Accept:"};
    for (size_t i = 0; i < sizeof suppressed / sizeof *suppressed; i++) {
        struct curl_slist *h = CL->slist_append(t->headers, suppressed[i]);
        if (!h)
            return 0;
        t->headers = h;
    }
    for (size_t i = 0; i < req->header_count; i++) {
        struct curl_slist *h = CL->slist_append(t->headers, req->headers[i]);
        if (!h)
            return 0;
        t->headers = h;
    }
    ok &= CL->easy_setopt(e, CURLOPT_HTTPHEADER, t->headers) == CURLE_OK;
    return ok;
}

uint64_t loop_next_id(const struct loop *loop)
{
    return loop->next_id;
}

uint64_t loop_start(struct loop *loop, const struct loop_request *req, char *err, size_t errlen)
{
    if (!loop_ready(loop, err, errlen))
        return 0;
    struct transfer *t = calloc(1, sizeof *t);
    if (t)
        t->result = calloc(1, sizeof *t->result);
    if (t && t->result)
        t->easy = easy_get(loop);
    if (!t || !t->result || !t->easy) {
        snprintf(err, errlen, "out of memory");
        if (t) {
            loop_result_free(t->result);
            free(t);
        }
        return 0;
    }
    if (!setup_easy(t, req)) {
        snprintf(err, errlen, "cannot set up the transfer (unsupported option or out of memory)");
        easy_put(loop, t->easy);
        CL->slist_free_all(t->headers);
        loop_result_free(t->result);
        free(t);
        return 0;
    }
    CURLMcode mc = CL->multi_add_handle(loop->multi, t->easy);
    if (mc != CURLM_OK) {
        snprintf(err, errlen, "%s", CL->multi_strerror(mc));
        easy_put(loop, t->easy);
        CL->slist_free_all(t->headers);
        loop_result_free(t->result);
        free(t);
        return 0;
    }
    t->result->id = loop->next_id++;
    t->next = loop->running;
    loop->running = t;
    loop->count++;
    return t->result->id;
}

static void unlink_transfer(struct loop *loop, struct transfer *t)
{
    for (struct transfer **p = &loop->running; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            loop->count--;
            return;
        }
    }
}

static void finish(struct loop *loop, CURLMsg *msg)
{
    struct transfer *t = NULL;
    CL->easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
    if (!t)
        return;
    struct loop_result *r = t->result;
    r->error = (int)msg->data.result;
    /* libcurl refuses one header line over its own limit (100 KiB) before
     * our header callback sees it: "out of memory" up to 8.5, CURLE_TOO_LARGE
     * (100, not in older headers) from 8.6. */
    int refused = msg->data.result == CURLE_OUT_OF_MEMORY || (int)msg->data.result == 100;
    if (refused && !t->headers_done && !r->too_large)
        r->too_large = LOOP_HEADERS_TOO_LARGE;
    if (msg->data.result == CURLE_OK) {
        CL->easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r->status);
    } else {
        r->status = 0;
        r->error_text = CL->easy_strerror(msg->data.result);
    }
    CL->easy_getinfo(t->easy, CURLINFO_TOTAL_TIME, &r->total_seconds);
    t->result = NULL;
    unlink_transfer(loop, t);
    transfer_free(loop, t);
    if (loop->done_tail)
        loop->done_tail->next = r;
    else
        loop->done_head = r;
    loop->done_tail = r;
}

static void collect_done(struct loop *loop)
{
    CURLMsg *msg;
    int left;
    while ((msg = CL->multi_info_read(loop->multi, &left)))
        if (msg->msg == CURLMSG_DONE)
            finish(loop, msg);
}

int loop_poll(struct loop *loop, int timeout_ms)
{
    int still = 0;
    if (!loop->multi) {
        /* nothing ever started: only wait */
        if (timeout_ms > 0) {
            struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
        return 0;
    }
    CL->multi_perform(loop->multi, &still);
    /* A transfer may have ended in that perform: never block with its
     * message still unread. */
    collect_done(loop);
    if (timeout_ms > 0 && !loop->done_head) {
        /* unlike curl_multi_wait, this waits the full timeout with no transfers */
        CL->multi_poll(loop->multi, NULL, 0, timeout_ms, NULL);
        CL->multi_perform(loop->multi, &still);
        collect_done(loop);
    }
    return loop->count;
}

struct loop_result *loop_take_done(struct loop *loop)
{
    struct loop_result *r = loop->done_head;
    if (r) {
        loop->done_head = r->next;
        if (!loop->done_head)
            loop->done_tail = NULL;
        r->next = NULL;
    }
    return r;
}

void loop_cancel(struct loop *loop, uint64_t id)
{
    for (struct transfer *t = loop->running; t; t = t->next) {
        if (t->result && t->result->id == id) {
            unlink_transfer(loop, t);
            transfer_free(loop, t);
            return;
        }
    }
}

int loop_running(const struct loop *loop)
{
    return loop->count;
}
