// losslens-cli export: the viewer's charts and data, rendered offscreen with the same widgets.

#include "command.h"

#include "ui/log_session.h"
#include "ui/main_window.h"
#include "ui/plot_area.h"
#include "ui/runs_panel.h"
#include "ui/tags_panel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QEventLoop>
#include <QTimer>

#include <cstdio>

namespace losslens::cli {

int runExport(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Renders a view of training logs to an image, or writes their data, as the viewer's File ▸ Export does.\n"
        "The format follows --out's suffix: .png (raster), .svg and .pdf (vector, with title, axis titles and legend),\n"
        ".csv (wide: step plus one column per run/tag; --long for run,tag,role,step,wall_time,value lines), .json.");
    parser.addHelpOption();
    parser.addPositionalArgument("paths", "Log folders or files.", "PATH…");
    const QCommandLineOption out("out", "The file to write.", "FILE");
    const QCommandLineOption view("view", "curves (default), breakdown, share, balance or compare.", "VIEW", "curves");
    const QCommandLineOption runs("runs", "Only runs matching this regular expression.", "REGEX");
    const QCommandLineOption tags("tags", "Only tags matching this regular expression.", "REGEX");
    const QCommandLineOption smoothing("smoothing", "TensorBoard EMA weight in [0, 0.999] (default 0.6).", "S", "0.6");
    const QCommandLineOption xAxis("x", "x axis: step (default), relative or wall.", "AXIS", "step");
    const QCommandLineOption logY("log-y", "Logarithmic y axis.");
    const QCommandLineOption width("width", "Width in points (default 1200).", "W", "1200");
    const QCommandLineOption height("height", "Height in points (default 700).", "H", "700");
    const QCommandLineOption dpi("dpi", "PNG resolution (default 96: one pixel per point).", "DPI", "96");
    const QCommandLineOption focus("run", "The run the breakdown, share and balance views show (default: the first).", "RUN");
    const QCommandLineOption group("group", "Group runs by this regex (compare: mean and min–max band).", "REGEX");
    const QCommandLineOption longCsv("long", "CSV in long form.");
    const QCommandLineOption dark("dark", "Dark chart theme.");
    for (const auto& o : {out, view, runs, tags, smoothing, xAxis, logY, width, height, dpi, focus, group, longCsv, dark})
        parser.addOption(o);
    parser.process(arguments);

    const auto usage = [](const char* message, const QString& value = {}) {
        std::fprintf(stderr, "losslens-cli export: %s%s\n", message, qPrintable(value));
        return Usage;
    };
    if (parser.positionalArguments().isEmpty() || !parser.isSet(out))
        return usage("give one or more PATHs and --out FILE");
    ui::ExportFormat format;
    if (!ui::formatFromPath(parser.value(out), &format))
        return usage("--out must end in .png, .svg, .pdf, .csv or .json: ", parser.value(out));
    if (format == ui::ExportFormat::CsvWide && parser.isSet(longCsv))
        format = ui::ExportFormat::CsvLong;
    ui::ViewSettings settings;
    if (!ui::parseView(parser.value(view), &settings.view))
        return usage("unknown --view ", parser.value(view));
    if (!ui::parseXAxis(parser.value(xAxis), &settings.xAxis))
        return usage("unknown --x ", parser.value(xAxis));
    bool ok = false;
    settings.smoothing = parser.value(smoothing).toDouble(&ok);
    if (!ok || settings.smoothing < 0 || settings.smoothing > 0.999)
        return usage("--smoothing must be in [0, 0.999]: ", parser.value(smoothing));
    settings.logY = parser.isSet(logY);
    settings.dark = parser.isSet(dark);
    ui::ImageOptions image;
    image.size = QSize(parser.value(width).toInt(), parser.value(height).toInt());
    image.dpi = parser.value(dpi).toInt();
    image.dark = settings.dark;
    if (image.size.width() < 100 || image.size.height() < 100 || image.size.width() > 20000 || image.size.height() > 20000)
        return usage("--width and --height must be between 100 and 20000");
    if (image.dpi < 24 || image.dpi > 1200)
        return usage("--dpi must be between 24 and 1200");

    ui::MainWindow window;
    window.setAttribute(Qt::WA_DontShowOnScreen);
    window.session().setAutoReload(false);
    window.resize(image.size.width() + 320, image.size.height() + 260); // decimation follows the chart's width
    window.show();
    int failures = 0;
    QObject::connect(&window.session(), &ui::LogSession::loadFailed, [&](const QString& path, const QString& error) {
        std::fprintf(stderr, "losslens-cli export: %s: %s\n", qPrintable(path), qPrintable(error));
        ++failures;
    });
    QObject::connect(&window.session(), &ui::LogSession::warningsFound, [](const QStringList& warnings) {
        for (const QString& w : warnings)
            std::fprintf(stderr, "warning: %s\n", qPrintable(w));
    });
    // message boxes would wait for a click: close any that the window opens
    QTimer closer;
    QObject::connect(&closer, &QTimer::timeout, [] {
        for (QWidget* w : QApplication::topLevelWidgets())
            if (w->inherits("QMessageBox"))
                w->close();
    });
    closer.start(50);
    QEventLoop loop;
    QObject::connect(&window.session(), &ui::LogSession::loaded, &loop, [&] {
        if (!window.session().loading())
            loop.quit();
    });
    window.open(parser.positionalArguments());
    if (window.session().loading())
        loop.exec();
    if (failures == parser.positionalArguments().size())
        return Failed;
    window.runs().setFilter(parser.value(runs));
    window.tags().setFilter(parser.value(tags));
    window.runs().setGroupRegex(parser.value(group));
    if (parser.isSet(focus))
        window.runs().setFocusRun(parser.value(focus));
    window.plot().setSettings(settings);
    QApplication::processEvents();
    if (window.runs().checkedRuns().isEmpty())
        return std::fprintf(stderr, "losslens-cli export: no run matches\n"), Failed;
    QString error;
    if (!window.exportTo(parser.value(out), format, image, &error)) {
        std::fprintf(stderr, "losslens-cli export: %s\n", qPrintable(error));
        return Failed;
    }
    std::printf("wrote %s\n", qPrintable(parser.value(out)));
    return Ok;
}

} // namespace losslens::cli
