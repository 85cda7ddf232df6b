#pragma once
// From the store and the user's choices to what a ChartView draws: smoothing at full resolution
// (cached per series), then M4 decimation for the visible x range. The numbers come from
// core/analysis; this class only picks series and turns results into curves.

#include "core/analysis/decimation.h"
#include "core/analysis/smoothing.h"
#include "core/analysis/statistics.h"
#include "core/runs/role.h"
#include "ui/chart_view.h"
#include "ui/view_settings.h"

#include <optional>
#include <unordered_map>
#include <vector>

namespace losslens {
class Run;
class RunStore;
class Series;
} // namespace losslens

namespace losslens::ui {

struct Plot {
    QList<Curve> curves;
    PlotSpec spec;
};

/// One row of the inspector: a visible series at the inspected x.
struct InspectorRow {
    QString run, tag;
    Role role = Role::Other;
    std::int64_t step = 0;
    double value = 0, smoothed = 0;
    double share = 0; ///< contribution / the run's total at that step (NaN when unknown)
    double weight = 1;
    QColor color;
};

struct SummaryRow {
    QString run, tag;
    Role role = Role::Other;
    analysis::CurveStats stats;
};

/// Line styles for what a plot's colours do not show (the runs when colour is by tag): a name gets
/// the next style the first time it is asked for and keeps it across the plot.
class LineStyles {
public:
    Qt::PenStyle of(const QString& name);
    /// Every name with its style, in the order first asked; empty for one name (nothing to tell apart).
    QList<std::pair<QString, Qt::PenStyle>> key() const;

private:
    QStringList m_names;
};

/// x range of a plot; nullopt = the data's extent.
using XRange = std::optional<std::pair<double, double>>;

class PlotBuilder {
public:
    explicit PlotBuilder(const RunStore& store) : m_store(store) {}

    /// Forgets every cached smoothing, pyramid and summary.
    void invalidate() { m_cache.clear(), m_stats.clear(), m_tagColorsFor = kNoColors; }
    /// The points of `series` from `firstChanged` on are new or were replaced (RunStoreObserver's
    /// pointsAppended). Points only appended are smoothed and summarised from where the cache
    /// stopped; replaced ones make the series' cache start over.
    void seriesChanged(const Series* series, std::size_t firstChanged);

    /// The Curves, Breakdown, Share or Task balance plot.
    Plot build(const Selection& selection, const ViewSettings& settings, XRange range, int columns);
    /// Compare: one small plot per checked loss tag.
    QList<Plot> buildCompare(const Selection& selection, const ViewSettings& settings, XRange range, int columns);
    /// Every visible series at the point nearest to x (in the plot's x units).
    QList<InspectorRow> inspect(const Selection& selection, const ViewSettings& settings, double x);
    /// Last / best / mean of the last 10 % per checked run × loss tag.
    QList<SummaryRow> summary(const Selection& selection) const;

    /// Colour of a tag in ColorBy::Tag (stable: the order tags first appear in the store).
    QColor tagColor(const std::string& tag) const;

    /// A series prepared for drawing: its x in plot units, smoothed values, and pyramids for M4.
    /// Kept per series and extended as it grows, so a live redraw costs the new points only.
    struct Prepared {
        std::size_t size = 0;
        double smoothing = -1;
        analysis::SmoothingKind kind{};
        XAxisMode xMode{};
        double xOrigin = 0; ///< the run's first wall time, which relative and wall x count from
        std::vector<double> x; ///< empty in step mode: the steps are used directly
        std::vector<double> smoothed;
        analysis::EmaState ema;
        analysis::MinMaxPyramid rawPyramid, smoothPyramid;
        double xAt(const Series& s, std::size_t i) const;
    };
    const Prepared& prepare(const Run& run, const Series& series, const ViewSettings& settings);

private:
    Plot curvesPlot(const Selection& selection, const ViewSettings& settings, XRange range, int columns);
    Plot breakdownPlot(const Selection& selection, const ViewSettings& settings, XRange range, int columns);
    Plot balancePlot(const Selection& selection, const ViewSettings& settings, XRange range, int columns);
    PlotSpec baseSpec(const ViewSettings& settings, const QString& yTitle) const;
    /// Decimated points of a prepared series.
    QList<QPointF> decimated(const Series& series, const Prepared& p, bool smoothed, XRange range, int columns) const;
    /// A curve whose points are still to be decimated.
    struct PendingCurve {
        qsizetype curve;
        const Series* series;
        const Prepared* prepared;
        bool smoothed;
    };
    /// Fills in the points of the pending curves, in parallel.
    void decimateAll(QList<Curve>& curves, std::vector<PendingCurve>& pending, XRange range, int columns) const;
    const Run* findRun(const QString& name) const;

    /// curveStats of a series, extended as it grows (a live redraw must not rescan every point).
    analysis::CurveStats stats(const Series& series) const;

    const RunStore& m_store;
    std::unordered_map<const Series*, Prepared> m_cache;
    struct CachedStats {
        std::size_t size = 0;
        analysis::CurveStats stats;
    };
    mutable std::unordered_map<const Series*, CachedStats> m_stats;
    std::unordered_map<std::string, std::size_t> assignTagColors() const;
    static constexpr std::size_t kNoColors = static_cast<std::size_t>(-1);
    mutable std::unordered_map<std::string, std::size_t> m_tagColors; // tag → palette slot
    mutable std::size_t m_tagColorsFor = kNoColors;                  // the series count they were assigned for
};

/// Converts a (relative hours / wall ms) x to the plot's units; step mode returns the step.
double plotX(XAxisMode mode, std::int64_t step, double wallTime, double firstWallTime);
/// The run's logged total series (the "total" tag named total_loss, loss, or the first total; never a
/// derived one), or nullptr.
const Series* totalSeries(const Run& run);

} // namespace losslens::ui
