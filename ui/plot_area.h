#pragma once
// The central area: the controls, and the chart or the small multiples of the chosen view.
// Turns selection + settings + zoom into curves through PlotBuilder; redraws are coalesced to
// at most 25 per second and decimation is recomputed for the visible x range after every zoom.

#include "ui/log_session.h"
#include "ui/plot_builder.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

#include <functional>

QT_FORWARD_DECLARE_CLASS(QStackedWidget)

namespace losslens::ui {

class CompareView;
class ControlsBar;

class PlotArea : public QWidget {
    Q_OBJECT

public:
    explicit PlotArea(const RunStore& store, QWidget* parent = nullptr);

    ControlsBar* controls() const { return m_controls; }
    ChartView* chart() const { return m_chart; }
    CompareView* compare() const { return m_compare; }
    PlotBuilder& builder() { return m_builder; }
    /// The charts of the current view (one, or the small multiples).
    QList<ChartView*> visibleCharts() const;

    const Selection& selection() const { return m_selection; }
    void setSelection(const Selection& selection);
    ViewSettings settings() const;
    void setSettings(const ViewSettings& settings);

    /// The data changed (loaded, reloaded, roles): drop caches and redraw, keeping the zoom.
    void dataChanged();
    /// A load changed these series: extend the caches of those that only grew, and redraw.
    void dataChanged(const SeriesChanges& changes);
    /// Coalesced: at most one redraw per 40 ms, at once when the last one is older than that.
    void scheduleRedraw();
    /// While `busy()` is true (a load is writing the store) redraws wait: the store is read by one
    /// thread at a time.
    void setDataBusy(std::function<bool()> busy) { m_dataBusy = std::move(busy); }
    /// Redraws now (tests, export).
    void redrawNow();
    void resetZoom();
    void setCrosshair(double x);
    int redrawCount() const { return m_redraws; }

signals:
    void hovered(double x);
    void clicked(double x);
    void redrawn();

private:
    void onSettingsChanged();
    void onUserZoom(double from, double to);

    PlotBuilder m_builder;
    ControlsBar* m_controls;
    QStackedWidget* m_stack;
    ChartView* m_chart;
    CompareView* m_compare;
    Selection m_selection;
    ViewSettings m_lastSettings;
    XRange m_zoom;
    QTimer m_redrawTimer;
    QElapsedTimer m_sinceRedraw;
    std::function<bool()> m_dataBusy;
    int m_redraws = 0;
};

} // namespace losslens::ui
