#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char *test_data(const char *name)
{
    static char buf[8][512];
    static int k;
    const char *d = getenv("EC_TESTDATA");
    char *b = buf[k++ % 8];
    snprintf(b, 512, "%s/%s", d ? d : "testdata", name);
    return b;
}

const char *test_tmpfile(const char *name, const char *text)
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

void test_world(ec_world *w)
{
    ec_load_opts o = {.prices = test_data("prices-week.csv"),
                      .interruptions = test_data("bands.csv"),
                      .instance_types = test_data("instance-types.csv"),
                      .quiet = 1};
    ec_error err;
    if (ec_world_load(&o, w, &err)) {
        printf("# cannot load the test world: %s\n", err.msg);
        exit(2);
    }
}
