#include "core/analysis/alignment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>

namespace losslens::analysis {

std::vector<double> alignToSteps(Steps steps, std::span<const double> values,
                                 std::span<const std::int64_t> targets, AlignMode mode)
{
    if (steps.size() != values.size())
        throw std::invalid_argument("alignToSteps: steps and values differ in length");
    std::vector<double> out(targets.size(), std::numeric_limits<double>::quiet_NaN());
    std::size_t i = 0; // first point with step > the current target, moving forward only
    for (std::size_t t = 0; t < targets.size(); ++t) {
        while (i < steps.size() && steps[i] <= targets[t])
            ++i;
        if (i == 0)
            continue;
        if (mode == AlignMode::Previous || steps[i - 1] == targets[t])
            out[t] = values[i - 1];
    }
    return out;
}

std::vector<std::int64_t> unionOfSteps(std::span<const Steps> series)
{
    std::vector<std::int64_t> out;
    for (const auto& s : series) {
        std::vector<std::int64_t> merged;
        merged.reserve(out.size() + s.size());
        std::set_union(out.begin(), out.end(), s.begin(), s.end(), std::back_inserter(merged));
        out = std::move(merged);
    }
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

namespace {
template <class Xs>
std::ptrdiff_t nearest(const Xs& xs, double x)
{
    using X = std::remove_cvref_t<decltype(xs[0])>;
    if (xs.empty())
        return -1;
    const auto it = std::lower_bound(xs.begin(), xs.end(), x, [](X a, double b) { return static_cast<double>(a) < b; });
    if (it == xs.begin())
        return 0;
    if (it == xs.end())
        return static_cast<std::ptrdiff_t>(xs.size()) - 1;
    const auto after = it - xs.begin();
    return x - static_cast<double>(*(it - 1)) <= static_cast<double>(*it) - x ? after - 1 : after;
}
} // namespace

std::ptrdiff_t nearestIndex(std::span<const double> xs, double x) { return nearest(xs, x); }
std::ptrdiff_t nearestIndex(Steps xs, double x) { return nearest(xs, x); }

} // namespace losslens::analysis
