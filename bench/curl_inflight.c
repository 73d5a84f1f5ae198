/* bench/curl_inflight.c URL N: libcurl alone, N POSTs of an InitiateAuth-sized
 * body in flight at once on one multi handle, each on its own connection,
 * with the buffer sizes src/loop.c sets. The stand-in (bench/standin.py
 * --hold S) holds every answer, so all N are in flight when the heap is
 * read, 0.5 s after the start. Prints heap_per_transfer=BYTES: the part of
 * a sign-in in flight that is libcurl's own (easy handle, connection,
 * buffers), which no change in mfakit can make smaller. */
#define _GNU_SOURCE /* mallinfo2, clock_gettime */
#include <curl/curl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t discard(char *data, size_t size, size_t n, void *userdata)
{
    (void)data;
    (void)userdata;
    return size * n;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int n = argc == 3 ? atoi(argv[2]) : 0;
    if (n < 1) {
        fprintf(stderr, "usage: curl_inflight URL N\n");
        return 2;
    }
    static char body[900];
    memset(body, 'a', sizeof body - 1);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *multi = curl_multi_init();
    struct curl_slist *headers =
        curl_slist_append(NULL, "Content-Type: application/x-amz-json-1.1");
    headers =
        curl_slist_append(headers, "X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth");
    size_t before = mallinfo2().uordblks;
    CURL **easy = calloc((size_t)n, sizeof *easy);
    for (int i = 0; i < n; i++) {
        easy[i] = curl_easy_init();
        curl_easy_setopt(easy[i], CURLOPT_URL, argv[1]);
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(easy[i], CURLOPT_BUFFERSIZE, 1024L);
        curl_easy_setopt(easy[i], CURLOPT_UPLOAD_BUFFERSIZE, 16L * 1024);
        curl_easy_setopt(easy[i], CURLOPT_ACCEPT_ENCODING, "");
        curl_easy_setopt(easy[i], CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy[i], CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        curl_easy_setopt(easy[i], CURLOPT_POSTFIELDS, body);
        curl_multi_add_handle(multi, easy[i]);
    }
    double t0 = now();
    int running = 1, measured = 0, failed = 0;
    while (running) {
        curl_multi_perform(multi, &running);
        if (!measured && now() - t0 > 0.5) {
            printf("transfers=%d running=%d heap_per_transfer=%.0f\n", n, running,
                   (double)(mallinfo2().uordblks - before) / n);
            measured = 1;
        }
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left)))
            if (msg->msg == CURLMSG_DONE && msg->data.result != CURLE_OK)
                failed++;
        if (running)
            curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    for (int i = 0; i < n; i++) {
        curl_multi_remove_handle(multi, easy[i]);
        curl_easy_cleanup(easy[i]);
    }
    free(easy);
    curl_slist_free_all(headers);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    if (failed)
        fprintf(stderr, "%d transfers failed\n", failed);
    return failed ? 1 : 0;
}
