/* util.c - errors, time stamps, number parsing. */
#include "ec.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int ec_fail(ec_error *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm): no timegm(),
 * which is not C11 and depends on the TZ environment. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int read_int(const char **p, int min_digits, int max_digits, int *out)
{
    int v = 0, n = 0;
    while (isdigit((unsigned char)**p) && n < max_digits) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n < min_digits)
        return -1;
    *out = v;
    return 0;
}

int ec_parse_time(const char *s, int64_t *out)
{
    const char *p = s;
    int Y, M, D, h = 0, mi = 0, se = 0;
    if (read_int(&p, 4, 4, &Y) || *p++ != '-' || read_int(&p, 1, 2, &M) || *p++ != '-' ||
        read_int(&p, 1, 2, &D))
        return -1;
    if (*p == ' ' || *p == 'T' || *p == '-') {
        p++;
        if (read_int(&p, 1, 2, &h))
            return -1;
        if (*p == ':') {
            p++;
            if (read_int(&p, 2, 2, &mi))
                return -1;
            if (*p == ':') {
                p++;
                if (read_int(&p, 2, 2, &se))
                    return -1;
                if (*p == '.') /* fractional seconds are dropped */
                    for (p++; isdigit((unsigned char)*p); p++)
                        ;
            }
        }
    }
    int64_t off = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om = 0;
        p++;
        if (read_int(&p, 2, 2, &oh))
            return -1;
        if (*p == ':')
            p++;
        if (isdigit((unsigned char)*p) && read_int(&p, 2, 2, &om))
            return -1;
        off = sign * (oh * 3600 + om * 60);
    }
    if (*p != '\0')
        return -1;
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    *out = days_from_civil(Y, M, D) * 86400 + h * 3600 + mi * 60 + se - off;
    return 0;
}

void ec_format_hour(int64_t epoch_hour, char *buf)
{
    time_t t = (time_t)(epoch_hour * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:00:00Z", &tm);
}

double ec_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int ec_parse_double(const char *s, double *out)
{
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end != '\0' || !isfinite(v))
        return -1;
    /* strtod accepts "inf", "nan", hex: only plain decimals are data */
    for (const char *q = s; *q; q++)
        if (!(isdigit((unsigned char)*q) || strchr("+-.eE", *q)))
            return -1;
    *out = v;
    return 0;
}
