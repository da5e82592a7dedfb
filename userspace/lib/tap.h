/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TAP producer of SpotOS's host tests (elasticd's, ec's): "ok N - name"
 * lines, then the plan.  A test is one condition (tap_ok()), or CHECK()s
 * reported together (tap_test(), tap_run()): a failed CHECK says where
 * and fails the next report.  Not part of libelastic: tests build it in.
 */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>

/* One test, ok when cond holds and no CHECK failed since the last report. */
int tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The test made of the CHECKs since the last report. */
int tap_test(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Run fn, a test made of CHECKs, and report it as name. */
void tap_run(const char *name, void (*fn)(void));
void tap_skip(const char *reason, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A "# " line. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the plan; returns the exit status, 1 if any test failed. */
int tap_done(void);
/* Report to f from now on (stdout until then), from test 1 again. */
void tap_output(FILE *f);

int tap_check(int cond, const char *file, int line, const char *expr);
/* Inside a test: on failure "# FILE:LINE: expected E"; the value of E as a truth. */
#define CHECK(e) tap_check(!!(e), __FILE__, __LINE__, #e)

#endif /* TAP_H */
