#include "core/formats/proto_writer.h"

#include <bit>
#include <cstring>

namespace losslens::formats {

void ProtoWriter::appendVarint(std::string& out, std::uint64_t value)
{
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7Fu) | 0x80u));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

ProtoWriter& ProtoWriter::varint(std::uint32_t field, std::uint64_t value)
{
    key(field, 0);
    appendVarint(m_data, value);
    return *this;
}

ProtoWriter& ProtoWriter::fixed64(std::uint32_t field, std::uint64_t bits)
{
    key(field, 1);
    char b[8];
    std::memcpy(b, &bits, 8);
    m_data.append(b, 8);
    return *this;
}

ProtoWriter& ProtoWriter::fixed32(std::uint32_t field, std::uint32_t bits)
{
    key(field, 5);
    char b[4];
    std::memcpy(b, &bits, 4);
    m_data.append(b, 4);
    return *this;
}

ProtoWriter& ProtoWriter::doubleValue(std::uint32_t field, double value) { return fixed64(field, std::bit_cast<std::uint64_t>(value)); }
ProtoWriter& ProtoWriter::floatValue(std::uint32_t field, float value) { return fixed32(field, std::bit_cast<std::uint32_t>(value)); }

ProtoWriter& ProtoWriter::bytes(std::uint32_t field, std::string_view value)
{
    key(field, 2);
    appendVarint(m_data, value.size());
    m_data.append(value);
    return *this;
}

} // namespace losslens::formats
