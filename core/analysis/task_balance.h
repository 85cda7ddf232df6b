#pragma once
// Task balance: how far each task's loss has come relative to its start (the inverse training
// rate GradNorm balances) and the weights Dynamic Weight Average would give the tasks.

#include <cstdint>
#include <span>
#include <vector>

namespace losslens::analysis {

/// rᵢ(t) = Lᵢ(t) / Lᵢ(0), with Lᵢ(0) the first finite non-zero value (Chen et al., "GradNorm",
/// ICML 2018, the loss ratio L̃ᵢ(t)). All NaN when there is no such value; non-finite values stay.
std::vector<double> relativeToFirst(std::span<const double> values);

/// DWA weights per epoch for K tasks whose losses are aligned on `steps` (ascending).
struct DwaSchedule {
    std::vector<std::int64_t> epochStarts;   ///< the first step of each epoch
    std::vector<std::vector<double>> weights; ///< weights[k][e]: task k in epoch e (Σₖ = K)
};

/// Epoch e holds the steps in [s₀ + e·stepsPerEpoch, s₀ + (e+1)·stepsPerEpoch). Each epoch's mean
/// loss per task (finite values) feeds losslens::dynamicWeightAverage (Liu et al., CVPR 2019,
/// eq. 7) with the two previous epochs; the first two epochs get weight 1, as in the paper.
/// Throws std::invalid_argument when stepsPerEpoch < 1 or a task is not aligned on steps.
DwaSchedule dwaSchedule(std::span<const std::int64_t> steps, const std::vector<std::vector<double>>& taskLosses,
                        std::int64_t stepsPerEpoch, double temperature = 2.0);

} // namespace losslens::analysis
