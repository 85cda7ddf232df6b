#include "core/formats/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define LOSSLENS_HAVE_X86_CRC 1
#endif

namespace losslens::formats {

namespace {

using Table = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr Table makeTable()
{
    Table t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        t[0][i] = c;
    }
    for (std::size_t s = 1; s < 8; ++s)
        for (std::size_t i = 0; i < 256; ++i)
            t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFFu];
    return t;
}

constexpr Table kTable = makeTable();

#ifdef LOSSLENS_HAVE_X86_CRC
__attribute__((target("sse4.2"))) std::uint32_t crc32cHardware(const unsigned char* p, std::size_t n, std::uint32_t crc)
{
    std::uint64_t c = ~crc;
    for (; n >= 8; n -= 8, p += 8) {
        std::uint64_t v;
        std::memcpy(&v, p, 8);
        c = _mm_crc32_u64(c, v);
    }
    auto c32 = static_cast<std::uint32_t>(c);
    if (n >= 4) {
        std::uint32_t v;
        std::memcpy(&v, p, 4);
        c32 = _mm_crc32_u32(c32, v);
        p += 4;
        n -= 4;
    }
    for (; n > 0; --n, ++p)
        c32 = _mm_crc32_u8(c32, *p);
    return ~c32;
}

[[maybe_unused]] bool cpuHasSse42()
{
    static const bool has = __builtin_cpu_supports("sse4.2");
    return has;
}
#endif

} // namespace

std::uint32_t crc32cPortable(const void* data, std::size_t size, std::uint32_t crc)
{
    auto p = static_cast<const unsigned char*>(data);
    std::uint32_t c = ~crc;
    for (; size >= 8; size -= 8, p += 8) {
        std::uint32_t lo;
        std::uint32_t hi;
        std::memcpy(&lo, p, 4); // little-endian hosts only, as every supported platform is
        std::memcpy(&hi, p + 4, 4);
        lo ^= c;
        c = kTable[7][lo & 0xFFu] ^ kTable[6][(lo >> 8) & 0xFFu] ^ kTable[5][(lo >> 16) & 0xFFu] ^ kTable[4][lo >> 24] ^
            kTable[3][hi & 0xFFu] ^ kTable[2][(hi >> 8) & 0xFFu] ^ kTable[1][(hi >> 16) & 0xFFu] ^ kTable[0][hi >> 24];
    }
    for (; size > 0; --size, ++p)
        c = (c >> 8) ^ kTable[0][(c ^ *p) & 0xFFu];
    return ~c;
}

std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc)
{
#if defined(__SSE4_2__)
    return crc32cHardware(static_cast<const unsigned char*>(data), size, crc); // the build targets SSE4.2
#elif defined(LOSSLENS_HAVE_X86_CRC)
    if (cpuHasSse42())
        return crc32cHardware(static_cast<const unsigned char*>(data), size, crc);
#endif
    return crc32cPortable(data, size, crc);
}

} // namespace losslens::formats
