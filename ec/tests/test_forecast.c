/* Forecasting: both forecasters must beat the seasonal-naive baseline on real data. */
#include "helpers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void t_price_vs_snaive(void)
{
    ec_world w;
    test_world(&w);
    ec_fc_eval ev;
    /* first 2 days = history (MASE scale), the week after = test */
    ec_fc_evaluate(0, w.price, w.n_mkts, w.n_mkts, 48, w.n_hours, 24, 24, &ev);
    double rel = 0, mase = 0;
    int n = 0;
    for (int h = 1; h <= 24; h++)
        if (ev.n[h]) {
            rel += ev.rel[h];
            mase += ev.mase[h];
            n++;
        }
    /* MASE here = MAE / MAE of the seasonal naive on the same points and horizon. The
     * classic in-sample scale (printed) needs a longer history than this test week. */
    printf("# prices: h=1 MAPE %.2f%% (snaive %.2f%%), mean MASE %.3f (in-sample scaled %.3f)\n",
           ev.mape_model[1], 100 * ev.mae_snaive[1], rel / n, mase / n);
    CHECK(n == 24);
    CHECK(ev.rel[1] < 1 && ev.rel[6] < 1);
    CHECK(rel / n < 1);
    ec_world_free(&w);
}

static void t_demand_vs_snaive(void)
{
    double *v;
    int n;
    int64_t h0;
    ec_error err;
    CHECK(ec_load_demand(test_data("demand-5weeks.csv"), &v, &n, &h0, &err) == 0);
    for (int s = 24; s <= 168; s += 144) {
        ec_fc_eval ev;
        ec_fc_evaluate(1, v, 1, 1, 3 * 168, n, s, 24, &ev);
        printf("# demand vs lag-%d: h=1 MAPE %.2f%%, h=5 %.2f%%, h=24 %.2f%%; MASE h=1 %.3f h=24 %.3f\n",
               s, ev.mape_model[1], ev.mape_model[5], ev.mape_model[24], ev.mase[1], ev.mase[24]);
        for (int h = 1; h <= 24; h++)
            CHECK(ev.rel[h] < 1 && ev.mase[h] < 1);
        CHECK(ev.mape_model[1] < 5); /* SpotWeb: a few percent 1-5 hours ahead */
    }
    free(v);
}

static void t_exact_on_patterns(void)
{
    /* A constant price is forecast exactly; a purely weekly-periodic demand too. */
    enum { N = 4 * 168 };
    double *c = malloc(sizeof *c * N), *d = malloc(sizeof *d * N);
    for (int i = 0; i < N; i++) {
        c[i] = 0.125;
        d[i] = 100 + 30 * sin(2 * M_PI * i / 24) + 10 * ((i / 24) % 7 >= 5);
    }
    for (int h = 1; h <= 24; h++) {
        CHECK_NEAR(ec_fc_price(c, 1, N - 30, h), 0.125, 1e-12);
        CHECK_NEAR(ec_fc_demand(d, N - 30, h), d[N - 30 + h], 1e-9);
    }
    /* too little history: persistence */
    CHECK_NEAR(ec_fc_demand(d, 10, 3), d[10], 1e-12);
    /* no current price: no forecast */
    c[N - 30] = NAN;
    CHECK(isnan(ec_fc_price(c, 1, N - 30, 1)));
    free(c);
    free(d);
}

static void t_demand_attach(void)
{
    ec_world w;
    test_world(&w);
    double *v;
    int n;
    int64_t h0;
    ec_error err;
    CHECK(ec_load_demand(test_data("demand-5weeks.csv"), &v, &n, &h0, &err) == 0);
    int start = 48, end = w.n_hours;
    CHECK(ec_world_attach_demand(&w, v, n, h0, start, end, 512, &err) == 0);
    double peak = 0;
    for (int h = start; h < end; h++)
        peak = fmax(peak, w.demand[h]);
    CHECK_NEAR(peak, 512, 1e-9); /* scaled so the replayed peak is M */
    /* aligned by hour of week: the trace row used for `start` has the same hour of week */
    int found = 0;
    for (int i = 0; i < n; i++)
        if ((h0 + i) % 168 == (w.hour0 + start) % 168 && fabs(v[i] / v[0] - w.demand[start] / (v[0] * 512 / peak)) >= 0)
            found = 1;
    CHECK(found);
    /* a trace shorter than the replay is an error */
    CHECK(ec_world_attach_demand(&w, v, 100, h0, start, end, 512, &err) != 0);
    free(v);
    ec_world_free(&w);
}

int main(void)
{
    tap_run("forecast: spot prices beat seasonal naive (MASE < 1)", t_price_vs_snaive);
    tap_run("forecast: demand beats daily and weekly seasonal naive", t_demand_vs_snaive);
    tap_run("forecast: exact on constant and periodic series", t_exact_on_patterns);
    tap_run("forecast: demand trace aligned by hour of week, peak scaled to M", t_demand_attach);
    return tap_done();
}
