#include "core/analysis/task_balance.h"

#include "core/losses/task_weighting.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace losslens::analysis {

std::vector<double> relativeToFirst(std::span<const double> values)
{
    double first = std::numeric_limits<double>::quiet_NaN();
    for (double v : values)
        if (std::isfinite(v) && v != 0.0) {
            first = v;
            break;
        }
    std::vector<double> out(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        out[i] = values[i] / first;
    return out;
}

DwaSchedule dwaSchedule(std::span<const std::int64_t> steps, const std::vector<std::vector<double>>& taskLosses,
                        std::int64_t stepsPerEpoch, double temperature)
{
    if (stepsPerEpoch < 1)
        throw std::invalid_argument("dwaSchedule: steps per epoch must be at least 1");
    for (const auto& t : taskLosses)
        if (t.size() != steps.size())
            throw std::invalid_argument("dwaSchedule: every task's losses must be aligned on the steps");
    DwaSchedule out;
    const std::size_t k = taskLosses.size();
    out.weights.resize(k);
    if (steps.empty() || k == 0)
        return out;
    std::vector<std::vector<double>> means; // per epoch, per task
    std::size_t i = 0;
    while (i < steps.size()) {
        const std::int64_t epoch = (steps[i] - steps.front()) / stepsPerEpoch;
        const std::int64_t end = steps.front() + (epoch + 1) * stepsPerEpoch;
        std::vector<double> sum(k, 0.0), count(k, 0.0);
        out.epochStarts.push_back(steps.front() + epoch * stepsPerEpoch);
        for (; i < steps.size() && steps[i] < end; ++i)
            for (std::size_t t = 0; t < k; ++t)
                if (std::isfinite(taskLosses[t][i]))
                    sum[t] += taskLosses[t][i], count[t] += 1.0;
        for (std::size_t t = 0; t < k; ++t)
            sum[t] = count[t] > 0 ? sum[t] / count[t] : std::numeric_limits<double>::quiet_NaN();
        means.push_back(std::move(sum));
    }
    for (std::size_t e = 0; e < means.size(); ++e) {
        std::vector<double> w(k, 1.0);
        if (e >= 2)
            w = dynamicWeightAverage(means[e - 1], means[e - 2], temperature);
        for (std::size_t t = 0; t < k; ++t)
            out.weights[t].push_back(w[t]);
    }
    return out;
}

} // namespace losslens::analysis
