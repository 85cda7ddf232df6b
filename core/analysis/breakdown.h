#pragma once
// What the total is made of: the recipe total = Σ wᵢ·componentᵢ + Σ regularizationⱼ, each term's
// contribution and share, and how much of the logged total the recipe does not explain.

#include "core/runs/role.h"

#include <cstdint>
#include <string>
#include <vector>

namespace losslens::analysis {

/// One term of the recipe, its values aligned on BreakdownInput::steps.
struct BreakdownTerm {
    std::string name;
    Role role = Role::Component; ///< Component or Regularization
    /// A user weight. A component's contribution is weight · loggedWeight(t) · value(t); a
    /// regularization term's contribution is weight · value(t) (weight 1 in the recipe).
    double weight = 1.0;
    std::vector<double> values;
    /// The weight the training loop logged per step (e.g. "task_weight/<name>"), aligned; empty = 1.
    std::vector<double> loggedWeights = {};
};

struct BreakdownInput {
    std::vector<std::int64_t> steps;
    std::vector<BreakdownTerm> terms;   ///< in stacking order, bottom first
    std::vector<double> loggedTotal;    ///< aligned on steps; empty when the run logs no total
};

/// Everything per step (vectors have steps.size() entries; per-term vectors follow terms' order).
/// NaN anywhere in a step's inputs makes the affected outputs NaN at that step (a gap).
struct Breakdown {
    std::vector<std::vector<double>> contributions; ///< cᵢ(t)
    std::vector<std::vector<double>> stacked;       ///< upper edge of term i: Σ_{k≤i} cₖ(t)
    std::vector<std::vector<double>> shares;        ///< cᵢ(t) / reference(t)
    std::vector<double> recomputed;                 ///< Σᵢ cᵢ(t)
    std::vector<double> remainder;                  ///< loggedTotal(t) − recomputed(t); NaN without a logged total
    std::vector<double> remainderShare;             ///< remainder(t) / loggedTotal(t)
    /// reference(t) = loggedTotal(t) when finite and non-zero, else recomputed(t): so the shares
    /// and remainderShare add up to 1 whenever a total is logged.
    std::vector<double> reference;
};

/// Throws std::invalid_argument when a vector's length differs from steps.size().
Breakdown computeBreakdown(const BreakdownInput& input);

} // namespace losslens::analysis
