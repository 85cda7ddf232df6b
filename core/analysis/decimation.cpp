#include "core/analysis/decimation.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>

namespace losslens::analysis {

namespace {
constexpr std::size_t kFan = 8;
constexpr double kInf = std::numeric_limits<double>::infinity();
// Columns of fewer points are scanned: 200 values are 25 cache lines read in order, which the
// prefetcher sees coming, while the pyramid's levels and descents each cost a miss of their own.
// Measured with 48, 200, 400 and 800: 200 halves the decimation of 200 curves of 100 k points
// (scale.sh) and leaves BM_RenderFrame (columns of ~800 points) as it was.
constexpr std::size_t kScanBelow = 200;
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

// Calls visit(level, first node, end node) for the nodes whose summaries cover [begin, end) exactly:
// left edges bottom-up, whole blocks at the top, right edges top-down, so in index order.
template <class Visit>
void MinMaxPyramid::forEachSegment(std::size_t begin, std::size_t end, Visit&& visit) const
{
    end = std::min(end, m_size);
    std::array<std::array<std::size_t, 3>, 24> rightEdges; // level, begin, end; 8²⁴ > 2⁶⁴ (not zeroed: hot)
    std::size_t pending = 0, level = 0;
    while (begin < end) {
        const std::size_t alignedBegin = (begin + kFan - 1) / kFan * kFan, alignedEnd = end / kFan * kFan;
        if (level == m_levels.size() || end - begin < 2 * kFan || alignedBegin >= alignedEnd) {
            visit(level, begin, end);
            break;
        }
        visit(level, begin, alignedBegin);
        rightEdges[pending++] = {level, alignedEnd, end};
        begin = alignedBegin / kFan, end = alignedEnd / kFan, ++level;
    }
    while (pending > 0) {
        const auto& [l, b, e] = rightEdges[--pending];
        visit(l, b, e);
    }
}

// Asks for the cache lines a scan of `range` reads. A segment is under 2·kFan nodes, at most 120
// bytes: the lines of its first, middle and last node hold it.
void MinMaxPyramid::prefetchRange(std::span<const double> values, Range range) const
{
    const auto lines = [](const double* nodes, std::size_t b, std::size_t e) {
        __builtin_prefetch(nodes + b), __builtin_prefetch(nodes + (b + e) / 2), __builtin_prefetch(nodes + e - 1);
    };
    forEachSegment(range.begin, range.end, [&](std::size_t level, std::size_t b, std::size_t e) {
        if (b >= e)
            return;
        if (level == 0)
            return lines(values.data(), b, e);
        lines(m_levels[level - 1].min.data(), b, e), lines(m_levels[level - 1].max.data(), b, e);
    });
}

const double* MinMaxPyramid::children(std::span<const double> values, const Best& best, bool wantMin) const
{
    const std::size_t first = best.node * kFan;
    if (best.level == 1)
        return values.data() + first;
    const Level& below = m_levels[best.level - 2];
    return (wantMin ? below.min.data() : below.max.data()) + first;
}

// Walks each best node down to the first point under it with its value. The walks go one level at
// a time, all of them, with every child block requested before any is read: a walk is a chain of
// misses, but the chains of different ranges are independent.
void MinMaxPyramid::descendAll(std::span<const double> values, std::span<const Best> lows, std::span<const Best> highs,
                               std::span<Extremes> out) const
{
    struct Walk {
        Best best;
        bool wantMin;
        std::size_t* result;
    };
    std::vector<Walk> walks;
    walks.reserve(2 * out.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i] = Extremes{};
        if (lows[i].node != npos)
            walks.push_back({lows[i], true, &out[i].min});
        if (highs[i].node != npos)
            walks.push_back({highs[i], false, &out[i].max});
    }
    while (!walks.empty()) {
        for (const Walk& w : walks)
            if (w.best.level > 0)
                __builtin_prefetch(children(values, w.best, w.wantMin));
        std::size_t going = 0;
        for (Walk& w : walks) {
            if (w.best.level == 0) {
                *w.result = w.best.node;
                continue;
            }
            const double* child = children(values, w.best, w.wantMin);
            const std::size_t count = std::min(levelSize(w.best.level - 1) - w.best.node * kFan, kFan);
            std::size_t k = 0;
            while (k + 1 < count && child[k] != w.best.value)
                ++k;
            w.best.node = w.best.node * kFan + k, --w.best.level;
            walks[going++] = w;
        }
        walks.resize(going);
    }
}

MinMaxPyramid::Extremes MinMaxPyramid::minMax(std::span<const double> values, std::size_t begin, std::size_t end) const
{
    Extremes e;
    const Range range{begin, end};
    minMax(values, {&range, 1}, {&e, 1});
    return e;
}

void MinMaxPyramid::minMax(std::span<const double> values, std::span<const Range> ranges, std::span<Extremes> out) const
{
    if (values.size() != m_size)
        throw std::invalid_argument("MinMaxPyramid::minMax: the values are not the ones the pyramid was built on");
    if (out.size() != ranges.size())
        throw std::invalid_argument("MinMaxPyramid::minMax: as many results as ranges are needed");
    // Each range is scanned while the reads of the one kAhead after it are on their way.
    constexpr std::size_t kAhead = 6;
    std::vector<Best> lows(ranges.size(), Best{kInf}), highs(ranges.size(), Best{-kInf});
    for (std::size_t i = 0; i < std::min(kAhead, ranges.size()); ++i)
        prefetchRange(values, ranges[i]);
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        if (i + kAhead < ranges.size())
            prefetchRange(values, ranges[i + kAhead]);
        forEachSegment(ranges[i].begin, ranges[i].end,
                       [&](std::size_t level, std::size_t b, std::size_t e) { scan(values, level, b, e, lows[i], highs[i]); });
    }
    descendAll(values, lows, highs, out);
}

namespace {

// std::lower_bound of `value` in x[lo, hi), searched outwards from `guess`: a few probes near it
// instead of log₂ n scattered over the series (each a cache miss on a long one).
template <class Xs>
std::size_t lowerBoundNear(const Xs& x, std::size_t lo, std::size_t hi, double value, std::size_t guess)
{
    using X = std::remove_cvref_t<decltype(x[0])>;
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

// Where each column of [pos, hi) ends, in x: columns+1 boundaries from pos (empty columns repeat one).
// Where x[i] lives, for prefetching.
const void* addressOf(std::span<const double> x, std::size_t i) { return x.data() + i; }
const void* addressOf(const Steps& x, std::size_t i) { return x.address(i); }

template <class Xs>
std::vector<std::size_t> columnBounds(const Xs& x, std::size_t pos, std::size_t hi, double x0, double x1, std::size_t columns)
{
    std::vector<std::size_t> bounds{pos};
    bounds.reserve(columns + 1);
    const double width = x1 > x0 ? (x1 - x0) / static_cast<double>(columns) : 1.0;
    // points per unit of x: logs are mostly evenly spaced, so a column's end is where this puts it
    const double density = hi > pos + 1 ? static_cast<double>(hi - 1 - pos) / (static_cast<double>(x[hi - 1]) - static_cast<double>(x[pos])) : 0.0;
    constexpr std::size_t kAhead = 4; // columns whose ends are loaded ahead of the search
    for (std::size_t c = 0; c < columns && pos < hi; ++c) {
        const double edge = c + 1 == columns ? x1 : x0 + width * static_cast<double>(c + 1);
        const double ahead = (edge - static_cast<double>(x[pos])) * density;
        const std::size_t guess = ahead > 0 && ahead < static_cast<double>(hi - pos) ? pos + static_cast<std::size_t>(ahead) : pos;
        const std::size_t end = c + 1 == columns ? hi : lowerBoundNear(x, pos, hi, edge, guess);
        if (end < hi)
            __builtin_prefetch(addressOf(x, std::min(hi - 1, end + kAhead * (end - pos))));
        bounds.push_back(end);
        pos = end;
    }
    return bounds;
}

// The first, last, smallest, largest and first non-finite point of y[begin, end), by a scan.
std::array<std::size_t, 5> scanColumn(std::span<const double> y, std::size_t begin, std::size_t end)
{
    std::array<std::size_t, 5> keep{begin, end - 1, MinMaxPyramid::npos, MinMaxPyramid::npos, MinMaxPyramid::npos};
    double lo = kInf, hi = -kInf;
    for (std::size_t i = begin; i < end; ++i) {
        const double v = y[i];
        if (std::isfinite(v)) {
            if (v < lo)
                lo = v, keep[2] = i;
            if (v > hi)
                hi = v, keep[3] = i;
        } else if (keep[4] == MinMaxPyramid::npos) {
            keep[4] = i;
        }
    }
    return keep;
}

template <class Xs>
std::vector<std::size_t> m4(const Xs& x, std::span<const double> y, double x0, double x1, std::size_t columns,
                            const MinMaxPyramid* pyramid)
{
    using X = std::remove_cvref_t<decltype(x[0])>;
    if (x.size() != y.size())
        throw std::invalid_argument("m4Indices: x and y differ in length");
    if (pyramid && pyramid->size() != y.size())
        throw std::invalid_argument("m4Indices: the pyramid was built on other values");
    std::vector<std::size_t> out;
    if (x.empty() || columns == 0 || !(x1 >= x0))
        return out;
    const auto below = [](X a, double b) { return static_cast<double>(a) < b; };
    const auto above = [](double a, X b) { return a < static_cast<double>(b); };
    const std::size_t pos = static_cast<std::size_t>(std::lower_bound(x.begin(), x.end(), x0, below) - x.begin());
    const std::size_t hi = static_cast<std::size_t>(std::upper_bound(x.begin(), x.end(), x1, above) - x.begin());
    const std::vector<std::size_t> bounds = columnBounds(x, pos, hi, x0, x1, columns);

    // Per column the points kept; a long column's extremes come from the pyramid, all at once.
    std::vector<std::array<std::size_t, 5>> keep(bounds.size() - 1);
    std::vector<MinMaxPyramid::Range> fromPyramid;
    std::vector<std::size_t> pyramidColumns;
    const auto& nonFinite = pyramid ? pyramid->nonFinite() : std::vector<std::size_t>{};
    for (std::size_t c = 0; c + 1 < bounds.size(); ++c) {
        const std::size_t begin = bounds[c], end = bounds[c + 1];
        if (end == begin) {
            keep[c].fill(MinMaxPyramid::npos);
        } else if (pyramid && end - begin > kScanBelow) {
            keep[c] = {begin, end - 1, MinMaxPyramid::npos, MinMaxPyramid::npos, MinMaxPyramid::npos};
            const auto nf = std::lower_bound(nonFinite.begin(), nonFinite.end(), begin);
            if (nf != nonFinite.end() && *nf < end)
                keep[c][4] = *nf;
            fromPyramid.push_back({begin, end});
            pyramidColumns.push_back(c);
        } else {
            keep[c] = scanColumn(y, begin, end);
        }
    }
    if (!fromPyramid.empty()) {
        std::vector<MinMaxPyramid::Extremes> extremes(fromPyramid.size());
        pyramid->minMax(y, fromPyramid, extremes);
        for (std::size_t k = 0; k < extremes.size(); ++k)
            keep[pyramidColumns[k]][2] = extremes[k].min, keep[pyramidColumns[k]][3] = extremes[k].max;
    }

    out.reserve(std::min(x.size(), columns * 4 + 2));
    if (pos > 0)
        out.push_back(pos - 1);
    for (auto& column : keep) {
        std::sort(column.begin(), column.end());
        for (std::size_t k : column)
            if (k != MinMaxPyramid::npos && (out.empty() || out.back() != k))
                out.push_back(k);
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

std::vector<std::size_t> m4Indices(Steps x, std::span<const double> y, double x0, double x1, std::size_t columns,
                                   const MinMaxPyramid* pyramid)
{
    return m4(x, y, x0, x1, columns, pyramid);
}

} // namespace losslens::analysis
