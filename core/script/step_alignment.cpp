#include "core/script/step_alignment.h"

#include <algorithm>

namespace losslens::script {

namespace {

/// True when every series has the first one's steps, strictly increasing (nothing to join).
bool sameSteps(const std::vector<const Series*>& series)
{
    const auto first = series.front()->steps();
    for (std::size_t i = 1; i < first.size(); ++i)
        if (first[i] <= first[i - 1])
            return false;
    return std::all_of(series.begin() + 1, series.end(), [&](const Series* s) {
        return s->steps() == first;
    });
}

void join(const std::vector<const Series*>& series, AlignedColumns& out)
{
    std::size_t shortest = series.front()->size();
    for (const Series* s : series)
        shortest = std::min(shortest, s->size());
    out.ownedSteps.reserve(shortest);
    out.ownedWallTimes.reserve(shortest);
    out.ownedValues.resize(series.size());
    for (auto& v : out.ownedValues)
        v.reserve(shortest);

    std::vector<std::size_t> at(series.size(), 0);
    while (true) {
        // The candidate step is the largest current one; everyone catches up to it.
        std::int64_t candidate = INT64_MIN;
        for (std::size_t k = 0; k < series.size(); ++k) {
            if (at[k] >= series[k]->size())
                return;
            candidate = std::max(candidate, series[k]->steps()[at[k]]);
        }
        bool common = true;
        for (std::size_t k = 0; k < series.size(); ++k) {
            const auto steps = series[k]->steps();
            while (at[k] < steps.size() && steps[at[k]] < candidate)
                ++at[k]; // linear, not a binary search: the pointers only move forward
            if (at[k] >= steps.size())
                return;
            common = common && steps[at[k]] == candidate;
        }
        if (!common)
            continue;
        for (std::size_t k = 0; k < series.size(); ++k) {
            const auto steps = series[k]->steps();
            while (at[k] + 1 < steps.size() && steps[at[k] + 1] == candidate)
                ++at[k]; // the last of equal steps
            out.ownedValues[k].push_back(series[k]->values()[at[k]]);
            if (k == 0)
                out.ownedWallTimes.push_back(series[k]->wallTimes()[at[k]]);
            ++at[k];
        }
        out.ownedSteps.push_back(candidate);
    }
}

} // namespace

AlignedColumns alignByStep(const std::vector<const Series*>& series)
{
    AlignedColumns out;
    if (series.empty())
        return out;
    if (sameSteps(series)) {
        out.steps = series.front()->steps();
        out.wallTimes = series.front()->wallTimes();
        for (const Series* s : series)
            out.values.push_back(s->values());
        return out;
    }
    join(series, out);
    out.steps = out.ownedSteps;
    out.wallTimes = out.ownedWallTimes;
    for (const auto& v : out.ownedValues)
        out.values.emplace_back(v);
    return out;
}

} // namespace losslens::script
