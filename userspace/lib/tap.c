// SPDX-License-Identifier: GPL-2.0
/* The host tests' TAP producer; see tap.h. */
#include <stdarg.h>

#include "tap.h"

static FILE *out;
static int tests, failed, check_failed;

static FILE *stream(void)
{
	return out ? out : stdout;
}

static int report(int ok, const char *skip, const char *fmt, va_list ap)
{
	FILE *f = stream();

	ok = ok && !check_failed;
	check_failed = 0;
	failed += !ok;
	fprintf(f, "%sok %d - ", ok ? "" : "not ", ++tests);
	vfprintf(f, fmt, ap);
	if (skip)
		fprintf(f, " # SKIP %s", skip);
	fputc('\n', f);
	fflush(f);	/* a crash later must not lose what passed */
	return ok;
}

int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;
	int ok;

	va_start(ap, fmt);
	ok = report(cond, NULL, fmt, ap);
	va_end(ap);
	return ok;
}

int tap_test(const char *fmt, ...)
{
	va_list ap;
	int ok;

	va_start(ap, fmt);
	ok = report(1, NULL, fmt, ap);
	va_end(ap);
	return ok;
}

void tap_run(const char *name, void (*fn)(void))
{
	fn();
	tap_test("%s", name);
}

void tap_skip(const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(1, reason, fmt, ap);
	va_end(ap);
}

void tap_diag(const char *fmt, ...)
{
	FILE *f = stream();
	va_list ap;

	fputs("# ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}

int tap_check(int cond, const char *file, int line, const char *expr)
{
	if (!cond) {
		tap_diag("%s:%d: expected %s", file, line, expr);
		check_failed = 1;
	}
	return cond;
}

int tap_done(void)
{
	fprintf(stream(), "1..%d\n", tests);
	fflush(stream());
	return failed ? 1 : 0;
}

void tap_output(FILE *f)
{
	out = f;
	tests = failed = check_failed = 0;
}
