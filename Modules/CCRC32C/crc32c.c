// CRC-32C and CRC-32 (IEEE) for Kafka record formats. See include/crc32c.h for the contract.
//
// Why the shape below:
// - The SSE4.2 routine carries `__attribute__((target("sse4.2")))`, so SwiftPM needs no
//   unsafe flags, and the binary still runs on a CPU without SSE4.2 because we only call it
//   after `__builtin_cpu_supports` says yes.
// - The software path is slice-by-8: eight 256-entry tables let one step fold eight input
//   bytes, about 4x faster than a byte-at-a-time table, which matters in debug builds and on
//   CPUs without the instruction.
// - The tables are computed once, in a load-time constructor, instead of being spelled out as
//   literals: 16 KiB of magic numbers would be unreviewable, and the constructor runs before
//   any Swift code, so no call can observe a half-built table and no lock is needed.

#include "crc32c.h"

#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>
#define TERN_HAVE_X86 1
#else
#define TERN_HAVE_X86 0
#endif

// Reflected forms of the two generator polynomials.
#define CASTAGNOLI_POLY 0x82F63B78u
#define IEEE_POLY 0xEDB88320u

static uint32_t castagnoli_table[8][256];
static uint32_t ieee_table[8][256];
static int hardware_available;

// Fills a slice-by-8 table set: row 0 is the classic byte-at-a-time table; row k advances a
// value of row k-1 by one more zero byte, which is what lets eight bytes fold in one step.
static void build_tables(uint32_t table[8][256], uint32_t poly) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int bit = 0; bit < 8; bit++) {
            c = (c & 1u) ? (c >> 1) ^ poly : c >> 1;
        }
        table[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = table[0][n];
        for (int k = 1; k < 8; k++) {
            c = (c >> 8) ^ table[0][c & 0xFFu];
            table[k][n] = c;
        }
    }
}

#if TERN_HAVE_X86
static void build_lane_shift_table(void);
#endif

__attribute__((constructor))
static void tern_crc_init(void) {
    build_tables(castagnoli_table, CASTAGNOLI_POLY);
    build_tables(ieee_table, IEEE_POLY);
#if TERN_HAVE_X86
    // Constructors may run before the runtime has probed the CPU, so probe explicitly.
    __builtin_cpu_init();
    hardware_available = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    if (hardware_available) build_lane_shift_table();
#else
    hardware_available = 0;
#endif
}

// Slice-by-8 over either table set. Bytes are loaded one by one, so the result does not
// depend on host byte order or on the alignment of `buf`.
static uint32_t slice_by_8(const uint32_t table[8][256], uint32_t crc, const uint8_t *p, size_t len) {
    uint32_t c = ~crc;
    while (len >= 8) {
        uint32_t low = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        c = table[7][low & 0xFFu] ^ table[6][(low >> 8) & 0xFFu]
          ^ table[5][(low >> 16) & 0xFFu] ^ table[4][low >> 24]
          ^ table[3][p[4]] ^ table[2][p[5]] ^ table[1][p[6]] ^ table[0][p[7]];
        p += 8;
        len -= 8;
    }
    while (len--) {
        c = (c >> 8) ^ table[0][(c ^ *p++) & 0xFFu];
    }
    return ~c;
}

uint32_t tern_crc32c_sw(uint32_t crc, const void *buf, size_t len) {
    return slice_by_8(castagnoli_table, crc, (const uint8_t *)buf, len);
}

uint32_t tern_crc32_ieee(uint32_t crc, const void *buf, size_t len) {
    return slice_by_8(ieee_table, crc, (const uint8_t *)buf, len);
}

#if TERN_HAVE_X86
// The crc32 instruction takes three cycles but the core can start one every cycle, so one
// dependency chain runs at a third of the possible speed (8.6 GB/s here). Long inputs are
// cut into blocks of three lanes of LANE_BYTES that run as three independent chains; the
// lanes are then joined with the rule crc(A || B) = shift(crc(A), |B|) ^ crc0(B), where
// crc0 starts from a zero register and shift advances a register over |B| zero bytes, a
// linear map applied with four 256-entry tables built at load time.
#define LANE_BYTES 1024

static uint32_t lane_shift_table[4][256];

__attribute__((target("sse4.2")))
static uint32_t advance_over_zeros(uint32_t reg, size_t len) {
    uint64_t c = reg;
    for (size_t i = 0; i < len / 8; i++) {
        c = _mm_crc32_u64(c, 0);
    }
    return (uint32_t)c;
}

// The shift is linear over GF(2): shifting one bit at a time gives 32 basis images, and
// each table entry is the XOR of the images of its set bits.
__attribute__((target("sse4.2")))
static void build_lane_shift_table(void) {
    uint32_t basis[32];
    for (int bit = 0; bit < 32; bit++) {
        basis[bit] = advance_over_zeros(1u << bit, LANE_BYTES);
    }
    for (int byte = 0; byte < 4; byte++) {
        for (uint32_t value = 0; value < 256; value++) {
            uint32_t image = 0;
            for (int bit = 0; bit < 8; bit++) {
                if (value & (1u << bit)) image ^= basis[byte * 8 + bit];
            }
            lane_shift_table[byte][value] = image;
        }
    }
}

static inline uint32_t shift_over_lane(uint32_t reg) {
    return lane_shift_table[0][reg & 0xFFu] ^ lane_shift_table[1][(reg >> 8) & 0xFFu]
         ^ lane_shift_table[2][(reg >> 16) & 0xFFu] ^ lane_shift_table[3][reg >> 24];
}

__attribute__((target("sse4.2")))
uint32_t tern_crc32c_hw(uint32_t crc, const void *buf, size_t len) {
    const uint8_t *p = (const uint8_t *)buf;
    uint64_t c = ~crc;
    // Align to 8 bytes first so the 64-bit loads in the main loop never straddle a line
    // more often than necessary; memcpy keeps the loads legal for any alignment anyway.
    while (len > 0 && ((uintptr_t)p & 7u) != 0) {
        c = _mm_crc32_u8((uint32_t)c, *p++);
        len--;
    }
    while (len >= 3 * LANE_BYTES) {
        uint64_t a = c, b = 0, d = 0;
        for (size_t i = 0; i < LANE_BYTES; i += 8) {
            uint64_t wa, wb, wd;
            memcpy(&wa, p + i, 8);
            memcpy(&wb, p + LANE_BYTES + i, 8);
            memcpy(&wd, p + 2 * LANE_BYTES + i, 8);
            a = _mm_crc32_u64(a, wa);
            b = _mm_crc32_u64(b, wb);
            d = _mm_crc32_u64(d, wd);
        }
        c = shift_over_lane(shift_over_lane((uint32_t)a) ^ (uint32_t)b) ^ (uint32_t)d;
        p += 3 * LANE_BYTES;
        len -= 3 * LANE_BYTES;
    }
    while (len >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c = _mm_crc32_u64(c, word);
        p += 8;
        len -= 8;
    }
    while (len > 0) {
        c = _mm_crc32_u8((uint32_t)c, *p++);
        len--;
    }
    return ~(uint32_t)c;
}
#else
// Without the instruction the "hardware" entry point is the software one, so a caller that
// ignores `tern_crc32c_have_hw` still gets a correct answer.
uint32_t tern_crc32c_hw(uint32_t crc, const void *buf, size_t len) {
    return tern_crc32c_sw(crc, buf, len);
}
#endif

int tern_crc32c_have_hw(void) {
    return hardware_available;
}

uint32_t tern_crc32c(uint32_t crc, const void *buf, size_t len) {
    if (hardware_available) {
        return tern_crc32c_hw(crc, buf, len);
    }
    return tern_crc32c_sw(crc, buf, len);
}
