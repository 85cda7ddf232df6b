#include "core/analysis/smoothing.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace losslens::analysis {

namespace {

void checkWeight(double weight)
{
    if (!(weight >= 0.0 && weight < 1.0))
        throw std::invalid_argument("smoothing weight must be in [0, 1), e.g. 0.6");
}

bool isConstant(std::span<const double> values)
{
    return std::all_of(values.begin(), values.end(), [&](double v) { return v == values.front(); });
}

} // namespace

std::vector<double> smoothEma(std::span<const double> values, double weight)
{
    checkWeight(weight);
    std::vector<double> out(values.begin(), values.end());
    if (weight == 0.0 || values.empty() || isConstant(values))
        return out;
    double last = 0.0;
    double decay = 1.0; // wⁿ, kept as a product: pow() per point would dominate the loop
    for (double& v : out) {
        if (!std::isfinite(v))
            continue;
        last = last * weight + (1.0 - weight) * v;
        // once wⁿ < 1e-20, 1 − wⁿ is 1 in double; stop before wⁿ turns denormal (100× slower)
        decay = decay < 1e-20 ? 0.0 : decay * weight;
        v = last / (1.0 - decay);
    }
    return out;
}

std::vector<double> smoothTimeWeighted(std::span<const double> x, std::span<const double> values, double weight)
{
    checkWeight(weight);
    if (x.size() != values.size())
        throw std::invalid_argument("smoothTimeWeighted: x and values differ in length");
    std::vector<double> out(values.begin(), values.end());
    if (weight == 0.0 || values.empty())
        return out;
    double lo = INFINITY, hi = -INFINITY;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (std::isfinite(values[i]) && std::isfinite(x[i]))
            lo = std::min(lo, x[i]), hi = std::max(hi, x[i]);
    if (!(hi > lo))
        return out;
    const double tau = -((hi - lo) / 1000.0) / std::log(weight);
    double num = 0.0, den = 0.0, prevX = 0.0, lastDx = -1.0, a = 0.0;
    bool started = false;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const double v = values[i];
        if (!std::isfinite(v) || !std::isfinite(x[i]))
            continue;
        if (!started) {
            // as if a point spaced span/1000 earlier had weight w: then it is TensorBoard's EMA
            num = (1.0 - weight) * v, den = 1.0 - weight, started = true;
        } else {
            const double dx = std::max(0.0, x[i] - prevX);
            if (dx != lastDx) // evenly spaced logs: one exp() per series, not per point
                a = std::exp(-dx / tau), lastDx = dx;
            num = a * num + (1.0 - a) * v;
            den = a * den + (1.0 - a);
        }
        prevX = x[i];
        out[i] = num / den;
    }
    return out;
}

std::vector<double> smooth(SmoothingKind kind, std::span<const double> x, std::span<const double> values, double weight)
{
    return kind == SmoothingKind::Ema ? smoothEma(values, weight) : smoothTimeWeighted(x, values, weight);
}

} // namespace losslens::analysis
