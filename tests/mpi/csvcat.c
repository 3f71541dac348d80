/*
 * csvcat — a test tool (not a test): reads CSV with the given reader options and writes it back as
 * CSV, optionally selecting columns, so shell tests can check the reader, the writer and the
 * commit protocol from outside.
 *
 *   mpirun -np N tests/mpi/csvcat INPUT OUTPUT_DIR [--read OPTS] [--write OPTS] [--select a,b] [--sort col]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "riffle/riffle.h"

int main(int argc, char **argv)
{
    rf_session *s = NULL;
    if (rf_session_open(&argc, &argv, &s)) return 2;
    const char *in = NULL, *out = NULL, *ropts = "header=true", *wopts = "header=true,mode=overwrite", *sel = NULL, *sort = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--read") && i + 1 < argc) ropts = argv[++i];
        else if (!strcmp(argv[i], "--write") && i + 1 < argc) wopts = argv[++i];
        else if (!strcmp(argv[i], "--select") && i + 1 < argc) sel = argv[++i];
        else if (!strcmp(argv[i], "--sort") && i + 1 < argc) sort = argv[++i];
        else if (!in) in = argv[i];
        else if (!out) out = argv[i];
        else { fprintf(stderr, "csvcat: unexpected argument '%s'\n", argv[i]); return rf_session_close(&s, 2); }
    }
    if (!in || !out) { fprintf(stderr, "usage: csvcat INPUT OUTPUT_DIR [--read OPTS] [--write OPTS] [--select a,b] [--sort col]\n"); return rf_session_close(&s, 2); }
    rf_df *df = rf_read_csv(s, in, ropts);
    if (sel) {
        rf_expr *v[64];
        int n = 0;
        char *copy = strdup(sel), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t && n < 64; t = strtok_r(NULL, ",", &save)) v[n++] = rf_col(t);
        df = rf_df_selectv(df, n, v);
        free(copy);
    }
    if (sort) df = rf_df_order_by(df, 1, rf_col(sort));
    if (rf_df_write_csv(df, out, wopts)) {
        fprintf(stderr, "csvcat: %s\n", rf_df_error(df) ? rf_df_error(df) : rf_session_error(s));
        return rf_session_close(&s, 1);
    }
    return rf_session_close(&s, 0);
}
