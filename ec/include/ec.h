/* ec.h - SpotOS economic calculator: public API.
 *
 * Modules (one .c file each under src/):
 *   util     errors, time stamps, small helpers
 *   csv      CSV reading with file:line:column positions
 *   data     loading prices / interruption bands / instance types / demand
 *   forecast price and demand forecasters (+ seasonal-naive baseline)
 *   model    the multi-period MILP (GLPK) and EDM feasibility checks
 *   policy   mpo, on-demand, lowest-price, price-capacity
 *   backtest hour-by-hour replay with revocations and evacuation, and the two lower
 *            bounds: oracle (weekly-block LP relaxation) and hindsight (per-hour MILP)
 *   plot     gnuplot output
 *   json     JSON output, with json-c
 *   cli      the `ec` command
 */
#ifndef EC_H
#define EC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EC_NAME_MAX 32
#define EC_ERR_MAX 512

/* ---------------------------------------------------------------- util */
typedef struct {
    char msg[EC_ERR_MAX];
} ec_error;

/* Formats into err (if non-NULL) and returns -1, so callers can `return ec_fail(...)`. */
int ec_fail(ec_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A data file's time stamp: iso8601_parse()'s lenient forms ("2018-10-01 00:00:00+00:00",
 * "2018-10-01T00:00:00Z", Wikipedia's "2018-10-01-0", ...). 0 and UNIX seconds, or -1. */
int ec_parse_time(const char *s, int64_t *out);
/* "YYYY-MM-DDTHH:00:00Z" for an epoch hour. buf must hold 32 bytes. */
void ec_format_hour(int64_t epoch_hour, char *buf);
double ec_now_ms(void);
/* Strict number parse: the whole string must be a finite decimal number. */
int ec_parse_double(const char *s, double *out);

/* ----------------------------------------------------------------- csv */
typedef struct {
    char *buf;          /* owned copy of the file */
    int n_rows;         /* rows, including the header row */
    int *n_fields;      /* per row */
    char ***fields;     /* fields[row][col], NUL-terminated, trimmed */
    int *line;          /* 1-based source line of each row */
    char path[256];
} ec_csv;

int ec_csv_read(const char *path, ec_csv *csv, ec_error *err);
void ec_csv_free(ec_csv *csv);
/* 1-based column numbers in messages, like editors show them. */
int ec_csv_fail(const ec_csv *csv, int row, int col, ec_error *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* ---------------------------------------------------------------- data */
typedef struct {
    char name[EC_NAME_MAX];
    double vcpu, mem_gib, od_usd;
} ec_itype;

/* Everything the calculator knows about the world, on one hourly time axis. */
typedef struct {
    int n_types;
    ec_itype *types;        /* on-demand options: every instance type */
    int n_mkts;             /* spot markets: price column + band + type record */
    int *mkt_type;          /* market -> index into types */
    double *band;           /* interruption band, fraction of instances per month */
    int n_hours;
    int64_t hour0;          /* epoch hour (UNIX seconds / 3600) of index 0 */
    double *price;          /* [h * n_mkts + m] USD/hour, NAN = no price */
    double *demand;         /* [h] GiB, NULL = constant memory */
    int n_skipped;          /* price columns left out (warned about) */
} ec_world;

typedef struct {
    const char *prices, *interruptions, *instance_types, *demand; /* demand may be NULL */
    double memory_gib;      /* M: constant demand, or peak of the scaled trace */
    int quiet;              /* no warnings on stderr */
} ec_load_opts;

int ec_load_instance_types(const char *path, ec_itype **types, int *n, ec_error *err);
/* Latest non-empty band per column name. names/bands are parallel arrays. */
int ec_load_bands(const char *path, char (**names)[EC_NAME_MAX], double **bands, int *n,
                  ec_error *err);
/* Prices on an hourly axis from the first to the last row; rows missing between two
 * recorded rows are forward-filled (a spot price holds until it changes). */
int ec_load_prices(const char *path, char (**cols)[EC_NAME_MAX], int *n_cols, double **price,
                   int *n_hours, int64_t *hour0, ec_error *err);
/* Demand trace on its own hourly axis (forward-filled). */
int ec_load_demand(const char *path, double **val, int *n, int64_t *hour0, ec_error *err);
int ec_world_load(const ec_load_opts *o, ec_world *w, ec_error *err);
/* Align the demand trace by hour of week with the world's axis and scale its peak over
 * [start, end) to M. */
int ec_world_attach_demand(ec_world *w, const double *trace, int n, int64_t trace_hour0,
                           int start, int end, double peak_gib, ec_error *err);
void ec_world_free(ec_world *w);
int ec_world_find_hour(const ec_world *w, int64_t epoch_hour);
/* Default replay start: first hour where at least half of the markets have a price. */
int ec_world_default_start(const ec_world *w);
static inline double ec_price(const ec_world *w, int h, int m) { return w->price[(size_t)h * w->n_mkts + m]; }

/* ------------------------------------------------------------ forecast */
/* Spot prices: damped persistence toward the trailing 24-hour median, blended with the
 * seasonal-naive value (see docs/ec.md for the measured errors). */
double ec_fc_price(const double *x, int stride, int t, int h);
/* Demand: hour-of-week profile of the last weeks, level-corrected, plus AR(1) on the
 * residual (the SpotWeb-style seasonal + AR(1) model). */
double ec_fc_demand(const double *x, int t, int h);
/* Seasonal naive with period s: x[t + h - s*ceil(h/s)]. */
double ec_fc_snaive(const double *x, int stride, int t, int h, int s);

typedef struct {
    int horizon;            /* h = 1..horizon evaluated */
    double mae_model[64], mae_snaive[64], mape_model[64];
    double mase[64];        /* MAE / in-sample MAE of the one-step seasonal naive */
    double rel[64];         /* MAE(model) / MAE(seasonal naive) on the same points */
    long n[64];
} ec_fc_eval;
/* Evaluate on [lo, hi): origins t in [lo, hi - h); scale from [0, lo). kind 0 = price, 1 = demand */
void ec_fc_evaluate(int kind, const double *x, int stride, int n_series, int lo, int hi,
                    int season, int horizon, ec_fc_eval *ev);

/* --------------------------------------------------------------- model */
typedef struct {
    double memory_gib;      /* M */
    double hot_gib;         /* K: must sit on on-demand nodes */
    int horizon;            /* H hours of look-ahead */
    double notice_s;        /* N */
    double bw_gbps;         /* B, per node */
    double margin_s;        /* safety margin subtracted from the notice */
    double launch_hours;    /* billed node-hours per launch (boot + warm-up) */
    double switch_hours;    /* extra anti-churn penalty per launch, objective only */
    double risk_aversion;   /* weight of the MAD price-risk term */
    int risk_window;        /* hours of price history for the risk scenarios */
    double market_share;    /* cap: pages per spot market <= share * demand */
    int cooldown_h;         /* hours a revoked market cannot be bought */
    int pools;              /* pools used by the heuristics */
    uint64_t seed;
    double mip_time_s;      /* solver time limit per decision */
    double mip_gap;
    double hindsight_time_s; /* time limit per hour of the hindsight bound (gap 0) */
    int relax_market_edm;   /* analysis only (oracle, hindsight): no per-market EDM rows */
} ec_config;

void ec_config_default(ec_config *c);
/* GiB a spot node may hold: B x (N - margin). */
double ec_evac_cap_gib(const ec_config *c);
/* Pages one node of type t may hold (spot: min(memory, evacuation cap)). */
double ec_page_cap(const ec_config *c, const ec_itype *t, int spot);

/* A fleet: node counts and page placement. Counts are doubles so the oracle's
 * LP relaxation can use the same type; policies always hold integers. */
typedef struct {
    int n_mkts, n_types;
    double *spot;           /* [m] nodes */
    double *od;             /* [j] nodes */
    double *spot_pages;     /* [m] GiB of pages on market m (spread evenly over its nodes) */
    double od_pages;        /* GiB on on-demand nodes (includes the hot set) */
} ec_fleet;

int ec_fleet_init(ec_fleet *f, int n_mkts, int n_types);
void ec_fleet_free(ec_fleet *f);
void ec_fleet_copy(ec_fleet *dst, const ec_fleet *src);
void ec_fleet_clear(ec_fleet *f);
double ec_fleet_nodes(const ec_fleet *f);
double ec_fleet_mem(const ec_fleet *f, const ec_world *w);

/* One optimisation problem over P periods (period k covers len[k] hours). */
typedef struct {
    const ec_world *w;
    const ec_config *c;
    int P;
    const int *len;             /* [P] hours per period */
    const double *price;        /* [P * n_mkts] USD/h, NAN = market unusable in period */
    const double *demand;       /* [P] GiB */
    const ec_fleet *start;      /* current fleet, NULL = empty */
    int free_start;             /* 1: no launch cost for the first period (oracle blocks) */
    const unsigned char *revoked; /* [P * n_mkts] or NULL: nodes of m do not carry past it */
    int n_integer;              /* first n_integer periods have integer node counts */
    int allow_spot;             /* 0: on-demand only */
    const unsigned char *allowed; /* [n_mkts] or NULL = all */
    const unsigned char *od_allowed; /* [n_types] or NULL = all */
    const double *risk_dev;     /* [S * n_mkts] price deviations (scenarios), or NULL */
    int n_scen;
    double risk_weight;
    int penalties;              /* include the expected revocation penalty */
    double switch_hours;        /* anti-churn extra per launch (objective only) */
    const ec_fleet *lower;      /* or NULL: node counts of period 0 at least these (repair) */
    int fix_spot;               /* with lower: spot counts of period 0 fixed to lower */
    int relax_market_edm;       /* analysis only: drop the per-market revocation rows */
} ec_problem;

typedef struct {
    double objective;           /* solver objective */
    double bound;               /* proven lower bound on the optimal objective: = objective
                                 * when solved with gap 0, else the best of the LP relaxation
                                 * and branch-and-cut's best node bound */
    double cost;                /* billed USD: node-hours + launches (no risk/penalty) */
    ec_fleet *fleets;           /* [P] solution per period (caller frees via ec_solution_free) */
    int P;
    int status;                 /* 0 optimal, 1 feasible (time limit), -1 failed */
    double ms;
} ec_solution;

int ec_solve(const ec_problem *p, ec_solution *s, ec_error *err);
void ec_solution_free(ec_solution *s);

/* EDM checks on a fleet (demand D, prices NAN = unavailable). Returns the number of violated
 * constraints and describes the first one in why (may be NULL). */
int ec_check_fleet(const ec_world *w, const ec_config *c, const ec_fleet *f, double demand,
                   char *why, size_t why_len);
/* Hourly probability of a market revocation from its monthly band. */
double ec_hourly_revocation_prob(double band);
/* Deterministic draw: is market `name` revoked in epoch hour `hour` under `seed`? */
int ec_revoked(uint64_t seed, const char *name, int64_t hour, double band);

/* -------------------------------------------------------------- policy */
/* Policies before EC_ORACLE decide hour by hour; oracle and hindsight are lower bounds. */
typedef enum {
    EC_MPO, EC_ON_DEMAND, EC_LOWEST_PRICE, EC_PRICE_CAPACITY, EC_ORACLE, EC_HINDSIGHT,
    EC_N_POLICIES
} ec_policy;
const char *ec_policy_name(ec_policy p);
int ec_policy_parse(const char *s, ec_policy *p);

/* What a policy may see at decision time t (start of hour t). */
typedef struct {
    const ec_world *w;
    const ec_config *c;
    int t;                          /* hour index being decided */
    const unsigned char *available; /* [n_mkts] priced now and not cooling down */
    const ec_fleet *current;        /* fleet after last hour's revocations */
    const double *demand_hist;      /* realised demand for hours < t (NULL = constant) */
} ec_decision_ctx;

/* Decide the fleet for hour t. out must be initialised. */
int ec_decide(ec_policy p, const ec_decision_ctx *ctx, ec_fleet *out, ec_error *err);
/* The cheapest on-demand-only fleet holding `demand` GiB. */
int ec_on_demand_fleet(const ec_world *w, const ec_config *c, double demand, ec_fleet *out,
                       ec_error *err);
/* On-demand types not dominated by another (at least as much memory for at most the
 * price): mask[j] = 1. Dominated types never lower the cost, so pruning them only makes the
 * integer search smaller. */
void ec_od_undominated(const ec_world *w, unsigned char *mask);
/* On-demand fallback: make `f` satisfy every constraint at `demand` by adding the cheapest
 * on-demand nodes (spot counts kept). Returns number of nodes added, -1 on error. */
int ec_repair(const ec_world *w, const ec_config *c, int t, const unsigned char *available,
              ec_fleet *f, double demand, ec_error *err);

/* ------------------------------------------------------------ backtest */
typedef struct {
    ec_policy policy;
    int hours;
    double cost_usd, on_demand_cost_usd, cost_ratio;
    int revocations;            /* revocations that hit this policy's nodes */
    int deadline_violations;
    double lost_gib;
    double max_decision_ms, mean_decision_ms;
    int fallbacks;              /* hours where on-demand fallback had to add nodes */
    double launches;
    double spot_usd, od_usd;    /* node-hours billed for spot / on-demand nodes */
    double launch_usd;          /* launches billed (cost_usd = spot + od + launch); hindsight:
                                 * what its hourly fleets would pay, not in cost_usd */
    int bound_hours;            /* hindsight: hours whose MILP hit the time limit (their
                                 * proven bound is used in cost_usd, not a fleet's cost) */
    double *cum_cost;           /* [hours] */
    double *mix;                /* [hours * (n_mkts + 1)] spot nodes per market, then on-demand */
    int n_mkts;
    int start;                  /* hour index of the first replayed hour */
} ec_result;

typedef struct {
    int start, end;             /* replay [start, end) hour indices */
    int progress;               /* progress lines on stderr */
} ec_bt_opts;

int ec_backtest(const ec_world *w, const ec_config *c, ec_policy p, const ec_bt_opts *o,
                ec_result *r, ec_error *err);
void ec_result_free(ec_result *r);
/* Revocation events of the whole replay (same for every policy): ev[h*n_mkts+m]. */
unsigned char *ec_revocation_events(const ec_world *w, const ec_config *c, int start, int end);
/* Cooldown mask derived from events: [h*n_mkts+m] = 1 if m unusable at h. */
unsigned char *ec_cooldown_mask(const ec_world *w, const ec_config *c, const unsigned char *ev,
                                int start, int end);
/* Evacuate the pages of market m after a revocation; returns GiB lost. */
double ec_evacuate(const ec_world *w, const ec_config *c, ec_fleet *f, int m);

/* Hindsight lower bound over [start, end) (weekly-block LP relaxation). */
int ec_oracle(const ec_world *w, const ec_config *c, const ec_bt_opts *o, ec_result *r,
              ec_error *err);
/* Hindsight per-hour integer lower bound over [start, end): each hour, the cheapest integer
 * fleet meeting every constraint at the hour's realised prices, demand and availability
 * (as the backtest sees them), launches free; cost_usd = sum of the hours' optima. */
int ec_hindsight(const ec_world *w, const ec_config *c, const ec_bt_opts *o, ec_result *r,
                 ec_error *err);

/* ---------------------------------------------------------------- plot */
/* Cost over time per result and the node mix of the first one. .png or .svg by suffix. */
int ec_plot(const char *path, const ec_world *w, const ec_result *r, int n, ec_error *err);

/* ---------------------------------------------------------------- json */
/* ec's JSON is built with json-c (its objects keep their keys in order). */
struct json_object;
/* A number as ec prints it ("%.10g"; NULL, JSON's null, when not finite). */
struct json_object *ec_json_num(double v);
/* A new object with a backtest result's keys. */
struct json_object *ec_json_result(const ec_result *r);
/* o on one line of f, then o is dropped. */
void ec_json_print(struct json_object *o, FILE *f);

#endif
