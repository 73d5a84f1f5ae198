/* fuzz_sigv4.c: libFuzzer target for SigV4 canonicalisation
 * (sigv4_canonical.c, through sigv4.c).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_DEFAULT_SOURCE -Isrc \
 *       fuzz/fuzz_sigv4.c src/sigv4.c src/sigv4_canonical.c src/sigv4_buf.c \
 *       -lcrypto -o build/fuzz_sigv4
 *   build/fuzz_sigv4 -max_total_time=60
 *
 * Input: one flag byte, then lines: URL, method, "name:value" headers; an
 * empty line ends the headers and the rest is the body. Beyond crashes it
 * checks what AWS relies on: the canonical URI and query hold only
 * unreserved characters, '/', '&', '=' and %XX escapes in upper case. */
#include "sigv4.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADERS 16

static void check_canonical_line(const char *line, size_t n, const char *extra)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c == '%') {
            if (i + 2 >= n || !strchr("0123456789ABCDEF", line[i + 1]) ||
                !strchr("0123456789ABCDEF", line[i + 2]) || !line[i + 1] || !line[i + 2])
                abort();
            i += 2;
        } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     strchr("-._~", c) || strchr(extra, c)) ||
                   c == '\0') {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    size_t len = size - 1, pos = 0;
    const char *lines[2 + MAX_HEADERS];
    size_t count = 0;
    struct sigv4_header headers[MAX_HEADERS];
    size_t nh = 0;
    /* split at '\n' in place; the body is whatever follows an empty line */
    while (pos <= len && count < 2 + MAX_HEADERS) {
        char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        text[end] = '\0';
        if (count >= 2 && end == pos) {
            pos = end + 1;
            break;
        }
        lines[count++] = text + pos;
        pos = end + 1;
        if (!nl)
            break;
    }
    for (size_t i = 2; i < count; i++) {
        const char *colon = strchr(lines[i], ':');
        if (!colon)
            continue;
        headers[nh++] = (struct sigv4_header){lines[i], (size_t)(colon - lines[i]), colon + 1,
                                              strlen(colon + 1)};
    }
    struct sigv4_request req = {
        .method = count > 1 ? lines[1] : "GET",
        .url = count > 0 ? lines[0] : "",
        .body = pos <= len ? text + pos : "",
        .body_len = pos <= len ? len - pos : 0,
        .headers = headers,
        .header_count = nh,
        .region = "us-east-1",
        .service = (data[0] & 1) ? "s3" : "iam",
        .access_key = "AKIDEXAMPLE",
        .secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        .session_token = (data[0] & 2) ? "token" : NULL,
        .time = (data[0] & 4) ? 0 : 1440938160,
        .content_sha256 = (data[0] & 8) != 0,
        .normalize_path = (data[0] & 16) ? -1 : (data[0] >> 5) & 1,
        .keep_steps = 1, /* the checks read the canonical request */
    };
    struct sigv4_signed out;
    char err[256];
    if (sigv4_sign_request(&req, &out, err, sizeof err) == SIGV4_OK) {
        const char *uri = strchr(out.canonical_request, '\n') + 1;
        const char *query = strchr(uri, '\n') + 1;
        const char *headers_start = strchr(query, '\n') + 1;
        check_canonical_line(uri, (size_t)(query - 1 - uri), "/");
        check_canonical_line(query, (size_t)(headers_start - 1 - query), "&=");
        if (strlen(out.signature) != 64)
            abort();
    }
    sigv4_signed_free(&out);
    free(text);
    return 0;
}
