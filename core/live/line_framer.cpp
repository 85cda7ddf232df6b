// LineFramer (declared in protocol.h): the byte stream → lines step of protocol v1.

#include "core/live/protocol.h"

#include <cstring>

namespace losslens::live {

// ---- framing ------------------------------------------------------------------------------

void LineFramer::deliver(std::string_view line, const Handler& handler)
{
    ++m_lines;
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    handler(line, m_lines, false);
}

void LineFramer::feed(std::string_view data, const Handler& handler)
{
    while (!data.empty()) {
        const void* found = std::memchr(data.data(), '\n', data.size());
        if (!found) {
            // An unfinished line: keep it, unless it is already too long to ever be accepted.
            if (!m_skipping && m_pending.size() + data.size() > m_maxLine + 1) {
                m_skipping = true;
                m_pending.clear();
                m_pending.shrink_to_fit();
            }
            if (!m_skipping)
                m_pending.append(data);
            return;
        }
        const auto end = static_cast<std::size_t>(static_cast<const char*>(found) - data.data());
        const std::string_view piece = data.substr(0, end);
        data.remove_prefix(end + 1);
        if (m_skipping || m_pending.size() + piece.size() > m_maxLine + 1 ||
            (m_pending.size() + piece.size() == m_maxLine + 1 && (piece.empty() ? m_pending.back() : piece.back()) != '\r')) {
            m_skipping = false;
            m_pending.clear();
            handler({}, ++m_lines, true);
        } else if (m_pending.empty()) {
            deliver(piece, handler);
        } else {
            m_pending.append(piece);
            deliver(m_pending, handler);
            m_pending.clear();
        }
    }
}

} // namespace losslens::live
