/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one ISO 8601 date-time parser of SpotOS's userspace: elasticd reads
 * the clouds' notice times with it, ec its data files' time stamps.  No
 * libc time parsing: strptime() and timegm() depend on the locale and TZ.
 */
#ifndef ISO8601_H
#define ISO8601_H

#include <stddef.h>
#include <time.h>

/*
 * Flags of iso8601_parse().  Without any, only the RFC 3339 form the
 * clouds send: "2017-09-18T08:22:00Z", an optional fraction of a second
 * (dropped), "Z" or "+hh:mm"/"-hh:mm".
 */
enum {
	/*
	 * Data files' forms too: a ' ' or '-' between date and time
	 * ("2018-10-01 00:00:00+00:00", Wikipedia's "2018-10-01-0"), one-digit
	 * month, day and hour, the time cut after the hour or minute or left
	 * out, no zone (UTC), offsets "+hh" and "+hhmm".
	 */
	ISO8601_LENIENT = 1,
};

/* 0 and UTC seconds since 1970 in *out, or -1 (and *out unchanged). */
int iso8601_parse(const char *s, unsigned int flags, time_t *out);

/*
 * Seconds since 1970 of a UTC civil time: 0, or -1 for a date that does
 * not exist or a year outside 1970-9999.  Second 60 (a leap second) counts
 * as 59: close enough for a deadline, and never later than the real one.
 */
int iso8601_utc(int year, int mon, int day, int hour, int min, int sec, time_t *out);

/* "YYYY-MM-DDThh:mm:ssZ" into buf (at least 21 bytes); returns buf. */
char *iso8601_format(time_t t, char *buf, size_t size);

#endif /* ISO8601_H */
