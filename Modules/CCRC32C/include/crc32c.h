// Checksums for Kafka record formats, in C so the SSE4.2 instruction can be used without
// compiler flags (the hardware routine carries a `target` attribute instead).
//
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) protects v2 record batches.
// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, the one zlib's crc32 computes)
// protects legacy magic 0/1 messages; it lives here so the protocol module needs no zlib.
//
// All functions follow zlib's chaining convention: pass 0 to start, and pass a previous
// result to continue, so f(f(0, a), b) == f(0, a ++ b).
#ifndef TERN_CRC32C_H
#define TERN_CRC32C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// CRC-32C of `len` bytes at `buf`, continuing from `crc`. Uses SSE4.2 when the CPU has it.
uint32_t tern_crc32c(uint32_t crc, const void *buf, size_t len);

/// CRC-32C computed in portable C (slice-by-8), whatever the CPU supports.
uint32_t tern_crc32c_sw(uint32_t crc, const void *buf, size_t len);

/// CRC-32C with the SSE4.2 `crc32` instruction. Only call it when
/// `tern_crc32c_have_hw()` returns non-zero; it faults on a CPU without SSE4.2.
uint32_t tern_crc32c_hw(uint32_t crc, const void *buf, size_t len);

/// Non-zero when this CPU has the SSE4.2 `crc32` instruction (always 0 off x86-64).
int tern_crc32c_have_hw(void);

/// CRC-32 (IEEE) of `len` bytes at `buf`, continuing from `crc`, in portable C.
uint32_t tern_crc32_ieee(uint32_t crc, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
