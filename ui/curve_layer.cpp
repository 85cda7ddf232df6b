#include "ui/curve_layer.h"

#include <QPainter>
#include <QPolygonF>

#include <cmath>

namespace losslens::ui {

CurveLayer::CurveLayer(QGraphicsItem* parent, std::function<PlotMapping()> mapping)
    : QGraphicsItem(parent), m_mapping(std::move(mapping))
{
}

void CurveLayer::clear()
{
    m_segments.clear();
    m_pointCount = 0;
    update();
}

void CurveLayer::addSegment(const QString& curve, const QPen& pen, QList<QPointF> points)
{
    m_pointCount += points.size();
    m_segments.append({curve, pen, std::move(points)});
    update();
}

qsizetype CurveLayer::pointCount(const QString& curve) const
{
    qsizetype n = -1;
    for (const Segment& s : m_segments)
        if (s.curve == curve)
            n = std::max<qsizetype>(n, 0) + s.points.size();
    return n;
}

void CurveLayer::areaChanged()
{
    prepareGeometryChange();
    m_area = m_mapping().area;
    update();
}

QRectF CurveLayer::boundingRect() const { return m_area; }

// A one-pixel line through points that share a device pixel column covers that column from their
// lowest to their highest point: two points draw it as the four M4 keeps did, in half the time.
// The lower or upper end comes first, whichever is nearer to where the line comes from.
void CurveLayer::collapseColumns(QPolygonF& polyline)
{
    qsizetype out = 0;
    for (qsizetype i = 0; i < polyline.size();) {
        const double column = std::floor(polyline[i].x());
        qsizetype end = i + 1;
        double lo = polyline[i].y(), hi = lo;
        for (; end < polyline.size() && std::floor(polyline[end].x()) == column; ++end)
            lo = std::min(lo, polyline[end].y()), hi = std::max(hi, polyline[end].y());
        if (end - i <= 2) {
            while (i < end)
                polyline[out++] = polyline[i++];
            continue;
        }
        const double x = polyline[i].x(), from = out > 0 ? polyline[out - 1].y() : polyline[i].y();
        const bool upFirst = std::abs(from - hi) < std::abs(from - lo);
        polyline[out++] = QPointF(x, upFirst ? hi : lo);
        polyline[out++] = QPointF(x, upFirst ? lo : hi);
        i = end;
    }
    polyline.resize(out);
}

void CurveLayer::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    const PlotMapping m = m_mapping();
    if (!(m.x1 > m.x0) || !(m.y1 > m.y0) || (m.logY && !(m.y0 > 0)))
        return;
    const auto fy = [&](double y) { return m.logY ? std::log10(y) : y; };
    const double sx = m.area.width() / (m.x1 - m.x0), fy0 = fy(m.y0), sy = m.area.height() / (fy(m.y1) - fy0);
    painter->save();
    painter->setClipRect(m.area);
    // Decimated curves are mostly vertical strokes within a pixel column. A wide pen turns each
    // polyline into a stroked outline that is then filled, in proportion to its length in pixels
    // (seconds for 80 dense curves); one-pixel cosmetic lines take the raster engine's line path.
    const bool dense = m_pointCount > kWidePenPoints;
    QPolygonF polyline;
    for (const Segment& s : m_segments) {
        polyline.resize(s.points.size());
        for (qsizetype i = 0; i < s.points.size(); ++i)
            polyline[i] = QPointF(m.area.left() + (s.points[i].x() - m.x0) * sx,
                                  m.area.bottom() - (fy(s.points[i].y()) - fy0) * sy);
        QPen pen = s.pen;
        if (dense) {
            pen.setWidthF(1.0);
            pen.setCosmetic(true);
            collapseColumns(polyline);
        }
        painter->setPen(pen);
        painter->drawPolyline(polyline);
    }
    painter->restore();
}

} // namespace losslens::ui
