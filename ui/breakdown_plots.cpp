// PlotBuilder's Breakdown, Share and Task balance plots: the recipe and the balance maths come
// from core/analysis; here they are only aligned, decimated and coloured.

#include "ui/plot_builder.h"

#include "core/analysis/alignment.h"
#include "core/analysis/breakdown.h"
#include "core/analysis/smoothing.h"
#include "core/analysis/task_balance.h"
#include "core/runs/run_store.h"

#include <cmath>

namespace losslens::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

/// Indices M4 keeps for any of the lines, so stacked edges share their x.
std::vector<std::size_t> sharedIndices(std::span<const double> grid, const std::vector<const std::vector<double>*>& lines, double x0,
                                       double x1, std::size_t columns)
{
    std::vector<std::size_t> all;
    for (const auto* y : lines) {
        const auto idx = analysis::m4Indices(grid, *y, x0, x1, columns);
        all.insert(all.end(), idx.begin(), idx.end());
    }
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return all;
}

} // namespace

Plot PlotBuilder::breakdownPlot(const Selection& selection, const ViewSettings& settings, XRange range, int columns)
{
    const bool share = settings.view == ViewKind::Share;
    Plot plot;
    plot.spec = baseSpec(settings, share ? QObject::tr("share of the logged total (%)") : QObject::tr("loss"));
    const Run* run = findRun(selection.focusRun.isEmpty() ? selection.runs.value(0) : selection.focusRun);
    if (!run)
        return plot;
    plot.spec.title = (share ? QObject::tr("Shares of the total · %1") : QObject::tr("Breakdown of the total · %1")).arg(qs(run->name()));
    if (share) {
        plot.spec.logY = false, plot.spec.yLabelFormat = "%.0f";
        plot.spec.yRange = std::pair{0.0, 100.0};
    }

    const Series* total = totalSeries(*run);
    std::vector<Steps> stepSets;
    if (total)
        stepSets.push_back(total->steps());
    else
        for (const auto& s : run->allSeries())
            if (s->role() == Role::Component || s->role() == Role::Regularization)
                stepSets.push_back(s->steps());
    const std::vector<std::int64_t> grid = analysis::unionOfSteps(stepSets);
    if (grid.empty())
        return plot;
    const auto values = [&](const Series& s) {
        const Prepared& p = prepare(*run, s, settings);
        return analysis::alignToSteps(s.steps(), p.smoothed.empty() ? s.values() : std::span<const double>(p.smoothed), grid,
                                      analysis::AlignMode::Previous);
    };

    analysis::BreakdownInput in;
    in.steps = grid;
    for (Role role : {Role::Component, Role::Regularization})
        for (const auto& s : run->allSeries()) {
            if (s->role() != role)
                continue;
            analysis::BreakdownTerm term{s->tag(), role, role == Role::Component ? selection.weights.value(qs(s->tag()), 1.0) : 1.0, values(*s)};
            if (const Series* w = run->find("task_weight/" + s->tag()); w && role == Role::Component) {
                term.loggedWeights = analysis::alignToSteps(w->steps(), w->values(), grid, analysis::AlignMode::Previous);
                for (double& v : term.loggedWeights) // weights start at 1 before the loop logs any
                    if (std::isnan(v))
                        v = 1.0;
            }
            in.terms.push_back(std::move(term));
        }
    if (total)
        in.loggedTotal = values(*total);
    const analysis::Breakdown b = analysis::computeBreakdown(in);

    // x in plot units: steps, or the total's (else the first term's) wall times at those steps
    std::vector<double> xs(grid.begin(), grid.end());
    if (settings.xAxis != XAxisMode::Step) {
        const Series& clock = total ? *total : *run->find(in.terms.front().name);
        const auto wall = analysis::alignToSteps(clock.steps(), clock.wallTimes(), grid, analysis::AlignMode::Previous);
        for (std::size_t i = 0; i < grid.size(); ++i)
            xs[i] = plotX(settings.xAxis, grid[i], wall[i], wall.front());
    }
    const double x0 = range ? range->first : xs.front(), x1 = range ? range->second : xs.back();
    // decimate in x units: M4 over the plot x with the step grid's order
    std::vector<const std::vector<double>*> edges;
    for (const auto& e : share ? b.shares : b.stacked)
        edges.push_back(&e);
    if (!share) {
        edges.push_back(&b.recomputed);
        if (total)
            edges.push_back(&in.loggedTotal);
    }
    const std::vector<std::size_t> keep = sharedIndices(xs, edges, x0, x1, std::size_t(std::max(1, columns)));
    const auto points = [&](const std::vector<double>& y, double scale) {
        QList<QPointF> pts;
        pts.reserve(qsizetype(keep.size()));
        for (std::size_t i : keep)
            pts.append(QPointF(xs[i], y[i] * scale));
        return pts;
    };
    const double scale = share ? 100.0 : 1.0;
    std::vector<double> below(grid.size(), 0.0);
    for (std::size_t t = 0; t < in.terms.size(); ++t) {
        const auto& term = in.terms[t];
        std::vector<double> upper(grid.size());
        for (std::size_t i = 0; i < grid.size(); ++i)
            upper[i] = share ? below[i] + b.shares[t][i] : b.stacked[t][i];
        QColor color = tagColor(term.name);
        const QString name = qs(term.name);
        plot.curves.append({name, name, color, term.role == Role::Regularization ? Qt::DotLine : Qt::SolidLine, 0.8, CurveKind::Area,
                            points(upper, scale), points(below, scale)});
        below = std::move(upper);
    }
    if (total) {
        if (share) {
            std::vector<double> top(grid.size());
            for (std::size_t i = 0; i < grid.size(); ++i)
                top[i] = below[i] + b.remainderShare[i];
            plot.curves.append({QObject::tr("unexplained"), QObject::tr("unexplained"), QColor(0xd6, 0x27, 0x28, 170), Qt::SolidLine, 0.8,
                                CurveKind::Area, points(top, scale), points(below, scale)});
        } else {
            plot.curves.append({QObject::tr("unexplained"), QObject::tr("unexplained (logged − recomputed)"), QColor(0xd6, 0x27, 0x28, 150),
                                Qt::SolidLine, 0.8, CurveKind::Area, points(in.loggedTotal, 1.0), points(b.recomputed, 1.0)});
            plot.curves.append({QObject::tr("total (logged)"), QObject::tr("total (logged)"), settings.dark ? QColor(Qt::white) : QColor(Qt::black),
                                Qt::SolidLine, 2.4, CurveKind::Line, points(in.loggedTotal, 1.0)});
        }
    }
    if (!share)
        plot.curves.append({QObject::tr("total (recomputed)"), QObject::tr("total (recomputed Σ wᵢ·Lᵢ + Σ reg)"), QColor(0x7f, 0x7f, 0x7f),
                            Qt::DashLine, 2.0, CurveKind::Line, points(b.recomputed, 1.0)});
    for (const auto& s : run->allSeries()) // a recipe's total (derived, Role::Total): the user's own recomputation
        if (!share && s->derived() && s->role() == Role::Total && !s->empty())
            plot.curves.append({qs(s->tag()), QObject::tr("%1 (recomputed by the recipe)").arg(qs(s->tag())), tagColor(s->tag()),
                                Qt::DashDotLine, 2.2, CurveKind::Line, points(values(*s), 1.0)});
    return plot;
}

Plot PlotBuilder::balancePlot(const Selection& selection, const ViewSettings& settings, XRange range, int columns)
{
    Plot plot;
    plot.spec = baseSpec(settings, QObject::tr("Lᵢ(t) / Lᵢ(0)   ·   DWA weight λᵢ"));
    plot.spec.title = QObject::tr("Task balance: loss relative to its start, and Dynamic Weight Average weights");
    plot.spec.xTitle = QObject::tr("step");
    plot.spec.xKind = XAxisKind::Value;
    const auto cols = std::size_t(std::max(1, columns));
    LineStyles styles; // colour is the task, the line style the run
    for (const QString& runName : selection.runs) {
        const Run* run = findRun(runName);
        if (!run)
            continue;
        std::vector<const Series*> tasks;
        for (const auto& s : run->allSeries())
            if (s->role() == Role::Component && selection.tags.contains(qs(s->tag())) && !s->empty())
                tasks.push_back(s.get());
        for (const Series* s : tasks) {
            const auto ratio = analysis::relativeToFirst(s->values());
            std::vector<double> sx(s->steps().begin(), s->steps().end());
            const auto y = settings.smoothing > 0 ? analysis::smooth(settings.smoothingKind, sx, ratio, settings.smoothing) : ratio;
            QList<QPointF> pts;
            const double x0 = range ? range->first : sx.front(), x1 = range ? range->second : sx.back();
            for (std::size_t i : analysis::m4Indices(s->steps(), y, x0, x1, cols))
                pts.append(QPointF(sx[i], y[i]));
            plot.curves.append({qs(s->tag()) + " · " + runName, qs(s->tag()), tagColor(s->tag()), styles.of(runName), 1.6, CurveKind::Line, pts});
        }
        // DWA weights for the focus run only: one step curve per task
        if (runName == (selection.focusRun.isEmpty() ? selection.runs.value(0) : selection.focusRun) && tasks.size() >= 2) {
            std::vector<Steps> sets;
            for (const Series* s : tasks)
                sets.push_back(s->steps());
            const auto grid = analysis::unionOfSteps(sets);
            std::vector<std::vector<double>> losses;
            for (const Series* s : tasks)
                losses.push_back(analysis::alignToSteps(s->steps(), s->values(), grid, analysis::AlignMode::Previous));
            const auto dwa = analysis::dwaSchedule(grid, losses, settings.epochSteps);
            for (std::size_t k = 0; k < tasks.size(); ++k) {
                QList<QPointF> pts;
                for (std::size_t e = 0; e < dwa.epochStarts.size(); ++e) {
                    const double from = double(dwa.epochStarts[e]);
                    const double to = e + 1 < dwa.epochStarts.size() ? double(dwa.epochStarts[e + 1]) : double(grid.back());
                    pts.append(QPointF(from, dwa.weights[k][e])), pts.append(QPointF(to, dwa.weights[k][e]));
                }
                QColor c = tagColor(tasks[k]->tag());
                c.setAlphaF(0.8f);
                plot.curves.append({QObject::tr("DWA λ · %1 · %2").arg(qs(tasks[k]->tag()), runName), QObject::tr("DWA λ (%1, T = 2)").arg(runName),
                                    c, Qt::DashDotDotLine, 1.2, CurveKind::Line, pts});
            }
        }
    }
    plot.spec.lineStyleKey = styles.key();
    return plot;
}

} // namespace losslens::ui
