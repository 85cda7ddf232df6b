#include "ui/plot_area.h"

#include "ui/background_priority.h"
#include "ui/compare_view.h"
#include "ui/controls_bar.h"

#include <QStackedWidget>
#include <QtConcurrent/QtConcurrentRun>
#include <QVBoxLayout>

namespace losslens::ui {

PlotArea::PlotArea(const RunStore& store, QWidget* parent)
    : QWidget(parent), m_builder(store), m_controls(new ControlsBar), m_stack(new QStackedWidget), m_chart(new ChartView),
      m_compare(new CompareView)
{
    m_stack->addWidget(m_chart);
    m_stack->addWidget(m_compare);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_controls);
    layout->addWidget(m_stack, 1);
    m_lastSettings = m_controls->settings();

    m_redrawTimer.setSingleShot(true);
    m_redrawTimer.setObjectName("redraw");
    m_redrawTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_redrawTimer, &QTimer::timeout, this, &PlotArea::startBuild);
    m_worker.setMaxThreadCount(1);
    m_worker.setObjectName("plot builds");
    m_build.setObjectName("plot build");
    connect(&m_build, &QFutureWatcher<Built>::finished, this, &PlotArea::finishBuild);
    connect(m_controls, &ControlsBar::settingsChanged, this, &PlotArea::onSettingsChanged);
    connect(m_chart, &ChartView::xRangeChanged, this, &PlotArea::onUserZoom);
    connect(m_compare, &CompareView::xRangeChanged, this, &PlotArea::onUserZoom);
    connect(m_chart, &ChartView::plotColumnsChanged, this, &PlotArea::scheduleRedraw);
    connect(m_chart, &ChartView::linesStale, this, &PlotArea::scheduleRedraw);
    connect(m_chart, &ChartView::hovered, this, &PlotArea::hovered);
    connect(m_compare, &CompareView::hovered, this, &PlotArea::hovered);
    connect(m_chart, &ChartView::clicked, this, &PlotArea::clicked);
    connect(m_compare, &CompareView::clicked, this, &PlotArea::clicked);
}

PlotArea::~PlotArea() { waitForBuild(); }

QList<ChartView*> PlotArea::visibleCharts() const
{
    return settings().view == ViewKind::Compare ? m_compare->charts() : QList<ChartView*>{m_chart};
}

void PlotArea::setSelection(const Selection& selection)
{
    m_selection = selection;
    scheduleRedraw();
}

ViewSettings PlotArea::settings() const { return m_controls->settings(); }
void PlotArea::setSettings(const ViewSettings& settings) { m_controls->setSettings(settings); }

void PlotArea::onSettingsChanged()
{
    const ViewSettings s = settings();
    if (s.view != m_lastSettings.view || s.xAxis != m_lastSettings.xAxis)
        m_zoom.reset(); // another x: the old zoom means nothing there
    if (s.dark != m_lastSettings.dark) {
        m_chart->setDark(s.dark);
        m_compare->setDark(s.dark);
    }
    m_stack->setCurrentIndex(s.view == ViewKind::Compare ? 1 : 0);
    m_lastSettings = s;
    scheduleRedraw();
}

void PlotArea::onUserZoom(double from, double to)
{
    m_zoom = std::pair{from, to};
    scheduleRedraw();
}

void PlotArea::dataChanged()
{
    m_pendingInvalidate = true;
    if (!building())
        applyDataChanges();
    scheduleRedraw();
}

void PlotArea::dataChanged(const SeriesChanges& changes)
{
    for (const auto& [series, firstChanged] : changes) {
        const auto [it, added] = m_pendingChanges.try_emplace(series, firstChanged);
        if (!added)
            it->second = std::min(it->second, firstChanged);
    }
    if (!building())
        applyDataChanges();
    scheduleRedraw();
}

void PlotArea::applyDataChanges()
{
    if (std::exchange(m_pendingInvalidate, false)) {
        m_builder.invalidate();
        m_pendingChanges.clear();
    }
    for (const auto& [series, firstChanged] : std::exchange(m_pendingChanges, {}))
        m_builder.seriesChanged(series, firstChanged);
}

PlotBuilder& PlotArea::builder()
{
    waitForBuild();
    applyDataChanges();
    return m_builder;
}

void PlotArea::scheduleRedraw()
{
    // ≤ 25 redraws per second; a load's redraw comes before the session starts the next load
    constexpr qint64 kIntervalMs = 40;
    const qint64 since = m_sinceRedraw.isValid() ? m_sinceRedraw.elapsed() : kIntervalMs;
    if (!m_redrawTimer.isActive())
        m_redrawTimer.start(int(std::max<qint64>(0, kIntervalMs - since)));
}

int PlotArea::columnsFor(const ViewSettings& settings) const
{
    if (settings.view != ViewKind::Compare)
        return m_chart->plotColumns();
    return m_compare->charts().isEmpty() ? 400 : m_compare->charts().front()->plotColumns();
}

// Runs on the worker: everything it needs comes as arguments, copied.
PlotArea::Built PlotArea::build(const Selection& selection, const ViewSettings& settings, XRange zoom, int columns)
{
    Built b;
    b.settings = settings, b.columns = columns;
    if (settings.view == ViewKind::Compare)
        b.compare = m_builder.buildCompare(selection, settings, zoom, columns);
    else
        b.plot = m_builder.build(selection, settings, zoom, columns);
    return b;
}

void PlotArea::startBuild()
{
    m_redrawTimer.stop();
    if (building()) { // draw what it builds, then build again with what changed since
        m_buildAgain = true;
        return;
    }
    if (m_dataBusy && m_dataBusy()) { // look again in 40 ms: the load will have finished
        m_redrawTimer.start(40);
        return;
    }
    applyDataChanges();
    m_sinceRedraw.start();
    const ViewSettings s = settings();
    const quint64 generation = ++m_generation;
    const Canvas canvas{m_chart->plotAreaSize(), m_chart->devicePixelRatioF()};
    m_build.setFuture(QtConcurrent::run(&m_worker, [this, selection = m_selection, s, zoom = m_zoom, columns = columnsFor(s), generation, canvas] {
        lowerThisThreadsPriority();
        Built b = build(selection, s, zoom, columns);
        b.generation = generation;
        if (s.view != ViewKind::Compare) // the GUI thread then only has to show the picture
            b.prerendered = ChartView::prerender(b.plot.curves, b.plot.spec, zoom, canvas.area, canvas.scale);
        return b;
    }));
}

void PlotArea::finishBuild()
{
    const Built built = m_build.result();
    if (built.generation > m_drawnGeneration) { // not superseded by a redrawNow() that waited for it
        show(built);
        if (built.settings.view != ViewKind::Compare && m_chart->plotColumns() != built.columns)
            m_buildAgain = true; // new axis labels resized the plot: decimate for its width
        ++m_redraws;
        emit redrawn();
    }
    emit buildFinished();
    if (std::exchange(m_buildAgain, false))
        scheduleRedraw();
}

void PlotArea::redrawNow()
{
    m_redrawTimer.stop();
    waitForBuild();
    applyDataChanges();
    m_sinceRedraw.start();
    const ViewSettings s = settings();
    Built built = build(m_selection, s, m_zoom, columnsFor(s));
    built.generation = ++m_generation;
    show(built);
    if (s.view != ViewKind::Compare && m_chart->plotColumns() != built.columns) { // new axis labels resized the plot
        built = build(m_selection, s, m_zoom, m_chart->plotColumns());
        built.generation = m_generation;
        show(built);
    }
    ++m_redraws;
    emit redrawn();
}

void PlotArea::show(const Built& built)
{
    m_drawnGeneration = built.generation;
    const bool zoomed = m_zoom.has_value(); // now: the user may have zoomed while it was built
    // what is drawn, re-decimated (on this thread) for another width when exported at another size
    const auto source = [this, selection = m_selection, s = built.settings, zoom = m_zoom](qsizetype chart) {
        return [=, this](int columns) {
            builder(); // a build on the worker finishes first
            const Built b = build(selection, s, zoom, columns);
            if (s.view != ViewKind::Compare)
                return b.plot.curves;
            return chart < b.compare.size() ? b.compare[chart].curves : QList<Curve>{};
        };
    };
    if (built.settings.view == ViewKind::Compare) {
        m_compare->setPlots(built.compare, zoomed);
        for (qsizetype i = 0; i < m_compare->charts().size(); ++i)
            m_compare->charts()[i]->setCurveSource(source(i));
    } else {
        m_chart->setPlot(built.plot.curves, built.plot.spec, zoomed, built.prerendered);
        m_chart->setCurveSource(source(0));
    }
}

void PlotArea::resetZoom()
{
    m_zoom.reset();
    if (m_dataBusy && m_dataBusy())
        scheduleRedraw(); // a load writes the store: the next build after it shows the whole range
    else
        redrawNow();
}

void PlotArea::setCrosshair(double x)
{
    for (ChartView* c : visibleCharts())
        c->setCrosshair(x);
}

} // namespace losslens::ui
