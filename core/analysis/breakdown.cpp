#include "core/analysis/breakdown.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace losslens::analysis {

Breakdown computeBreakdown(const BreakdownInput& input)
{
    const std::size_t n = input.steps.size();
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    if (!input.loggedTotal.empty() && input.loggedTotal.size() != n)
        throw std::invalid_argument("computeBreakdown: the logged total is not aligned on the steps");
    for (const auto& t : input.terms)
        if (t.values.size() != n || (!t.loggedWeights.empty() && t.loggedWeights.size() != n))
            throw std::invalid_argument("computeBreakdown: term '" + t.name + "' is not aligned on the steps");

    Breakdown b;
    b.recomputed.assign(n, 0.0);
    for (const auto& t : input.terms) {
        std::vector<double> c(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double w = t.weight * (t.loggedWeights.empty() || t.role != Role::Component ? 1.0 : t.loggedWeights[i]);
            c[i] = w * t.values[i];
            b.recomputed[i] += c[i];
        }
        b.stacked.push_back(b.recomputed);
        b.contributions.push_back(std::move(c));
    }
    b.remainder.assign(n, nan);
    b.remainderShare.assign(n, nan);
    b.reference = b.recomputed;
    for (std::size_t i = 0; i < n; ++i) {
        if (input.loggedTotal.empty())
            continue;
        const double total = input.loggedTotal[i];
        b.remainder[i] = total - b.recomputed[i];
        if (std::isfinite(total) && total != 0.0) {
            b.reference[i] = total;
            b.remainderShare[i] = b.remainder[i] / total;
        }
    }
    for (const auto& c : b.contributions) {
        std::vector<double> s(n);
        for (std::size_t i = 0; i < n; ++i)
            s[i] = b.reference[i] != 0.0 ? c[i] / b.reference[i] : nan;
        b.shares.push_back(std::move(s));
    }
    return b;
}

} // namespace losslens::analysis
