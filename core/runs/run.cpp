#include "core/runs/run.h"

namespace losslens {

Series* Run::find(std::string_view tag)
{
    const auto it = m_byTag.find(tag);
    return it == m_byTag.end() ? nullptr : it->second;
}

const Series* Run::find(std::string_view tag) const
{
    const auto it = m_byTag.find(tag);
    return it == m_byTag.end() ? nullptr : it->second;
}

Series& Run::series(std::string_view tag, Role role)
{
    if (Series* s = find(tag))
        return *s;
    auto& s = m_series.emplace_back(std::make_unique<Series>(std::string(tag), role));
    m_byTag.emplace(s->tag(), s.get());
    return *s;
}

bool Run::removeSeries(std::string_view tag)
{
    const Series* s = find(tag);
    if (!s)
        return false;
    m_byTag.erase(tag); // before the series: the key views its tag
    std::erase_if(m_series, [s](const auto& owned) { return owned.get() == s; });
    return true;
}

std::size_t Run::pointCount() const
{
    std::size_t n = 0;
    for (const auto& s : m_series)
        n += s->size();
    return n;
}

std::size_t Run::memoryBytes() const
{
    std::size_t n = 0;
    for (const auto& s : m_series)
        n += s->memoryBytes();
    return n;
}

} // namespace losslens
