/*
 * rdd_wordcount.c — the seed's word count on riffle's RDD API, written as in the seed:
 *
 *   text_file = sc.textFile(INPUT)
 *   counts = text_file.flatMap(lambda line: line.split()) \
 *                     .map(lambda word: (word, 1)) \
 *                     .reduceByKey(lambda a, b: a + b)
 *   counts.saveAsTextFile(OUTPUT_DIR)
 *
 *   mpirun -np N jobs/rdd_wordcount INPUT OUTPUT_DIR [--conf key=value]...
 *
 * INPUT is a text file, a directory of them, or a glob. Words are split on whitespace; the output
 * is text files under OUTPUT_DIR (replaced atomically), a line "word,count" per word, unordered as
 * Spark's. The functions are registered by name before rf_session_open, on every rank.
 */
#include <stdio.h>
#include <string.h>
#include "riffle/riffle.h"

static inline bool is_space(char ch) { return ch == ' ' || (ch >= '\t' && ch <= '\r'); }

/* flatMap: a line's words (runs of non-whitespace, as Python's str.split()) */
static int split_words(rf_ctx *c, const rf_rec *r)
{
    size_t n;
    const char *s = rf_val_str(r->value, &n);
    for (size_t i = 0; i < n;) {
        while (i < n && is_space(s[i])) i++;
        size_t j = i;
        while (j < n && !is_space(s[j])) j++;
        if (j > i) {
            int rc = rf_emit(c, rf_strn(s + i, j - i));
            if (rc) return rc;
        }
        i = j;
    }
    return 0;
}

/* map: word -> (word, 1) */
static int pair_one(rf_ctx *c, const rf_rec *r) { return rf_emit_pair(c, r->value, rf_int(1)); }

/* reduceByKey: a + b */
static int add(rf_ctx *c, rf_val a, rf_val b, rf_val *out)
{
    (void)c;
    *out = rf_int(rf_val_int(a) + rf_val_int(b));
    return 0;
}

int main(int argc, char **argv)
{
    rf_register_map("split_words", split_words);
    rf_register_map("pair_one", pair_one);
    rf_register_reduce("add", add);
    rf_session *s = NULL;
    if (rf_session_open(&argc, &argv, &s)) return 2;   /* executors never get past this line */
    if (argc != 3) {
        fprintf(stderr, "usage: %s INPUT OUTPUT_DIR [--conf key=value]...\n", argv[0]);
        return rf_session_close(&s, 2);
    }
    rf_rdd *text_file = rf_text_file(s, argv[1]);
    rf_rdd *words = rf_rdd_flat_map(text_file, "split_words");
    rf_rdd *pairs = rf_rdd_map(words, "pair_one");
    rf_rdd *counts = rf_rdd_reduce_by_key(pairs, "add", 0);
    int rc = rf_rdd_save_as_text_file(counts, argv[2], "overwrite");
    if (rc) {
        fprintf(stderr, "rdd_wordcount: %s\n", rf_rdd_error(counts) ? rf_rdd_error(counts) : rf_session_error(s));
        return rf_session_close(&s, 1);
    }
    return rf_session_close(&s, 0);
}
