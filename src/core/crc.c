/*
 * crc.c — CRC-32C (Castagnoli), the checksum riffle keeps beside HDF5 data (docs/FORMAT.md):
 * unlike HDF5's Fletcher-32 it sees every burst of up to 32 flipped bits, and a 16-bit word
 * turning from 0x0000 into 0xFFFF. The x86 SSE4.2 instruction when the CPU has it (about 20 GB/s),
 * else a table a byte at a time. Streaming: crc = rf_crc32c(crc, next bytes), starting from 0.
 */
#include "core/core.h"

static uint32_t table[256];
static bool table_ready;

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[i] = c;
    }
    table_ready = true;
}

static uint32_t crc_soft(uint32_t crc, const uint8_t *p, size_t n)
{
    if (!table_ready) make_table();   /* idempotent: racing threads write the same values */
    for (size_t i = 0; i < n; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t crc, const uint8_t *p, size_t n)
{
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = __builtin_ia32_crc32di(c, w);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
    return c32;
}
#endif

uint32_t rf_crc32c(uint32_t crc, const void *data, size_t n)
{
    const uint8_t *p = data;
    crc = ~crc;
#if defined(__x86_64__) && defined(__GNUC__)
    static int hw = -1;
    if (hw < 0) hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    crc = hw ? crc_hw(crc, p, n) : crc_soft(crc, p, n);
#else
    crc = crc_soft(crc, p, n);
#endif
    return ~crc;
}
