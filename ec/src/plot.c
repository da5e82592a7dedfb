/* plot.c - cost over time per policy and the node mix, drawn by gnuplot (Debian package
 * gnuplot-nox): a pipe to a mature plotting tool beats hand-drawing PNGs. */
#include "ec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ec_plot(const char *path, const ec_world *w, const ec_result *r, int n, ec_error *err)
{
    const char *dot = strrchr(path, '.');
    const char *term;
    if (dot && strcmp(dot, ".png") == 0)
        term = "png size 1200,900";
    else if (dot && strcmp(dot, ".svg") == 0)
        term = "svg size 1200,900";
    else
        return ec_fail(err, "%s: plot file must end in .png or .svg", path);
    if (n < 1)
        return ec_fail(err, "nothing to plot");
    FILE *g = popen("gnuplot 2>&1", "w");
    if (!g)
        return ec_fail(err, "cannot run gnuplot (install gnuplot-nox)");
    fprintf(g, "set terminal %s\nset output '%s'\nset multiplot layout 2,1\n", term, path);
    fprintf(g, "set xlabel 'hours since %s'\nset grid\nset key left top\n", "start");
    fprintf(g, "set ylabel 'cumulative cost (USD)'\nset title 'Cost over time'\nplot ");
    for (int k = 0; k < n; k++)
        fprintf(g, "%s'-' using 1:2 with lines lw 2 title '%s'", k ? ", " : "",
                ec_policy_name(r[k].policy));
    fprintf(g, ", '-' using 1:2 with lines dt 2 title 'on-demand baseline'\n");
    for (int k = 0; k < n; k++) {
        for (int i = 0; i < r[k].hours; i++)
            fprintf(g, "%d %.6f\n", i, r[k].cum_cost[i]);
        fprintf(g, "e\n");
    }
    for (int i = 0; i < r[0].hours; i++)
        fprintf(g, "%d %.6f\n", i, r[0].on_demand_cost_usd * (i + 1) / r[0].hours);
    fprintf(g, "e\n");
    /* Node mix of the first policy: markets it ever used, plus on-demand. */
    const int M = r[0].n_mkts;
    int *used = calloc(M + 1, sizeof *used), nu = 0;
    for (int m = 0; m <= M; m++)
        for (int i = 0; i < r[0].hours && !used[m]; i++)
            if (r[0].mix[(size_t)i * (M + 1) + m] > 1e-6)
                used[m] = 1, nu++;
    /* Stacked bands (filled between running sums) so equal counts do not hide each other. */
    fprintf(g, "set ylabel 'nodes (stacked)'\nset title 'Node mix (%s)'\nset key outside right\n"
               "set yrange [0:*]\nset style fill solid 0.6 noborder\nplot ",
            ec_policy_name(r[0].policy));
    int first = 1;
    for (int m = 0; m <= M; m++)
        if (used[m]) {
            fprintf(g, "%s'-' using 1:2:3 with filledcurves title '%s%s'", first ? "" : ", ",
                    m < M ? w->types[w->mkt_type[m]].name : "on-demand (all types)",
                    m < M ? " (spot)" : "");
            first = 0;
        }
    if (!nu)
        fprintf(g, "0 notitle");
    fprintf(g, "\n");
    double *below = calloc(r[0].hours + 1, sizeof *below);
    for (int m = 0; m <= M; m++)
        if (used[m]) {
            for (int i = 0; i < r[0].hours; i++) {
                double v = r[0].mix[(size_t)i * (M + 1) + m];
                fprintf(g, "%d %.4f %.4f\n", i, below[i], below[i] + v);
                below[i] += v;
            }
            fprintf(g, "e\n");
        }
    free(below);
    fprintf(g, "unset multiplot\nset output\n");
    free(used);
    int st = pclose(g);
    if (st != 0)
        return ec_fail(err, "gnuplot failed (exit status %d) writing %s", st, path);
    return 0;
}
