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

} // namespace

std::size_t extendEma(std::span<const double> values, double weight, EmaState& state, std::vector<double>& smoothed)
{
    checkWeight(weight);
    if (smoothed.size() > values.size())
        throw std::invalid_argument("extendEma: more smoothed values than values");
    std::size_t first = smoothed.size();
    if (weight == 0.0) {
        smoothed.insert(smoothed.end(), values.begin() + std::ptrdiff_t(first), values.end());
        return first;
    }
    // TensorBoard leaves a constant series as it is; the first different value smooths it all
    for (std::size_t i = first; i < values.size() && state.constant; ++i)
        if (!(values[i] == values.front()))
            state = {}, state.constant = false, first = 0;
    smoothed.resize(first);
    if (state.constant) {
        smoothed.assign(values.begin(), values.end());
        return first;
    }
    smoothed.resize(values.size());
    double last = state.last, decay = state.decay;
    for (std::size_t i = first; i < values.size(); ++i) {
        const double v = values[i];
        if (!std::isfinite(v)) {
            smoothed[i] = v;
            continue;
        }
        last = last * weight + (1.0 - weight) * v;
        if (decay == 0.0) { // debiased: last / 1 is last, and a division a point is the loop's cost
            smoothed[i] = last;
            continue;
        }
        // once wⁿ < 1e-20, 1 − wⁿ is 1 in double; stop before wⁿ turns denormal (100× slower)
        decay = decay < 1e-20 ? 0.0 : decay * weight;
        smoothed[i] = last / (1.0 - decay);
    }
    state.last = last, state.decay = decay;
    return first;
}

std::vector<double> smoothEma(std::span<const double> values, double weight)
{
    EmaState state;
    std::vector<double> out;
    out.reserve(values.size());
    extendEma(values, weight, state, out);
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
