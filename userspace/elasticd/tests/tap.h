/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal TAP producer; tests/run_tests.py renumbers and aggregates. */
#ifndef ELASTICD_TAP_H
#define ELASTICD_TAP_H

int tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_skip(const char *reason, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the plan; returns the exit status (1 if anything failed). */
int tap_done(void);

/* Inside a test function: records a failed expectation with its line, keeps going. */
#define EXPECT(c) do { if (!(c)) { tap_diag("%s:%d: expected %s", __FILE__, __LINE__, #c); ok_ = 0; } } while (0)

#endif
