#pragma once
// One tag's points in one run, stored columnar: every point kept, 20 bytes each.

#include "core/runs/role.h"
#include "core/runs/series_column.h"
#include "core/runs/step_column.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace losslens {

/// The points of one tag, in three contiguous columns (int64 step, kept in 4 bytes as an offset
/// from the first step, see StepColumn; double wall time in seconds since the epoch or NaN when
/// unknown; double value, NaN and ±Inf kept). Steps never decrease:
/// appending a step smaller than the last one is a restart, and TensorBoard's rule applies — the
/// new point supersedes every earlier point whose step is ≥ its step. Equal steps are kept.
class Series {
public:
    Series(std::string tag, Role role) : m_tag(std::move(tag)), m_role(role) {}

    const std::string& tag() const { return m_tag; }
    Role role() const { return m_role; }
    /// True when the role comes from the user rather than from the name or the logger.
    bool roleOverridden() const { return m_roleOverridden; }
    void setRole(Role role, bool overridden)
    {
        m_role = role;
        m_roleOverridden = overridden;
    }
    /// True for a series computed from the run's logged series (a derived series or a recipe's
    /// total, see script::DerivedSeriesModel) rather than read from a log.
    bool derived() const { return m_derived; }
    void setDerived(bool derived) { m_derived = derived; }

    std::size_t size() const { return m_steps.size(); }
    bool empty() const { return m_steps.empty(); }
    Steps steps() const { return m_steps.view(); }
    std::span<const double> wallTimes() const { return m_wallTimes; }
    std::span<const double> values() const { return m_values; }

    /// Appends one point with the restart rule. Returns the index of the first point that changed
    /// (size() before the call, or less when a restart dropped points).
    std::size_t append(std::int64_t step, double wallTime, double value)
    {
        std::size_t first = m_steps.size();
        if (!m_steps.empty() && step < m_steps.back()) [[unlikely]]
            first = truncateFrom(step);
        m_steps.push_back(step);
        m_wallTimes.push_back(wallTime);
        m_values.push_back(value);
        return first;
    }
    /// Appends many points (equal-length spans) with the restart rule; returns as append().
    std::size_t append(Steps steps, std::span<const double> wallTimes, std::span<const double> values);

    /// Takes the points of `other` (a recomputed derived series); tag, role and flags stay.
    void replacePoints(Series&& other);

    /// Index of the last point with step ≤ `step`, if any.
    std::optional<std::size_t> indexAtOrBefore(std::int64_t step) const;
    /// Releases spare capacity (after loading); resident memory is then 20 bytes per point (24 for
    /// steps that do not fit StepColumn's offsets). Cheap:
    /// the columns shrink in place, nothing is copied.
    void shrinkToFit();
    /// Bytes held by the three columns (their capacity).
    std::size_t memoryBytes() const;
    std::size_t capacity() const { return m_steps.capacity(); }
    void reserve(std::size_t points);

private:
    std::size_t truncateFrom(std::int64_t step);

    std::string m_tag;
    Role m_role;
    bool m_roleOverridden = false;
    bool m_derived = false;
    StepColumn m_steps;
    SeriesColumn<double> m_wallTimes;
    SeriesColumn<double> m_values;
};

} // namespace losslens
