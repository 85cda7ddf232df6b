#include "core/formats/tfevents_reader.h"

#include "core/formats/crc32c.h"
#include "core/formats/wire_format.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace losslens::formats {

namespace {

constexpr std::size_t kHeader = 12; // length + its checksum
constexpr std::size_t kFooter = 4;

std::uint64_t load64(const char* p)
{
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}
std::uint32_t load32(const char* p)
{
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
bool lengthValid(const char* p) { return maskedCrc32c(p, 8) == load32(p + 8); }

// tensorflow/core/framework/types.proto
enum DataType : std::uint64_t {
    DtFloat = 1, DtDouble = 2, DtInt32 = 3, DtUint8 = 4, DtInt16 = 5, DtInt8 = 6, DtInt64 = 9, DtBool = 10,
    DtBfloat16 = 14, DtUint16 = 17, DtHalf = 19, DtUint32 = 22, DtUint64 = 23,
};

float halfToFloat(std::uint16_t h)
{
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    std::uint32_t exp = (h >> 10) & 0x1Fu;
    std::uint32_t mant = h & 0x3FFu;
    std::uint32_t bits;
    if (exp == 0x1F) {
        bits = sign | 0x7F800000u | (mant << 13);
    } else if (exp == 0) {
        if (mant == 0)
            return std::bit_cast<float>(sign);
        // subnormal half: normalise into a float
        exp = 127 - 15 + 1;
        while ((mant & 0x400u) == 0) {
            mant <<= 1;
            --exp;
        }
        bits = sign | (exp << 23) | ((mant & 0x3FFu) << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    return std::bit_cast<float>(bits);
}
float bfloat16ToFloat(std::uint16_t b) { return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16); }

std::size_t elementSize(std::uint64_t dtype)
{
    switch (dtype) {
    case DtFloat: case DtInt32: case DtUint32: return 4;
    case DtDouble: case DtInt64: case DtUint64: return 8;
    case DtInt16: case DtUint16: case DtHalf: case DtBfloat16: return 2;
    case DtInt8: case DtUint8: case DtBool: return 1;
    default: return 0;
    }
}

double fromContent(std::uint64_t dtype, const char* p)
{
    switch (dtype) {
    case DtFloat: return std::bit_cast<float>(load32(p));
    case DtDouble: return std::bit_cast<double>(load64(p));
    case DtInt32: return static_cast<std::int32_t>(load32(p));
    case DtUint32: return load32(p);
    case DtInt64: return static_cast<double>(static_cast<std::int64_t>(load64(p)));
    case DtUint64: return static_cast<double>(load64(p));
    default: break;
    }
    std::uint16_t v16;
    std::memcpy(&v16, p, 2);
    switch (dtype) {
    case DtInt16: return static_cast<std::int16_t>(v16);
    case DtUint16: return v16;
    case DtHalf: return halfToFloat(v16);
    case DtBfloat16: return bfloat16ToFloat(v16);
    case DtInt8: return static_cast<signed char>(*p);
    default: return static_cast<unsigned char>(*p); // DT_UINT8, DT_BOOL
    }
}

// The first element of a repeated numeric field, packed or not; `type` is the field's wire type.
bool firstElement(wire::Cursor& c, std::uint32_t type, std::uint32_t elementType, std::uint64_t& bits)
{
    if (type == wire::LengthDelimited) {
        std::string_view packed;
        if (!c.bytes(packed) || packed.empty())
            return false;
        wire::Cursor inner(packed);
        return elementType == wire::Fixed32 ? [&] { std::uint32_t v; return inner.fixed32(v) && (bits = v, true); }()
             : elementType == wire::Fixed64 ? inner.fixed64(bits)
                                            : inner.varint(bits);
    }
    if (type != elementType)
        return false;
    if (type == wire::Fixed32) {
        std::uint32_t v;
        return c.fixed32(v) && (bits = v, true);
    }
    return type == wire::Fixed64 ? c.fixed64(bits) : c.varint(bits);
}

// TensorShapeProto: 2 repeated dim { 1 size }; true when it holds exactly one element.
bool isOneElement(std::string_view shape)
{
    wire::Cursor c(shape);
    std::uint32_t f;
    std::uint32_t t;
    while (c.next(f, t)) {
        if (f != 2 || t != wire::LengthDelimited) {
            if (!c.skip(t))
                return false;
            continue;
        }
        std::string_view dim;
        if (!c.bytes(dim))
            return false;
        wire::Cursor d(dim);
        std::uint64_t size = 1;
        while (d.next(f, t))
            if (f == 1 && t == wire::Varint ? !d.varint(size) : !d.skip(t))
                return false;
        if (size != 1)
            return false;
    }
    return c.ok();
}

double fromTyped(std::uint64_t dtype, std::uint32_t field, std::uint64_t bits)
{
    switch (field) {
    case 5: return std::bit_cast<float>(static_cast<std::uint32_t>(bits));
    case 6: return std::bit_cast<double>(bits);
    case 10: return static_cast<double>(static_cast<std::int64_t>(bits));
    case 17: return static_cast<double>(bits);
    case 13: {
        const auto h = static_cast<std::uint16_t>(bits);
        return dtype == DtBfloat16 ? bfloat16ToFloat(h) : halfToFloat(h);
    }
    case 16: return static_cast<double>(static_cast<std::uint32_t>(bits));
    default: return static_cast<double>(static_cast<std::int32_t>(bits)); // int_val, bool_val
    }
}

std::uint32_t typedFieldWireType(std::uint32_t field)
{
    switch (field) {
    case 5: return wire::Fixed32;
    case 6: return wire::Fixed64;
    case 7: case 10: case 11: case 13: case 16: case 17: return wire::Varint;
    default: return UINT32_MAX;
    }
}

} // namespace

bool decodeScalarTensor(std::string_view tensorProto, double& value)
{
    wire::Cursor c(tensorProto);
    std::uint64_t dtype = 0;
    std::string_view content;
    bool shapeOk = true;
    bool haveTyped = false;
    std::uint32_t typedField = 0;
    std::uint64_t typedBits = 0;
    std::uint32_t f;
    std::uint32_t t;
    while (c.next(f, t)) {
        if (f == 1 && t == wire::Varint) {
            if (!c.varint(dtype))
                return false;
        } else if (f == 2 && t == wire::LengthDelimited) {
            std::string_view shape;
            if (!c.bytes(shape))
                return false;
            shapeOk = isOneElement(shape);
        } else if (f == 4 && t == wire::LengthDelimited) {
            if (!c.bytes(content))
                return false;
        } else if (const std::uint32_t et = typedFieldWireType(f); et != UINT32_MAX && !haveTyped) {
            if (!firstElement(c, t, et, typedBits))
                return false;
            haveTyped = true;
            typedField = f;
        } else if (!c.skip(t)) {
            return false;
        }
    }
    const std::size_t size = elementSize(dtype);
    if (!c.ok() || !shapeOk || size == 0)
        return false;
    if (!content.empty()) {
        if (content.size() != size)
            return false;
        value = fromContent(dtype, content.data());
        return true;
    }
    if (!haveTyped)
        return false;
    value = fromTyped(dtype, typedField, typedBits);
    return true;
}

std::size_t TfEventsReader::parse(std::string_view data, bool atEnd)
{
    std::size_t pos = 0;
    const std::size_t n = data.size();
    while (pos < n) {
        if (n - pos < kHeader) {
            if (!atEnd)
                break;
            warnAtOffset(m_position + pos, "truncated record: " + std::to_string(n - pos) + " bytes left, a header needs 12");
            return n;
        }
        const char* rec = data.data() + pos;
        if (!lengthValid(rec)) {
            if (!m_resyncing)
                warnAtOffset(m_position + pos, "bad length checksum; scanning forward for the next valid record");
            m_resyncing = true;
            pos = resync(data, pos + 1, atEnd);
            continue;
        }
        const std::uint64_t length = load64(rec);
        if (length > kMaxRecordBytes) {
            warnAtOffset(m_position + pos, "impossible record length " + std::to_string(length) + "; scanning forward");
            pos = resync(data, pos + 1, atEnd);
            continue;
        }
        const std::size_t total = kHeader + static_cast<std::size_t>(length) + kFooter;
        if (n - pos < total) {
            if (!atEnd)
                break; // the writer has not finished this record yet
            warnAtOffset(m_position + pos, "truncated record: its data and checksum need " + std::to_string(length + kFooter) +
                                               " bytes, " + std::to_string(n - pos - kHeader) + " remain");
            return n;
        }
        m_resyncing = false;
        const std::string_view event(rec + kHeader, static_cast<std::size_t>(length));
        if (maskedCrc32c(event.data(), event.size()) != load32(rec + kHeader + length)) {
            warnAtOffset(m_position + pos, "bad data checksum; record skipped");
            pos = resync(data, pos + kHeader, atEnd);
            continue;
        }
        parseEvent(event, m_position + pos);
        pos += total;
    }
    return pos;
}

std::size_t TfEventsReader::resync(std::string_view data, std::size_t from, bool atEnd)
{
    m_resyncing = true;
    for (std::size_t p = from; p + kHeader <= data.size(); ++p)
        if (lengthValid(data.data() + p))
            return p;
    // Nothing validates yet: keep the last bytes, they may start a record still being written.
    return atEnd ? data.size() : std::max(from, data.size() - (kHeader - 1));
}

namespace {

// A varint of at most 10 bytes, within [p, end); nullptr when malformed.
const unsigned char* readVarint(const unsigned char* p, const unsigned char* end, std::uint64_t& out)
{
    std::uint64_t v = 0;
    for (unsigned shift = 0; p < end && shift < 70; shift += 7) {
        const unsigned char b = *p++;
        v |= static_cast<std::uint64_t>(b & 0x7Fu) << shift;
        if (b < 0x80) {
            out = v;
            return p;
        }
    }
    return nullptr;
}

} // namespace

// The layout PyTorch, tensorboardX and TF1 give every scalar event, decoded without the general
// cursor: 0x09 wall_time, [0x10 step], 0x2A summary { 0x0A value { 0x0A tag, 0x15 simple_value } … }.
// Returns false, having emitted nothing, when the event is laid out any other way.
bool TfEventsReader::parseCommonEvent(std::string_view event, std::uint64_t offset)
{
    auto p = reinterpret_cast<const unsigned char*>(event.data());
    const unsigned char* const end = p + event.size();
    if (event.size() < 12 || p[0] != 0x09)
        return false;
    const double wallTime = std::bit_cast<double>(load64(event.data() + 1));
    p += 9;
    std::uint64_t step = 0;
    if (*p == 0x10 && !(p = readVarint(p + 1, end, step)))
        return false;
    std::uint64_t length = 0;
    if (p == end || *p != 0x2A || !(p = readVarint(p + 1, end, length)) || length != static_cast<std::uint64_t>(end - p))
        return false;
    // check the summary's framing before emitting anything
    for (const unsigned char* q = p; q < end; q += length) {
        if (*q != 0x0A || !(q = readVarint(q + 1, end, length)) || length > static_cast<std::uint64_t>(end - q))
            return false;
    }
    while (p < end) {
        p = readVarint(p + 1, end, length);
        const std::string_view value(reinterpret_cast<const char*>(p), static_cast<std::size_t>(length));
        p += length;
        const auto tagLength = static_cast<std::size_t>(static_cast<unsigned char>(value.size() > 1 ? value[1] : 0));
        if (value.size() == tagLength + 7 && tagLength < 0x80 && value[0] == 0x0A && value[tagLength + 2] == 0x15) {
            const std::uint32_t id = m_tags.intern(value.substr(2, tagLength));
            const float v = std::bit_cast<float>(load32(value.data() + tagLength + 3));
            if (!m_tags.add(id, static_cast<std::int64_t>(step), wallTime, v))
                warnAtOffset(offset, m_tags.stepBackMessage(id));
        } else if (!parseValue(value, static_cast<std::int64_t>(step), wallTime, offset)) {
            warnAtOffset(offset, "malformed Summary.Value; skipped");
        }
    }
    return true;
}

void TfEventsReader::parseEvent(std::string_view event, std::uint64_t offset)
{
    if (parseCommonEvent(event, offset))
        return;
    wire::Cursor c(event);
    double wallTime = 0.0;
    std::int64_t step = 0;
    std::string_view summary;
    std::uint32_t f;
    std::uint32_t t;
    while (c.next(f, t)) {
        if (f == 1 && t == wire::Fixed64) {
            std::uint64_t bits;
            if (c.fixed64(bits))
                wallTime = std::bit_cast<double>(bits);
        } else if (f == 2 && t == wire::Varint) {
            std::uint64_t v;
            if (c.varint(v))
                step = static_cast<std::int64_t>(v);
        } else if (f == 5 && t == wire::LengthDelimited) {
            c.bytes(summary);
        } else {
            c.skip(t); // file_version, graph_def, log_message, session_log, run metadata
        }
    }
    if (!c.ok()) {
        warnAtOffset(offset, "malformed Event (bad varint or length); record skipped");
        return;
    }
    if (!summary.empty() && !parseSummary(summary, step, wallTime, offset))
        warnAtOffset(offset, "malformed Summary (bad varint or length); the rest of the record skipped");
}

bool TfEventsReader::parseSummary(std::string_view summary, std::int64_t step, double wallTime, std::uint64_t offset)
{
    wire::Cursor c(summary);
    std::uint32_t f;
    std::uint32_t t;
    while (c.next(f, t)) {
        std::string_view value;
        if (f != 1 || t != wire::LengthDelimited) {
            c.skip(t);
        } else if (c.bytes(value) && !parseValue(value, step, wallTime, offset)) {
            return false;
        }
    }
    return c.ok();
}

struct TfEventsReader::ValueFields {
    std::string_view tag;
    std::string_view pluginName;
    std::string_view description;
    std::string_view tensor;
    std::uint64_t dataClass = 0;
    float simple = 0.0f;
    bool hasSimple = false;
    bool hasMetadata = false;
};

namespace {

bool parseMetadata(std::string_view metadata, std::string_view& plugin, std::string_view& description, std::uint64_t& dataClass)
{
    wire::Cursor c(metadata);
    std::uint32_t f;
    std::uint32_t t;
    while (c.next(f, t)) {
        std::string_view pluginData;
        if (f == 1 && t == wire::LengthDelimited && c.bytes(pluginData)) {
            wire::Cursor p(pluginData);
            while (p.next(f, t))
                f == 1 && t == wire::LengthDelimited ? p.bytes(plugin) : p.skip(t);
            if (!p.ok())
                return false;
        } else if (f == 3 && t == wire::LengthDelimited) {
            c.bytes(description);
        } else if (f == 4 && t == wire::Varint) {
            c.varint(dataClass);
        } else {
            c.skip(t);
        }
    }
    return c.ok();
}

std::optional<Role> roleHint(std::string_view description)
{
    constexpr std::string_view prefix = "losslens:role=";
    if (description.empty()) [[likely]]
        return std::nullopt;
    if (description.substr(0, prefix.size()) != prefix)
        return std::nullopt;
    return parseRole(description.substr(prefix.size()));
}

} // namespace

bool TfEventsReader::parseValue(std::string_view bytes, std::int64_t step, double wallTime, std::uint64_t offset)
{
    ValueFields v;
    std::string_view nodeName;
    wire::Cursor c(bytes);
    std::uint32_t f;
    std::uint32_t t;
    while (c.next(f, t)) {
        if (f == 1 && t == wire::LengthDelimited) {
            c.bytes(v.tag);
        } else if (f == 2 && t == wire::Fixed32) {
            std::uint32_t bits = 0;
            v.hasSimple = c.fixed32(bits);
            v.simple = std::bit_cast<float>(bits);
        } else if (f == 8 && t == wire::LengthDelimited) {
            c.bytes(v.tensor);
        } else if (f == 9 && t == wire::LengthDelimited) {
            std::string_view metadata;
            v.hasMetadata = c.bytes(metadata) && parseMetadata(metadata, v.pluginName, v.description, v.dataClass);
        } else if (f == 7 && t == wire::LengthDelimited) {
            c.bytes(nodeName);
        } else {
            c.skip(t); // image, histogram, audio: not decoded
        }
    }
    if (!c.ok())
        return false;
    if (v.tag.empty())
        v.tag = nodeName;
    if (v.hasSimple) {
        const std::uint32_t id = m_tags.intern(v.tag, {}, roleHint(v.description));
        if (!m_tags.add(id, step, wallTime, v.simple))
            warnAtOffset(offset, m_tags.stepBackMessage(id));
    } else if (!v.tensor.empty() && pluginOf(v.tag, v) == Plugin::Scalars) {
        double value;
        if (decodeScalarTensor(v.tensor, value)) {
            const std::uint32_t id = m_tags.intern(v.tag, {}, roleHint(v.description));
            if (!m_tags.add(id, step, wallTime, value))
                warnAtOffset(offset, m_tags.stepBackMessage(id));
        }
    }
    return true;
}

TfEventsReader::Plugin TfEventsReader::pluginOf(std::string_view tag, const ValueFields& v)
{
    auto it = m_plugins.find(std::string(tag));
    if (it == m_plugins.end()) {
        constexpr std::uint64_t kDataClassScalar = 1;
        const Plugin p = !v.hasMetadata ? Plugin::Unknown
                         : v.pluginName == "scalars" || v.dataClass == kDataClassScalar ? Plugin::Scalars
                                                                                          : Plugin::Other;
        if (p == Plugin::Unknown)
            return p;
        it = m_plugins.emplace(std::string(tag), p).first;
    }
    return it->second;
}

} // namespace losslens::formats
