#include "core/formats/tag_table.h"

#include <cstring>
#include <limits>

namespace losslens::formats {

std::string Warning::toString() const
{
    if (where == Where::Line)
        return file + ":" + std::to_string(position) + ": " + message;
    return file + ": offset " + std::to_string(position) + ": " + message;
}

std::uint32_t TagTable::intern(std::string_view name, std::string_view run, std::optional<Role> roleHint)
{
    std::string_view key = name;
    if (!run.empty()) {
        m_key.assign(run);
        m_key.push_back('\0');
        m_key.append(name);
        key = m_key;
    }
    if (m_previous != UINT32_MAX) {
        const std::uint32_t guess = m_next[m_previous];
        if (guess != UINT32_MAX && m_names[guess] == key) {
            m_previous = guess;
            return guess;
        }
    }
    const std::uint32_t id = lookup(key, name, run, roleHint);
    if (m_previous != UINT32_MAX)
        m_next[m_previous] = id;
    m_previous = id;
    return id;
}

std::uint32_t TagTable::lookup(std::string_view key, std::string_view name, std::string_view run, std::optional<Role> hint)
{
    if (auto it = m_ids.find(key); it != m_ids.end())
        return it->second;
    const auto id = static_cast<std::uint32_t>(m_names.size());
    m_ids.emplace(std::string(key), id);
    m_names.emplace_back(key);
    m_next.push_back(UINT32_MAX);
    m_lastStep.push_back(std::numeric_limits<std::int64_t>::min());
    m_sink.onTag(id, TagInfo{run, name, hint});
    return id;
}

std::string TagTable::stepBackMessage(std::uint32_t id) const
{
    std::string tag(m_names[id]);
    if (auto zero = tag.find('\0'); zero != std::string::npos)
        tag = tag.substr(zero + 1);
    return "step goes back from " + std::to_string(m_backFrom) + " to " + std::to_string(m_lastStep[id]) + " in tag '" +
           tag + "' (a restart: the store keeps the later points from that step on)";
}

void TagTable::resetSteps()
{
    for (auto& s : m_lastStep)
        s = std::numeric_limits<std::int64_t>::min();
}

} // namespace losslens::formats
