#pragma once
// Draws a ChartView's line curves itself, inside the chart's scene. Qt Charts' QLineSeries
// strokes each series' whole outline to build its hover shape on every update (≈ 4.6 µs a
// point), so a frame of 80 decimated curves took over a second; polylines take milliseconds,
// and dense plots drawn as pixel-column spans (LineRaster) a fraction of that — on another
// thread when the plot was built there (rasterize()).
// Part of the Qt Charts code of ChartView: it maps data to the plot area the way the axes do.

#include "ui/chart_view.h"
#include "ui/line_raster.h"

#include <QGraphicsItem>
#include <QImage>
#include <QList>
#include <QPolygonF>

#include <functional>

namespace losslens::ui {

/// The data → pixel mapping of the plot area: x linear, y linear or log10.
struct PlotMapping {
    QRectF area;
    double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    bool logY = false;
    bool sameRanges(const PlotMapping& o) const { return x0 == o.x0 && x1 == o.x1 && y0 == o.y0 && y1 == o.y1 && logY == o.logY; }
    /// Draws the same pixels wherever the area is.
    bool sameScale(const PlotMapping& o) const { return area.size() == o.area.size() && sameRanges(o); }
};

class CurveLayer : public QGraphicsItem {
public:
    /// `mapping` is asked at every paint, so zooming needs no bookkeeping here. `stale` is called
    /// when a picture drawn ahead was shown stretched to a plot area that has since changed size.
    CurveLayer(QGraphicsItem* parent, std::function<PlotMapping()> mapping, std::function<void()> stale = {});

    /// The line curves to draw; their non-finite (on log y, non-positive) points are gaps.
    void setCurves(QList<Curve> curves);
    /// The curves set last, drawn already (by rasterize(), `scale` device pixels per unit) for
    /// `mapping`: painted as they are while the plot is mapped that way.
    void setPrerendered(QImage image, const PlotMapping& mapping, qreal scale);
    /// Drawable points of `curve`, or -1 when it has none.
    qsizetype pointCount(const QString& curve) const;
    /// Call when the plot area moved or resized.
    void areaChanged();

    /// Whether `curves` on a plot area `areaWidth` wide are drawn as pixel-column spans (on
    /// pixels) or one-pixel lines (vectors).
    static bool dense(const QList<Curve>& curves, qreal areaWidth);
    enum class Threads { This, All };
    /// Dense `curves` drawn into an image of `mapping.area` at `scale` pixels per unit, on this
    /// thread or on every core; from any thread.
    static QImage rasterize(const QList<Curve>& curves, const PlotMapping& mapping, qreal scale, Threads threads);

    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    static void collapseColumns(QPolygonF& polyline);

    std::function<PlotMapping()> m_mapping;
    std::function<void()> m_stale;
    static constexpr qsizetype kWidePenPoints = 50'000; ///< above this, curves are dense
    QList<Curve> m_curves;
    QRectF m_area;
    struct Prerendered {
        QImage image;
        PlotMapping mapping;
        qreal scale = 0;
    } m_prerendered;
};

} // namespace losslens::ui
