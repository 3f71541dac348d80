/*
 * sqlgold.c — runs many SQL scripts in one MPI job (one session), for the golden SQL suite
 * (tests/integration/sql.sh): one mpirun per rank count instead of one per query.
 *
 *   mpirun -np N sqlgold --setup SETUP.sql --var name=value... --out DIR [--conf k=v]... TEST.sql...
 *
 * Each test runs as `riffle run` would run SETUP.sql followed by it (with ${name} replaced), on a
 * copy of the session's configuration; its CSV output goes to DIR/NAME.out, its error (if any) to
 * DIR/NAME.err, formatted as the command formats it. Prints one line per test on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "riffle/riffle.h"
#include "sql/sql.h"
#include "runtime/runtime.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    rf_buf b = { 0 };
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) rf_buf_put(&b, tmp, n);
    fclose(f);
    rf_buf_put_u8(&b, 0);
    *len = b.len - 1;
    return (char *)b.data;
}

/* text with ${name} replaced by the --var values (returned-owned). */
static char *subst(const char *text, char **vars, int nv)
{
    rf_buf out = { 0 };
    for (const char *p = text; *p;) {
        int hit = -1;
        size_t nl = 0;
        for (int v = 0; v < nv && hit < 0 && p[0] == '$' && p[1] == '{'; v++) {
            const char *eq = strchr(vars[v], '=');
            nl = (size_t)(eq - vars[v]);
            if (!strncmp(p + 2, vars[v], nl) && p[2 + nl] == '}') hit = v;
        }
        if (hit >= 0) { rf_buf_printf(&out, "%s", strchr(vars[hit], '=') + 1); p += 3 + nl; }
        else rf_buf_put_u8(&out, (uint8_t)*p++);
    }
    rf_buf_put_u8(&out, 0);
    return (char *)out.data;
}

int main(int argc, char **argv)
{
    rf_session *s = NULL;
    if (rf_session_open(&argc, &argv, &s)) return 2;
    const char *setup_path = NULL, *outdir = NULL;
    char *vars[64];
    int nv = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--setup") && i + 1 < argc) { setup_path = argv[++i]; continue; }
        if (!strcmp(argv[i], "--out") && i + 1 < argc) { outdir = argv[++i]; continue; }
        if (!strcmp(argv[i], "--var") && i + 1 < argc && nv < 64 && strchr(argv[i + 1], '=')) { vars[nv++] = argv[++i]; continue; }
        if (!setup_path || !outdir) { fprintf(stderr, "usage: sqlgold --setup F --out DIR [--var n=v]... TEST.sql...\n"); return rf_session_close(&s, 2); }
        size_t ls = 0, lt = 0;
        char *setup = slurp(setup_path, &ls), *test = slurp(argv[i], &lt);
        if (!setup || !test) { fprintf(stderr, "sqlgold: cannot read %s\n", setup ? argv[i] : setup_path); return rf_session_close(&s, 2); }
        rf_buf all = { 0 };
        rf_buf_printf(&all, "%s%s", setup, test);
        char *text = subst((const char *)all.data, vars, nv);
        const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
        char name[4096], path[8192];
        snprintf(name, sizeof name, "%.*s", (int)(strlen(base) > 4 ? strlen(base) - 4 : strlen(base)), base);
        snprintf(path, sizeof path, "%s/%s.out", outdir, name);
        FILE *out = fopen(path, "w");
        snprintf(path, sizeof path, "%s/%s.err", outdir, name);
        FILE *err = fopen(path, "w");
        if (!out || !err) { fprintf(stderr, "sqlgold: cannot write in %s\n", outdir); return rf_session_close(&s, 2); }
        rf_conf saved;
        rf__conf_copy(&saved, &s->conf);   /* a test's SETs stay in the test */
        rf__err_clear();
        int rc = rf__sql_run_script(s, text, strlen(text), RF_OUT_CSV, out, false);
        if (rc) rf__sql_format_error(rf__err_slot(), text, strlen(text), argv[i], err);
        rf__conf_fini(&s->conf);
        s->conf = saved;
        fclose(out);
        fclose(err);
        fprintf(stderr, "sqlgold: %s %s\n", name, rc ? "error" : "ok");
        failed += rc != 0;
        rf_free(text);
        rf_buf_fini(&all);
        rf_free(setup);
        rf_free(test);
    }
    fprintf(stderr, "sqlgold: %d script(s) ended in an error\n", failed);
    return rf_session_close(&s, 0);
}
