// SPDX-License-Identifier: GPL-2.0
#include "timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

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

static int days_in_month(int year, int mon /* 1..12 */)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return mon == 2 ? 28 + leap : d[mon - 1];
}

static int make_utc(int y, int mo, int d, int h, int mi, int s, time_t *out)
{
	struct tm tm = { 0 };

	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s > 59 ? 59 : s; /* leap second: close enough for a deadline */
	*out = timegm(&tm);
	return 0;
}

int ed_parse_iso8601(const char *s, time_t *out)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0;
	time_t t;

	if (!s)
		return -1;
	if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) || *s++ != '-' ||
	    digits(&s, 2, &d) || (*s != 'T' && *s != 't') || !*s++ ||
	    digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi) || *s++ != ':' ||
	    digits(&s, 2, &sec))
		return -1;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return -1;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		int sign = *s++ == '-' ? -1 : 1;

		if (digits(&s, 2, &oh) || *s++ != ':' || digits(&s, 2, &om) || oh > 23 || om > 59)
			return -1;
		oh *= sign;
		om *= sign;
	} else {
		return -1; /* no zone: refuse to guess */
	}
	if (*s)
		return -1;
	if (make_utc(y, mo, d, h, mi, sec, &t))
		return -1;
	*out = t - (oh * 3600 + om * 60);
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
	if (make_utc(y, mon + 1, day, h, mi, sec, &t))
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

char *ed_format_iso8601(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}
