#include "ui/line_raster.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>

namespace losslens::ui {

namespace {

constexpr float kNone = std::numeric_limits<float>::infinity(); // a column's span before it is covered

// Each of a pixel's four 8-bit channels times a/255, rounded: two channels per multiply.
quint32 byteMul(quint32 x, quint32 a)
{
    quint32 t = (x & 0xff00ffu) * a;
    t = ((t + ((t >> 8) & 0xff00ffu) + 0x800080u) >> 8) & 0xff00ffu;
    x = ((x >> 8) & 0xff00ffu) * a;
    x = (x + ((x >> 8) & 0xff00ffu) + 0x800080u) & 0xff00ff00u;
    return x | t;
}

// Source-over of a premultiplied pixel.
void blend(quint32& dst, quint32 src) { dst = src + byteMul(dst, 255u - quint32(qAlpha(src))); }

// Qt's dash patterns, in pixel columns for a pen about 1.5 px wide: on, off, on, off…
bool dashOn(int column, Qt::PenStyle style)
{
    static constexpr std::array<int, 6> kDash{6, 3, 0, 0, 0, 0}, kDot{2, 3, 0, 0, 0, 0}, kDashDot{6, 3, 2, 3, 0, 0},
        kDashDotDot{6, 3, 2, 3, 2, 3};
    const std::array<int, 6>* pattern = nullptr;
    switch (style) {
    case Qt::DashLine: pattern = &kDash; break;
    case Qt::DotLine: pattern = &kDot; break;
    case Qt::DashDotLine: pattern = &kDashDot; break;
    case Qt::DashDotDotLine: pattern = &kDashDotDot; break;
    default: return true;
    }
    int period = 0;
    for (int part : *pattern)
        period += part;
    int at = column % period;
    for (std::size_t k = 0; k < pattern->size(); ++k) {
        if (at < (*pattern)[k])
            return k % 2 == 0;
        at -= (*pattern)[k];
    }
    return false;
}

} // namespace

void LineRaster::reset(QSize image, int first, int count)
{
    m_offset = first, m_width = std::max(0, count), m_height = std::max(0, image.height());
    m_pixels.assign(std::size_t(m_width) * std::size_t(m_height), 0u);
    m_top.assign(std::size_t(m_width), kNone);
    m_bottom.assign(std::size_t(m_width), -kNone);
}

void LineRaster::copyTo(uchar* bits, qsizetype bytesPerLine) const
{
    constexpr int kTile = 32; // transposed tile by tile, so both sides stay in cache
    for (int c0 = 0; c0 < m_width; c0 += kTile)
        for (int r0 = 0; r0 < m_height; r0 += kTile)
            for (int r = r0; r < std::min(m_height, r0 + kTile); ++r) {
                auto* row = reinterpret_cast<quint32*>(bits + r * bytesPerLine) + m_offset;
                for (int c = c0; c < std::min(m_width, c0 + kTile); ++c)
                    row[c] = m_pixels[std::size_t(c) * std::size_t(m_height) + std::size_t(r)];
            }
}

void LineRaster::cover(int column, double y0, double y1)
{
    float& top = m_top[std::size_t(column)];
    float& bottom = m_bottom[std::size_t(column)];
    top = std::min(top, float(std::min(y0, y1)));
    bottom = std::max(bottom, float(std::max(y0, y1)));
}

void LineRaster::draw(std::span<const QPointF> points, const QColor& color, qreal width, Qt::PenStyle style)
{
    const int columns = m_width;
    if (points.empty() || columns == 0 || style == Qt::NoPen)
        return;
    // far outside the image a column number would overflow: those ends only need to be off it
    const double offset = m_offset; // the stripe's columns count from 0
    const auto column = [columns](double x) { return int(std::floor(std::clamp(x, -2.0, double(columns) + 2))); };
    int at = column(points[0].x() - offset), lowest = at, highest = at; // x should not decrease; if it does, no span is left behind
    if (points.size() == 1 && at >= 0 && at < columns)
        cover(at, points[0].y(), points[0].y());
    for (std::size_t i = 0; i + 1 < points.size(); ++i) {
        const QPointF p(points[i].x() - offset, points[i].y()), q(points[i + 1].x() - offset, points[i + 1].y());
        const int next = column(q.x());
        lowest = std::min(lowest, next), highest = std::max(highest, next);
        if (at == next) {
            if (at >= 0 && at < columns)
                cover(at, p.y(), q.y());
            continue;
        }
        // a segment across columns covers, in each, the part of it between the column's edges
        const double slope = (q.y() - p.y()) / (q.x() - p.x());
        for (int c = std::max(0, std::min(at, next)); c <= std::min(columns - 1, std::max(at, next)); ++c) {
            const double xa = std::max(std::min(p.x(), q.x()), double(c)), xb = std::min(std::max(p.x(), q.x()), double(c + 1));
            cover(c, p.y() + slope * (xa - p.x()), p.y() + slope * (xb - p.x()));
        }
        at = next;
    }
    m_first = std::max(0, lowest), m_last = std::min(columns - 1, highest);
    fill(color, width, style);
}

// Blends each touched column's span, widened by half the pen on each side, into the image.
void LineRaster::fill(const QColor& color, qreal width, Qt::PenStyle style)
{
    const quint32 solid = qPremultiply(color.rgba());
    const bool opaque = qAlpha(solid) == 255;
    const double half = std::max(0.5, width / 2);
    const int rows = m_height;
    for (int c = m_first; c <= m_last; ++c) {
        const double top = double(std::exchange(m_top[std::size_t(c)], kNone)) - half;
        const double bottom = double(std::exchange(m_bottom[std::size_t(c)], -kNone)) + half;
        if (!(top < bottom) || !dashOn(c + m_offset, style))
            continue;
        // rows the span covers partly (its ends, antialiased) and wholly (plain stores when opaque)
        const double clippedTop = std::max(top, 0.0), clippedBottom = std::min(bottom, double(rows));
        if (!(clippedTop < clippedBottom))
            continue;
        quint32* column = m_pixels.data() + std::size_t(c) * std::size_t(rows);
        const int first = int(clippedTop), last = std::min(rows - 1, int(std::ceil(clippedBottom)) - 1);
        const auto partly = [&](int r) {
            const double coverage = std::min(clippedBottom, double(r + 1)) - std::max(clippedTop, double(r));
            blend(column[r], byteMul(solid, quint32(coverage * 255 + 0.5)));
        };
        if (first == last) {
            partly(first);
            continue;
        }
        partly(first);
        if (opaque)
            std::fill(column + first + 1, column + last, solid);
        else
            for (int r = first + 1; r < last; ++r)
                blend(column[r], solid);
        partly(last);
    }
}

} // namespace losslens::ui
