#include "core/runs/series.h"

#include <algorithm>

namespace losslens {

std::size_t Series::truncateFrom(std::int64_t step)
{
    const Steps steps = m_steps.view();
    const auto keep = static_cast<std::size_t>(std::lower_bound(steps.begin(), steps.end(), step) - steps.begin());
    m_steps.truncate(keep);
    m_wallTimes.truncate(keep);
    m_values.truncate(keep);
    return keep;
}

std::size_t Series::append(Steps steps, std::span<const double> wallTimes, std::span<const double> values)
{
    std::size_t first = m_steps.size();
    std::size_t begin = 0;
    while (begin < steps.size()) {
        // the longest run of non-decreasing steps, appended in one go
        std::size_t end = begin + 1;
        while (end < steps.size() && steps[end] >= steps[end - 1])
            ++end;
        if (!m_steps.empty() && steps[begin] < m_steps.back())
            first = std::min(first, truncateFrom(steps[begin]));
        m_steps.append(steps.subspan(begin, end - begin));
        m_wallTimes.append(wallTimes.data() + begin, end - begin);
        m_values.append(values.data() + begin, end - begin);
        begin = end;
    }
    return first;
}

void Series::replacePoints(Series&& other)
{
    m_steps = std::move(other.m_steps);
    m_wallTimes = std::move(other.m_wallTimes);
    m_values = std::move(other.m_values);
}

std::optional<std::size_t> Series::indexAtOrBefore(std::int64_t step) const
{
    const Steps steps = m_steps.view();
    const auto it = std::upper_bound(steps.begin(), steps.end(), step);
    if (it == steps.begin())
        return std::nullopt;
    return static_cast<std::size_t>(it - steps.begin()) - 1;
}

void Series::shrinkToFit()
{
    m_steps.shrinkToFit();
    m_wallTimes.shrinkToFit();
    m_values.shrinkToFit();
}

std::size_t Series::memoryBytes() const
{
    return m_steps.memoryBytes() + (m_wallTimes.capacity() + m_values.capacity()) * sizeof(double);
}

void Series::reserve(std::size_t points)
{
    m_steps.reserve(points);
    m_wallTimes.reserve(points);
    m_values.reserve(points);
}

} // namespace losslens
