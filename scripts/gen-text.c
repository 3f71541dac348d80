/*
 * gen-text — deterministic text for word count: BYTES bytes of lines of words drawn from a
 * Zipf-like vocabulary (with some non-ASCII words), written to OUT.
 *
 *   scripts/gen-text [--seed S] BYTES OUT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t st;
static uint64_t next(void)
{
    uint64_t z = (st += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int main(int argc, char **argv)
{
    long long seed = 7, bytes = -1;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = atoll(argv[++i]);
        else if (bytes < 0) bytes = atoll(argv[i]);
        else if (!out) out = argv[i];
    }
    if (bytes < 0 || !out) { fprintf(stderr, "usage: %s [--seed S] BYTES OUT\n", argv[0]); return 2; }
    st = (uint64_t)seed;
    static const char *syll[] = { "ka", "lo", "mi", "ra", "te", "su", "no", "vi", "de", "ba", "zu", "qe", "é", "ñu", "ø" };
    FILE *f = fopen(out, "w");
    if (!f) { perror(out); return 1; }
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    long long written = 0;
    while (written < bytes) {
        int words = 1 + (int)(next() % 14);
        for (int w = 0; w < words && written < bytes; w++) {
            uint64_t r = next();
            /* Zipf-ish: word id from a squared uniform */
            uint64_t id = (r % 4096) * (r % 4096) / 4096 * (r >> 52 & 0xff) / 16;
            char word[64];
            int n = 0;
            do { const char *s = syll[id % 15]; size_t l = strlen(s); memcpy(word + n, s, l); n += (int)l; id /= 15; } while (id && n < 50);
            written += fwrite(word, 1, (size_t)n, f);
            if (w + 1 < words) { fputc((next() & 7) ? ' ' : '\t', f); written++; }
        }
        fputc('\n', f);
        written++;
    }
    return fclose(f) ? 1 : 0;
}
