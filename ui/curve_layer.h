#pragma once
// Draws a ChartView's line curves itself, inside the chart's scene. Qt Charts' QLineSeries
// strokes each series' whole outline to build its hover shape on every update (≈ 4.6 µs a
// point), so a frame of 80 decimated curves took over a second; polylines take milliseconds.
// Part of the Qt Charts code of ChartView: it maps data to the plot area the way the axes do.

#include <QGraphicsItem>
#include <QList>
#include <QPen>
#include <QPointF>
#include <QPolygonF>
#include <QString>

#include <functional>

namespace losslens::ui {

/// The data → pixel mapping of the plot area: x linear, y linear or log10.
struct PlotMapping {
    QRectF area;
    double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    bool logY = false;
};

class CurveLayer : public QGraphicsItem {
public:
    /// `mapping` is asked at every paint, so zooming needs no bookkeeping here.
    CurveLayer(QGraphicsItem* parent, std::function<PlotMapping()> mapping);

    void clear();
    /// One unbroken run of finite points of `curve`, drawn with `pen`.
    void addSegment(const QString& curve, const QPen& pen, QList<QPointF> points);
    /// Points drawn for `curve` (all its segments), or -1 when it has none.
    qsizetype pointCount(const QString& curve) const;
    /// Call when the plot area moved or resized.
    void areaChanged();

    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    struct Segment {
        QString curve;
        QPen pen;
        QList<QPointF> points;
    };
    static void collapseColumns(QPolygonF& polyline);

    std::function<PlotMapping()> m_mapping;
    static constexpr qsizetype kWidePenPoints = 50'000; ///< above this, lines are drawn one pixel wide
    QList<Segment> m_segments;
    qsizetype m_pointCount = 0;
    QRectF m_area;
};

} // namespace losslens::ui
