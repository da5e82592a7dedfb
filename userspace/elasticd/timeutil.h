/* SPDX-License-Identifier: GPL-2.0 */
/* Strict parsers for the timestamp formats the clouds use, and clocks. */
#ifndef ELASTICD_TIMEUTIL_H
#define ELASTICD_TIMEUTIL_H

#include <stddef.h>
#include <time.h>

/* "2017-09-18T08:22:00Z", optional ".fff" fraction, "Z" or "+hh:mm"/"-hh:mm".
 * Returns 0 and stores UTC seconds, or -1 on any deviation. */
int ed_parse_iso8601(const char *s, time_t *out);

/* "Mon, 19 Sep 2016 18:29:47 GMT" (RFC 1123; "UTC" and "+0000" accepted).
 * Parsed by hand so the result never depends on the process locale. */
int ed_parse_rfc1123(const char *s, time_t *out);

/* Writes "YYYY-MM-DDTHH:MM:SSZ" (needs 21 bytes). */
char *ed_format_iso8601(time_t t, char *buf, size_t len);

/* Wall clock (notice times) and monotonic clock (token expiry, intervals).
 * Function pointers so tests can drive token refresh without sleeping. */
extern time_t (*ed_wall_now)(void);
extern double (*ed_mono_now)(void);

#endif
