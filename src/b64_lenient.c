/* b64_lenient.c: Node's lenient base64 decoding (b64_lenient.h). The
 * characters are picked and normalised here; OpenSSL does the bits, in
 * whole quads, which is what EVP_DecodeBlock requires. */
#include "b64_lenient.h"

#include <openssl/evp.h>

/* Characters normalised per EVP_DecodeBlock call: whole quads, on the stack. */
#define CHUNK 1024

static int normalise(unsigned char c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
        c == '/')
        return c;
    return c == '-' ? '+' : c == '_' ? '/' : -1;
}

int b64_lenient_decode(const char *in, size_t len, unsigned char *out, size_t *out_len)
{
    unsigned char chunk[CHUNK];
    size_t n = 0, total = 0;
    for (size_t i = 0; i < len && in[i] != '='; i++) {
        int c = normalise((unsigned char)in[i]);
        if (c < 0)
            continue;
        chunk[n++] = (unsigned char)c;
        if (n == CHUNK) {
            if (EVP_DecodeBlock(out + total, chunk, CHUNK) != CHUNK / 4 * 3)
                return -1;
            total += CHUNK / 4 * 3;
            n = 0;
        }
    }
    if (n % 4 == 1)
        n--;
    size_t bytes = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
    while (n % 4)
        chunk[n++] = '=';
    /* EVP_DecodeBlock counts the padding as zero bytes: `bytes` are real */
    if (n > 0 && EVP_DecodeBlock(out + total, chunk, (int)n) != (int)(n / 4 * 3))
        return -1;
    *out_len = total + bytes;
    return 0;
}
