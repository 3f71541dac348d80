/*
 * gen-clickstream — deterministic generator of the category-funnel sample data.
 *
 *   scripts/gen-clickstream [--events N] [--products M] [--days D] [--seed S] [--skew] OUT_DIR
 *
 * Writes OUT_DIR/events.csv (user_id,product_id,event_type,ts,date) and OUT_DIR/products.csv
 * (product_id,category,price). Same arguments, same bytes. --skew puts 40% of the events on user 1.
 * Dates span D days ending 2026-03-28; event types are view 70%, add_to_cart 20%, purchase 10%.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t st;
static uint64_t next(void)
{
    uint64_t z = (st += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void civil(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int main(int argc, char **argv)
{
    long long events = 100000, products = 1000, days = 90, seed = 42;
    int skew = 0;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--events") && i + 1 < argc) events = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--products") && i + 1 < argc) products = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--days") && i + 1 < argc) days = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--skew")) skew = 1;
        else if (argv[i][0] != '-' && !out) out = argv[i];
        else { fprintf(stderr, "gen-clickstream: unknown argument '%s'\nusage: %s [--events N] [--products M] [--days D] [--seed S] [--skew] OUT_DIR\n", argv[i], argv[0]); return 2; }
    }
    if (!out || events < 0 || products < 1 || days < 1) { fprintf(stderr, "usage: %s [--events N] [--products M] [--days D] [--seed S] [--skew] OUT_DIR\n", argv[0]); return 2; }
    if (mkdir(out, 0755) != 0 && errno != EEXIST) { fprintf(stderr, "gen-clickstream: %s: %s\n", out, strerror(errno)); return 1; }
    static const char *cats[] = { "books", "electronics", "toys", "garden", "kitchen", "sports", "beauty", "music",
                                  "movies", "grocery", "automotive", "office", "pets", "baby", "health", "jewelry",
                                  "shoes", "tools", "outdoor", "crafts", "games", "software", "furniture", "lighting" };
    const int ncat = (int)(sizeof cats / sizeof cats[0]);
    char path[4096];
    st = (uint64_t)seed * 7919 + 1;
    snprintf(path, sizeof path, "%s/products.csv", out);
    FILE *f = fopen(path, "w");
    if (!f) { fprintf(stderr, "gen-clickstream: %s: %s\n", path, strerror(errno)); return 1; }
    fprintf(f, "product_id,category,price\n");
    for (long long p = 1; p <= products; p++) {
        uint64_t r = next();
        /* categories with a skewed popularity: low indexes more often */
        int c = (int)((r % 1000) * (r % 1000) / 1000 * ncat / 1000);
        fprintf(f, "%lld,%s,%.2f\n", p, cats[c], 1.0 + (double)(next() % 50000) / 100.0);
    }
    if (fclose(f)) { fprintf(stderr, "gen-clickstream: %s: write failed\n", path); return 1; }
    snprintf(path, sizeof path, "%s/events.csv", out);
    f = fopen(path, "w");
    if (!f) { fprintf(stderr, "gen-clickstream: %s: %s\n", path, strerror(errno)); return 1; }
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    fprintf(f, "user_id,product_id,event_type,ts,date\n");
    const long last = 20540;   /* 2026-03-28 */
    long long users = events / 20 + 10;
    for (long long e = 0; e < events; e++) {
        uint64_t r1 = next(), r2 = next();
        long long user = (skew && r1 % 10 < 4) ? 1 : 1 + (long long)(r1 >> 8) % users;
        long long prod = 1 + (long long)(r2 % (uint64_t)products);
        unsigned t = (unsigned)(r2 >> 40) % 100;
        const char *type = t < 70 ? "view" : t < 90 ? "add_to_cart" : "purchase";
        long day = last - (long)((r1 >> 32) % (uint64_t)days);
        int secs = (int)((r2 >> 12) % 86400), y, m, d;
        civil(day, &y, &m, &d);
        fprintf(f, "%lld,%lld,%s,%04d-%02d-%02d %02d:%02d:%02d,%04d-%02d-%02d\n", user, prod, type, y, m, d,
                secs / 3600, secs / 60 % 60, secs % 60, y, m, d);
    }
    if (fclose(f)) { fprintf(stderr, "gen-clickstream: %s: write failed\n", path); return 1; }
    return 0;
}
