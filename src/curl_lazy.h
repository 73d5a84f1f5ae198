/* curl_lazy.h: libcurl, loaded on the first HTTP request.
 *
 * Linking libcurl pulls in some 30 shared libraries (TLS, LDAP, Kerberos,
 * SSH, IDN...), whose loading costs more than everything else mfakit does
 * at start-up; a script that makes no request (or `mfakit -e ''`) should
 * not pay for them. So libcurl is dlopen'ed on first use and called
 * through this table. Include it instead of <curl/curl.h>. */
#ifndef MFAKIT_CURL_LAZY_H
#define MFAKIT_CURL_LAZY_H

#define CURL_DISABLE_TYPECHECK /* its checks are macros over the real names */
#include <curl/curl.h>
#include <stddef.h>

struct curl_lazy {
    CURLcode (*global_init)(long flags);
    char *(*version)(void);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *curl);
    void (*easy_reset)(CURL *curl);
    const char *(*easy_strerror)(CURLcode code);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_add_handle)(CURLM *multi, CURL *easy);
    CURLMcode (*multi_remove_handle)(CURLM *multi, CURL *easy);
    CURLMcode (*multi_perform)(CURLM *multi, int *running);
    CURLMcode (*multi_poll)(CURLM *multi, struct curl_waitfd extra[], unsigned int n,
                            int timeout_ms, int *numfds);
    CURLMsg *(*multi_info_read)(CURLM *multi, int *left);
    CURLMcode (*multi_cleanup)(CURLM *multi);
    const char *(*multi_strerror)(CURLMcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
    void (*slist_free_all)(struct curl_slist *list);
};

/* The loaded table, or NULL with `err` filled (libcurl missing). Loads and
 * initialises libcurl once per process. */
const struct curl_lazy *curl_lazy_get(char *err, size_t errlen);

#endif
