// CRC32C (Castagnoli), the checksum of every snapshot section and WAL record.
//
// Hardware instructions (SSE4.2 on x86-64, the CRC extension on arm64) when
// the CPU has them, chosen once; a table-driven portable version otherwise.
#ifndef LOOPDESK_CRC32C_H
#define LOOPDESK_CRC32C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Extends `crc` (0 to start) over `len` bytes; returns the new value.
uint32_t ld_crc32c(uint32_t crc, const void *data, size_t len);

/// The portable implementation, for tests to compare against.
uint32_t ld_crc32c_portable(uint32_t crc, const void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif
