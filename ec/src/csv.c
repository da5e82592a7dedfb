/* csv.c - a small CSV reader that remembers where each field came from, so every data
 * error can name file:line:column. No quoting: the data files never need it, and a quote
 * is reported as an error rather than mis-read. */
#include "ec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

int ec_csv_read(const char *path, ec_csv *csv, ec_error *err)
{
    memset(csv, 0, sizeof *csv);
    snprintf(csv->path, sizeof csv->path, "%s", path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return ec_fail(err, "%s: cannot open: %m", path);
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return ec_fail(err, "%s: cannot read", path);
    }
    long size = ftell(f);
    rewind(f);
    csv->buf = malloc((size_t)size + 1);
    if (!csv->buf || fread(csv->buf, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        ec_csv_free(csv);
        return ec_fail(err, "%s: cannot read", path);
    }
    fclose(f);
    csv->buf[size] = '\0';
    if (memchr(csv->buf, '\0', (size_t)size))
        return ec_csv_free(csv), ec_fail(err, "%s: binary data (NUL byte), not CSV", path);

    int cap = 1024;
    csv->fields = malloc(sizeof *csv->fields * cap);
    csv->n_fields = malloc(sizeof *csv->n_fields * cap);
    csv->line = malloc(sizeof *csv->line * cap);
    int lineno = 0;
    char *p = csv->buf;
    while (*p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        char *line = p;
        p = nl ? nl + 1 : p + strlen(p);
        if (*trim(line) == '\0')
            continue; /* blank lines (e.g. a trailing newline) carry no data */
        if (csv->n_rows == cap) {
            cap *= 2;
            csv->fields = realloc(csv->fields, sizeof *csv->fields * cap);
            csv->n_fields = realloc(csv->n_fields, sizeof *csv->n_fields * cap);
            csv->line = realloc(csv->line, sizeof *csv->line * cap);
        }
        int nf = 1;
        for (char *q = line; *q; q++)
            nf += *q == ',';
        char **fl = malloc(sizeof *fl * nf);
        int k = 0;
        char *q = line;
        for (;;) {
            char *c = strchr(q, ',');
            if (c)
                *c = '\0';
            fl[k] = trim(q);
            if (strchr(fl[k], '"')) {
                int col = k + 1;
                csv->fields[csv->n_rows] = fl;
                csv->n_fields[csv->n_rows] = k + 1;
                csv->line[csv->n_rows] = lineno;
                csv->n_rows++;
                ec_fail(err, "%s:%d:%d: quoted fields are not supported", path, lineno, col);
                ec_csv_free(csv);
                return -1;
            }
            k++;
            if (!c)
                break;
            q = c + 1;
        }
        csv->fields[csv->n_rows] = fl;
        csv->n_fields[csv->n_rows] = nf;
        csv->line[csv->n_rows] = lineno;
        csv->n_rows++;
    }
    if (csv->n_rows == 0) {
        ec_csv_free(csv);
        return ec_fail(err, "%s:1:1: empty file", path);
    }
    return 0;
}

void ec_csv_free(ec_csv *csv)
{
    for (int i = 0; i < csv->n_rows; i++)
        free(csv->fields[i]);
    free(csv->fields);
    free(csv->n_fields);
    free(csv->line);
    free(csv->buf);
    char path[256];
    memcpy(path, csv->path, sizeof path);
    memset(csv, 0, sizeof *csv);
    memcpy(csv->path, path, sizeof path);
}

int ec_csv_fail(const ec_csv *csv, int row, int col, ec_error *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    char what[EC_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(err->msg, sizeof err->msg, "%.200s:%d:%d: %.280s", csv->path,
             row < csv->n_rows ? csv->line[row] : 0, col + 1, what);
    return -1;
}
