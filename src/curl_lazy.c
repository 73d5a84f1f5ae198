/* curl_lazy.c: loads libcurl with dlopen on first use (see curl_lazy.h). */
#include "curl_lazy.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static struct curl_lazy api;
static int loaded;

/* dlsym gives a data pointer; POSIX guarantees it converts to a function
 * pointer, which C11 alone does not say: copy the bits. */
static int bind_symbol(void *lib, const char *name, void *slot, size_t size, char *err,
                       size_t errlen)
{
    void *sym = dlsym(lib, name);
    if (!sym) {
        snprintf(err, errlen, "libcurl has no %s", name);
        return 0;
    }
    memcpy(slot, &sym, size);
    return 1;
}

#define BIND(field, name) bind_symbol(lib, name, &api.field, sizeof api.field, err, errlen)

const struct curl_lazy *curl_lazy_get(char *err, size_t errlen)
{
    if (loaded)
        return &api;
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        lib = dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(err, errlen, "cannot load libcurl (install libcurl4): %s", dlerror());
        return NULL;
    }
    if (!(BIND(global_init, "curl_global_init") && BIND(version, "curl_version") &&
          BIND(easy_init, "curl_easy_init") && BIND(easy_setopt, "curl_easy_setopt") &&
          BIND(easy_getinfo, "curl_easy_getinfo") && BIND(easy_cleanup, "curl_easy_cleanup") &&
          BIND(easy_reset, "curl_easy_reset") && BIND(easy_strerror, "curl_easy_strerror") &&
          BIND(multi_init, "curl_multi_init") && BIND(multi_add_handle, "curl_multi_add_handle") &&
          BIND(multi_remove_handle, "curl_multi_remove_handle") &&
          BIND(multi_perform, "curl_multi_perform") && BIND(multi_poll, "curl_multi_poll") &&
          BIND(multi_info_read, "curl_multi_info_read") &&
          BIND(multi_cleanup, "curl_multi_cleanup") &&
          BIND(multi_strerror, "curl_multi_strerror") && BIND(slist_append, "curl_slist_append") &&
          BIND(slist_free_all, "curl_slist_free_all"))) {
        dlclose(lib);
        return NULL;
    }
    if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, errlen, "libcurl failed to initialise");
        return NULL;
    }
    loaded = 1; /* the library stays loaded for the life of the process */
    return &api;
}
