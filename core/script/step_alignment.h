#pragma once
// Several series of one run on common steps: the grid derived series are computed on.

#include "core/runs/series.h"

#include <cstdint>
#include <span>
#include <vector>

namespace losslens::script {

/// Columns aligned by step: values[k][i] is series k at steps[i]. The spans view the series
/// themselves when they all share one strictly increasing step column (the common case: no copy),
/// else the storage below. Move-only; valid while the series live.
struct AlignedColumns {
    Steps steps;
    std::span<const double> wallTimes; ///< of the first series
    std::vector<std::span<const double>> values;

    AlignedColumns() = default;
    AlignedColumns(AlignedColumns&&) = default;
    AlignedColumns& operator=(AlignedColumns&&) = default;
    AlignedColumns(const AlignedColumns&) = delete;
    AlignedColumns& operator=(const AlignedColumns&) = delete;

    // Storage behind the spans when the steps differ between series.
    std::vector<std::int64_t> ownedSteps;
    std::vector<double> ownedWallTimes;
    std::vector<std::vector<double>> ownedValues;
};

/// The steps every series has (an inner join), in increasing order. Where a series logged a step
/// more than once (equal steps are kept by Series), its last value at that step is used. O(total points).
AlignedColumns alignByStep(const std::vector<const Series*>& series);

} // namespace losslens::script
