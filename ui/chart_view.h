#pragma once
// The one place that knows Qt Charts: everything else hands it plain curves. When Qt Graphs
// replaces Qt Charts, this class (and chart_canvas.cpp) is what changes.

#include <QColor>
#include <QImage>
#include <QList>
#include <QPointF>
#include <QString>
#include <QWidget>

#include <functional>
#include <optional>
#include <utility>

QT_FORWARD_DECLARE_CLASS(QChart)
QT_FORWARD_DECLARE_CLASS(QAbstractAxis)
QT_FORWARD_DECLARE_CLASS(QAbstractSeries)
QT_FORWARD_DECLARE_CLASS(QGraphicsLineItem)
QT_FORWARD_DECLARE_CLASS(QLineSeries)
QT_FORWARD_DECLARE_CLASS(QScatterSeries)

namespace losslens::ui {

class ChartCanvas;
class CurveLayer;
struct PlotMapping;

enum class CurveKind {
    Line, ///< a polyline; non-finite y values are gaps
    Area  ///< filled between `lower` (or 0) and `points`
};

/// One thing to draw: already smoothed/decimated, in data coordinates.
struct Curve {
    QString name;   ///< unique, e.g. "depth/mse · mtl-seed0"
    QString legend; ///< the legend entry; curves sharing one get a single marker (empty: none)
    QColor color;
    Qt::PenStyle style = Qt::SolidLine;
    qreal width = 1.6;
    CurveKind kind = CurveKind::Line;
    QList<QPointF> points;
    QList<QPointF> lower = {}; ///< Area only: the lower edge at the same x (empty: 0)
};

enum class XAxisKind { Value, DateTime };

/// How the axes look; the numbers are decided by the caller.
struct PlotSpec {
    QString title;
    QString xTitle;
    QString yTitle;
    XAxisKind xKind = XAxisKind::Value;
    bool logY = false;
    std::optional<std::pair<double, double>> yRange = {}; ///< fixed y range (e.g. ignore outliers); else fit
    QString yLabelFormat = "%.3g";
    Qt::Alignment legendAlignment = Qt::AlignRight; ///< small multiples put it below, so names are not elided
    /// What the line styles mean when colour shows something else (the runs when colour is by
    /// tag): legend entries drawn in a neutral colour, one per style in use.
    QList<std::pair<QString, Qt::PenStyle>> lineStyleKey = {};
};

/// The axes' ranges that fit curves: x over the visible range (or the data), y over the
/// curves' values there, padded; the same on any thread for the same curves.
struct FittedRanges {
    std::pair<double, double> dataX; ///< the curves' x extent
    double x0, x1, y0, y1;
    bool operator==(const FittedRanges&) const = default;
};

/// Line curves drawn ahead, on the thread that built them (CurveLayer::rasterize), for the plot
/// area size and ranges they would get: setPlot() then has nothing left to draw.
struct PrerenderedCurves {
    QImage image;
    QSizeF area;
    qreal scale = 1;
    FittedRanges ranges;
};

class ChartView : public QWidget {
    Q_OBJECT

public:
    explicit ChartView(QWidget* parent = nullptr);
    ~ChartView() override;

    /// Replaces what is drawn. Lines are drawn by a CurveLayer (polylines), areas by Qt Charts series
    /// updated with replace(); legend series are reused.
    /// With keepXRange the current zoom stays (the curves were re-decimated for it); else the
    /// axes fit the data. Non-finite points become gaps with a marker on the x axis.
    void setPlot(const QList<Curve>& curves, const PlotSpec& spec, bool keepXRange = false, const PrerenderedCurves& prerendered = {});
    /// The ranges setPlot() gives `curves`; `visibleX` is the zoom kept, if any.
    static FittedRanges fitRanges(const QList<Curve>& curves, const PlotSpec& spec, std::optional<std::pair<double, double>> visibleX);
    /// Draws the line curves setPlot() would draw for the plot area and ranges they would get
    /// (any thread); empty when they are not dense enough to be drawn ahead.
    static PrerenderedCurves prerender(const QList<Curve>& curves, const PlotSpec& spec, std::optional<std::pair<double, double>> visibleX,
                                       QSizeF area, qreal scale);
    /// The plot area's size and device pixels per unit, for prerender().
    QSizeF plotAreaSize() const;
    const QList<Curve>& curves() const { return m_curves; }
    /// Decimates the plot's data again for another number of pixel columns (an export at another
    /// size); set by whoever builds the plot, alongside setPlot().
    using CurveSource = std::function<QList<Curve>(int columns)>;
    void setCurveSource(CurveSource source) { m_source = std::move(source); }
    /// The curves decimated for `columns` pixel columns, or the ones drawn when there is no source.
    QList<Curve> curvesFor(int columns) const { return m_source ? m_source(columns) : m_curves; }
    const PlotSpec& spec() const { return m_spec; }

    int curveCount() const { return int(m_curves.size()); }
    QStringList curveNames() const;
    /// Points drawn for the named curve (all its segments), or -1.
    qsizetype drawnPointCount(const QString& name) const;
    /// Markers drawn for non-finite values.
    qsizetype gapMarkerCount() const;
    /// Legend entries that are shown.
    QStringList legendEntries() const;

    std::pair<double, double> xRange() const;
    std::pair<double, double> yRange() const;
    void setXRange(double from, double to);
    /// Back to the data's extent (and the y fit).
    void resetZoom();
    /// Width of the plot area in device-independent pixels: the columns to decimate for.
    int plotColumns() const;

    /// A vertical line at x (the inspected step); NaN hides it.
    void setCrosshair(double x);
    void setDark(bool dark);
    /// Draws the chart (title, axes, legend) into `target` on any paint device — vector on SVG/PDF.
    void render(QPainter* painter, const QRectF& target);

signals:
    /// The user zoomed or panned (not emitted for setPlot/setXRange).
    void xRangeChanged(double from, double to);
    void hovered(double x);
    /// The plot area's width changed: the curves want decimating for the new column count.
    void plotColumnsChanged(int columns);
    /// Lines drawn ahead were shown stretched: the plot area changed size since they were drawn.
    void linesStale();
    void clicked(double x);

private:
    friend class ChartCanvas;
    QAbstractAxis* xAxis() const;
    QAbstractAxis* yAxis() const;
    void ensureAxes(const PlotSpec& spec);
    FittedRanges fitAxes(bool keepX);
    void userChangedX();
    QLineSeries* takeLine(qsizetype& next);
    PlotMapping mapping() const;
    void addGaps(const Curve& curve, QList<double>& gapXs) const;

    QChart* m_chart;
    ChartCanvas* m_canvas;
    QGraphicsLineItem* m_crosshair;
    CurveLayer* m_layer;
    QList<Curve> m_curves;
    CurveSource m_source;
    PlotSpec m_spec;
    QList<QLineSeries*> m_lines;            // empty series that carry the legend of line curves
    QList<QAbstractSeries*> m_others;       // areas, rebuilt each time
    QScatterSeries* m_gaps = nullptr;
    std::pair<double, double> m_dataX{0, 1};
    bool m_settingRange = false;
    int m_columns = 0;
    double m_crosshairX;
};

} // namespace losslens::ui
