// losslens: open logdirs or files and see what the loss is made of.

#include "ui/live_session.h"
#include "ui/log_session.h"
#include "ui/main_window.h"
#include "ui/plot_area.h"
#include "ui/script_editor.h"

#include "core/runs/malloc_arenas.h"
#include "core/script/derived_series_model.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace {

// Without a display Qt aborts with a cryptic xcb message; say what to do instead.
bool hasDisplay()
{
    return qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || qEnvironmentVariableIsSet("DISPLAY") ||
           qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
}

// --help and --version print and exit: they need no display.
bool onlyPrints(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i)
        for (const char* option : {"-h", "--help", "--help-all", "-v", "--version"})
            if (std::strcmp(argv[i], option) == 0)
                return true;
    return false;
}

// The bundled sample runs: installed next to the binary's share/, else the source tree's.
QString samplesDir()
{
    const QString installed = QDir(QApplication::applicationDirPath()).filePath("../share/losslens/samples");
    if (QFileInfo(installed).isDir())
        return QDir::cleanPath(installed);
    return QFileInfo(LOSSLENS_SAMPLES).isDir() ? QString(LOSSLENS_SAMPLES) : QString();
}

// --derived NAME=EXPR…: what the Script Editor's "Add series" does, from the command line.
bool addDerivedSeries(losslens::ui::MainWindow& window, const QStringList& definitions)
{
    for (const QString& d : definitions) {
        const qsizetype eq = d.indexOf('=');
        if (eq <= 0 || eq + 1 == d.size()) {
            std::fprintf(stderr, "losslens: --derived takes NAME=EXPRESSION, not '%s'\n", qPrintable(d));
            return false;
        }
        const losslens::script::DerivedDefinition definition{
            {d.left(eq).trimmed().toStdString(), d.mid(eq + 1).trimmed().toStdString(), losslens::Role::Other,
             losslens::script::DerivedLanguage::Expression},
            false};
        window.defineDerived(definition);
        window.scriptEditor().showDefinition(definition);
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    losslens::useSingleMallocArena(); // before any thread: memory freed after a load goes back
    if (!hasDisplay() && onlyPrints(argc, argv))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (!hasDisplay()) {
        std::fprintf(stderr,
                     "losslens: no display found (DISPLAY and WAYLAND_DISPLAY are unset).\n"
                     "  On a headless machine, run it under a virtual display:  xvfb-run -a losslens [PATH…]\n"
                     "  or use the command-line tool:                            losslens-cli --help\n");
        return 2;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName("LossLens");
    QApplication::setOrganizationName("LossLens");
    QApplication::setApplicationVersion(LOSSLENS_VERSION);
    QApplication::setDesktopFileName("losslens");

    QCommandLineParser parser;
    parser.setApplicationDescription("See what your multi-task loss is made of, over training.\n"
                                     "Without PATH, reopens the last session, or the bundled sample runs.");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("paths", "Log folders or files to open (TensorBoard, CSV, JSON lines), or a .losslens session.", "[PATH…]");
    const QCommandLineOption screenshot("screenshot", "Save a picture of the window to FILE once the logs are loaded, then quit.", "FILE");
    const QCommandLineOption view("view", "Start in VIEW: curves, breakdown, share, balance or compare.", "VIEW");
    const QCommandLineOption dark("dark", "Use the dark palette.");
    const QCommandLineOption samples("samples", "Open the bundled sample runs.");
    const QCommandLineOption fresh("no-restore", "Do not reopen the last session.");
    const QCommandLineOption derived("derived", "Add a derived series NAME=EXPRESSION to every run (repeatable), e.g. "
                                                "\"unexplained=total_loss - (`scene/xent` + `depth/mse`)\".", "NAME=EXPR");
    const QCommandLineOption scriptEditor("script-editor", "Show the Script Editor (with the last --derived series, if any).");
    for (const auto& o : {screenshot, view, dark, samples, fresh, derived, scriptEditor})
        parser.addOption(o);
    // Live mode (protocol v1, see docs/live-protocol.md).
    const QCommandLineOption listen("listen", "Receive live losses (newline-delimited JSON over TCP) on [HOST:]PORT "
                                              "(e.g. 127.0.0.1:6464); a non-loopback HOST requires --token.",
                                    "[HOST:]PORT");
    const QCommandLineOption token("token", "Secret that live clients must send in their hello line.", "SECRET");
    const QCommandLineOption demo("demo", "Train the demo multi-task model in the background and watch its losses stream in.");
    QCommandLineOption measureLatency("measure-latency", "Append the event loop's delay for a probe posted every 10 ms "
                                                         "to FILE (benchmarks).", "FILE");
    measureLatency.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({listen, token, demo, measureLatency});
    parser.process(app);

    losslens::ui::MainWindow window;
    if (parser.isSet(dark) || QSettings().value("dark").toBool())
        window.setDarkPalette(true);
    if (parser.isSet(view)) {
        auto s = window.plot().settings();
        if (!losslens::ui::parseView(parser.value(view), &s.view)) {
            std::fprintf(stderr, "losslens: unknown view '%s'\n", qPrintable(parser.value(view)));
            return 2;
        }
        window.plot().setSettings(s);
    }
    if (!parser.isSet(screenshot)) // a screenshot shows the default layout
        window.restoreLayout();
    if (!addDerivedSeries(window, parser.values(derived)))
        return 2;
    if (parser.isSet(scriptEditor))
        window.scriptEditor().show();
    window.show();
    QStringList paths = parser.positionalArguments();
    if (parser.isSet(screenshot)) {
        const auto grab = [&] {
            window.plot().redrawNow();
            QApplication::exit(window.grab().save(parser.value(screenshot)) ? 0 : 1);
        };
        QObject::connect(&window.session(), &losslens::ui::LogSession::loaded, &window, [&window, grab] {
            QTimer::singleShot(600, &window, [&window, grab] { // let the chart lay out and paint first, and derived series compute
                if (!window.derivedSeries().busy())
                    return grab();
                QObject::connect(&window.derivedSeries(), &losslens::script::DerivedSeriesModel::settled, &window,
                                 [&window, grab] { QTimer::singleShot(100, &window, grab); });
            });
        });
    }
    const QString last = QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath("last.losslens");
    if (paths.size() == 1 && paths.front().endsWith(".losslens"))
        window.loadSession(paths.front());
    else if (!paths.isEmpty())
        window.open(paths);
    else if (!parser.isSet(samples) && !parser.isSet(fresh) && !parser.isSet(screenshot) && QFileInfo::exists(last))
        window.loadSession(last);
    else if (const QString dir = samplesDir(); !dir.isEmpty())
        window.open({dir});

    // Declared after the window: the live session uses the window's LogSession until it stops.
    losslens::ui::LiveSession live(window.session());
    QObject::connect(&live, &losslens::ui::LiveSession::stateChanged, &window,
                     [&window](bool listening, const QString& summary) { window.setLiveState(listening, summary); });
    if (parser.isSet(listen) || parser.isSet(demo)) {
        if (parser.isSet(demo))
            losslens::ui::LiveSession::removeDemoRecordings();
        losslens::ui::LiveOptions options;
        options.token = parser.value(token);
        QString error;
        const QString address = parser.isSet(listen) ? parser.value(listen) : QStringLiteral("127.0.0.1:6464");
        const bool parsed = losslens::live::ListenAddress::parse(address, options.address, &error);
        bool started = parsed && live.start(options, &error);
        if (!started && parsed && !parser.isSet(listen)) { // --demo alone: any free port will do
            options.address.port = 0;
            started = live.start(options, &error);
        }
        if (!started) {
            std::fprintf(stderr, "losslens: %s\n", qPrintable(error));
            return 2;
        }
        if (parser.isSet(demo))
            live.startDemo();
    }
    std::unique_ptr<losslens::ui::EventLoopProbe> probe;
    if (parser.isSet(measureLatency))
        probe = std::make_unique<losslens::ui::EventLoopProbe>(parser.value(measureLatency));
    return QApplication::exec();
}
