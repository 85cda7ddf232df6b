#pragma once
// Where a run ended up: each loss tag's last and best value and its share of the total.

#include "core/runs/run.h"

#include <optional>
#include <string>
#include <vector>

namespace losslens {

struct TagSummary {
    std::string tag;
    Role role = Role::Other;
    std::size_t points = 0;
    std::int64_t lastStep = 0;
    double last = 0.0;
    /// The smallest non-NaN value and its (first) step; NaN when every value is NaN.
    double min = 0.0;
    std::int64_t minStep = 0;
    /// value at the reference step / total at that step; empty when the total is 0 or unknown.
    std::optional<double> share;
};

struct RunSummary {
    std::string run;
    /// The step the shares refer to: the last step of the total series, else the last step of any loss tag.
    std::int64_t referenceStep = 0;
    /// The tag whose value is the total ("total_loss", then "loss", then the first total tag);
    /// empty when the run logs no total and the shares use Σ components + regularization.
    std::string totalTag;
    double total = 0.0;
    std::vector<TagSummary> tags; ///< loss tags only (component, regularization, total), in series order
};

/// Summarises the loss tags of `run`. A tag's share uses its last value at or before the reference step.
RunSummary summarizeRun(const Run& run);

} // namespace losslens
