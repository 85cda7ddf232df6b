#pragma once
// Option structs shared by several losses. Designated initializers make calls read well:
//   meanSquaredError(pred, truth, {.weights = valid, .reduction = Reduction::Mean});

#include "core/losses/reduction.h"

namespace losslens {

/// Options of losses with no parameter of their own (absolute_difference, mean_squared_error, …).
template <typename T>
struct LossOptions {
    TensorView<T> weights{};                              ///< absent = 1
    Reduction reduction = Reduction::SumByNonzeroWeights; ///< TF1's default
    Gradient gradient = Gradient::Skip;
};

} // namespace losslens
