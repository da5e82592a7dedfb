/* data.c - load and validate the input files, build the hourly world. */
#include "ec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int name_ok(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n < EC_NAME_MAX;
}

static int find_col(const ec_csv *csv, const char *name)
{
    for (int k = 0; k < csv->n_fields[0]; k++)
        if (strcmp(csv->fields[0][k], name) == 0)
            return k;
    return -1;
}

/* Every data row must have as many fields as the header: a short row is a truncated
 * file, a long one a shifted column. */
static int check_width(const ec_csv *csv, int r, ec_error *err)
{
    int want = csv->n_fields[0], got = csv->n_fields[r];
    if (got != want)
        return ec_csv_fail(csv, r, got < want ? got : want, err, /* first missing or extra column */
                           "expected %d fields as in the header, found %d", want, got);
    return 0;
}

int ec_load_instance_types(const char *path, ec_itype **types, int *n, ec_error *err)
{
    ec_csv csv;
    if (ec_csv_read(path, &csv, err))
        return -1;
    static const char *need[] = {"instance_type", "vcpu", "memory_gib", "ondemand_usd_per_hour"};
    int col[4];
    for (int k = 0; k < 4; k++)
        if ((col[k] = find_col(&csv, need[k])) < 0) {
            ec_csv_fail(&csv, 0, 0, err, "missing header column '%s'", need[k]);
            ec_csv_free(&csv);
            return -1;
        }
    ec_itype *t = calloc(csv.n_rows, sizeof *t);
    int cnt = 0;
    for (int r = 1; r < csv.n_rows; r++) {
        if (check_width(&csv, r, err))
            goto fail;
        const char *name = csv.fields[r][col[0]];
        if (!name_ok(name)) {
            ec_csv_fail(&csv, r, col[0], err, "bad instance type name '%s'", name);
            goto fail;
        }
        for (int i = 0; i < cnt; i++)
            if (strcmp(t[i].name, name) == 0) {
                ec_csv_fail(&csv, r, col[0], err, "duplicate instance type '%s'", name);
                goto fail;
            }
        snprintf(t[cnt].name, EC_NAME_MAX, "%s", name);
        double *dst[3] = {&t[cnt].vcpu, &t[cnt].mem_gib, &t[cnt].od_usd};
        for (int k = 1; k < 4; k++) {
            const char *s = csv.fields[r][col[k]];
            if (ec_parse_double(s, dst[k - 1]) || *dst[k - 1] <= 0) {
                ec_csv_fail(&csv, r, col[k], err, "%s must be a positive number, got '%s'",
                            need[k], s);
                goto fail;
            }
        }
        cnt++;
    }
    if (cnt == 0) {
        ec_csv_fail(&csv, 0, 0, err, "no instance types");
        goto fail;
    }
    ec_csv_free(&csv);
    *types = t;
    *n = cnt;
    return 0;
fail:
    free(t);
    ec_csv_free(&csv);
    return -1;
}

/* Shared shape of the price and band files: a timestamp column, then one column per
 * instance type; empty header cells mark unused columns. Price rows must go forward in
 * time; band snapshots may come in any order. */
typedef struct {
    int n_cols;
    int *src;                       /* source column of each named column */
    char (*names)[EC_NAME_MAX];
    int64_t *time;                  /* per data row */
} wide_header;

static int read_wide(const ec_csv *csv, wide_header *h, int ordered, ec_error *err)
{
    int nf = csv->n_fields[0];
    h->src = malloc(sizeof *h->src * nf);
    h->names = malloc(sizeof *h->names * nf);
    h->time = malloc(sizeof *h->time * csv->n_rows);
    h->n_cols = 0;
    for (int k = 1; k < nf; k++) {
        const char *s = csv->fields[0][k];
        if (!*s)
            continue;
        if (!name_ok(s))
            return ec_csv_fail(csv, 0, k, err, "bad column name '%s'", s);
        for (int i = 0; i < h->n_cols; i++)
            if (strcmp(h->names[i], s) == 0)
                return ec_csv_fail(csv, 0, k, err, "duplicate column '%s'", s);
        h->src[h->n_cols] = k;
        snprintf(h->names[h->n_cols++], EC_NAME_MAX, "%s", s);
    }
    if (h->n_cols == 0)
        return ec_csv_fail(csv, 0, 1, err, "no instance-type columns in the header");
    if (csv->n_rows < 2)
        return ec_csv_fail(csv, 0, 0, err, "no data rows");
    for (int r = 1; r < csv->n_rows; r++) {
        if (check_width(csv, r, err))
            return -1;
        if (ec_parse_time(csv->fields[r][0], &h->time[r]))
            return ec_csv_fail(csv, r, 0, err, "bad timestamp '%s'", csv->fields[r][0]);
        if (ordered && r > 1 && h->time[r] <= h->time[r - 1])
            return ec_csv_fail(csv, r, 0, err, "timestamp '%s' does not go forward in time",
                               csv->fields[r][0]);
    }
    return 0;
}

/* The end of loading a wide file, done (rc 0: the column names go to *names) or not. */
static int wide_end(ec_csv *csv, wide_header *h, char (**names)[EC_NAME_MAX], int rc)
{
    if (!rc)
        *names = h->names;
    else
        free(h->names);
    free(h->src);
    free(h->time);
    ec_csv_free(csv);
    return rc;
}

/* A cell of a wide file: empty or 0 means "no value" (NAN); otherwise in [lo, hi]. */
static int wide_cell(const ec_csv *csv, int r, int k, double lo, double hi, const char *what,
                     double *out, ec_error *err)
{
    const char *s = csv->fields[r][k];
    double v;
    if (!*s) {
        *out = NAN;
        return 0;
    }
    if (ec_parse_double(s, &v) || v < lo || v > hi)
        return ec_csv_fail(csv, r, k, err, "%s must be a number in [%g, %g], got '%s'", what, lo,
                           hi, s);
    *out = v == 0 ? NAN : v;
    return 0;
}

int ec_load_bands(const char *path, char (**names)[EC_NAME_MAX], double **bands, int *n,
                  ec_error *err)
{
    ec_csv csv;
    wide_header h = {0};
    int rc = -1;
    if (ec_csv_read(path, &csv, err))
        return -1;
    if (read_wide(&csv, &h, 0, err))
        goto fail;
    double *b = malloc(sizeof *b * h.n_cols);
    int64_t *when = malloc(sizeof *when * h.n_cols);
    for (int i = 0; i < h.n_cols; i++)
        b[i] = NAN;
    for (int r = 1; r < csv.n_rows; r++)
        for (int i = 0; i < h.n_cols; i++) {
            double v = NAN;
            if (wide_cell(&csv, r, h.src[i], 0, 1, "interruption band", &v, err)) {
                free(b);
                free(when);
                goto fail;
            }
            /* the latest snapshot wins; a later row breaks ties */
            if (!isnan(v) && (isnan(b[i]) || h.time[r] >= when[i])) {
                b[i] = v;
                when[i] = h.time[r];
            }
        }
    free(when);
    *bands = b;
    *n = h.n_cols;
    rc = 0;
fail:
    return wide_end(&csv, &h, names, rc);
}

int ec_load_prices(const char *path, char (**cols)[EC_NAME_MAX], int *n_cols, double **price,
                   int *n_hours, int64_t *hour0, ec_error *err)
{
    ec_csv csv;
    wide_header h = {0};
    int rc = -1;
    if (ec_csv_read(path, &csv, err))
        return -1;
    if (read_wide(&csv, &h, 1, err))
        goto fail;
    int64_t first = h.time[1] / 3600, last = h.time[csv.n_rows - 1] / 3600;
    for (int r = 2; r < csv.n_rows; r++)
        if (h.time[r] / 3600 == h.time[r - 1] / 3600) {
            ec_csv_fail(&csv, r, 0, err, "second row for hour '%s'", csv.fields[r][0]);
            goto fail;
        }
    if (last - first + 1 > 24 * 366 * 20) {
        ec_csv_fail(&csv, csv.n_rows - 1, 0, err, "time span of more than 20 years");
        goto fail;
    }
    int nh = (int)(last - first + 1), nc = h.n_cols;
    double *p = malloc(sizeof *p * (size_t)nh * nc);
    int r = 1;
    for (int t = 0; t < nh; t++) {
        while (r + 1 < csv.n_rows && h.time[r + 1] / 3600 <= first + t)
            r++;
        for (int i = 0; i < nc; i++) {
            double v = NAN;
            if (wide_cell(&csv, r, h.src[i], 0, 1e6, "price", &v, err)) {
                free(p);
                goto fail;
            }
            p[(size_t)t * nc + i] = v;
        }
    }
    *n_cols = nc;
    *price = p;
    *n_hours = nh;
    *hour0 = first;
    rc = 0;
fail:
    return wide_end(&csv, &h, cols, rc);
}

int ec_load_demand(const char *path, double **val, int *n, int64_t *hour0, ec_error *err)
{
    ec_csv csv;
    if (ec_csv_read(path, &csv, err))
        return -1;
    int r0 = 0;
    double tmp;
    int64_t ttmp;
    /* A header is optional: the first row is data only if it parses as data. */
    if (csv.n_fields[0] < 2 || ec_parse_time(csv.fields[0][0], &ttmp) ||
        ec_parse_double(csv.fields[0][1], &tmp))
        r0 = 1;
    if (csv.n_rows <= r0) {
        ec_csv_fail(&csv, 0, 0, err, "no data rows");
        ec_csv_free(&csv);
        return -1;
    }
    int64_t *t = malloc(sizeof *t * csv.n_rows);
    double *v = malloc(sizeof *v * csv.n_rows);
    for (int r = r0; r < csv.n_rows; r++) {
        if (csv.n_fields[r] != 2) {
            ec_csv_fail(&csv, r, csv.n_fields[r] < 2 ? 0 : 2, err,
                        "expected 2 fields (timestamp, value), found %d", csv.n_fields[r]);
            goto fail;
        }
        if (ec_parse_time(csv.fields[r][0], &t[r])) {
            ec_csv_fail(&csv, r, 0, err, "bad timestamp '%s'", csv.fields[r][0]);
            goto fail;
        }
        const char *f = csv.fields[r][1];
        if (!*f || strcmp(f, "NA") == 0 || strcmp(f, "NaN") == 0) {
            v[r] = NAN; /* a missing measurement: the previous hour's value holds */
        } else if (ec_parse_double(f, &v[r]) || v[r] < 0) {
            ec_csv_fail(&csv, r, 1, err, "demand must be a non-negative number, got '%s'",
                        csv.fields[r][1]);
            goto fail;
        }
        if (r > r0 && t[r] / 3600 <= t[r - 1] / 3600) {
            ec_csv_fail(&csv, r, 0, err, "timestamp '%s' does not go forward by an hour",
                        csv.fields[r][0]);
            goto fail;
        }
    }
    int64_t first = t[r0] / 3600, last = t[csv.n_rows - 1] / 3600;
    if (last - first + 1 > 24 * 366 * 20) {
        ec_csv_fail(&csv, csv.n_rows - 1, 0, err, "time span of more than 20 years");
        goto fail;
    }
    for (int r = r0, seen = 0; r < csv.n_rows; r++) { /* forward-fill missing values */
        if (!isnan(v[r]))
            seen = 1;
        else if (seen)
            v[r] = v[r - 1];
    }
    if (isnan(v[csv.n_rows - 1])) {
        ec_csv_fail(&csv, r0, 1, err, "no demand values (only NA)");
        goto fail;
    }
    for (int r = csv.n_rows - 1; r > r0; r--) /* leading gaps take the first value */
        if (isnan(v[r - 1]))
            v[r - 1] = v[r];
    int nh = (int)(last - first + 1);
    double *out = malloc(sizeof *out * nh);
    int r = r0;
    for (int h = 0; h < nh; h++) {
        while (r + 1 < csv.n_rows && t[r + 1] / 3600 <= first + h)
            r++;
        out[h] = v[r];
    }
    *val = out;
    *n = nh;
    *hour0 = first;
    free(t);
    free(v);
    ec_csv_free(&csv);
    return 0;
fail:
    free(t);
    free(v);
    ec_csv_free(&csv);
    return -1;
}

int ec_world_load(const ec_load_opts *o, ec_world *w, ec_error *err)
{
    memset(w, 0, sizeof *w);
    char(*bnames)[EC_NAME_MAX] = NULL, (*pcols)[EC_NAME_MAX] = NULL;
    double *bands = NULL, *price = NULL;
    int nb = 0, nc = 0;
    if (ec_load_instance_types(o->instance_types, &w->types, &w->n_types, err) ||
        ec_load_bands(o->interruptions, &bnames, &bands, &nb, err) ||
        ec_load_prices(o->prices, &pcols, &nc, &price, &w->n_hours, &w->hour0, err))
        goto fail;
    w->mkt_type = malloc(sizeof *w->mkt_type * nc);
    w->band = malloc(sizeof *w->band * nc);
    int *src = malloc(sizeof *src * nc);
    char skipped[2048] = "";
    for (int i = 0; i < nc; i++) {
        int ti = -1, bi = -1;
        for (int j = 0; j < w->n_types; j++)
            if (strcmp(w->types[j].name, pcols[i]) == 0)
                ti = j;
        for (int j = 0; j < nb; j++)
            if (strcmp(bnames[j], pcols[i]) == 0 && !isnan(bands[j]))
                bi = j;
        if (ti < 0 || bi < 0) {
            size_t l = strlen(skipped);
            if (l < sizeof skipped - 64)
                snprintf(skipped + l, sizeof skipped - l, "%s%s (no %s)", l ? ", " : "",
                         pcols[i], ti < 0 ? "instance-type record" : "band");
            w->n_skipped++;
            continue;
        }
        w->mkt_type[w->n_mkts] = ti;
        w->band[w->n_mkts] = bands[bi];
        src[w->n_mkts++] = i;
    }
    if (w->n_skipped && !o->quiet)
        fprintf(stderr, "ec: warning: %d price columns left out: %s\n", w->n_skipped, skipped);
    w->price = malloc(sizeof *w->price * (size_t)w->n_hours * (w->n_mkts ? w->n_mkts : 1));
    for (int h = 0; h < w->n_hours; h++)
        for (int m = 0; m < w->n_mkts; m++)
            w->price[(size_t)h * w->n_mkts + m] = price[(size_t)h * nc + src[m]];
    free(src);
    free(bnames);
    free(bands);
    free(pcols);
    free(price);
    return 0;
fail:
    free(bnames);
    free(bands);
    free(pcols);
    free(price);
    ec_world_free(w);
    return -1;
}

int ec_world_attach_demand(ec_world *w, const double *trace, int n, int64_t trace_hour0,
                           int start, int end, double peak_gib, ec_error *err)
{
    /* Hour of week of epoch hour e: the epoch began on a Thursday; only equality matters. */
    /* Replay hour `start` maps to the first trace hour with the same hour of week that
     * leaves the trace's earlier hours as history for the forecaster. */
    int64_t want = (w->hour0 + start) % 168;
    int i0 = -1;
    for (int i = 0; i < n && i0 < 0; i++)
        if ((trace_hour0 + i) % 168 == want && (i >= start || i + 168 > n))
            i0 = i;
    for (int i = 0; i < n && i0 < 0; i++) /* short trace: no history, first match */
        if ((trace_hour0 + i) % 168 == want)
            i0 = i;
    if (i0 < 0 || i0 + (end - start) > n)
        return ec_fail(err, "demand trace has %d hours, the replay needs %d aligned by hour of week",
                       n, end - start + 168);
    double peak = 0;
    for (int h = start; h < end; h++)
        if (trace[i0 + h - start] > peak)
            peak = trace[i0 + h - start];
    if (peak <= 0)
        return ec_fail(err, "demand trace is zero over the replayed hours");
    free(w->demand);
    w->demand = malloc(sizeof *w->demand * w->n_hours);
    /* Hours before the replay get the trace's earlier values where it has them, so the
     * forecaster has history; otherwise the first replayed value. */
    for (int h = 0; h < w->n_hours; h++) {
        long i = (long)i0 + h - start;
        if (i < 0)
            i = i0;
        if (i >= n)
            i = n - 1;
        w->demand[h] = trace[i] / peak * peak_gib;
    }
    return 0;
}

void ec_world_free(ec_world *w)
{
    free(w->types);
    free(w->mkt_type);
    free(w->band);
    free(w->price);
    free(w->demand);
    memset(w, 0, sizeof *w);
}

int ec_world_find_hour(const ec_world *w, int64_t epoch_hour)
{
    int64_t i = epoch_hour - w->hour0;
    return i < 0 || i > w->n_hours ? -1 : (int)i;
}

int ec_world_default_start(const ec_world *w)
{
    for (int h = 0; h < w->n_hours; h++) {
        int k = 0;
        for (int m = 0; m < w->n_mkts; m++)
            k += !isnan(ec_price(w, h, m));
        if (2 * k >= w->n_mkts && k > 0)
            return h;
    }
    return 0;
}
