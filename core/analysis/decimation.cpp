#include "core/analysis/decimation.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace losslens::analysis {

namespace {
constexpr std::size_t kFan = 8;
constexpr double kInf = std::numeric_limits<double>::infinity();
} // namespace

MinMaxPyramid::MinMaxPyramid(std::span<const double> values) : m_size(values.size())
{
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i]))
            m_nonFinite.push_back(i);
    std::size_t n = values.size();
    while (n > kFan) {
        const std::size_t blocks = (n + kFan - 1) / kFan;
        Level level;
        level.min.assign(blocks, kInf);
        level.max.assign(blocks, -kInf);
        for (std::size_t b = 0; b < blocks; ++b) {
            const std::size_t end = std::min(n, (b + 1) * kFan);
            double lo = kInf, hi = -kInf;
            if (m_levels.empty()) {
                for (std::size_t i = b * kFan; i < end; ++i)
                    if (std::isfinite(values[i]))
                        lo = std::min(lo, values[i]), hi = std::max(hi, values[i]);
            } else {
                const Level& below = m_levels.back();
                for (std::size_t i = b * kFan; i < end; ++i)
                    lo = std::min(lo, below.min[i]), hi = std::max(hi, below.max[i]);
            }
            level.min[b] = lo, level.max[b] = hi;
        }
        m_levels.push_back(std::move(level));
        n = blocks;
    }
}

// Scans nodes [begin, end) of `level` (0 = the values themselves), keeping the best node seen.
void MinMaxPyramid::scanLevel(std::span<const double> values, std::size_t level, std::size_t begin, std::size_t end,
                              double& lo, std::size_t& loLevel, std::size_t& loNode, double& hi, std::size_t& hiLevel,
                              std::size_t& hiNode) const
{
    for (std::size_t i = begin; i < end; ++i) {
        double mn, mx;
        if (level == 0) {
            if (!std::isfinite(values[i]))
                continue;
            mn = mx = values[i];
        } else {
            mn = m_levels[level - 1].min[i], mx = m_levels[level - 1].max[i];
        }
        if (mn < lo || (mn == lo && level == 0 && loLevel == 0 && i < loNode))
            lo = mn, loLevel = level, loNode = i;
        if (mx > hi)
            hi = mx, hiLevel = level, hiNode = i;
    }
}

// The first point under `node` of `level` whose value is `target`.
std::size_t MinMaxPyramid::descend(std::span<const double> values, std::size_t level, std::size_t node, double target,
                                   bool wantMin) const
{
    while (level > 0) {
        const std::size_t begin = node * kFan;
        const std::size_t end = level == 1 ? std::min(m_size, begin + kFan) : std::min(m_levels[level - 2].min.size(), begin + kFan);
        for (std::size_t i = begin; i < end; ++i) {
            const double v = level == 1 ? values[i] : (wantMin ? m_levels[level - 2].min[i] : m_levels[level - 2].max[i]);
            if (v == target) {
                node = i;
                break;
            }
        }
        --level;
    }
    return node;
}

MinMaxPyramid::Extremes MinMaxPyramid::minMax(std::span<const double> values, std::size_t begin, std::size_t end) const
{
    if (values.size() != m_size)
        throw std::invalid_argument("MinMaxPyramid::minMax: the values are not the ones the pyramid was built on");
    double lo = kInf, hi = -kInf;
    std::size_t loLevel = 0, loNode = npos, hiLevel = 0, hiNode = npos;
    std::size_t level = 0;
    end = std::min(end, m_size);
    while (begin < end) {
        const std::size_t levelCount = level == 0 ? m_size : m_levels[level - 1].min.size();
        const std::size_t alignedBegin = (begin + kFan - 1) / kFan * kFan;
        const std::size_t alignedEnd = end / kFan * kFan;
        if (level >= m_levels.size() || alignedBegin >= alignedEnd || end - begin < 2 * kFan) {
            scanLevel(values, level, begin, std::min(end, levelCount), lo, loLevel, loNode, hi, hiLevel, hiNode);
            break;
        }
        scanLevel(values, level, begin, alignedBegin, lo, loLevel, loNode, hi, hiLevel, hiNode);
        scanLevel(values, level, alignedEnd, end, lo, loLevel, loNode, hi, hiLevel, hiNode);
        begin = alignedBegin / kFan, end = alignedEnd / kFan, ++level;
    }
    Extremes e;
    if (loNode != npos)
        e.min = descend(values, loLevel, loNode, lo, true);
    if (hiNode != npos)
        e.max = descend(values, hiLevel, hiNode, hi, false);
    return e;
}

namespace {

template <class X>
std::vector<std::size_t> m4(std::span<const X> x, std::span<const double> y, double x0, double x1, std::size_t columns,
                            const MinMaxPyramid* pyramid)
{
    if (x.size() != y.size())
        throw std::invalid_argument("m4Indices: x and y differ in length");
    if (pyramid && pyramid->size() != y.size())
        throw std::invalid_argument("m4Indices: the pyramid was built on other values");
    std::vector<std::size_t> out;
    if (x.empty() || columns == 0 || !(x1 >= x0))
        return out;
    const auto below = [](X a, double b) { return static_cast<double>(a) < b; };
    const auto above = [](double a, X b) { return a < static_cast<double>(b); };
    std::size_t pos = static_cast<std::size_t>(std::lower_bound(x.begin(), x.end(), x0, below) - x.begin());
    const std::size_t hi = static_cast<std::size_t>(std::upper_bound(x.begin(), x.end(), x1, above) - x.begin());
    out.reserve(std::min(x.size(), columns * 4 + 2));
    if (pos > 0)
        out.push_back(pos - 1);
    const double width = x1 > x0 ? (x1 - x0) / static_cast<double>(columns) : 1.0;
    const auto& nonFinite = pyramid ? pyramid->nonFinite() : std::vector<std::size_t>{};
    for (std::size_t c = 0; c < columns && pos < hi; ++c) {
        const double edge = c + 1 == columns ? x1 : x0 + width * static_cast<double>(c + 1);
        std::size_t end = c + 1 == columns ? hi
                                           : static_cast<std::size_t>(std::lower_bound(x.begin() + static_cast<std::ptrdiff_t>(pos),
                                                                                       x.begin() + static_cast<std::ptrdiff_t>(hi), edge, below) -
                                                                      x.begin());
        if (end == pos)
            continue;
        std::array<std::size_t, 5> keep{pos, end - 1, MinMaxPyramid::npos, MinMaxPyramid::npos, MinMaxPyramid::npos};
        if (pyramid) {
            const auto e = pyramid->minMax(y, pos, end);
            keep[2] = e.min, keep[3] = e.max;
            const auto nf = std::lower_bound(nonFinite.begin(), nonFinite.end(), pos);
            if (nf != nonFinite.end() && *nf < end)
                keep[4] = *nf;
        } else {
            double lo = kInf, hiv = -kInf;
            for (std::size_t i = pos; i < end; ++i) {
                const double v = y[i];
                if (std::isfinite(v)) {
                    if (v < lo)
                        lo = v, keep[2] = i;
                    if (v > hiv)
                        hiv = v, keep[3] = i;
                } else if (keep[4] == MinMaxPyramid::npos) {
                    keep[4] = i;
                }
            }
        }
        std::sort(keep.begin(), keep.end());
        for (std::size_t k : keep)
            if (k != MinMaxPyramid::npos && (out.empty() || out.back() != k))
                out.push_back(k);
        pos = end;
    }
    if (hi < x.size() && (out.empty() || out.back() != hi))
        out.push_back(hi);
    return out;
}

} // namespace

std::vector<std::size_t> m4Indices(std::span<const double> x, std::span<const double> y, double x0, double x1, std::size_t columns,
                                   const MinMaxPyramid* pyramid)
{
    return m4(x, y, x0, x1, columns, pyramid);
}

std::vector<std::size_t> m4Indices(std::span<const std::int64_t> x, std::span<const double> y, double x0, double x1,
                                   std::size_t columns, const MinMaxPyramid* pyramid)
{
    return m4(x, y, x0, x1, columns, pyramid);
}

} // namespace losslens::analysis
