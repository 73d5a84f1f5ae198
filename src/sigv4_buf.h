/* sigv4_buf.h: the growable string the SigV4 files build their texts in.
 * Internal to sigv4.c and sigv4_canonical.c; the public API is sigv4.h.
 *
 * An allocation failure sets `oom` and turns every later add into a no-op,
 * so a caller builds a whole text and checks once at the end. */
#ifndef MFAKIT_SIGV4_BUF_H
#define MFAKIT_SIGV4_BUF_H

#include <stddef.h>

/* These hold session tokens and signing material, hence the clearing
 * realloc and free. */
struct sigv4_buf {
    char *p;
    size_t len, cap;
    int oom;
};

/* Room for n more bytes and a NUL; 0 after an allocation failed. */
int sigv4_buf_reserve(struct sigv4_buf *b, size_t n);
void sigv4_buf_add(struct sigv4_buf *b, const void *s, size_t n);
void sigv4_buf_adds(struct sigv4_buf *b, const char *s);
void sigv4_buf_addc(struct sigv4_buf *b, char c);
void sigv4_buf_printf(struct sigv4_buf *b, const char *fmt, ...);
void sigv4_buf_free(struct sigv4_buf *b);

/* The text so far; "" when nothing was added or an allocation failed. */
const char *sigv4_buf_str(const struct sigv4_buf *b);

#endif
