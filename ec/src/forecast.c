/* forecast.c - price and demand forecasters, and their evaluation against the
 * seasonal-naive baseline. The choices and measured errors are in docs/ec.md. */
#include "ec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define X(t) x[(size_t)(t) * stride]

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double ec_fc_snaive(const double *x, int stride, int t, int h, int s)
{
    int k = (h + s - 1) / s;
    int i = t + h - s * k;
    return i < 0 ? NAN : X(i);
}

/* Spot prices (2018) move in small steps with a weak daily pattern: persistence wins one
 * hour ahead, a robust level (24-h median) and the seasonal-naive value win further out.
 * The weights (tau = 4 h, 30% seasonal share) were fitted on the development period only. */
double ec_fc_price(const double *x, int stride, int t, int h)
{
    enum { W = 24 };
    const double tau = 4.0, w_season = 0.3;
    double last = X(t);
    if (isnan(last))
        return NAN;
    double win[W];
    int n = 0;
    for (int i = t; i > t - W && i >= 0; i--)
        if (!isnan(X(i)))
            win[n++] = X(i);
    qsort(win, n, sizeof *win, cmp_double);
    double med = n % 2 ? win[n / 2] : 0.5 * (win[n / 2 - 1] + win[n / 2]);
    double a = exp(-h / tau);
    double f = a * last + (1 - a) * med;
    double sn = ec_fc_snaive(x, stride, t, h, 24);
    if (!isnan(sn)) {
        double ws = w_season * (1 - a);
        f = (1 - ws) * f + ws * sn;
    }
    return f;
}

/* Seasonal component: the same hour of week in up to 3 past weeks, recent weeks weighted
 * more (level shifts show up in the last week first). */
static double weekly_profile(const double *x, int t, int target)
{
    static const double wt[3] = {0.6, 0.25, 0.15};
    double s = 0, k = 0;
    for (int w = 1; w <= 3; w++) {
        int i = target - 168 * w;
        if (i < 0 || i > t)
            continue;
        s += wt[w - 1] * x[i];
        k += wt[w - 1];
    }
    return k > 0 ? s / k : NAN;
}

/* Demand: weekly profile + AR(1) on the residual, phi fitted by least squares on the
 * last week of residuals. Like SpotWeb's spline + AR(1), but with a profile that needs
 * no fitting (robust on short histories). Falls back to persistence without a week of
 * history. */
double ec_fc_demand(const double *x, int t, int h)
{
    if (t < 168 + 1)
        return x[t];
    double r_now = x[t] - weekly_profile(x, t - 1, t);
    double num = 0, den = 0;
    for (int i = t - 167; i <= t; i++) {
        if (i - 1 < 169)
            continue;
        double a = x[i - 1] - weekly_profile(x, i - 2, i - 1);
        double b = x[i] - weekly_profile(x, i - 1, i);
        if (isnan(a) || isnan(b))
            continue;
        num += a * b;
        den += a * a;
    }
    double phi = den > 0 ? num / den : 0;
    if (phi < 0)
        phi = 0;
    if (phi > 1)
        phi = 1;
    double prof = weekly_profile(x, t, t + h);
    if (isnan(prof) || isnan(r_now))
        return x[t];
    double f = prof + pow(phi, h) * r_now;
    return f < 0 ? 0 : f;
}

void ec_fc_evaluate(int kind, const double *x, int stride, int n_series, int lo, int hi,
                    int season, int horizon, ec_fc_eval *ev)
{
    memset(ev, 0, sizeof *ev);
    if (horizon > 63)
        horizon = 63;
    ev->horizon = horizon;
    long n_scaled[64] = {0};
    for (int s = 0; s < n_series; s++) {
        const double *xs = x + s;
        /* MASE scale: in-sample MAE of the one-step seasonal naive on [0, lo), per series
         * relative, so series of different price levels weigh alike. */
        double ss = 0;
        long sn = 0;
        for (int t = season; t < lo; t++) {
            double a = xs[(size_t)t * stride], b = xs[(size_t)(t - season) * stride];
            if (!isnan(a) && !isnan(b) && a > 0) {
                ss += fabs(a - b) / a;
                sn++;
            }
        }
        /* series without in-sample history still count for the same-point comparison */
        double scale = sn && ss > 0 ? ss / sn : 0;
        for (int t = lo; t < hi; t++)
            for (int h = 1; h <= horizon && t + h < hi; h++) {
                double y = xs[(size_t)(t + h) * stride];
                double f = kind == 0 ? ec_fc_price(xs, stride, t, h) : ec_fc_demand(xs, t, h);
                double b = ec_fc_snaive(xs, stride, t, h, season);
                if (isnan(y) || isnan(f) || isnan(b) || y <= 0)
                    continue;
                ev->mae_model[h] += fabs(f - y) / y;
                ev->mae_snaive[h] += fabs(b - y) / y;
                ev->n[h]++;
                if (scale > 0) {
                    ev->mase[h] += fabs(f - y) / y / scale;
                    n_scaled[h]++;
                }
            }
    }
    for (int h = 1; h <= horizon; h++) {
        if (!ev->n[h])
            continue;
        ev->rel[h] = ev->mae_snaive[h] > 0 ? ev->mae_model[h] / ev->mae_snaive[h] : NAN;
        ev->mae_model[h] /= ev->n[h];
        ev->mae_snaive[h] /= ev->n[h];
        ev->mape_model[h] = 100 * ev->mae_model[h];
        ev->mase[h] = n_scaled[h] ? ev->mase[h] / n_scaled[h] : NAN;
    }
}
