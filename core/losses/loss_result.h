#pragma once

#include "core/tensor.h"

#include <string>

namespace losslens {

class LossCollection;

/// What every loss returns: the reported value and, on request, its gradient.
template <typename T>
struct LossResult {
    /// Rank 0 for reduced losses; the loss shape for Reduction::None.
    Tensor<double> value;
    /// d(Σ value)/d(predictions or logits), shaped like them; absent unless Gradient::Compute.
    Tensor<T> gradient;

    /// The reduced value; throws std::logic_error for an unreduced (Reduction::None) result.
    double scalar() const;
    /// slim.losses' side effect, made explicit: records the reduced value in `collection` under
    /// `name` (e.g. "scene/xent") as a component of the total. Returns *this for chaining.
    const LossResult& addTo(LossCollection& collection, const std::string& name, double weight = 1.0) const;
};

} // namespace losslens
