/* cognito_timestamp.c: Cognito's TIMESTAMP (cognito_timestamp.h). */
#include "cognito_timestamp.h"

#include <stdio.h>
#include <time.h>

int cognito_format_timestamp(int64_t unix_seconds, char *out, size_t cap)
{
    /* fixed English names: strftime's %a and %b follow the locale, and
     * Cognito checks the signature over the exact text */
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    time_t t = (time_t)unix_seconds;
    if ((int64_t)t != unix_seconds || !gmtime_r(&t, &tm))
        return -1;
    int n =
        snprintf(out, cap, "%s %s %d %02d:%02d:%02d UTC %lld", days[tm.tm_wday], months[tm.tm_mon],
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)tm.tm_year + 1900);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}
