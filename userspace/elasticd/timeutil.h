/* SPDX-License-Identifier: GPL-2.0 */
/* Azure's RFC 1123 times (ISO 8601 is libelastic's iso8601.h), and clocks. */
#ifndef ELASTICD_TIMEUTIL_H
#define ELASTICD_TIMEUTIL_H

#include <time.h>

/* "Mon, 19 Sep 2016 18:29:47 GMT" (RFC 1123; "UTC" and "+0000" accepted).
 * Parsed by hand so the result never depends on the process locale. */
int ed_parse_rfc1123(const char *s, time_t *out);

/* Wall clock (notice times) and monotonic clock (token expiry, intervals).
 * Function pointers so tests can drive token refresh without sleeping. */
extern time_t (*ed_wall_now)(void);
extern double (*ed_mono_now)(void);

#endif
