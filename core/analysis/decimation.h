#pragma once
// M4 decimation (Jugel et al., "M4: A Visualization-Oriented Time Series Data Aggregation",
// VLDB 2014): per pixel column keep the first, the smallest, the largest and the last point, so
// the line drawn from the kept points is the one drawn from all of them — no spike is lost.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace losslens::analysis {

/// Min/max summaries of a series' values over blocks of 8, 64, 512, … points, so the extremes of
/// any index range are found in O(8 · log₈ n) instead of O(n). Ignores non-finite values (their
/// indices are kept in nonFinite()). Built once per series (O(n), about n/7 pairs of doubles);
/// the values themselves are not copied: pass the same span to minMax().
class MinMaxPyramid {
public:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    MinMaxPyramid() = default;
    explicit MinMaxPyramid(std::span<const double> values);

    std::size_t size() const { return m_size; }
    /// Indices of the (first) smallest and largest finite value in [begin, end); npos when none.
    struct Extremes {
        std::size_t min = npos;
        std::size_t max = npos;
    };
    Extremes minMax(std::span<const double> values, std::size_t begin, std::size_t end) const;
    /// Indices of NaN and ±Inf values, ascending.
    const std::vector<std::size_t>& nonFinite() const { return m_nonFinite; }

private:
    struct Level {
        std::vector<double> min, max;
    };
    void scanLevel(std::span<const double> values, std::size_t level, std::size_t begin, std::size_t end,
                   double& lo, std::size_t& loLevel, std::size_t& loNode, double& hi, std::size_t& hiLevel,
                   std::size_t& hiNode) const;
    std::size_t descend(std::span<const double> values, std::size_t level, std::size_t node, double target, bool wantMin) const;

    std::size_t m_size = 0;
    std::vector<Level> m_levels; // m_levels[k] summarises blocks of 8^(k+1) points
    std::vector<std::size_t> m_nonFinite;
};

/// The indices (ascending, unique) of the points M4 keeps for drawing x ∈ [x0, x1] on `columns`
/// pixel columns: per column the first, last, smallest and largest finite value, and the first
/// non-finite value (so NaN/Inf gaps survive decimation), plus the nearest point outside each
/// edge so lines reach the border. `x` must not decrease. With a pyramid built on `y`, each column
/// costs O(log n) instead of its point count. Never more than 5·columns + 2 indices.
std::vector<std::size_t> m4Indices(std::span<const double> x, std::span<const double> y, double x0, double x1,
                                   std::size_t columns, const MinMaxPyramid* pyramid = nullptr);
std::vector<std::size_t> m4Indices(std::span<const std::int64_t> x, std::span<const double> y, double x0, double x1,
                                   std::size_t columns, const MinMaxPyramid* pyramid = nullptr);

} // namespace losslens::analysis
