#pragma once
// Putting series logged at different steps on one step grid, so they can be added, divided and
// compared point by point.

#include "core/runs/step_column.h"

#include <cstdint>
#include <span>
#include <vector>

namespace losslens::analysis {

enum class AlignMode {
    Exact,   ///< the value logged at that very step, NaN when there is none
    Previous ///< the last value logged at or before that step (sample and hold), NaN before the first
};

/// The values of the series (steps ascending, values) at each of `targets` (ascending). When a
/// step was logged several times the last value wins, as in TensorBoard.
std::vector<double> alignToSteps(Steps steps, std::span<const double> values,
                                 std::span<const std::int64_t> targets, AlignMode mode);

/// Every step that occurs in any of the series, ascending and unique.
std::vector<std::int64_t> unionOfSteps(std::span<const Steps> series);

/// The index of the point whose x is nearest to `x` (ties: the earlier), or -1 when x is empty.
std::ptrdiff_t nearestIndex(std::span<const double> xs, double x);
std::ptrdiff_t nearestIndex(Steps xs, double x);

} // namespace losslens::analysis
