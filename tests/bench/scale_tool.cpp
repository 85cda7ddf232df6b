// losslens-scale: the measuring half of the scale check (tests/bench/scale.sh; the data comes
// from losslens-scale-gen).
//
//   losslens-scale measure DIR
//
// Loads DIR the way the viewer does (ui::LogSession on a worker thread, offscreen QApplication,
// one malloc arena)
// while a 5 ms timer samples the GUI event loop's latency; then reports resident memory per
// point, the chart's redraw time on that data, and how long a cancel takes to stop a second load.
// Prints "key value" lines.

#include "core/runs/malloc_arenas.h"
#include "core/runs/run_store.h"
#include "ui/chart_view.h"
#include "ui/log_session.h"
#include "ui/plot_builder.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <malloc.h>

using namespace losslens;

namespace {

std::string tagName(int t)
{
    char name[32];
    std::snprintf(name, sizeof name, "loss/task%02d", t);
    return name;
}

// kB of a /proc/self/status field (VmRSS, VmHWM).
long statusKb(const char* field)
{
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind(field, 0) == 0)
            return std::stol(line.substr(line.find(':') + 1));
    return 0;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

void report(const char* key, double value) { std::printf("%s %.6f\n", key, value); }

// Samples how late a 5 ms timer fires while `session` loads; returns when loaded() comes.
struct LoadRun {
    double seconds = 0;
    std::vector<double> latenciesMs;
    int progressSignals = 0;
    bool cancelled = false;
};

LoadRun loadWatched(ui::LogSession& session, const QString& dir, int cancelAfterMs = -1)
{
    LoadRun run;
    QElapsedTimer clock;
    QEventLoop loop;
    QTimer sampler;
    sampler.setTimerType(Qt::PreciseTimer);
    sampler.setInterval(5);
    qint64 last = 0;
    QObject::connect(&sampler, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        run.latenciesMs.push_back(std::max(0.0, static_cast<double>(now - last) / 1e6 - 5.0));
        last = now;
    });
    QObject::connect(&session, &ui::LogSession::progress, [&] { ++run.progressSignals; });
    QObject::connect(&session, &ui::LogSession::loaded, &loop, [&](int, bool cancelled) {
        run.seconds = static_cast<double>(clock.nsecsElapsed()) / 1e9;
        run.cancelled = cancelled;
        loop.quit();
    });
    if (cancelAfterMs >= 0)
        QTimer::singleShot(cancelAfterMs, &session, [&] { session.cancel(); });
    clock.start();
    sampler.start();
    session.open({dir});
    loop.exec();
    return run;
}

QImage renderOnce(ui::ChartView& view)
{
    QImage image(view.size(), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    view.render(&painter, QRectF(QPointF(0, 0), QSizeF(view.size())));
    return image;
}

// First draw (smoothing and pyramids built) and the median of later pan/zoom redraws.
void measureRedraw(const RunStore& store, const ui::Selection& selection, double lastStep, const char* label)
{
    ui::ChartView view;
    view.setAttribute(Qt::WA_DontShowOnScreen);
    view.resize(1280, 720);
    view.show();
    QApplication::processEvents();
    ui::ViewSettings settings;
    settings.showRaw = false;
    ui::PlotBuilder builder(store);
    QElapsedTimer clock;
    clock.start();
    ui::Plot plot = builder.build(selection, settings, std::nullopt, view.plotColumns());
    view.setPlot(plot.curves, plot.spec, false);
    renderOnce(view);
    const double first = static_cast<double>(clock.nsecsElapsed()) / 1e6;
    std::vector<double> frames, builds, sets, renders;
    const auto lap = [&clock](std::vector<double>& into) { into.push_back(static_cast<double>(clock.nsecsElapsed()) / 1e6); };
    for (int frame = 0; frame < 10; ++frame) {
        const double from = (frame % 2) ? lastStep * 0.05 * (frame % 7) : 0.0;
        const double to = (frame % 2) ? from + lastStep * 0.6 : lastStep;
        clock.restart();
        plot = builder.build(selection, settings, std::pair{from, to}, view.plotColumns());
        lap(builds);
        view.setPlot(plot.curves, plot.spec, false);
        lap(sets);
        renderOnce(view);
        lap(renders);
        frames.push_back(renders.back());
    }
    report((std::string("redraw_") + label + "_build_median_ms").c_str(), percentile(builds, 0.5));
    report((std::string("redraw_") + label + "_set_median_ms").c_str(), percentile(sets, 0.5));
    std::printf("redraw_%s_curves %lld\n", label, static_cast<long long>(plot.curves.size()));
    report((std::string("redraw_") + label + "_first_ms").c_str(), first);
    report((std::string("redraw_") + label + "_median_ms").c_str(), percentile(frames, 0.5));
}

int measure(const QString& dir)
{
    const long rssBefore = statusKb("VmRSS:");
    ui::LogSession session(nullptr, ReadMode::Snapshot);
    const LoadRun load = loadWatched(session, dir);
    RunStore& store = session.store();
    const double points = static_cast<double>(store.pointCount());
    report("load_seconds", load.seconds);
    report("points", points);
    report("load_points_per_second", points / load.seconds);
    report("gui_latency_p50_ms", percentile(load.latenciesMs, 0.5));
    report("gui_latency_p99_ms", percentile(load.latenciesMs, 0.99));
    report("gui_latency_max_ms", percentile(load.latenciesMs, 1.0));
    report("gui_samples", static_cast<double>(load.latenciesMs.size()));
    report("progress_signals", load.progressSignals);
    report("store_bytes_per_point", static_cast<double>(store.memoryBytes()) / points);
    report("rss_bytes_per_point", static_cast<double>(statusKb("VmRSS:") - rssBefore) * 1024 / points);
    report("hwm_bytes_per_point", static_cast<double>(statusKb("VmHWM:") - rssBefore) * 1024 / points);
    store.shrinkToFit();
    report("rss_after_shrink_bytes_per_point", static_cast<double>(statusKb("VmRSS:") - rssBefore) * 1024 / points);
    ::malloc_trim(0); // what the loader's freed parse buffers still hold in malloc's arenas
    report("rss_after_trim_bytes_per_point", static_cast<double>(statusKb("VmRSS:") - rssBefore) * 1024 / points);

    ui::Selection tenRuns;
    for (const auto& run : store.runs())
        if (run->name() != "big" && tenRuns.runs.size() < 10)
            tenRuns.runs << QString::fromStdString(run->name());
    for (int t = 0; t < 20; ++t)
        tenRuns.tags << QString::fromStdString(tagName(t));
    const Run* first = store.findRun(tenRuns.runs.value(0).toStdString());
    if (first && !first->allSeries().empty())
        measureRedraw(store, tenRuns, static_cast<double>(first->allSeries().front()->steps().back()), "10runs");
    if (const Run* big = store.findRun("big"); big && !big->allSeries().empty()) {
        ui::Selection one;
        one.runs << "big";
        one.tags << "total_loss";
        measureRedraw(store, one, static_cast<double>(big->allSeries().front()->steps().back()), "big");
    }

    ui::LogSession second(nullptr, ReadMode::Snapshot);
    const LoadRun cancelled = loadWatched(second, dir, 500);
    report("cancel_after_ms", 500);
    report("cancel_done_seconds", cancelled.seconds);
    report("cancel_reported", cancelled.cancelled ? 1 : 0);
    report("cancel_gui_latency_max_ms", percentile(cancelled.latenciesMs, 1.0));
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    useSingleMallocArena(); // as the viewer does
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 2 && args[0] == "measure") {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        QApplication app(argc, argv);
        return measure(QString::fromStdString(args[1]));
    }
    std::fprintf(stderr, "usage: losslens-scale measure DIR\n");
    return 2;
}
