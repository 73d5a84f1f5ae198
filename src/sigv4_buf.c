/* sigv4_buf.c: the growable string of sigv4_buf.h. */
#include "sigv4_buf.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sigv4_buf_reserve(struct sigv4_buf *b, size_t n)
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

void sigv4_buf_add(struct sigv4_buf *b, const void *s, size_t n)
{
    if (!sigv4_buf_reserve(b, n))
        return;
    if (n > 0) /* s may be NULL then, which memcpy does not allow */
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void sigv4_buf_adds(struct sigv4_buf *b, const char *s)
{
    sigv4_buf_add(b, s, strlen(s));
}

void sigv4_buf_addc(struct sigv4_buf *b, char c)
{
    sigv4_buf_add(b, &c, 1);
}

void sigv4_buf_free(struct sigv4_buf *b)
{
    OPENSSL_clear_free(b->p, b->cap);
    *b = (struct sigv4_buf){0};
}

/* Formats straight into the spare room and only on overflow grows and
 * formats again: a measuring pass first would double the work. */
void sigv4_buf_printf(struct sigv4_buf *b, const char *fmt, ...)
{
    va_list ap;
    if (!sigv4_buf_reserve(b, 256))
        return;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->p[b->len] = '\0';
        b->oom = 1;
        return;
    }
    if ((size_t)n >= b->cap - b->len) {
        if (!sigv4_buf_reserve(b, (size_t)n)) {
            b->p[b->len] = '\0';
            return;
        }
        va_start(ap, fmt);
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

const char *sigv4_buf_str(const struct sigv4_buf *b)
{
    return b->p && !b->oom ? b->p : "";
}
