/*
 * conf.c — riffle.* configuration: known keys with defaults, Spark's names as aliases, loading
 * from a key=value file. Unknown riffle.* keys are errors (a typo must not be silently ignored);
 * other spark.* keys are accepted and ignored, so a Spark config file can be reused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include "runtime/runtime.h"

static const struct { const char *key, *alias, *def; bool size; } known[] = {
    { "riffle.shuffle.partitions", "spark.sql.shuffle.partitions", "200", false },
    { "riffle.autoBroadcastJoinThreshold", "spark.sql.autoBroadcastJoinThreshold", "10m", true },
    { "riffle.driver.maxResultSize", "spark.driver.maxResultSize", "1g", true },
    { "riffle.files.maxPartitionBytes", "spark.sql.files.maxPartitionBytes", "32m", true },
    { "riffle.shuffle.roundBytes", NULL, "256m", true },
    { "riffle.batch.rows", NULL, "32768", false },
    { "riffle.progress", NULL, "auto", false },
    { "riffle.eventLog.path", NULL, "", false },
    { "riffle.sql.warehouse.dir", "spark.sql.warehouse.dir", "riffle-warehouse", false },
    { "riffle.hdf5.rowGroupRows", NULL, "1m", true },
    { "riffle.hdf5.collectiveWrite", NULL, "auto", false },
    { "riffle.hdf5.readDriver", NULL, "mpio", false },
    { "riffle.csv.inferSchema.sampleBytes", NULL, "4m", true },
};
#define N_KNOWN (sizeof known / sizeof known[0])

static int lookup(const char *key)
{
    for (size_t i = 0; i < N_KNOWN; i++)
        if (strcasecmp(key, known[i].key) == 0 || (known[i].alias && strcasecmp(key, known[i].alias) == 0)) return (int)i;
    return -1;
}

int rf__conf_set(rf_conf *c, const char *key, const char *val)
{
    int k = lookup(key);
    if (k < 0) {
        if (strncasecmp(key, "spark.", 6) == 0) return RF_OK;   /* accepted, no effect */
        return rf__err_set(RF_ERR_INVALID, "unknown configuration key '%s'", key);
    }
    if (known[k].size) {
        if (rf_parse_size(val) < 0 && strcmp(val, "-1") != 0)
            return rf__err_set(RF_ERR_INVALID, "configuration %s: '%s' is not a size (like 10m, 1g, 4096)", known[k].key, val);
    } else if (k == 0 || k == 5) {
        int64_t v;
        if (!rf_parse_int64(val, strlen(val), &v) || v < 1 || v > 1000000)
            return rf__err_set(RF_ERR_INVALID, "configuration %s: '%s' is not a positive integer", known[k].key, val);
    }
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->key[i], known[k].key) == 0) {
            char *v = rf_strdup(val);
            if (!v) return rf__err_set(RF_ERR_NOMEM, "out of memory");
            rf_free(c->val[i]);
            c->val[i] = v;
            return RF_OK;
        }
    char **nk = rf_realloc(c->key, (size_t)(c->n + 1) * sizeof *nk);
    if (nk) c->key = nk;
    char **nv = rf_realloc(c->val, (size_t)(c->n + 1) * sizeof *nv);
    if (nv) c->val = nv;
    if (!nk || !nv) return rf__err_set(RF_ERR_NOMEM, "out of memory");
    c->key[c->n] = rf_strdup(known[k].key);
    c->val[c->n] = rf_strdup(val);
    c->n++;
    return RF_OK;
}

const char *rf__conf_get(const rf_conf *c, const char *key)
{
    int k = lookup(key);
    const char *canon = k >= 0 ? known[k].key : key;
    for (int i = 0; i < c->n; i++) if (strcmp(c->key[i], canon) == 0) return c->val[i];
    return k >= 0 ? known[k].def : NULL;
}

int64_t rf__conf_size(const rf_conf *c, const char *key)
{
    const char *v = rf__conf_get(c, key);
    return v ? rf_parse_size(v) : -1;
}

int rf__conf_load_file(rf_conf *c, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return rf__err_set(RF_ERR_IO, "%s: cannot open configuration file: %s", path, strerror(errno));
    char line[4096];
    int lineno = 0, rc = RF_OK;
    while (fgets(line, sizeof line, f) && !rc) {
        lineno++;
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        size_t n = strlen(p);
        while (n && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' ')) p[--n] = '\0';
        if (!*p || *p == '#') continue;
        char *eq = strchr(p, '=');
        if (!eq) eq = strpbrk(p, " \t");
        if (!eq) { rc = rf__err_set(RF_ERR_INVALID, "%s:%d: expected key=value", path, lineno); break; }
        *eq = '\0';
        char *k = p, *v = eq + 1;
        size_t kl = strlen(k);
        while (kl && (k[kl - 1] == ' ' || k[kl - 1] == '\t')) k[--kl] = '\0';
        while (*v == ' ' || *v == '\t') v++;
        if ((rc = rf__conf_set(c, k, v))) {
            char msg[sizeof rf__err_slot()->msg];
            snprintf(msg, sizeof msg, "%s", rf__err_slot()->msg);
            rc = rf__err_set(rc, "%s:%d: %.1400s", path, lineno, msg);
        }
    }
    fclose(f);
    return rc;
}

void rf__conf_fini(rf_conf *c)
{
    for (int i = 0; i < c->n; i++) { rf_free(c->key[i]); rf_free(c->val[i]); }
    RF_FREE(c->key);
    RF_FREE(c->val);
    c->n = 0;
}
