#pragma once
// Protocol Buffers wire format, decoded by hand: a cursor over one message's bytes.
// https://protobuf.dev/programming-guides/encoding/

#include <cstdint>
#include <cstring>
#include <string_view>

namespace losslens::formats::wire {

enum WireType : std::uint32_t { Varint = 0, Fixed64 = 1, LengthDelimited = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5 };

/// Reads fields from a message. Every read checks bounds; after the first malformed byte `ok()`
/// is false and `next()` stops, so a corrupt message can never read outside its bytes.
class Cursor {
public:
    explicit Cursor(std::string_view bytes)
        : m_p(reinterpret_cast<const unsigned char*>(bytes.data())), m_end(m_p + bytes.size())
    {}

    bool ok() const { return m_ok; }
    bool atEnd() const { return m_p == m_end; }

    /// Advances to the next field; false at the end or on malformed input.
    bool next(std::uint32_t& field, std::uint32_t& type)
    {
        if (m_p == m_end || !m_ok)
            return false;
        std::uint64_t key;
        if (!varint(key) || key >> 32)
            return fail();
        field = static_cast<std::uint32_t>(key >> 3);
        type = static_cast<std::uint32_t>(key & 7u);
        return field != 0 || fail();
    }

    bool varint(std::uint64_t& out)
    {
        if (m_p != m_end && *m_p < 0x80) [[likely]] {
            out = *m_p++;
            return true;
        }
        std::uint64_t v = 0;
        for (unsigned shift = 0; shift < 70; shift += 7) {
            if (m_p == m_end)
                return fail();
            const unsigned char b = *m_p++;
            v |= static_cast<std::uint64_t>(b & 0x7Fu) << shift;
            if (b < 0x80) {
                out = v;
                return true;
            }
        }
        return fail(); // more than 10 bytes: not a varint
    }

    bool fixed64(std::uint64_t& out) { return fixed(out); }
    bool fixed32(std::uint32_t& out) { return fixed(out); }

    bool bytes(std::string_view& out)
    {
        std::uint64_t n;
        if (!varint(n) || n > static_cast<std::uint64_t>(m_end - m_p))
            return fail();
        out = std::string_view(reinterpret_cast<const char*>(m_p), static_cast<std::size_t>(n));
        m_p += n;
        return true;
    }

    /// Skips a field of wire type `type` without decoding it.
    bool skip(std::uint32_t type)
    {
        switch (type) {
        case Varint: { std::uint64_t v; return varint(v); }
        case Fixed64: return advance(8);
        case Fixed32: return advance(4);
        case LengthDelimited: { std::string_view v; return bytes(v); }
        default: return fail(); // groups are obsolete and never used by TensorFlow's protos
        }
    }

private:
    template <typename T>
    bool fixed(T& out)
    {
        if (static_cast<std::size_t>(m_end - m_p) < sizeof(T))
            return fail();
        std::memcpy(&out, m_p, sizeof(T)); // protobuf is little-endian, as are supported hosts
        m_p += sizeof(T);
        return true;
    }
    bool advance(std::size_t n)
    {
        if (static_cast<std::size_t>(m_end - m_p) < n)
            return fail();
        m_p += n;
        return true;
    }
    bool fail()
    {
        m_ok = false;
        return false;
    }

    const unsigned char* m_p;
    const unsigned char* m_end;
    bool m_ok = true;
};

} // namespace losslens::formats::wire
