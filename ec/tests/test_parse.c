/* Parsing and validation of the input files. */
#include "helpers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *TYPES = "instance_type,vcpu,memory_gib,ondemand_usd_per_hour\n"
                           "a.large,2,16,0.1\nb.large,4,32,0.2\n";
static const char *BANDS = ",a.large,b.large\n2018-11-01 00:00:00,0.05,0.10\n";

/* Load with one file replaced by `text`; returns the error message (or "" on success). */
static const char *load_with(const char *which, const char *text)
{
    static ec_error err;
    const char *prices = ",a.large,b.large\n2018-10-01 00:00:00+00:00,0.02,0.05\n"
                         "2018-10-01 01:00:00+00:00,0.03,0.05\n";
    ec_load_opts o = {
        .prices = test_tmpfile("p.csv", strcmp(which, "prices") ? prices : text),
        .interruptions = test_tmpfile("b.csv", strcmp(which, "bands") ? BANDS : text),
        .instance_types = test_tmpfile("t.csv", strcmp(which, "types") ? TYPES : text),
        .quiet = 1};
    ec_world w;
    err.msg[0] = 0;
    if (ec_world_load(&o, &w, &err) == 0)
        ec_world_free(&w);
    return err.msg;
}

static int mentions(const char *msg, const char *file, const char *pos)
{
    char want[64];
    snprintf(want, sizeof want, "%s:%s:", file, pos);
    const char *p = strstr(msg, want);
    if (!p)
        printf("# expected '%s' in: %s\n", want, msg);
    return p != NULL;
}

static void t_timestamps(void)
{
    int64_t a, b, c, d;
    CHECK(ec_parse_time("2018-10-01 00:00:00+00:00", &a) == 0);
    CHECK(ec_parse_time("2018-10-01T02:00:00+02:00", &b) == 0);
    CHECK(ec_parse_time("2018-10-01T00:00:00Z", &c) == 0);
    CHECK(ec_parse_time("2018-10-01-0", &d) == 0); /* Wikipedia trace format */
    CHECK(a == b && b == c && c == d);
    CHECK(a % 86400 == 0);
    int64_t e;
    CHECK(ec_parse_time("2018-10-01 01:00:00", &e) == 0 && e - a == 3600);
    CHECK(ec_parse_time("2018-13-01 00:00", &e) != 0);
    CHECK(ec_parse_time("yesterday", &e) != 0);
    CHECK(ec_parse_time("2018-10-01 00:00:00 junk", &e) != 0);
    char buf[32];
    ec_format_hour(a / 3600, buf);
    CHECK(strcmp(buf, "2018-10-01T00:00:00Z") == 0);
}

static void t_world(void)
{
    ec_world w;
    test_world(&w);
    /* 8 price columns: c1.xlarge has no instance type, r5.4xlarge no band */
    CHECK(w.n_mkts == 6);
    CHECK(w.n_skipped == 2);
    CHECK(w.n_hours == 9 * 24);
    for (int m = 0; m < w.n_mkts; m++)
        CHECK(strcmp(w.types[w.mkt_type[m]].name, "c1.xlarge") != 0 &&
              strcmp(w.types[w.mkt_type[m]].name, "r5.4xlarge") != 0);
    /* on-demand options are every instance type, including those without spot prices */
    CHECK(w.n_types == 10);
    ec_world_free(&w);
}

static void t_band_latest(void)
{
    /* bands.csv lists the 2018-11-16 snapshot first and the older one last: the band is
     * the latest known value, not the last row. */
    char(*names)[EC_NAME_MAX];
    double *b;
    int n;
    ec_error err;
    CHECK(ec_load_bands(test_data("bands.csv"), &names, &b, &n, &err) == 0);
    int found = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], "r5.2xlarge") == 0)
            CHECK_NEAR(b[i], 0.15, 1e-12), found++;
        if (strcmp(names[i], "m5.xlarge") == 0)
            CHECK_NEAR(b[i], 0.20, 1e-12), found++;
        if (strcmp(names[i], "r5.4xlarge") == 0)
            CHECK(isnan(b[i])), found++;
    }
    CHECK(found == 3);
    free(names);
    free(b);
}

static void t_forward_fill(void)
{
    /* 3 recorded hours spanning 5: missing rows hold the previous price; 0 = no price */
    const char *p = ",a.large,b.large\n2018-10-01 00:00:00+00:00,0.02,0\n"
                    "2018-10-01 03:00:00+00:00,0.04,0.05\n2018-10-01 04:00:00+00:00,,0.06\n";
    char(*cols)[EC_NAME_MAX];
    double *price;
    int nc, nh;
    int64_t h0;
    ec_error err;
    CHECK(ec_load_prices(test_tmpfile("ff.csv", p), &cols, &nc, &price, &nh, &h0, &err) == 0);
    CHECK(nc == 2 && nh == 5);
    CHECK_NEAR(price[2 * 2 + 0], 0.02, 1e-12); /* hour 2 = hour 0's price */
    CHECK(isnan(price[2 * 2 + 1]));
    CHECK_NEAR(price[3 * 2 + 1], 0.05, 1e-12);
    CHECK(isnan(price[4 * 2 + 0]));
    free(cols);
    free(price);
}

static void t_bad_prices(void)
{
    const char *m;
    m = load_with("prices", ",a.large,b.large\n2018-10-01 00:00:00,0.02,0.05\n"
                            "2018-10-01 01:00:00,0.03,abc\n");
    CHECK(mentions(m, "p.csv", "3:3") && strstr(m, "abc"));
    m = load_with("prices", ",a.large,b.large\n2018-10-01 00:00:00,0.02,0.05\n"
                            "2018-10-01 01:00:00,-0.03,0.05\n");
    CHECK(mentions(m, "p.csv", "3:2"));
    m = load_with("prices", ",a.large,b.large\n2018-10-01 00:00:00,0.02,0.05\n"
                            "2018-10-01 01:00:00,0.03\n");
    CHECK(mentions(m, "p.csv", "3:3") && strstr(m, "expected 3 fields"));
    m = load_with("prices", ",a.large,b.large\n2018-10-01 02:00:00,0.02,0.05\n"
                            "2018-10-01 01:00:00,0.03,0.05\n");
    CHECK(mentions(m, "p.csv", "3:1") && strstr(m, "forward"));
    m = load_with("prices", ",a.large,b.large\nnot-a-time,0.02,0.05\n");
    CHECK(mentions(m, "p.csv", "2:1") && strstr(m, "timestamp"));
    m = load_with("prices", ",a.large,a.large\n2018-10-01 00:00:00,0.02,0.05\n");
    CHECK(mentions(m, "p.csv", "1:3") && strstr(m, "duplicate"));
    m = load_with("prices", ",a.large,b.large\n2018-10-01 00:00:00,nan,0.05\n");
    CHECK(mentions(m, "p.csv", "2:2"));
    m = load_with("prices", "");
    CHECK(mentions(m, "p.csv", "1:1") && strstr(m, "empty"));
}

static void t_bad_types_bands(void)
{
    const char *m;
    m = load_with("types", "instance_type,vcpu,memory_gib\na.large,2,16\n");
    CHECK(mentions(m, "t.csv", "1:1") && strstr(m, "ondemand_usd_per_hour"));
    m = load_with("types", "instance_type,vcpu,memory_gib,ondemand_usd_per_hour\n"
                           "a.large,2,16,0.1\nb.large,4,-32,0.2\n");
    CHECK(mentions(m, "t.csv", "3:3") && strstr(m, "memory_gib"));
    m = load_with("types", "instance_type,vcpu,memory_gib,ondemand_usd_per_hour\n"
                           "a.large,2,16,0.1\na.large,4,32,0.2\n");
    CHECK(mentions(m, "t.csv", "3:1") && strstr(m, "duplicate"));
    m = load_with("bands", ",a.large,b.large\n2018-11-01 00:00:00,0.05,1.5\n");
    CHECK(mentions(m, "b.csv", "2:3") && strstr(m, "band"));
    m = load_with("bands", ",a.large,b.large\n2018-11-01 00:00:00,0.05,\"0.1\"\n");
    CHECK(mentions(m, "b.csv", "2:3") && strstr(m, "quoted"));
    ec_load_opts o = {.prices = "/nonexistent/prices.csv", .interruptions = "x",
                      .instance_types = test_tmpfile("t.csv", TYPES), .quiet = 1};
    ec_world w;
    ec_error err;
    CHECK(ec_world_load(&o, &w, &err) != 0 && strstr(err.msg, "x: cannot open"));
    /* well-formed files load */
    CHECK(strcmp(load_with("none", ""), "") == 0);
}

static void t_demand(void)
{
    double *v;
    int n;
    int64_t h0;
    ec_error err;
    CHECK(ec_load_demand(test_data("demand-5weeks.csv"), &v, &n, &h0, &err) == 0);
    CHECK(n == 5 * 168);
    free(v);
    const char *bad = "Date, Requests\n2013-08-01-0,100\n2013-08-01-1,-5\n";
    CHECK(ec_load_demand(test_tmpfile("d.csv", bad), &v, &n, &h0, &err) != 0);
    CHECK(mentions(err.msg, "d.csv", "3:2"));
    bad = "Date, Requests\n2013-08-01-0,100,7\n";
    CHECK(ec_load_demand(test_tmpfile("d.csv", bad), &v, &n, &h0, &err) != 0);
    CHECK(mentions(err.msg, "d.csv", "2:3"));
}

int main(void)
{
    tap_run("parse: timestamp formats", t_timestamps);
    tap_run("parse: test world, markets without type or band left out", t_world);
    tap_run("parse: band is the latest snapshot, not the last row", t_band_latest);
    tap_run("parse: missing hours forward-filled, 0/empty = no price", t_forward_fill);
    tap_run("parse: malformed price files name file:line:column", t_bad_prices);
    tap_run("parse: malformed instance types and bands name file:line:column", t_bad_types_bands);
    tap_run("parse: demand trace and its errors", t_demand);
    return tap_done();
}
