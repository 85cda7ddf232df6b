#include "ui/plot_builder.h"

#include "core/analysis/alignment.h"
#include "core/analysis/smoothing.h"
#include "core/runs/run_store.h"

#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace losslens::ui {

namespace {

// Tableau 10: distinguishable, and readable on light and dark backgrounds.
constexpr std::array<QRgb, 10> kPalette{0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f,
                                       0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac};
constexpr std::array kStyles{Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};

QString qs(const std::string& s) { return QString::fromStdString(s); }

// Loss tags are plotted, metrics and the like are not; a derived series is, whatever its role:
// the user defined it to see it.
bool isLoss(const Series& s) { return s.role() != Role::Other || s.derived(); }

} // namespace

Qt::PenStyle LineStyles::of(const QString& name)
{
    qsizetype i = m_names.indexOf(name);
    if (i < 0)
        i = m_names.size(), m_names.append(name);
    return kStyles[std::size_t(i) % kStyles.size()];
}

QList<std::pair<QString, Qt::PenStyle>> LineStyles::key() const
{
    QList<std::pair<QString, Qt::PenStyle>> key;
    if (m_names.size() > 1)
        for (qsizetype i = 0; i < m_names.size(); ++i)
            key.append({m_names[i], kStyles[std::size_t(i) % kStyles.size()]});
    return key;
}

double plotX(XAxisMode mode, std::int64_t step, double wallTime, double firstWallTime)
{
    switch (mode) {
    case XAxisMode::Step: return double(step);
    case XAxisMode::Relative: return (wallTime - firstWallTime) / 3600.0;
    case XAxisMode::Wall: return wallTime * 1000.0;
    }
    return double(step);
}

const Series* totalSeries(const Run& run)
{
    const Series* first = nullptr;
    for (const char* name : {"total_loss", "loss"})
        if (const Series* s = run.find(name); s && s->role() == Role::Total && !s->derived())
            return s;
    for (const auto& s : run.allSeries()) // the logged total: a recipe's (derived) total is compared with it
        if (s->role() == Role::Total && !s->derived() && !first)
            first = s.get();
    return first;
}

double PlotBuilder::Prepared::xAt(const Series& s, std::size_t i) const
{
    return x.empty() ? double(s.steps()[i]) : x[i];
}

QColor PlotBuilder::tagColor(const std::string& tag) const
{
    // assigned again only when series come or go (a role edit invalidates): asked for every curve
    std::size_t seriesCount = 0;
    for (const auto& run : m_store.runs())
        seriesCount += run->allSeries().size();
    if (seriesCount != m_tagColorsFor) {
        m_tagColors = assignTagColors();
        m_tagColorsFor = seriesCount;
    }
    const auto it = m_tagColors.find(tag);
    return QColor::fromRgb(kPalette[(it == m_tagColors.end() ? 0 : it->second) % kPalette.size()]);
}

std::unordered_map<std::string, std::size_t> PlotBuilder::assignTagColors() const
{
    std::unordered_map<std::string, std::size_t> order; // logged tags: their order of appearance
    std::vector<std::string> derived;
    std::vector<bool> taken(kPalette.size(), false); // slots of plotted logged tags
    for (const auto& run : m_store.runs())
        for (const auto& s : run->allSeries())
            if (s->derived() && std::find(derived.begin(), derived.end(), s->tag()) == derived.end())
                derived.push_back(s->tag());
            else if (!s->derived() && order.try_emplace(s->tag(), order.size()).second && isLoss(*s))
                taken[(order.size() - 1) % kPalette.size()] = true;
    // a derived series takes a slot no plotted logged tag uses, so it never looks like one of them
    for (std::size_t k = 0, slot = 0; k < derived.size(); ++k, ++slot) {
        while (slot < kPalette.size() && taken[slot])
            ++slot;
        order.try_emplace(derived[k], slot < kPalette.size() ? slot : k);
    }
    return order;
}

const Run* PlotBuilder::findRun(const QString& name) const { return m_store.findRun(name.toStdString()); }

void PlotBuilder::seriesChanged(const Series* series, std::size_t firstChanged)
{
    if (const auto it = m_cache.find(series); it != m_cache.end() && firstChanged < it->second.size)
        m_cache.erase(it);
    if (const auto it = m_stats.find(series); it != m_stats.end() && firstChanged < it->second.size)
        m_stats.erase(it);
}

analysis::CurveStats PlotBuilder::stats(const Series& series) const
{
    CachedStats& c = m_stats[&series];
    const std::size_t n = series.size();
    if (c.size == n && n > 0)
        return c.stats;
    if (c.size == 0 || n < c.size) {
        c = {n, analysis::curveStats(series.steps(), series.values())};
        return c.stats;
    }
    // Grown: the last and best of the new points extend the old ones (ties keep the earlier
    // best, as a full scan does); the last 10 % moved, so its mean is taken again, the same way.
    const auto added = analysis::curveStats(series.steps().subspan(c.size), series.values().subspan(c.size));
    analysis::CurveStats& s = c.stats;
    if (!std::isnan(added.last))
        s.last = added.last, s.lastStep = added.lastStep;
    if (!std::isnan(added.best) && (std::isnan(s.best) || added.best < s.best))
        s.best = added.best, s.bestStep = added.bestStep;
    const auto values = series.values();
    double sum = 0.0;
    std::size_t count = 0;
    for (std::size_t i = n - (n + 9) / 10; i < n; ++i)
        if (std::isfinite(values[i]))
            sum += values[i], ++count;
    s.meanLast10 = count > 0 ? sum / static_cast<double>(count) : std::nan("");
    s.points = c.size = n;
    return s;
}

namespace {

// The wall time relative and wall x count from: one origin per run, so its tags line up.
double runOrigin(const Run& run)
{
    double first = INFINITY;
    for (const auto& s : run.allSeries())
        if (!s->empty() && std::isfinite(s->wallTimes().front()))
            first = std::min(first, s->wallTimes().front());
    return first;
}

} // namespace

const PlotBuilder::Prepared& PlotBuilder::prepare(const Run& run, const Series& series, const ViewSettings& settings)
{
    Prepared& p = m_cache[&series];
    const auto walls = series.wallTimes();
    const bool wallX = settings.xAxis != XAxisMode::Step && !walls.empty() && std::isfinite(walls.front());
    const double origin = wallX ? runOrigin(run) : 0.0;
    const bool sameView = p.smoothing == settings.smoothing && p.kind == settings.smoothingKind && p.xMode == settings.xAxis;
    if (!sameView || series.size() < p.size || origin != p.xOrigin) {
        p = Prepared();
        p.smoothing = settings.smoothing, p.kind = settings.smoothingKind, p.xMode = settings.xAxis, p.xOrigin = origin;
    }
    // the raw values' pyramid only when they are drawn: it is a view cache of 2.3 bytes a point
    if (settings.showRaw || settings.smoothing <= 0)
        p.rawPyramid.extend(series.values());
    if (p.size == series.size() && p.size > 0)
        return p;
    const auto steps = series.steps();
    for (std::size_t i = p.x.size(); wallX && i < series.size(); ++i)
        p.x.push_back(plotX(settings.xAxis, steps[i], walls[i], origin));
    if (settings.smoothing > 0 && settings.smoothingKind == analysis::SmoothingKind::Ema) {
        if (analysis::extendEma(series.values(), settings.smoothing, p.ema, p.smoothed) < p.smoothPyramid.size())
            p.smoothPyramid = {}; // a constant start got smoothed: summarise it again
        p.smoothPyramid.extend(p.smoothed);
    } else if (settings.smoothing > 0) { // its time constant follows the x extent: every point moves as it grows
        std::vector<double> sx = p.x;
        if (sx.empty())
            sx.assign(steps.begin(), steps.end());
        p.smoothed = analysis::smooth(settings.smoothingKind, sx, series.values(), settings.smoothing);
        p.smoothPyramid = analysis::MinMaxPyramid(p.smoothed);
    }
    p.size = series.size();
    return p;
}

QList<QPointF> PlotBuilder::decimated(const Series& series, const Prepared& p, bool smoothed, XRange range, int columns) const
{
    const bool useSmoothed = smoothed && !p.smoothed.empty();
    const std::span<const double> y = useSmoothed ? std::span<const double>(p.smoothed) : series.values();
    const auto* pyramid = useSmoothed ? &p.smoothPyramid : &p.rawPyramid;
    if (pyramid->size() != y.size())
        pyramid = nullptr; // not built for these values (raw curves off when it was prepared)
    QList<QPointF> out;
    if (series.empty())
        return out;
    const double x0 = range ? range->first : p.xAt(series, 0);
    const double x1 = range ? range->second : p.xAt(series, series.size() - 1);
    const auto cols = std::size_t(std::max(1, columns));
    const auto idx = p.x.empty() ? analysis::m4Indices(series.steps(), y, x0, x1, cols, pyramid)
                                 : analysis::m4Indices(std::span<const double>(p.x), y, x0, x1, cols, pyramid);
    // On a long series each kept point's x is a cache miss: ask for all of them before reading any.
    for (std::size_t i : idx)
        __builtin_prefetch(p.x.empty() ? series.steps().address(i) : &p.x[i]);
    out.reserve(qsizetype(idx.size()));
    for (std::size_t i : idx)
        out.append(QPointF(p.xAt(series, i), y[i]));
    return out;
}

void PlotBuilder::decimateAll(QList<Curve>& curves, std::vector<PendingCurve>& pending, XRange range, int columns) const
{
    // Each series is only read here, and the GUI waits for the result anyway: use every core.
    Curve* out = curves.data();
    QtConcurrent::blockingMap(pending, [&](const PendingCurve& job) {
        out[job.curve].points = decimated(*job.series, *job.prepared, job.smoothed, range, columns);
    });
}

PlotSpec PlotBuilder::baseSpec(const ViewSettings& settings, const QString& yTitle) const
{
    PlotSpec spec;
    spec.yTitle = yTitle;
    spec.logY = settings.logY;
    switch (settings.xAxis) {
    case XAxisMode::Step: spec.xTitle = QObject::tr("step"); break;
    case XAxisMode::Relative: spec.xTitle = QObject::tr("relative time (hours)"); break;
    case XAxisMode::Wall:
        spec.xTitle = QObject::tr("wall time");
        spec.xKind = XAxisKind::DateTime;
        break;
    }
    return spec;
}

Plot PlotBuilder::build(const Selection& selection, const ViewSettings& settings, XRange range, int columns)
{
    switch (settings.view) {
    case ViewKind::Breakdown:
    case ViewKind::Share: return breakdownPlot(selection, settings, range, columns);
    case ViewKind::Balance: return balancePlot(selection, settings, range, columns);
    case ViewKind::Curves:
    case ViewKind::Compare: break;
    }
    return curvesPlot(selection, settings, range, columns);
}

Plot PlotBuilder::curvesPlot(const Selection& selection, const ViewSettings& settings, XRange range, int columns)
{
    Plot plot;
    plot.spec = baseSpec(settings, QObject::tr("loss"));
    plot.spec.title = QObject::tr("Loss components, regularization and total");
    std::vector<PendingCurve> pending; // decimated at the end, in parallel
    std::vector<double> visible; // a sample of the visible values, for "ignore outliers"
    const bool byTag = settings.colorBy == ColorBy::Tag;
    LineStyles styles; // for what colour does not show: the runs when colour is by tag, else the tags
    for (const QString& runName : selection.runs) {
        const Run* run = findRun(runName);
        if (!run)
            continue;
        for (const auto& s : run->allSeries()) {
            if (!isLoss(*s) || !selection.tags.contains(qs(s->tag())))
                continue;
            const Prepared& p = prepare(*run, *s, settings);
            const QColor color = byTag ? tagColor(s->tag()) : selection.runColors.value(runName, Qt::gray);
            const Qt::PenStyle style = styles.of(byTag ? runName : qs(s->tag()));
            const qreal width = s->role() == Role::Total ? 2.6 : 1.5;
            const QString name = qs(s->tag()) + " · " + runName;
            const QString legend = byTag ? qs(s->tag()) : runName;
            if (!p.smoothed.empty() && settings.showRaw) {
                QColor faint = color;
                faint.setAlphaF(0.25f);
                pending.push_back({plot.curves.size(), s.get(), &p, false});
                plot.curves.append({name + " (raw)", {}, faint, Qt::SolidLine, 1.0, CurveKind::Line, {}});
            }
            Curve c{name, legend, color, style, width, CurveKind::Line, {}};
            if (settings.ignoreOutliers) {
                const std::span<const double> y = p.smoothed.empty() ? s->values() : std::span<const double>(p.smoothed);
                const std::size_t stride = std::max<std::size_t>(1, y.size() / 20000);
                for (std::size_t i = 0; i < y.size(); i += stride)
                    if (!range || (p.xAt(*s, i) >= range->first && p.xAt(*s, i) <= range->second))
                        visible.push_back(y[i]);
            }
            pending.push_back({plot.curves.size(), s.get(), &p, true});
            plot.curves.append(std::move(c));
        }
    }
    plot.spec.lineStyleKey = styles.key();
    decimateAll(plot.curves, pending, range, columns);
    if (settings.ignoreOutliers && !visible.empty()) {
        const auto [lo, hi] = analysis::quantileRange(visible, 0.05, 0.95);
        plot.spec.yRange = std::pair{lo, hi};
    }
    return plot;
}

QList<Plot> PlotBuilder::buildCompare(const Selection& selection, const ViewSettings& settings, XRange range, int columns)
{
    QList<Plot> plots;
    QStringList tags; // the checked loss tags, in store order
    for (const QString& runName : selection.runs)
        if (const Run* run = findRun(runName))
            for (const auto& s : run->allSeries())
                if (isLoss(*s) && selection.tags.contains(qs(s->tag())) && !tags.contains(qs(s->tag())))
                    tags << qs(s->tag());
    const auto cols = std::size_t(std::max(1, columns));
    for (const QString& tag : tags) {
        Plot plot;
        plot.spec = baseSpec(settings, QString());
        plot.spec.title = tag;
        plot.spec.legendAlignment = Qt::AlignBottom;
        const auto aligned = [&](const QStringList& runs, std::vector<std::int64_t>& grid) {
            std::vector<std::vector<double>> values;
            std::vector<Steps> all;
            std::vector<std::pair<const Series*, const Prepared*>> members;
            for (const QString& r : runs)
                if (const Run* run = findRun(r))
                    if (const Series* s = run->find(tag.toStdString())) {
                        members.push_back({s, &prepare(*run, *s, settings)});
                        all.push_back(s->steps());
                    }
            grid = analysis::unionOfSteps(all);
            for (const auto& [s, p] : members)
                values.push_back(analysis::alignToSteps(s->steps(), p->smoothed.empty() ? s->values() : std::span<const double>(p->smoothed),
                                                        grid, analysis::AlignMode::Previous));
            return values;
        };
        const auto line = [&](const std::vector<std::int64_t>& grid, const std::vector<double>& y) {
            QList<QPointF> pts;
            const double x0 = range ? range->first : grid.empty() ? 0.0 : double(grid.front());
            const double x1 = range ? range->second : grid.empty() ? 1.0 : double(grid.back());
            for (std::size_t i : analysis::m4Indices(grid, y, x0, x1, cols))
                pts.append(QPointF(double(grid[i]), y[i]));
            return pts;
        };
        plot.spec.xTitle = QObject::tr("step"); // compare aligns runs by step
        plot.spec.xKind = XAxisKind::Value;
        if (settings.compareDifference && selection.runs.size() >= 2) {
            std::vector<std::int64_t> grid;
            const auto v = aligned(selection.runs.mid(0, 2), grid);
            if (v.size() == 2) {
                std::vector<double> diff(grid.size());
                for (std::size_t i = 0; i < grid.size(); ++i)
                    diff[i] = v[0][i] - v[1][i];
                plot.curves.append({tag + ": " + selection.runs[0] + " − " + selection.runs[1], selection.runs[0] + " − " + selection.runs[1],
                                    selection.runColors.value(selection.runs[0], Qt::gray), Qt::SolidLine, 1.6, CurveKind::Line, line(grid, diff)});
            }
            plot.spec.logY = false;
            plots.append(plot);
            continue;
        }
        for (qsizetype g = 0; g < selection.groups.size(); ++g) {
            const QStringList& members = selection.groups[g];
            const QString groupName = selection.groupNames.value(g, members.value(0));
            const QColor color = selection.runColors.value(members.value(0), Qt::gray);
            std::vector<std::int64_t> grid;
            const auto v = aligned(members, grid);
            if (v.empty())
                continue;
            if (v.size() == 1) {
                plot.curves.append({tag + " · " + groupName, groupName, color, Qt::SolidLine, 1.6, CurveKind::Line, line(grid, v[0])});
                continue;
            }
            std::vector<double> mean(grid.size(), 0.0), lo(grid.size(), INFINITY), hi(grid.size(), -INFINITY);
            for (std::size_t i = 0; i < grid.size(); ++i) {
                for (const auto& m : v)
                    mean[i] += m[i] / double(v.size()), lo[i] = std::min(lo[i], m[i]), hi[i] = std::max(hi[i], m[i]);
            }
            QColor band = color;
            band.setAlphaF(0.3f);
            Curve area{tag + " · " + groupName + " (min–max)", {}, band, Qt::NoPen, 0.0, CurveKind::Area, line(grid, hi), line(grid, lo)};
            // the band's edges must share x: take both at the union of their kept indices
            area.points.clear(), area.lower.clear();
            const double x0 = range ? range->first : double(grid.front()), x1 = range ? range->second : double(grid.back());
            auto a = analysis::m4Indices(grid, hi, x0, x1, cols);
            const auto b = analysis::m4Indices(grid, lo, x0, x1, cols);
            a.insert(a.end(), b.begin(), b.end());
            std::sort(a.begin(), a.end());
            a.erase(std::unique(a.begin(), a.end()), a.end());
            for (std::size_t i : a)
                area.points.append(QPointF(double(grid[i]), hi[i])), area.lower.append(QPointF(double(grid[i]), lo[i]));
            plot.curves.append(area);
            plot.curves.append({tag + " · " + groupName + " (mean)", groupName + QObject::tr(" (mean of %1)").arg(v.size()), color,
                                Qt::SolidLine, 2.0, CurveKind::Line, line(grid, mean)});
        }
        plots.append(plot);
    }
    return plots;
}

QList<InspectorRow> PlotBuilder::inspect(const Selection& selection, const ViewSettings& settings, double x)
{
    QList<InspectorRow> rows;
    if (!std::isfinite(x))
        return rows;
    const bool single = settings.view == ViewKind::Breakdown || settings.view == ViewKind::Share;
    const QStringList runs = single && !selection.focusRun.isEmpty() ? QStringList{selection.focusRun} : selection.runs;
    for (const QString& runName : runs) {
        const Run* run = findRun(runName);
        if (!run)
            continue;
        const Series* total = totalSeries(*run);
        for (const auto& s : run->allSeries()) {
            if (!isLoss(*s) || (!single && !selection.tags.contains(qs(s->tag()))) || s->empty())
                continue;
            const Prepared& p = prepare(*run, *s, settings);
            const auto i = p.x.empty() ? analysis::nearestIndex(s->steps(), x) : analysis::nearestIndex(std::span<const double>(p.x), x);
            if (i < 0)
                continue;
            const auto k = std::size_t(i);
            InspectorRow row{runName, qs(s->tag()), s->role(), s->steps()[k], s->values()[k],
                             p.smoothed.empty() ? s->values()[k] : p.smoothed[k], std::nan(""),
                             s->role() == Role::Component ? selection.weights.value(qs(s->tag()), 1.0) : 1.0,
                             settings.colorBy == ColorBy::Tag ? tagColor(s->tag()) : selection.runColors.value(runName)};
            if (total)
                if (const auto t = total->indexAtOrBefore(row.step); t && total->values()[*t] != 0.0)
                    row.share = row.weight * row.value / total->values()[*t];
            rows.append(row);
        }
    }
    return rows;
}

QList<SummaryRow> PlotBuilder::summary(const Selection& selection) const
{
    QList<SummaryRow> rows;
    for (const QString& runName : selection.runs)
        if (const Run* run = findRun(runName))
            for (const auto& s : run->allSeries())
                if (isLoss(*s))
                    rows.append({runName, qs(s->tag()), s->role(), stats(*s)});
    return rows;
}

} // namespace losslens::ui
