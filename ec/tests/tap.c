#include "tap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tap_failed;
static int any_failed;

void tap_check(int ok, const char *file, int line, const char *expr)
{
    if (!ok) {
        tap_failed = 1;
        printf("# %s:%d: check failed: %s\n", file, line, expr);
    }
}

void tap_run(const char *name, void (*fn)(void))
{
    tap_failed = 0;
    fn();
    printf("%s - %s\n", tap_failed ? "not ok" : "ok", name);
    any_failed |= tap_failed;
    fflush(stdout);
}

void tap_skip(const char *name, const char *reason) { printf("ok - %s # SKIP %s\n", name, reason); }

int tap_exit(void) { return any_failed; }

const char *tap_data(const char *name)
{
    static char buf[8][512];
    static int k;
    const char *d = getenv("EC_TESTDATA");
    char *b = buf[k++ % 8];
    snprintf(b, 512, "%s/%s", d ? d : "testdata", name);
    return b;
}

const char *tap_tmpfile(const char *name, const char *text)
{
    static char dir[256];
    static char buf[8][512];
    static int k;
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/ec-test-XXXXXX");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            exit(2);
        }
    }
    char *b = buf[k++ % 8];
    snprintf(b, 512, "%s/%s", dir, name);
    FILE *f = fopen(b, "w");
    if (!f) {
        perror(b);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
    return b;
}

void tap_world(ec_world *w)
{
    ec_load_opts o = {.prices = tap_data("prices-week.csv"),
                      .interruptions = tap_data("bands.csv"),
                      .instance_types = tap_data("instance-types.csv"),
                      .quiet = 1};
    ec_error err;
    if (ec_world_load(&o, w, &err)) {
        printf("# cannot load the test world: %s\n", err.msg);
        exit(2);
    }
}
