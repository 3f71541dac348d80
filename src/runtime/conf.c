/*
 * conf.c — riffle.* configuration: known keys with defaults, Spark's names as aliases, loading
 * from a key=value file. Every value is checked when it is set (a size, a whole number in range, one
 * of a few words). Unknown riffle.* keys are errors (a typo must not be silently ignored); other
 * spark.* keys are accepted, so a Spark config file can be reused, with one warning per key on
 * rank 0 saying riffle ignores it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include "runtime/runtime.h"

/* How a key's value is checked: a size (k/m/g/t suffixes), a positive integer, or one of a few
 * words; FREE takes any text. min: the smallest size or integer allowed (-1 also allowed where
 * `off1` says -1 turns the feature off). */
typedef enum { V_SIZE, V_INT, V_WORDS, V_FREE } vkind;
static const struct {
    const char *key, *alias, *def;
    vkind kind;
    int64_t min, max;
    bool off1;
    const char *words;   /* V_WORDS: "a|b|c" */
} known[] = {
    { "riffle.shuffle.partitions", "spark.sql.shuffle.partitions", "200", V_INT, 1, 1000000, false, NULL },
    { "riffle.autoBroadcastJoinThreshold", "spark.sql.autoBroadcastJoinThreshold", "10m", V_SIZE, 0, INT64_MAX, true, NULL },
    { "riffle.sql.joinReorder.dpThreshold", "spark.sql.cbo.joinReorder.dp.threshold", "12", V_INT, 0, 12, false, NULL },
    { "riffle.driver.maxResultSize", "spark.driver.maxResultSize", "1g", V_SIZE, 1, INT64_MAX, false, NULL },
    { "riffle.files.maxPartitionBytes", "spark.sql.files.maxPartitionBytes", "32m", V_SIZE, 1, INT64_MAX, false, NULL },
    { "riffle.shuffle.roundBytes", NULL, "256m", V_SIZE, 1, INT64_MAX, false, NULL },
    { "riffle.batch.rows", NULL, "32768", V_INT, 1, 1000000, false, NULL },
    { "riffle.progress", NULL, "auto", V_WORDS, 0, 0, false, "true|false|auto" },
    { "riffle.progress.interval", NULL, "5", V_INT, 1, 3600, false, NULL },
    { "riffle.eventLog.path", NULL, "", V_FREE, 0, 0, false, NULL },
    { "riffle.sql.warehouse.dir", "spark.sql.warehouse.dir", "riffle-warehouse", V_FREE, 0, 0, false, NULL },
    { "riffle.hdf5.rowGroupRows", NULL, "1m", V_SIZE, 1, INT64_MAX, false, NULL },
    { "riffle.hdf5.collectiveWrite", NULL, "auto", V_WORDS, 0, 0, false, "true|false|auto" },
    { "riffle.hdf5.readDriver", NULL, "mpio", V_WORDS, 0, 0, false, "mpio|posix" },
    { "riffle.hdf5.checksum", NULL, "true", V_WORDS, 0, 0, false, "true|false" },
    { "riffle.csv.inferSchema.sampleBytes", NULL, "4m", V_SIZE, 1, INT64_MAX, false, NULL },
    { "riffle.executor.memory", "spark.executor.memory", "auto", V_SIZE, 1 << 20, INT64_MAX, false, "auto" },
    { "riffle.checkpoint.dir", NULL, "", V_FREE, 0, 0, false, NULL },
    { "riffle.local.dir", "spark.local.dir", "", V_FREE, 0, 0, false, NULL },
    { "riffle.aggregate.partialGroups", NULL, "4194304", V_INT, 1, 1000000000, false, NULL },
    { "riffle.spill.forceThreshold", "spark.shuffle.spill.numElementsForceSpillThreshold", "0", V_INT, 0, INT64_MAX, false, NULL },
    { "riffle.sql.adaptive.enabled", "spark.sql.adaptive.enabled", "true", V_WORDS, 0, 0, false, "true|false" },
    { "riffle.sql.adaptive.coalescePartitions.enabled", "spark.sql.adaptive.coalescePartitions.enabled", "true", V_WORDS, 0, 0, false, "true|false" },
    { "riffle.sql.adaptive.advisoryPartitionSizeInBytes", "spark.sql.adaptive.advisoryPartitionSizeInBytes", "64m", V_SIZE, 1, INT64_MAX, false, NULL },
    { "riffle.sql.adaptive.coalescePartitions.minPartitionSize", "spark.sql.adaptive.coalescePartitions.minPartitionSize", "1m", V_SIZE, 1, INT64_MAX, false, NULL },
    { "riffle.sql.adaptive.coalescePartitions.parallelismFirst", "spark.sql.adaptive.coalescePartitions.parallelismFirst", "true", V_WORDS, 0, 0, false, "true|false" },
    { "riffle.sql.adaptive.autoBroadcastJoinThreshold", "spark.sql.adaptive.autoBroadcastJoinThreshold", "auto", V_SIZE, 0, INT64_MAX, true, "auto" },
    { "riffle.sql.adaptive.skewJoin.enabled", "spark.sql.adaptive.skewJoin.enabled", "true", V_WORDS, 0, 0, false, "true|false" },
    { "riffle.sql.adaptive.skewJoin.skewedPartitionFactor", "spark.sql.adaptive.skewJoin.skewedPartitionFactor", "5", V_INT, 1, 1000000, false, NULL },
    { "riffle.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes", "spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes", "256m", V_SIZE, 1, INT64_MAX, false, NULL },
    { "riffle.sql.exchange.reuse", "spark.sql.exchange.reuse", "true", V_WORDS, 0, 0, false, "true|false" },
    { "riffle.sql.files.maxRecordsPerFile", "spark.sql.files.maxRecordsPerFile", "0", V_INT, 0, INT64_MAX, false, NULL },
    { "riffle.sql.sources.partitionOverwriteMode", "spark.sql.sources.partitionOverwriteMode", "static", V_WORDS, 0, 0, false, "static|dynamic" },
};
#define N_KNOWN (sizeof known / sizeof known[0])

static int lookup(const char *key)
{
    for (size_t i = 0; i < N_KNOWN; i++)
        if (strcasecmp(key, known[i].key) == 0 || (known[i].alias && strcasecmp(key, known[i].alias) == 0)) return (int)i;
    return -1;
}

/* Whether word is one of the '|'-separated words (case-insensitive). */
static bool one_of(const char *word, const char *words)
{
    size_t n = strlen(word);
    for (const char *p = words; *p;) {
        const char *e = strchr(p, '|');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && strncasecmp(p, word, n) == 0) return true;
        p += l + (e ? 1 : 0);
    }
    return false;
}

static int check_value(int k, const char *val)
{
    switch (known[k].kind) {
    case V_SIZE: {
        if (known[k].words && one_of(val, known[k].words)) return RF_OK;
        int64_t v = rf_parse_size(val);
        if (known[k].off1 && v < 0 && !strcmp(val, "-1")) return RF_OK;
        if (v < 0) return rf__err_set(RF_ERR_INVALID, "configuration %s: '%s' is not a size (like 10m, 1g, 4096)", known[k].key, val);
        if (v < known[k].min)
            return rf__err_set(RF_ERR_INVALID, "configuration %s: '%s' is too small (at least %lld bytes%s)", known[k].key, val,
                               (long long)known[k].min, known[k].off1 ? ", or -1 to turn it off" : "");
        return RF_OK;
    }
    case V_INT: {
        int64_t v;
        if (!rf_parse_int64(val, strlen(val), &v) || v < known[k].min || v > known[k].max)
            return rf__err_set(RF_ERR_INVALID, "configuration %s: '%s' is not a whole number from %lld to %lld", known[k].key, val,
                               (long long)known[k].min, (long long)known[k].max);
        return RF_OK;
    }
    case V_WORDS:
        if (!one_of(val, known[k].words)) {
            char w[128];
            snprintf(w, sizeof w, "%s", known[k].words);
            for (char *p = w; *p; p++) if (*p == '|') *p = '/';
            return rf__err_set(RF_ERR_INVALID, "configuration %s: '%s' is not one of %s", known[k].key, val, w);
        }
        return RF_OK;
    case V_FREE:
        if (strlen(val) > 4000) return rf__err_set(RF_ERR_INVALID, "configuration %s: the value is longer than 4000 bytes", known[k].key);
        return RF_OK;
    }
    return RF_OK;
}

int rf__conf_set(rf_conf *c, const char *key, const char *val)
{
    int k = lookup(key);
    if (k < 0) {
        if (strncasecmp(key, "spark.", 6) == 0) {   /* accepted (Spark configuration files keep working), said once */
            for (int i = 0; i < c->n_warned; i++) if (!strcasecmp(c->warned[i], key)) return RF_OK;
            char **nw = rf_realloc(c->warned, (size_t)(c->n_warned + 1) * sizeof *nw);
            if (!nw) return rf__err_set(RF_ERR_NOMEM, "out of memory");
            c->warned = nw;
            if (!(c->warned[c->n_warned] = rf_strdup(key))) return rf__err_set(RF_ERR_NOMEM, "out of memory");
            c->n_warned++;
            if (c->driver) fprintf(stderr, "riffle: warning: %s is a Spark setting riffle does not implement; ignored\n", key);
            return RF_OK;
        }
        return rf__err_set(RF_ERR_INVALID, "unknown configuration key '%s'", key);
    }
    int rc = check_value(k, val);
    if (rc) return rc;
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
    if (!c->key[c->n] || !c->val[c->n]) { rf_free(c->key[c->n]); rf_free(c->val[c->n]); return rf__err_set(RF_ERR_NOMEM, "out of memory"); }
    c->n++;
    return RF_OK;
}

int rf__conf_copy(rf_conf *dst, const rf_conf *src)
{
    memset(dst, 0, sizeof *dst);
    dst->driver = src->driver;
    for (int i = 0; i < src->n; i++) {
        int rc = rf__conf_set(dst, src->key[i], src->val[i]);
        if (rc) { rf__conf_fini(dst); return rc; }
    }
    for (int i = 0; i < src->n_warned; i++) {
        bool d = dst->driver;
        dst->driver = false;
        int rc = rf__conf_set(dst, src->warned[i], "");
        dst->driver = d;
        if (rc) { rf__conf_fini(dst); return rc; }
    }
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
    for (int i = 0; i < c->n_warned; i++) rf_free(c->warned[i]);
    RF_FREE(c->key);
    RF_FREE(c->val);
    RF_FREE(c->warned);
    c->n = c->n_warned = 0;
}
