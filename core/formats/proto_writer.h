#pragma once
// Protocol Buffers wire format, encoded by hand: enough to write Event protos and to build test inputs.

#include <cstdint>
#include <string>
#include <string_view>

namespace losslens::formats {

/// Appends fields to a message buffer in wire format (https://protobuf.dev/programming-guides/encoding/).
class ProtoWriter {
public:
    ProtoWriter& varint(std::uint32_t field, std::uint64_t value);
    ProtoWriter& fixed64(std::uint32_t field, std::uint64_t bits);
    ProtoWriter& fixed32(std::uint32_t field, std::uint32_t bits);
    ProtoWriter& doubleValue(std::uint32_t field, double value);
    ProtoWriter& floatValue(std::uint32_t field, float value);
    /// A length-delimited field: a string, bytes, a packed array or a nested message.
    ProtoWriter& bytes(std::uint32_t field, std::string_view value);
    ProtoWriter& message(std::uint32_t field, const ProtoWriter& nested) { return bytes(field, nested.data()); }

    const std::string& data() const { return m_data; }
    std::string take() { return std::move(m_data); }

    static void appendVarint(std::string& out, std::uint64_t value);

private:
    void key(std::uint32_t field, std::uint32_t wireType) { appendVarint(m_data, (std::uint64_t{field} << 3) | wireType); }
    std::string m_data;
};

} // namespace losslens::formats
