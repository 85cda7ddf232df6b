#include "core/runs/run_summary.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace losslens {

namespace {

const Series* pickTotal(const Run& run)
{
    for (std::string_view preferred : {"total_loss", "loss"})
        if (const Series* s = run.find(preferred); s && s->role() == Role::Total && !s->empty())
            return s;
    for (const auto& s : run.allSeries())
        if (s->role() == Role::Total && !s->empty())
            return s.get();
    return nullptr;
}

TagSummary summarize(const Series& s)
{
    TagSummary t{s.tag(), s.role(), s.size(), s.steps().back(), s.values().back(), std::numeric_limits<double>::quiet_NaN(), 0, {}};
    const auto values = s.values();
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isnan(values[i]) && (std::isnan(t.min) || values[i] < t.min)) {
            t.min = values[i];
            t.minStep = s.steps()[i];
        }
    return t;
}

std::optional<double> valueAt(const Series& s, std::int64_t step)
{
    const auto i = s.indexAtOrBefore(step);
    return i ? std::optional<double>(s.values()[*i]) : std::nullopt;
}

} // namespace

RunSummary summarizeRun(const Run& run)
{
    RunSummary summary;
    summary.run = run.name();
    std::vector<const Series*> losses;
    for (const auto& s : run.allSeries())
        if (s->role() != Role::Other && !s->empty())
            losses.push_back(s.get());
    const Series* total = pickTotal(run);
    if (total) {
        summary.totalTag = total->tag();
        summary.referenceStep = total->steps().back();
        summary.total = total->values().back();
    } else {
        for (const Series* s : losses)
            summary.referenceStep = std::max(summary.referenceStep, s->steps().back());
        for (const Series* s : losses)
            summary.total += valueAt(*s, summary.referenceStep).value_or(0.0);
    }
    for (const Series* s : losses) {
        TagSummary t = summarize(*s);
        if (const auto v = valueAt(*s, summary.referenceStep); v && summary.total != 0.0 && std::isfinite(summary.total))
            t.share = *v / summary.total;
        summary.tags.push_back(std::move(t));
    }
    return summary;
}

} // namespace losslens
