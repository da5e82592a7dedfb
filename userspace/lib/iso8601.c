// SPDX-License-Identifier: GPL-2.0
/* ISO 8601 date-times: parsed by hand, computed without the TZ. */
#include <ctype.h>

#include "iso8601.h"

/* From min to max digits into *out. */
static int digits(const char **p, int min, int max, int *out)
{
	int v = 0, n = 0;

	while (n < max && isdigit((unsigned char)**p)) {
		v = v * 10 + *(*p)++ - '0';
		n++;
	}
	*out = v;
	return n >= min ? 0 : -1;
}

/* Days from 1970-01-01 (Howard Hinnant's days_from_civil, years from 1 on). */
static long days_from_civil(long y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int iso8601_utc(int year, int mon, int day, int hour, int min, int sec, time_t *out)
{
	static const unsigned char mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	if (year < 1970 || year > 9999 || mon < 1 || mon > 12 || day < 1 ||
	    day > mdays[mon - 1] + (mon == 2 && leap) || hour < 0 || hour > 23 ||
	    min < 0 || min > 59 || sec < 0 || sec > 60)
		return -1;
	*out = (time_t)days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 +
	       (sec > 59 ? 59 : sec);
	return 0;
}

/* hh:mm:ss[.fff]; lenient: h or hh, and the minutes and seconds optional. */
static int time_of_day(const char **p, int lenient, int *h, int *mi, int *sec)
{
	if (digits(p, lenient ? 1 : 2, 2, h))
		return -1;
	if (lenient && **p != ':')
		return 0;
	if (*(*p)++ != ':' || digits(p, 2, 2, mi))
		return -1;
	if (lenient && **p != ':')
		return 0;
	if (*(*p)++ != ':' || digits(p, 2, 2, sec))
		return -1;
	if (**p == '.') {
		if (!isdigit((unsigned char)*++*p))
			return -1;
		while (isdigit((unsigned char)**p))
			(*p)++;
	}
	return 0;
}

/* Z or +hh:mm into seconds east of UTC; lenient: none (UTC), +hh, +hhmm. */
static int zone(const char **p, int lenient, int *off)
{
	int sign, colon, oh, om = 0;

	*off = 0;
	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		return 0;
	}
	if (**p != '+' && **p != '-')
		return lenient ? 0 : -1;	/* strict: no zone, no guess */
	sign = *(*p)++ == '-' ? -1 : 1;
	if (digits(p, 2, 2, &oh))
		return -1;
	colon = **p == ':';
	*p += colon;
	if (!colon && !lenient)
		return -1;
	if ((colon || isdigit((unsigned char)**p)) && digits(p, 2, 2, &om))
		return -1;
	if (oh > 23 || om > 59)
		return -1;
	*off = sign * (oh * 3600 + om * 60);
	return 0;
}

int iso8601_parse(const char *s, unsigned int flags, time_t *out)
{
	int lenient = flags & ISO8601_LENIENT, fewest = lenient ? 1 : 2;
	int y, mo, d, h = 0, mi = 0, sec = 0, off;
	time_t t;

	if (!s || digits(&s, 4, 4, &y) || *s++ != '-' || digits(&s, fewest, 2, &mo) ||
	    *s++ != '-' || digits(&s, fewest, 2, &d))
		return -1;
	if (*s == 'T' || *s == 't' || (lenient && (*s == ' ' || *s == '-'))) {
		s++;
		if (time_of_day(&s, lenient, &h, &mi, &sec))
			return -1;
	} else if (!lenient) {
		return -1;
	}
	if (zone(&s, lenient, &off) || *s || iso8601_utc(y, mo, d, h, mi, sec, &t))
		return -1;
	*out = t - off;
	return 0;
}

char *iso8601_format(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (size && (!gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm)))
		buf[0] = '\0';
	return buf;
}
