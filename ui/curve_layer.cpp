#include "ui/curve_layer.h"

#include <QPaintEngine>
#include <QThread>
#include <QtConcurrent/QtConcurrentMap>
#include <QPainter>
#include <QPolygonF>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace losslens::ui {

namespace {

bool drawable(double y, bool logY) { return std::isfinite(y) && (!logY || y > 0); }

// Calls `run(first, end)` for each unbroken run of drawable points of `points`.
template <class Run>
void forEachRun(const QList<QPointF>& points, bool logY, Run run)
{
    for (qsizetype i = 0; i < points.size();) {
        while (i < points.size() && !drawable(points[i].y(), logY))
            ++i;
        const qsizetype first = i;
        while (i < points.size() && drawable(points[i].y(), logY))
            ++i;
        if (i > first)
            run(first, i);
    }
}

// Data → plot-area coordinates (then scaled to device pixels by the caller when rasterising).
struct Projection {
    explicit Projection(const PlotMapping& mapping)
        : m(mapping), sx(m.area.width() / (m.x1 - m.x0)), fy0(fy(m.y0)), sy(m.area.height() / (fy(m.y1) - fy0))
    {
    }
    bool valid() const { return m.x1 > m.x0 && m.y1 > m.y0 && (!m.logY || m.y0 > 0); }
    double fy(double y) const { return m.logY ? std::log10(y) : y; }
    /// Relative to the area's top left corner.
    QPointF operator()(QPointF p) const { return {(p.x() - m.x0) * sx, m.area.height() - (fy(p.y()) - fy0) * sy}; }

    PlotMapping m;
    double sx, fy0, sy;
};

} // namespace

CurveLayer::CurveLayer(QGraphicsItem* parent, std::function<PlotMapping()> mapping, std::function<void()> stale)
    : QGraphicsItem(parent), m_mapping(std::move(mapping)), m_stale(std::move(stale))
{
}

void CurveLayer::setCurves(QList<Curve> curves)
{
    m_curves = std::move(curves);
    m_prerendered = {};
    update();
}

void CurveLayer::setPrerendered(QImage image, const PlotMapping& mapping, qreal scale)
{
    m_prerendered = {std::move(image), mapping, scale};
    update();
}

bool CurveLayer::dense(const QList<Curve>& curves, qreal areaWidth)
{
    // many curves, or one with more points than pixel columns: a wide pen's stroker spends
    // seconds filling the outline of a polyline folded back on itself in every column
    qsizetype points = 0, most = 0;
    for (const Curve& c : curves)
        points += c.points.size(), most = std::max(most, c.points.size());
    return points > kWidePenPoints || double(most) > 1.5 * areaWidth;
}

qsizetype CurveLayer::pointCount(const QString& curve) const
{
    qsizetype n = 0;
    for (const Curve& c : m_curves)
        if (c.name == curve)
            forEachRun(c.points, m_mapping().logY, [&](qsizetype first, qsizetype end) { n += end - first; });
    return n > 0 ? n : -1;
}

void CurveLayer::areaChanged()
{
    prepareGeometryChange();
    m_area = m_mapping().area;
    update();
}

QRectF CurveLayer::boundingRect() const { return m_area; }

QImage CurveLayer::rasterize(const QList<Curve>& curves, const PlotMapping& mapping, qreal scale, Threads threads)
{
    const Projection project(mapping);
    const QSize size(int(std::ceil(mapping.area.width() * scale)), int(std::ceil(mapping.area.height() * scale)));
    if (!project.valid() || size.isEmpty())
        return {};
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    uchar* bits = image.bits(); // taken here: the stripes write their own columns of it
    // one vertical stripe per core, each drawing every curve's part in it
    const int count = threads == Threads::All ? std::clamp(QThread::idealThreadCount(), 1, 8) : 1;
    std::vector<int> stripes(static_cast<std::size_t>(count));
    std::iota(stripes.begin(), stripes.end(), 0);
    QtConcurrent::blockingMap(stripes, [&](int stripe) {
        const int first = size.width() * stripe / count, last = size.width() * (stripe + 1) / count;
        LineRaster raster;
        raster.reset(size, first, last - first);
        std::vector<QPointF> pixels;
        for (const Curve& c : curves)
            forEachRun(c.points, mapping.logY, [&](qsizetype begin, qsizetype end) {
                pixels.resize(std::size_t(end - begin));
                for (qsizetype i = begin; i < end; ++i)
                    pixels[std::size_t(i - begin)] = project(c.points[i]) * scale;
                raster.draw(pixels, c.color, c.width * scale, c.style);
            });
        raster.copyTo(bits, image.bytesPerLine());
    });
    image.setDevicePixelRatio(scale);
    return image;
}

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
    const Projection project(m);
    if (!project.valid())
        return;
    painter->save();
    painter->setClipRect(m.area);
    // Decimated curves are mostly vertical strokes within a pixel column. QPainter strokes each
    // one separately, and a wide pen turns each polyline into an outline that is then filled
    // (seconds for 80 dense curves): on pixels, dense plots are drawn as column spans instead;
    // on vector devices (SVG, PDF) as one-pixel cosmetic lines.
    const QTransform device = painter->deviceTransform();
    const qreal scale = device.m11();
    const bool pixels = painter->paintEngine() && painter->paintEngine()->type() == QPaintEngine::Raster &&
                        device.type() <= QTransform::TxScale && scale > 0 && device.m22() == scale;
    const bool isDense = dense(m_curves, m.area.width());
    if (isDense && pixels) {
        const bool ready = !m_prerendered.image.isNull() && m_prerendered.scale == scale && m_prerendered.mapping.sameRanges(m);
        if (ready && !m_prerendered.mapping.sameScale(m)) {
            // new axis labels moved the plot area's edges by a few pixels: stretched for now,
            // while the picture is drawn again for the new size
            painter->setRenderHint(QPainter::SmoothPixmapTransform);
            painter->drawImage(m.area, m_prerendered.image);
            if (m_stale)
                m_stale();
        } else {
            // this thread alone: the pool's threads run background work at a lower priority
            painter->drawImage(m.area.topLeft(), ready ? m_prerendered.image : rasterize(m_curves, m, scale, Threads::This));
        }
        painter->restore();
        return;
    }
    QPolygonF polyline;
    for (const Curve& c : m_curves)
        forEachRun(c.points, m.logY, [&](qsizetype first, qsizetype end) {
            polyline.resize(end - first);
            for (qsizetype i = first; i < end; ++i)
                polyline[i - first] = project(c.points[i]) + m.area.topLeft();
            QPen pen(c.color, c.width, c.style, Qt::RoundCap, Qt::RoundJoin);
            if (isDense) {
                pen.setWidthF(1.0);
                pen.setCosmetic(true);
                collapseColumns(polyline);
            }
            painter->setPen(pen);
            painter->drawPolyline(polyline);
        });
    painter->restore();
}

} // namespace losslens::ui
