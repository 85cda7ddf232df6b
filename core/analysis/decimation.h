#pragma once
// M4 decimation (Jugel et al., "M4: A Visualization-Oriented Time Series Data Aggregation",
// VLDB 2014): per pixel column keep the first, the smallest, the largest and the last point, so
// the line drawn from the kept points is the one drawn from all of them — no spike is lost.

#include "core/runs/step_column.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace losslens::analysis {

/// Min/max summaries of a series' values over blocks of 8, 64, 512, … points, so the extremes of
/// any index range are found in O(8 · log₈ n) instead of O(n). Ignores non-finite values (their
/// indices are kept in nonFinite()). Built in O(n), about n/7 pairs of doubles, and extended in
/// O(new points) when the series grows; the values themselves are not copied: pass the same span
/// to minMax().
class MinMaxPyramid {
public:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    MinMaxPyramid() = default;
    explicit MinMaxPyramid(std::span<const double> values) { extend(values); }

    /// Summarises the values appended since the pyramid was built: `values` must begin with the
    /// size() values it was built on, unchanged. The result is the pyramid of `values` built at once.
    void extend(std::span<const double> values);

    std::size_t size() const { return m_size; }
    /// Indices of the first smallest and the first largest finite value in [begin, end); npos when none.
    struct Extremes {
        std::size_t min = npos;
        std::size_t max = npos;
    };
    Extremes minMax(std::span<const double> values, std::size_t begin, std::size_t end) const;
    /// A half-open index range [begin, end).
    struct Range {
        std::size_t begin = 0, end = 0;
    };
    /// minMax() of every range into `out` (as many): the same answers. On a long series each read
    /// is a cache miss; here the reads of many ranges are in flight at once instead of one by one.
    void minMax(std::span<const double> values, std::span<const Range> ranges, std::span<Extremes> out) const;
    /// Indices of NaN and ±Inf values, ascending.
    const std::vector<std::size_t>& nonFinite() const { return m_nonFinite; }

private:
    struct Level {
        std::vector<double> min, max; // ±inf for a block without finite values
    };
    /// The best value seen so far and where: node `node` of `level` (0 = the values themselves).
    struct Best {
        double value;
        std::size_t level = 0, node = npos;
    };
    void summarise(std::span<const double> values, std::size_t level, std::size_t firstBlock);
    template <class Visit>
    void forEachSegment(std::size_t begin, std::size_t end, Visit&& visit) const;
    void scan(std::span<const double> values, std::size_t level, std::size_t begin, std::size_t end, Best& lo, Best& hi) const;
    void prefetchRange(std::span<const double> values, Range range) const;
    /// The values one level below `best`'s node: its children, whose first match the descent follows.
    const double* children(std::span<const double> values, const Best& best, bool wantMin) const;
    void descendAll(std::span<const double> values, std::span<const Best> lows, std::span<const Best> highs, std::span<Extremes> out) const;
    std::size_t levelSize(std::size_t level) const { return level == 0 ? m_size : m_levels[level - 1].min.size(); }

    std::size_t m_size = 0;
    std::vector<Level> m_levels; // m_levels[k] summarises blocks of 8^(k+1) points
    std::vector<std::size_t> m_nonFinite;
};

/// The indices (ascending, unique) of the points M4 keeps for drawing x ∈ [x0, x1] on `columns`
/// pixel columns: per column the first, last, smallest and largest finite value, and the first
/// non-finite value (so NaN/Inf gaps survive decimation), plus the nearest point outside each
/// edge so lines reach the border. `x` must not decrease. With a pyramid built on `y`, a column of
/// many points costs O(log n) instead of its point count (a column of a few dozen is scanned).
/// Never more than 5·columns + 2 indices.
std::vector<std::size_t> m4Indices(std::span<const double> x, std::span<const double> y, double x0, double x1,
                                   std::size_t columns, const MinMaxPyramid* pyramid = nullptr);
std::vector<std::size_t> m4Indices(Steps x, std::span<const double> y, double x0, double x1, std::size_t columns,
                                   const MinMaxPyramid* pyramid = nullptr);

} // namespace losslens::analysis
