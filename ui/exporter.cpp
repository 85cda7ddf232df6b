#include "ui/exporter.h"

#include "core/analysis/alignment.h"
#include "core/runs/run_store.h"
#include "ui/chart_view.h"

#include <QApplication>
#include <QBuffer>
#include <QClipboard>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeData>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <cmath>

namespace losslens::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

template <class F>
void forEachSeries(const RunStore& store, const Selection& selection, F&& f)
{
    for (const QString& runName : selection.runs)
        if (const Run* run = store.findRun(runName.toStdString()))
            for (const auto& s : run->allSeries())
                if (selection.tags.contains(qs(s->tag())))
                    f(*run, *s);
}

QString csvNumber(double v) { return std::isfinite(v) ? QString::number(v, 'g', 17) : std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf"; }

QString csvField(QString s)
{
    if (s.contains(',') || s.contains('"') || s.contains('\n'))
        s = '"' + s.replace("\"", "\"\"") + '"';
    return s;
}

bool writeBytes(const QString& path, const QByteArray& bytes, QString* error)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        if (error)
            *error = f.errorString();
        return false;
    }
    return true;
}

} // namespace

bool formatFromPath(const QString& path, ExportFormat* format)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == "png")
        *format = ExportFormat::Png;
    else if (suffix == "svg")
        *format = ExportFormat::Svg;
    else if (suffix == "pdf")
        *format = ExportFormat::Pdf;
    else if (suffix == "csv")
        *format = ExportFormat::CsvWide;
    else if (suffix == "json")
        *format = ExportFormat::Json;
    else
        return false;
    return true;
}

void renderCharts(QPainter& painter, const QList<ChartView*>& charts, const QRectF& area, bool dark)
{
    if (charts.isEmpty())
        return;
    const int columns = charts.size() <= 1 ? 1 : charts.size() <= 4 ? 2 : 3;
    const int rows = int((charts.size() + columns - 1) / columns);
    const QSizeF cell(area.width() / columns, area.height() / rows);
    // device pixels per point: a PNG at 192 DPI has two pixel columns per point; SVG and PDF one
    const double pixelsPerPoint = painter.device() ? painter.device()->devicePixelRatioF() : 1.0;
    for (int i = 0; i < int(charts.size()); ++i) {
        // a copy laid out at the cell's size, so text keeps its size whatever the output size
        ChartView copy;
        copy.setAttribute(Qt::WA_DontShowOnScreen);
        copy.setDark(dark);
        copy.resize(cell.toSize());
        copy.show();
        copy.setPlot(charts[i]->curves(), charts[i]->spec(), false); // lays out the plot area
        // drawn from a decimation for the output's pixel columns, not for the window's
        copy.setPlot(charts[i]->curvesFor(int(std::ceil(copy.plotColumns() * pixelsPerPoint))), charts[i]->spec(), false);
        const auto [from, to] = charts[i]->xRange();
        copy.setXRange(from, to);
        QCoreApplication::sendPostedEvents();
        copy.render(&painter, QRectF(area.topLeft() + QPointF((i % columns) * cell.width(), (i / columns) * cell.height()), cell));
    }
}

QImage chartImage(const QList<ChartView*>& charts, const ImageOptions& options)
{
    const double scale = options.dpi / 96.0;
    QImage image((QSizeF(options.size) * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(scale);
    image.setDotsPerMeterX(int(std::lround(options.dpi / 0.0254)));
    image.setDotsPerMeterY(int(std::lround(options.dpi / 0.0254)));
    image.fill(options.dark ? QColor(0x2e, 0x30, 0x3c) : QColor(Qt::white));
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    renderCharts(painter, charts, QRectF(QPointF(0, 0), QSizeF(options.size)), options.dark);
    return image;
}

bool exportCharts(const QList<ChartView*>& charts, const QString& path, ExportFormat format, const ImageOptions& options, QString* error)
{
    const QString title = charts.size() == 1 ? charts.front()->spec().title : QObject::tr("LossLens comparison");
    const QRectF area(QPointF(0, 0), QSizeF(options.size));
    switch (format) {
    case ExportFormat::Png: {
        const QImage image = chartImage(charts, options);
        if (!image.save(path, "PNG")) {
            if (error)
                *error = QObject::tr("cannot write %1").arg(path);
            return false;
        }
        return true;
    }
    case ExportFormat::Svg: {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(options.size);
        svg.setViewBox(area);
        svg.setTitle(title);
        svg.setDescription(QObject::tr("Exported by LossLens"));
        QPainter painter;
        if (!painter.begin(&svg)) {
            if (error)
                *error = QObject::tr("cannot write %1").arg(path);
            return false;
        }
        renderCharts(painter, charts, area, options.dark);
        return painter.end();
    }
    case ExportFormat::Pdf: {
        QPdfWriter pdf(path);
        pdf.setTitle(title);
        pdf.setCreator("LossLens");
        pdf.setPageSize(QPageSize(QSizeF(options.size), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setResolution(72 * 4);
        QPainter painter;
        if (!painter.begin(&pdf)) {
            if (error)
                *error = QObject::tr("cannot write %1").arg(path);
            return false;
        }
        painter.scale(4.0, 4.0); // 1 unit = 1 pt
        renderCharts(painter, charts, area, options.dark);
        return painter.end();
    }
    default:
        if (error)
            *error = QObject::tr("not an image format");
        return false;
    }
}

QString csvWide(const RunStore& store, const Selection& selection)
{
    std::vector<const Series*> columns;
    QStringList header{"step"};
    forEachSeries(store, selection, [&](const Run& run, const Series& s) {
        columns.push_back(&s);
        header << csvField(qs(run.name()) + "/" + qs(s.tag()));
    });
    std::vector<Steps> sets;
    for (const Series* s : columns)
        sets.push_back(s->steps());
    const auto grid = analysis::unionOfSteps(sets);
    std::vector<std::vector<double>> values;
    for (const Series* s : columns)
        values.push_back(analysis::alignToSteps(s->steps(), s->values(), grid, analysis::AlignMode::Exact));
    QString out = header.join(',') + '\n';
    for (std::size_t i = 0; i < grid.size(); ++i) {
        out += QString::number(grid[i]);
        for (std::size_t c = 0; c < columns.size(); ++c) {
            out += ',';
            // a gap (no point at this step) is empty; a logged NaN is written as nan
            const auto at = columns[c]->indexAtOrBefore(grid[i]);
            if (at && columns[c]->steps()[*at] == grid[i])
                out += csvNumber(values[c][i]);
        }
        out += '\n';
    }
    return out;
}

QString csvLong(const RunStore& store, const Selection& selection)
{
    QString out = "run,tag,role,step,wall_time,value\n";
    forEachSeries(store, selection, [&](const Run& run, const Series& s) {
        const QString prefix = csvField(qs(run.name())) + ',' + csvField(qs(s.tag())) + ',' + QString::fromLatin1(roleName(s.role()).data()) + ',';
        for (std::size_t i = 0; i < s.size(); ++i)
            out += prefix + QString::number(s.steps()[i]) + ',' + csvNumber(s.wallTimes()[i]) + ',' + csvNumber(s.values()[i]) + '\n';
    });
    return out;
}

QByteArray jsonData(const RunStore& store, const Selection& selection)
{
    QJsonArray runs;
    QJsonArray tags;
    QString currentRun;
    const auto flush = [&] {
        if (!currentRun.isEmpty())
            runs.append(QJsonObject{{"run", currentRun}, {"tags", tags}});
        tags = {};
    };
    const auto num = [](double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null); };
    forEachSeries(store, selection, [&](const Run& run, const Series& s) {
        if (qs(run.name()) != currentRun) {
            flush();
            currentRun = qs(run.name());
        }
        QJsonArray steps, walls, values;
        for (std::size_t i = 0; i < s.size(); ++i)
            steps.append(qint64(s.steps()[i])), walls.append(num(s.wallTimes()[i])), values.append(num(s.values()[i]));
        tags.append(QJsonObject{{"tag", qs(s.tag())},
                                {"role", QString::fromLatin1(roleName(s.role()).data())},
                                {"steps", steps},
                                {"wall_times", walls},
                                {"values", values}});
    });
    flush();
    return QJsonDocument(QJsonObject{{"format", "losslens-export"}, {"version", 1}, {"runs", runs}}).toJson(QJsonDocument::Compact);
}

bool exportData(const RunStore& store, const Selection& selection, const QString& path, ExportFormat format, QString* error)
{
    switch (format) {
    case ExportFormat::CsvWide: return writeBytes(path, csvWide(store, selection).toUtf8(), error);
    case ExportFormat::CsvLong: return writeBytes(path, csvLong(store, selection).toUtf8(), error);
    case ExportFormat::Json: return writeBytes(path, jsonData(store, selection), error);
    default:
        if (error)
            *error = QObject::tr("not a data format");
        return false;
    }
}

void copyCharts(const QList<ChartView*>& charts, const ImageOptions& options)
{
    auto* mime = new QMimeData;
    mime->setImageData(chartImage(charts, options));
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    {
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setSize(options.size);
        svg.setViewBox(QRectF(QPointF(0, 0), QSizeF(options.size)));
        QPainter painter(&svg);
        renderCharts(painter, charts, QRectF(QPointF(0, 0), QSizeF(options.size)), options.dark);
    }
    mime->setData("image/svg+xml", buffer.data());
    QApplication::clipboard()->setMimeData(mime);
}

} // namespace losslens::ui
