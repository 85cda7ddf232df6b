#include "ui/plot_area.h"

#include "ui/compare_view.h"
#include "ui/controls_bar.h"

#include <QStackedWidget>
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
    m_redrawTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_redrawTimer, &QTimer::timeout, this, &PlotArea::redrawNow);
    connect(m_controls, &ControlsBar::settingsChanged, this, &PlotArea::onSettingsChanged);
    connect(m_chart, &ChartView::xRangeChanged, this, &PlotArea::onUserZoom);
    connect(m_compare, &CompareView::xRangeChanged, this, &PlotArea::onUserZoom);
    connect(m_chart, &ChartView::plotColumnsChanged, this, &PlotArea::scheduleRedraw);
    connect(m_chart, &ChartView::hovered, this, &PlotArea::hovered);
    connect(m_compare, &CompareView::hovered, this, &PlotArea::hovered);
    connect(m_chart, &ChartView::clicked, this, &PlotArea::clicked);
    connect(m_compare, &CompareView::clicked, this, &PlotArea::clicked);
}

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
    m_builder.invalidate();
    scheduleRedraw();
}

void PlotArea::dataChanged(const SeriesChanges& changes)
{
    for (const auto& [series, firstChanged] : changes)
        m_builder.seriesChanged(series, firstChanged);
    scheduleRedraw();
}

void PlotArea::scheduleRedraw()
{
    // ≤ 25 redraws per second; a load's redraw comes before the session starts the next load
    constexpr qint64 kIntervalMs = 40;
    const qint64 since = m_sinceRedraw.isValid() ? m_sinceRedraw.elapsed() : kIntervalMs;
    if (!m_redrawTimer.isActive())
        m_redrawTimer.start(int(std::max<qint64>(0, kIntervalMs - since)));
}

void PlotArea::redrawNow()
{
    m_redrawTimer.stop();
    if (m_dataBusy && m_dataBusy()) { // look again in 40 ms: the load will have finished
        m_redrawTimer.start(40);
        return;
    }
    m_sinceRedraw.start();
    const ViewSettings s = settings();
    // what is drawn, re-decimated for another width when exported at another size
    const auto source = [this, selection = m_selection, s, zoom = m_zoom](qsizetype chart) {
        return [=, this](int columns) {
            if (s.view != ViewKind::Compare)
                return m_builder.build(selection, s, zoom, columns).curves;
            const QList<Plot> plots = m_builder.buildCompare(selection, s, zoom, columns);
            return chart < plots.size() ? plots[chart].curves : QList<Curve>{};
        };
    };
    if (s.view == ViewKind::Compare) {
        const int columns = m_compare->charts().isEmpty() ? 400 : m_compare->charts().front()->plotColumns();
        m_compare->setPlots(m_builder.buildCompare(m_selection, s, m_zoom, columns), m_zoom.has_value());
        for (qsizetype i = 0; i < m_compare->charts().size(); ++i)
            m_compare->charts()[i]->setCurveSource(source(i));
    } else {
        const int columns = m_chart->plotColumns();
        Plot plot = m_builder.build(m_selection, s, m_zoom, columns);
        m_chart->setPlot(plot.curves, plot.spec, m_zoom.has_value());
        if (m_chart->plotColumns() != columns) { // new axis labels resized the plot: decimate for its width
            plot = m_builder.build(m_selection, s, m_zoom, m_chart->plotColumns());
            m_chart->setPlot(plot.curves, plot.spec, m_zoom.has_value());
        }
        m_chart->setCurveSource(source(0));
    }
    ++m_redraws;
    emit redrawn();
}

void PlotArea::resetZoom()
{
    m_zoom.reset();
    redrawNow();
}

void PlotArea::setCrosshair(double x)
{
    for (ChartView* c : visibleCharts())
        c->setCrosshair(x);
}

} // namespace losslens::ui
