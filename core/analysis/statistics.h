#pragma once
// Summary numbers of a curve: where it ended, its best value, and the range worth showing.

#include "core/runs/step_column.h"

#include <cstdint>
#include <span>
#include <utility>

namespace losslens::analysis {

struct CurveStats {
    std::size_t points = 0;
    std::int64_t lastStep = 0;
    double last = 0.0;       ///< the last finite value (NaN when none)
    std::int64_t bestStep = 0;
    double best = 0.0;       ///< the smallest finite value and its first step (NaN when none)
    /// Mean of the finite values among the last ⌈10 %⌉ of the points (NaN when none).
    double meanLast10 = 0.0;
};

CurveStats curveStats(Steps steps, std::span<const double> values);

/// The [lo, hi] quantiles of the finite values (linear interpolation between order statistics,
/// numpy.percentile's default); {NaN, NaN} when there is none. TensorBoard's "ignore outliers"
/// uses lo = 0.05, hi = 0.95.
std::pair<double, double> quantileRange(std::span<const double> values, double lo = 0.05, double hi = 0.95);

} // namespace losslens::analysis
