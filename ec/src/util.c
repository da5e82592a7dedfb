/* util.c - errors, time stamps, number parsing. */
#include "ec.h"
#include "iso8601.h"

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

int ec_parse_time(const char *s, int64_t *out)
{
    time_t t;
    if (iso8601_parse(s, ISO8601_LENIENT, &t))
        return -1;
    *out = t;
    return 0;
}

void ec_format_hour(int64_t epoch_hour, char *buf)
{
    iso8601_format((time_t)(epoch_hour * 3600), buf, 32);
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
