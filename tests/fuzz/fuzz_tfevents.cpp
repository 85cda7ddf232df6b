// Fuzzes the TensorBoard event file reader.
//
// Every record carries a CRC32C of its length and of its data, so mutated bytes almost never get
// past the framing. Each input is therefore read twice: as it is (framing, checksums, resync)
// and re-framed with correct checksums around the same payloads (the Event decoder). A real
// event file stays a valid seed for both.

#include "core/formats/crc32c.h"
#include "tests/fuzz/fuzz_support.h"

#include <cstring>

namespace {

using losslens::formats::maskedCrc32c;

void appendLittleEndian(std::string& out, std::uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out.push_back(static_cast<char>(v >> (8 * i)));
}

/// The payloads of `bytes` read as TFRecord framing with the checksums ignored (a length past the
/// end takes the rest), framed again with valid checksums.
std::string reframe(std::string_view bytes)
{
    std::string out;
    std::size_t pos = 0;
    while (pos + 8 <= bytes.size()) {
        std::uint64_t length;
        std::memcpy(&length, bytes.data() + pos, 8);
        pos = std::min(bytes.size(), pos + 12);
        const std::string_view payload = bytes.substr(pos, static_cast<std::size_t>(std::min<std::uint64_t>(length, bytes.size() - pos)));
        pos = std::min(bytes.size(), pos + payload.size() + 4);

        std::string header;
        appendLittleEndian(header, payload.size(), 8);
        out += header;
        appendLittleEndian(out, maskedCrc32c(header.data(), header.size()), 4);
        out += payload;
        appendLittleEndian(out, maskedCrc32c(payload.data(), payload.size()), 4);
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace losslens;
    const std::string_view bytes = fuzz::asText(data, size);
    // The SSE4.2 checksum the reader uses must agree with the portable one.
    FUZZ_CHECK(formats::crc32c(bytes.data(), bytes.size()) == formats::crc32cPortable(bytes.data(), bytes.size()));

    fuzz::checkReader(formats::Format::TfEvents, bytes);
    fuzz::checkReader(formats::Format::TfEvents, reframe(bytes));
    return 0;
}
