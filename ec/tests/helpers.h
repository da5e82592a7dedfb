/* helpers.h - what ec's tests share besides the TAP producer (userspace/lib/tap.h,
 * SpotOS's one): test data, scratch files, the test world. */
#ifndef HELPERS_H
#define HELPERS_H
#include "ec.h"
#include "tap.h"

/* Path of a file in ec/testdata ($EC_TESTDATA, default ./testdata). */
const char *test_data(const char *name);
/* Writes text to a fresh file under a temporary directory and returns its path. */
const char *test_tmpfile(const char *name, const char *text);
/* Loads the test world (testdata/prices-week.csv ...), quiet. */
void test_world(ec_world *w);

#define CHECK_NEAR(a, b, tol)                                                                    \
    tap_check(fabs((a) - (b)) <= (tol), __FILE__, __LINE__, #a " ~= " #b)
#endif
