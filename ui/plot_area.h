#pragma once
// The central area: the controls, and the chart or the small multiples of the chosen view.
// Turns selection + settings + zoom into curves through PlotBuilder; redraws are coalesced to
// at most 25 per second and decimation is recomputed for the visible x range after every zoom.
// Curves are built on a worker thread, so a plot of hundreds of long curves never holds up the
// GUI: the GUI thread only hands the finished curves to the chart.

#include "ui/log_session.h"
#include "ui/plot_builder.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QThreadPool>
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
    ~PlotArea() override;

    ControlsBar* controls() const { return m_controls; }
    ChartView* chart() const { return m_chart; }
    CompareView* compare() const { return m_compare; }
    /// The builder, for this thread: waits for a build that uses it.
    PlotBuilder& builder();
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
    /// Redraws now, on this thread (tests, export); not while a load writes the store.
    void redrawNow();
    /// A build runs on the worker: it reads the store and the builder's caches, so nothing may
    /// write the store and this thread may not use builder() until buildFinished().
    bool building() const { return m_build.isRunning(); }
    void waitForBuild() { m_build.waitForFinished(); }
    void resetZoom();
    void setCrosshair(double x);
    int redrawCount() const { return m_redraws; }

signals:
    void hovered(double x);
    void clicked(double x);
    void redrawn();
    /// A build on the worker ended (emitted after redrawn() when it drew): the store is free.
    void buildFinished();

private:
    /// What one redraw draws: the chart's curves, or one plot per small multiple.
    struct Built {
        ViewSettings settings;
        Plot plot;
        PrerenderedCurves prerendered; ///< the plot's lines, drawn on the worker
        QList<Plot> compare;
        int columns = 0;
        quint64 generation = 0; ///< later redraws have higher ones
    };
    void onSettingsChanged();
    void onUserZoom(double from, double to);
    void startBuild();
    void finishBuild();
    Built build(const Selection& selection, const ViewSettings& settings, XRange zoom, int columns);
    /// Where the chart's lines would be drawn: its plot area's size and device pixels per unit.
    struct Canvas {
        QSizeF area;
        qreal scale = 1;
    };
    int columnsFor(const ViewSettings& settings) const;
    void show(const Built& built);
    void applyDataChanges();

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
    QThreadPool m_worker; // one thread: builds run one at a time, beside the loader's
    QFutureWatcher<Built> m_build;
    bool m_buildAgain = false; // asked to redraw while a build ran
    quint64 m_generation = 0, m_drawnGeneration = 0;
    // data changes that came while a build used the builder's caches
    SeriesChanges m_pendingChanges;
    bool m_pendingInvalidate = false;
};

} // namespace losslens::ui
