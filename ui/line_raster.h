#pragma once
// Rasterises lines that are dense in x — decimated curves keep up to four points per pixel
// column — into an image. Per pixel column a line covers the vertical span its segments cross
// there, widened by the pen; the span's ends are antialiased by coverage. QPainter strokes each
// of those short segments separately (≈ 130 ns each: 75 ms for 256 curves); a span costs a few
// nanoseconds plus its pixels, so the chart view draws dense plots this way on raster devices.

#include <QColor>
#include <QImage>
#include <QPointF>

#include <span>
#include <vector>

namespace losslens::ui {

class LineRaster {
public:
    /// Starts over, transparent, on the columns [first, first + count) of an image of `image`
    /// pixels: stripes of one image can be drawn on different threads.
    void reset(QSize image, int first, int count);

    /// Draws the polyline through `points` (image pixels, x not decreasing) `width` pixels wide
    /// over what is drawn already; dash styles repeat along x.
    void draw(std::span<const QPointF> points, const QColor& color, qreal width, Qt::PenStyle style);
    /// Writes the stripe into the premultiplied ARGB pixels of the image (`bytesPerLine` apart).
    void copyTo(uchar* bits, qsizetype bytesPerLine) const;

private:
    void cover(int column, double y0, double y1);
    void fill(const QColor& color, qreal width, Qt::PenStyle style);

    int m_offset = 0, m_width = 0, m_height = 0; // the stripe's first column, its width; the image's height
    // column by column: a span is then contiguous, where image rows would put each of its
    // pixels on another cache line
    std::vector<quint32> m_pixels;
    std::vector<float> m_top, m_bottom; // per column: the span of the line being drawn (±inf: none)
    int m_first = 0, m_last = -1;       // the columns between its ends
};

} // namespace losslens::ui
