/* tap.h - a tiny test harness. Each test binary prints "ok - name" / "not ok - name"
 * lines; run-tests.sh numbers them across binaries and prints the TAP plan. */
#ifndef TAP_H
#define TAP_H
#include "ec.h"

extern int tap_failed; /* set when a CHECK in the current test fails */
void tap_check(int ok, const char *file, int line, const char *expr);
void tap_run(const char *name, void (*fn)(void));
void tap_skip(const char *name, const char *reason);
int tap_exit(void);
/* Path of a file in ec/testdata ($EC_TESTDATA, default ./testdata). */
const char *tap_data(const char *name);
/* Writes text to a fresh file under a temporary directory and returns its path. */
const char *tap_tmpfile(const char *name, const char *text);
/* Loads the test world (testdata/prices-week.csv ...), quiet. */
void tap_world(ec_world *w);

#define CHECK(e) tap_check(!!(e), __FILE__, __LINE__, #e)
#define CHECK_NEAR(a, b, tol)                                                                    \
    tap_check(fabs((a) - (b)) <= (tol), __FILE__, __LINE__, #a " ~= " #b)
#endif
