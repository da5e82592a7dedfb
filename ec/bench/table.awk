# Aggregates bench runs ("period policy seed {json}") into the acceptance table.
function num(s, key,   m) {
    if (match(s, "\"" key "\":[-0-9.e]+")) return substr(s, RSTART + length(key) + 3, RLENGTH - length(key) - 3) + 0
    return -1
}
{
    per = $1; pol = $2; seed = $3; j = $0
    c[per, pol, seed] = num(j, "cost_usd"); od[per] = num(j, "on_demand_cost_usd")
    ratio[per, pol, seed] = num(j, "cost_ratio")
    viol[per, pol] += num(j, "deadline_violations"); lost[per, pol] += num(j, "lost_gib")
    rev[per, pol] += num(j, "revocations")
    ms = num(j, "max_decision_ms"); if (ms > maxms[per, pol]) maxms[per, pol] = ms
    seeds[seed] = 1; periods[per] = 1
}
END {
    printf "| period | seeds | mpo / on-demand (mean, worst) | mpo / price-capacity (worst) | mpo / lowest-price (worst) | mpo / oracle (mean, worst) | oracle <= all | revocations hitting mpo | violations | lost GiB | max decision ms |\n"
    printf "|---|---|---|---|---|---|---|---|---|---|---|\n"
    for (per in periods) {
        n = 0; sr = 0; wr = 0; wpc = 0; wlp = 0; so = 0; wo = 0; ok = "yes"
        for (s in seeds) {
            if (!((per, "mpo", s) in c) || !((per, "oracle", s) in c) || \
                !((per, "price-capacity", s) in c) || !((per, "lowest-price", s) in c)) continue
            n++
            r = ratio[per, "mpo", s]; sr += r; if (r > wr) wr = r
            x = c[per, "mpo", s] / c[per, "price-capacity", s]; if (x > wpc) wpc = x
            x = c[per, "mpo", s] / c[per, "lowest-price", s]; if (x > wlp) wlp = x
            x = c[per, "mpo", s] / c[per, "oracle", s]; so += x; if (x > wo) wo = x
            if (c[per, "oracle", s] > c[per, "mpo", s] + 1e-6 || c[per, "oracle", s] > c[per, "price-capacity", s] + 1e-6 || c[per, "oracle", s] > c[per, "lowest-price", s] + 1e-6) ok = "NO"
        }
        if (!n) continue
        printf "| %s | %d | %.4f, %.4f | %.4f | %.4f | %.4f, %.4f | %s | %d | %d | %.2f | %.1f |\n", per, n, sr / n, wr, wpc, wlp, so / n, wo, ok, rev[per, "mpo"], viol[per, "mpo"] + viol[per, "price-capacity"] + viol[per, "lowest-price"], lost[per, "mpo"], maxms[per, "mpo"]
    }
}
