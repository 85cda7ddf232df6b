#include "core/analysis/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace losslens::analysis {

CurveStats curveStats(Steps steps, std::span<const double> values)
{
    if (steps.size() != values.size())
        throw std::invalid_argument("curveStats: steps and values differ in length");
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    CurveStats s{values.size(), 0, nan, 0, nan, nan};
    const std::size_t n = values.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(values[i]))
            continue;
        s.last = values[i], s.lastStep = steps[i];
        if (std::isnan(s.best) || values[i] < s.best)
            s.best = values[i], s.bestStep = steps[i];
    }
    const std::size_t tail = (n + 9) / 10;
    double sum = 0.0;
    std::size_t count = 0;
    for (std::size_t i = n - tail; i < n; ++i)
        if (std::isfinite(values[i]))
            sum += values[i], ++count;
    if (count > 0)
        s.meanLast10 = sum / static_cast<double>(count);
    return s;
}

std::pair<double, double> quantileRange(std::span<const double> values, double lo, double hi)
{
    if (!(lo >= 0.0 && lo <= hi && hi <= 1.0))
        throw std::invalid_argument("quantileRange: need 0 ≤ lo ≤ hi ≤ 1");
    std::vector<double> v;
    v.reserve(values.size());
    for (double x : values)
        if (std::isfinite(x))
            v.push_back(x);
    if (v.empty())
        return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    const auto quantile = [&](double q) {
        const double pos = q * static_cast<double>(v.size() - 1);
        const auto below = static_cast<std::size_t>(std::floor(pos));
        const std::size_t above = std::min(below + 1, v.size() - 1);
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(below), v.end());
        const double a = v[below];
        const double b = above == below ? a : *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(below) + 1, v.end());
        return a + (b - a) * (pos - static_cast<double>(below));
    };
    const double qlo = quantile(lo);
    return {qlo, quantile(hi)};
}

} // namespace losslens::analysis
