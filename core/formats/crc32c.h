#pragma once
// CRC-32C (Castagnoli), the checksum TFRecord framing uses, and TensorFlow's masking of it.

#include <cstddef>
#include <cstdint>

namespace losslens::formats {

/// CRC-32C (polynomial 0x1EDC6F41, reflected, init and final xor 0xFFFFFFFF) of `size` bytes,
/// continuing from `crc` (0 to start). Uses the SSE4.2 `crc32` instruction when the CPU has it,
/// a slicing-by-8 table otherwise. crc32c("123456789") == 0xE3069283.
std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc = 0);

/// The portable implementation, exposed so tests can check it against the hardware one.
std::uint32_t crc32cPortable(const void* data, std::size_t size, std::uint32_t crc = 0);

/// TensorFlow's masked CRC (tensorflow/core/lib/hash/crc32c.h): ((crc >> 15) | (crc << 17)) + 0xa282ead8.
constexpr std::uint32_t maskCrc(std::uint32_t crc)
{
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

inline std::uint32_t maskedCrc32c(const void* data, std::size_t size) { return maskCrc(crc32c(data, size)); }

} // namespace losslens::formats
