/* policy.c - the decision rules. All of them size their fleet through the same model
 * (ec_solve), so every policy satisfies the same EDM constraints and the oracle, which
 * relaxes that model, is a lower bound for all of them. They differ in what they see
 * and which markets they may use:
 *   mpo            H-hour look-ahead on forecasts, risk, penalties, switching cost
 *   on-demand      on-demand types only, sized for the peak M
 *   lowest-price   the `pools` cheapest spot pools (USD per GiB of page cap), myopic
 *   price-capacity the `pools` pools of the lowest interruption band, then cheapest
 * The two heuristics re-rank the pools every hour (like an EC2 Fleet with capacity
 * rebalancing); launch costs are in their objective, so they keep running nodes unless a
 * move pays for itself within the hour. */
#include "ec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *names[EC_N_POLICIES] = {"mpo",    "on-demand", "lowest-price", "price-capacity",
                                           "oracle", "hindsight"};

const char *ec_policy_name(ec_policy p) { return p < EC_N_POLICIES ? names[p] : "?"; }

int ec_policy_parse(const char *s, ec_policy *p)
{
    for (int i = 0; i < EC_N_POLICIES; i++)
        if (strcmp(s, names[i]) == 0) {
            *p = (ec_policy)i;
            return 0;
        }
    return -1;
}

static double cheapest_od_per_gib(const ec_world *w)
{
    double best = INFINITY;
    for (int j = 0; j < w->n_types; j++)
        if (w->types[j].od_usd / w->types[j].mem_gib < best)
            best = w->types[j].od_usd / w->types[j].mem_gib;
    return best;
}

void ec_od_undominated(const ec_world *w, unsigned char *mask)
{
    for (int j = 0; j < w->n_types; j++) {
        const ec_itype *a = &w->types[j];
        mask[j] = 1;
        for (int i = 0; i < w->n_types && mask[j]; i++) {
            const ec_itype *b = &w->types[i];
            if (i != j && b->mem_gib >= a->mem_gib && b->od_usd <= a->od_usd &&
                (b->mem_gib > a->mem_gib || b->od_usd < a->od_usd || i < j))
                mask[j] = 0;
        }
    }
}

/* Single-period sizing: the fleet for one hour at the given prices. */
static int solve_one(const ec_world *w, const ec_config *c, const double *price, double demand,
                     const ec_fleet *start, int allow_spot, const unsigned char *allowed,
                     const ec_fleet *lower, int fix_spot, ec_fleet *out, ec_error *err)
{
    int len = 1;
    unsigned char *od = malloc(w->n_types + 1);
    ec_od_undominated(w, od);
    ec_problem p = {.w = w, .c = c, .P = 1, .len = &len, .price = price, .demand = &demand,
                    .start = start, .n_integer = 1, .allow_spot = allow_spot,
                    .allowed = allowed, .od_allowed = od, .lower = lower, .fix_spot = fix_spot};
    ec_solution s;
    int rc = ec_solve(&p, &s, err);
    free(od);
    if (rc)
        return -1;
    ec_fleet_copy(out, &s.fleets[0]);
    ec_solution_free(&s);
    return 0;
}

int ec_on_demand_fleet(const ec_world *w, const ec_config *c, double demand, ec_fleet *out,
                       ec_error *err)
{
    return solve_one(w, c, w->price, demand, NULL, 0, NULL, NULL, 0, out, err);
}

/* Prices of hour t with unusable markets (no price, cooling down) as NAN. */
static double *current_prices(const ec_decision_ctx *x)
{
    const ec_world *w = x->w;
    double *p = malloc(sizeof *p * (w->n_mkts + 1));
    for (int m = 0; m < w->n_mkts; m++)
        p[m] = x->available[m] ? ec_price(w, x->t, m) : NAN;
    return p;
}

int ec_repair(const ec_world *w, const ec_config *c, int t, const unsigned char *available,
              ec_fleet *f, double demand, ec_error *err)
{
    for (int m = 0; m < w->n_mkts; m++)
        if (!available[m] || isnan(ec_price(w, t, m)))
            f->spot[m] = f->spot_pages[m] = 0;
    if (ec_check_fleet(w, c, f, demand, NULL, 0) == 0)
        return 0;
    /* Keep the spot nodes, add the cheapest on-demand nodes that make it feasible. */
    double *price = malloc(sizeof *price * (w->n_mkts + 1));
    for (int m = 0; m < w->n_mkts; m++)
        price[m] = f->spot[m] > 0 ? ec_price(w, t, m) : NAN;
    ec_fleet lower;
    ec_fleet_init(&lower, w->n_mkts, w->n_types);
    ec_fleet_copy(&lower, f);
    int rc = solve_one(w, c, price, demand, NULL, 1, NULL, &lower, 1, f, err);
    double added = 0;
    for (int j = 0; j < w->n_types && rc == 0; j++)
        added += f->od[j] - lower.od[j];
    ec_fleet_free(&lower);
    free(price);
    return rc ? -1 : (int)lround(added > 0 ? added : 1);
}

/* Demand the plan must hold in each of the next hours: M, or a forecast of the trace from
 * the realised history with a safety margin for forecast error. */
static double planned_demand(const ec_decision_ctx *x, int h)
{
    const ec_config *c = x->c;
    if (!x->demand_hist || x->t < 1)
        return c->memory_gib;
    double f = ec_fc_demand(x->demand_hist, x->t - 1, h + 1) * 1.05;
    return f > c->memory_gib ? c->memory_gib : f;
}

static int heuristic(ec_policy pol, const ec_decision_ctx *x, ec_fleet *out, ec_error *err)
{
    const ec_world *w = x->w;
    const ec_config *c = x->c;
    double demand = planned_demand(x, 0);
    double *price = current_prices(x);
    int M = w->n_mkts, *order = malloc(sizeof *order * (M + 1)), n = 0;
    double *key = malloc(sizeof *key * (M + 1));
    for (int m = 0; m < M; m++)
        if (!isnan(price[m])) {
            double per_gib = price[m] / ec_page_cap(c, &w->types[w->mkt_type[m]], 1);
            /* price-capacity: band dominates (bands differ by >= 0.05), price breaks ties */
            key[m] = pol == EC_PRICE_CAPACITY ? w->band[m] * 1e6 + per_gib : per_gib;
            order[n++] = m;
        }
    for (int i = 1; i < n; i++) /* insertion sort: n is a few dozen */
        for (int k = i; k > 0 && key[order[k]] < key[order[k - 1]]; k--) {
            int tmp = order[k];
            order[k] = order[k - 1];
            order[k - 1] = tmp;
        }
    unsigned char *allowed = calloc(M + 1, 1);
    for (int i = 0; i < n && i < c->pools; i++)
        allowed[order[i]] = 1;
    int rc = solve_one(w, c, price, demand, x->current, 1, allowed, NULL, 0, out, err);
    free(allowed);
    free(key);
    free(order);
    free(price);
    return rc;
}

static int mpo(const ec_decision_ctx *x, ec_fleet *out, ec_error *err)
{
    const ec_world *w = x->w;
    const ec_config *c = x->c;
    const int M = w->n_mkts, H = c->horizon > 0 ? c->horizon : 1;
    /* Receding horizon with a held fleet: the decision is one integer fleet, costed over
     * the next H hours at the forecast prices, so a launch must pay for itself within the
     * horizon; re-decided every hour. (A per-hour plan with LP-relaxed later hours was
     * tried first: its fractional future pulled the executed hour off the integer optimum
     * and churned nodes, costing 1% more on the development data; see docs/ec.md.) */
    const int P = 1;
    int *len = malloc(sizeof *len);
    len[0] = H;
    double *price = malloc(sizeof *price * (M + 1));
    double *demand = malloc(sizeof *demand);
    unsigned char *allowed = calloc(M + 1, 1);
    double od_gib = cheapest_od_per_gib(w);
    /* demand must hold now and next hour (the fleet is re-decided hourly) */
    demand[0] = fmax(planned_demand(x, 0), planned_demand(x, 1));
    for (int m = 0; m < M; m++) {
        double now = ec_price(w, x->t, m);
        const ec_itype *t = &w->types[w->mkt_type[m]];
        /* A spot node dearer per GiB than on-demand memory can never pay off: prune it
         * before the solver sees it (this only speeds the search up). */
        allowed[m] = x->available[m] && !isnan(now) && now / t->mem_gib < od_gib;
        double s = now;
        for (int h = 1; h < H; h++) /* mean forecast price over the horizon */
            s += ec_fc_price(w->price + m, M, x->t, h);
        price[m] = allowed[m] ? s / H : NAN;
    }
    /* Risk scenarios: deviations of each market's price from its mean over the window. */
    int W = c->risk_window, S = 0;
    double *dev = calloc((size_t)(W > 0 ? W : 1) * (M + 1), sizeof *dev);
    if (W > 0 && x->t >= 1) {
        int lo = x->t - W + 1 < 0 ? 0 : x->t - W + 1;
        S = x->t - lo + 1;
        /* every 2nd hour as a scenario: adjacent hours are nearly identical anyway */
        for (int m = 0; m < M; m++) {
            double mean = 0;
            int cnt = 0;
            for (int i = lo; i <= x->t; i++)
                if (!isnan(ec_price(w, i, m)))
                    mean += ec_price(w, i, m), cnt++;
            if (!cnt || !allowed[m])
                continue;
            mean /= cnt;
            for (int i = x->t; i >= lo; i -= 2)
                dev[(size_t)((x->t - i) / 2) * M + m] =
                    isnan(ec_price(w, i, m)) ? 0 : ec_price(w, i, m) - mean;
        }
        S = (S + 1) / 2;
    }
    unsigned char *od = malloc(w->n_types + 1);
    ec_od_undominated(w, od);
    ec_problem p = {.w = w, .c = c, .P = P, .len = len, .price = price, .demand = demand,
                    .start = x->current, .n_integer = 1, .allow_spot = 1, .allowed = allowed,
                    .od_allowed = od,
                    .risk_dev = dev, .n_scen = S, .risk_weight = c->risk_aversion,
                    .penalties = 1, .switch_hours = c->switch_hours};
    ec_solution s;
    int rc = ec_solve(&p, &s, err);
    if (rc == 0) {
        ec_fleet_copy(out, &s.fleets[0]);
        ec_solution_free(&s);
    }
    free(od);
    free(dev);
    free(allowed);
    free(demand);
    free(price);
    free(len);
    return rc;
}

int ec_decide(ec_policy p, const ec_decision_ctx *x, ec_fleet *out, ec_error *err)
{
    switch (p) {
    case EC_MPO:
        return mpo(x, out, err);
    case EC_ON_DEMAND:
        return ec_on_demand_fleet(x->w, x->c, x->c->memory_gib, out, err);
    case EC_LOWEST_PRICE:
    case EC_PRICE_CAPACITY:
        return heuristic(p, x, out, err);
    default:
        return ec_fail(err, "policy %s does not decide hour by hour", ec_policy_name(p));
    }
}
