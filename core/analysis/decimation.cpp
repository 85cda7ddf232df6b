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
// Columns of fewer points are scanned: their values share a cache line or two, while the
// pyramid's levels and descents each cost a miss.
constexpr std::size_t kScanBelow = 48;
} // namespace

void MinMaxPyramid::extend(std::span<const double> values)
{
    if (values.size() < m_size)
        throw std::invalid_argument("MinMaxPyramid::extend: fewer values than the pyramid was built on");
    for (std::size_t i = m_size; i < values.size(); ++i)
        if (!std::isfinite(values[i]))
            m_nonFinite.push_back(i);
    std::size_t changed = m_size; // first changed node of the level below
    m_size = values.size();
    for (std::size_t level = 1; levelSize(level - 1) > kFan; ++level) {
        const bool isNew = level > m_levels.size();
        if (isNew)
            m_levels.emplace_back();
        // the block holding the first changed node is recomputed, the blocks after it are new
        changed = isNew ? 0 : changed / kFan;
        summarise(values, level, changed);
    }
}

// Recomputes the blocks of `level` (≥ 1) from `firstBlock` on, from the level below.
void MinMaxPyramid::summarise(std::span<const double> values, std::size_t level, std::size_t firstBlock)
{
    const std::size_t below = levelSize(level - 1);
    const std::size_t blocks = (below + kFan - 1) / kFan;
    Level& out = m_levels[level - 1];
    out.min.resize(blocks), out.max.resize(blocks);
    for (std::size_t b = firstBlock; b < blocks; ++b) {
        const std::size_t begin = b * kFan, end = std::min(below, begin + kFan);
        double lo = kInf, hi = -kInf;
        if (level == 1) {
            for (std::size_t i = begin; i < end; ++i) {
                const double v = values[i];
                const bool finite = std::isfinite(v);
                lo = std::min(lo, finite ? v : kInf), hi = std::max(hi, finite ? v : -kInf);
            }
        } else {
            const Level& from = m_levels[level - 2];
            for (std::size_t i = begin; i < end; ++i)
                lo = std::min(lo, from.min[i]), hi = std::max(hi, from.max[i]);
        }
        out.min[b] = lo, out.max[b] = hi;
    }
}

// Nodes [begin, end) of `level`, in index order: strict comparisons keep the first extreme.
// Works on copies of `lo` and `hi`: through the references every step would go to memory.
void MinMaxPyramid::scan(std::span<const double> values, std::size_t level, std::size_t begin, std::size_t end, Best& lo,
                         Best& hi) const
{
    Best l = lo, h = hi;
    if (level == 0) {
        for (std::size_t i = begin; i < end; ++i) {
            const double v = values[i];
            if (!std::isfinite(v))
                continue;
            if (v < l.value)
                l = {v, 0, i};
            if (v > h.value)
                h = {v, 0, i};
        }
    } else {
        const double* mins = m_levels[level - 1].min.data();
        const double* maxs = m_levels[level - 1].max.data();
        for (std::size_t i = begin; i < end; ++i) {
            if (mins[i] < l.value)
                l = {mins[i], level, i};
            if (maxs[i] > h.value)
                h = {maxs[i], level, i};
        }
    }
    lo = l, hi = h;
}

void MinMaxPyramid::prefetch(std::span<const double> values, std::size_t end) const
{
    if (end >= m_size)
        return;
    __builtin_prefetch(values.data() + end);
    for (std::size_t k = 0, node = end / kFan; k < m_levels.size(); ++k, node /= kFan) {
        __builtin_prefetch(m_levels[k].min.data() + node);
        __builtin_prefetch(m_levels[k].max.data() + node);
    }
}

// The first point under the best node whose value is the best value.
std::size_t MinMaxPyramid::descend(std::span<const double> values, const Best& best, bool wantMin) const
{
    std::size_t node = best.node;
    for (std::size_t level = best.level; level > 0; --level) {
        const std::size_t begin = node * kFan, end = std::min(levelSize(level - 1), begin + kFan);
        const double* child = level == 1 ? values.data() : wantMin ? m_levels[level - 2].min.data() : m_levels[level - 2].max.data();
        node = begin;
        while (node + 1 < end && child[node] != best.value)
            ++node;
    }
    return node;
}

MinMaxPyramid::Extremes MinMaxPyramid::minMax(std::span<const double> values, std::size_t begin, std::size_t end) const
{
    if (values.size() != m_size)
        throw std::invalid_argument("MinMaxPyramid::minMax: the values are not the ones the pyramid was built on");
    end = std::min(end, m_size);
    Best lo{kInf}, hi{-kInf};
    // Left edges bottom-up, whole blocks at the top, right edges top-down: index order.
    std::array<std::array<std::size_t, 3>, 24> rightEdges; // level, begin, end; 8²⁴ > 2⁶⁴ (not zeroed: hot)
    std::size_t pending = 0, level = 0;
    while (begin < end) {
        const std::size_t alignedBegin = (begin + kFan - 1) / kFan * kFan, alignedEnd = end / kFan * kFan;
        if (level == m_levels.size() || end - begin < 2 * kFan || alignedBegin >= alignedEnd) {
            scan(values, level, begin, end, lo, hi);
            break;
        }
        scan(values, level, begin, alignedBegin, lo, hi);
        rightEdges[pending++] = {level, alignedEnd, end};
        begin = alignedBegin / kFan, end = alignedEnd / kFan, ++level;
    }
    while (pending > 0) {
        const auto& [l, b, e] = rightEdges[--pending];
        scan(values, l, b, e, lo, hi);
    }
    Extremes e;
    if (lo.node != npos)
        e.min = descend(values, lo, true);
    if (hi.node != npos)
        e.max = descend(values, hi, false);
    return e;
}

namespace {

// std::lower_bound of `value` in x[lo, hi), searched outwards from `guess`: a few probes near it
// instead of log₂ n scattered over the series (each a cache miss on a long one).
template <class X>
std::size_t lowerBoundNear(std::span<const X> x, std::size_t lo, std::size_t hi, double value, std::size_t guess)
{
    const auto less = [&](std::size_t i) { return static_cast<double>(x[i]) < value; };
    const auto search = [&](std::size_t a, std::size_t b) {
        return static_cast<std::size_t>(std::lower_bound(x.begin() + std::ptrdiff_t(a), x.begin() + std::ptrdiff_t(b), value,
                                                         [](X v, double t) { return static_cast<double>(v) < t; }) -
                                        x.begin());
    };
    guess = std::clamp(guess, lo, hi);
    std::size_t step = 1;
    if (guess < hi && less(guess)) { // the answer is after guess
        std::size_t a = guess + 1;
        while (a + step <= hi && less(a + step - 1))
            a += step, step *= 2;
        return search(a, std::min(hi, a + step - 1));
    }
    std::size_t b = guess; // the answer is at or before guess
    while (b >= lo + step && !less(b - step))
        b -= step, step *= 2;
    return search(b >= lo + step ? b - step + 1 : lo, b);
}

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
    // points per unit of x: logs are mostly evenly spaced, so a column's end is where this puts it
    const double density = hi > pos + 1 ? static_cast<double>(hi - 1 - pos) / (static_cast<double>(x[hi - 1]) - static_cast<double>(x[pos])) : 0.0;
    const auto& nonFinite = pyramid ? pyramid->nonFinite() : std::vector<std::size_t>{};
    for (std::size_t c = 0; c < columns && pos < hi; ++c) {
        const double edge = c + 1 == columns ? x1 : x0 + width * static_cast<double>(c + 1);
        const double ahead = (edge - static_cast<double>(x[pos])) * density;
        const std::size_t guess = ahead > 0 && ahead < static_cast<double>(hi - pos) ? pos + static_cast<std::size_t>(ahead) : pos;
        std::size_t end = c + 1 == columns ? hi : lowerBoundNear(x, pos, hi, edge, guess);
        if (pyramid && end < hi) { // the next column is about as long: start loading its end now
            const std::size_t next = std::min(hi - 1, end + (end - pos));
            __builtin_prefetch(x.data() + next);
            pyramid->prefetch(y, next);
        }
        if (end == pos)
            continue;
        std::array<std::size_t, 5> keep{pos, end - 1, MinMaxPyramid::npos, MinMaxPyramid::npos, MinMaxPyramid::npos};
        if (pyramid && end - pos > kScanBelow) {
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
