// SPDX-License-Identifier: GPL-2.0
#include "timeutil.h"

#include <ctype.h>
#include <string.h>

#include "iso8601.h"

static time_t default_wall_now(void)
{
	return time(NULL);
}

static double default_mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

time_t (*ed_wall_now)(void) = default_wall_now;
double (*ed_mono_now)(void) = default_mono_now;

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int name_index(const char **p, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strncmp(*p, names[i], 3) == 0) {
			*p += 3;
			return i;
		}
	return -1;
}

int ed_parse_rfc1123(const char *s, time_t *out)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const mn[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int day, mon, y, h, mi, sec, w;
	time_t t;

	if (!s)
		return -1;
	if ((w = name_index(&s, wd, 7)) < 0 || *s++ != ',' || *s++ != ' ')
		return -1;
	/* Day may be one or two digits in practice. */
	if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1])) {
		if (digits(&s, 2, &day))
			return -1;
	} else if (digits(&s, 1, &day)) {
		return -1;
	}
	if (*s++ != ' ' || (mon = name_index(&s, mn, 12)) < 0 || *s++ != ' ' ||
	    digits(&s, 4, &y) || *s++ != ' ' || digits(&s, 2, &h) || *s++ != ':' ||
	    digits(&s, 2, &mi) || *s++ != ':' || digits(&s, 2, &sec) || *s++ != ' ')
		return -1;
	if (strcmp(s, "GMT") && strcmp(s, "UTC") && strcmp(s, "+0000"))
		return -1;
	if (iso8601_utc(y, mon + 1, day, h, mi, sec, &t))
		return -1;
	{
		/* A weekday that contradicts the date means a corrupt value. */
		struct tm tm;

		gmtime_r(&t, &tm);
		if (tm.tm_wday != w)
			return -1;
	}
	*out = t;
	return 0;
}
