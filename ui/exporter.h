#pragma once
// Taking charts and data out: PNG (size, DPI), SVG and PDF (vector, with title, axis titles and
// legend), CSV (wide or long), JSON, and the clipboard. Used by the window and losslens-cli.

#include "ui/view_settings.h"

#include <QList>
#include <QSize>
#include <QString>

QT_FORWARD_DECLARE_CLASS(QPainter)
QT_FORWARD_DECLARE_CLASS(QImage)

namespace losslens {
class RunStore;
}

namespace losslens::ui {

class ChartView;

enum class ExportFormat { Png, Svg, Pdf, CsvWide, CsvLong, Json };

/// From a file name's suffix: .png .svg .pdf .csv (wide) .json; false for anything else.
bool formatFromPath(const QString& path, ExportFormat* format);

struct ImageOptions {
    QSize size{1200, 700}; ///< in points (device-independent pixels)
    int dpi = 96;          ///< PNG: pixels = size · dpi / 96
    bool dark = false;
};

/// Draws the charts (one, or a grid of small multiples) into `area` with their own titles,
/// axes and legends, each laid out for its cell — crisp on any paint device.
void renderCharts(QPainter& painter, const QList<ChartView*>& charts, const QRectF& area, bool dark);
QImage chartImage(const QList<ChartView*>& charts, const ImageOptions& options);
bool exportCharts(const QList<ChartView*>& charts, const QString& path, ExportFormat format, const ImageOptions& options,
                  QString* error = nullptr);

/// step, then one column per checked run × tag ("run/tag"); empty where a series has no point.
QString csvWide(const RunStore& store, const Selection& selection);
/// run, tag, role, step, wall_time, value: one line per point of the checked runs and tags.
QString csvLong(const RunStore& store, const Selection& selection);
/// {"runs":[{"run":…,"tags":[{"tag":…,"role":…,"steps":[…],"wall_times":[…],"values":[…]}]}]}; NaN/Inf as null.
QByteArray jsonData(const RunStore& store, const Selection& selection);
bool exportData(const RunStore& store, const Selection& selection, const QString& path, ExportFormat format, QString* error = nullptr);

/// Puts the chart image and its SVG on the clipboard.
void copyCharts(const QList<ChartView*>& charts, const ImageOptions& options);

} // namespace losslens::ui
