// A pan/zoom redraw of the viewer with 10 runs × 8 tags × 1 M points, the way the app makes it:
// M4 decimation for the visible range (smoothing is cached per series) and the dense lines drawn
// (on the app's plot worker), then handed to the chart and the chart rendered into an image
// offscreen — against handing the raw points to Qt Charts.

#include "core/runs/run_store.h"
#include "ui/chart_view.h"
#include "ui/plot_builder.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QValueAxis>
#include <QImage>
#include <QPainter>

#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <random>

using namespace losslens;
using namespace losslens::ui;

namespace {

constexpr int kRuns = 10, kTags = 8;
const QSize kImage(1280, 720);

QApplication& app()
{
    static int argc = 1;
    static char name[] = "losslens-bench";
    static char* argv[] = {name, nullptr};
    static std::unique_ptr<QApplication> a = [] {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        return std::make_unique<QApplication>(argc, argv);
    }();
    return *a;
}

// One store per size, filled once: loss-like decays with noise and the odd spike.
RunStore& store(std::size_t points)
{
    static std::map<std::size_t, std::unique_ptr<RunStore>> stores;
    auto& s = stores[points];
    if (!s) {
        s = std::make_unique<RunStore>();
        std::mt19937_64 rng(1);
        std::normal_distribution<double> noise(0.0, 0.03);
        std::vector<std::int64_t> steps(points);
        std::vector<double> walls(points), values(points);
        for (int r = 0; r < kRuns; ++r) {
            Run& run = s->run("run" + std::to_string(r));
            for (int t = 0; t < kTags; ++t) {
                for (std::size_t i = 0; i < points; ++i) {
                    steps[i] = std::int64_t(i);
                    walls[i] = 1.7e9 + double(i) * 0.1;
                    values[i] = (1.0 + t) * std::exp(-double(i) / double(points) * (2 + r * 0.1)) + 0.1 + noise(rng) + (i % 99991 == 7 ? 2.0 : 0.0);
                }
                s->series(run, "loss/task" + std::to_string(t), Role::Component).append(steps, walls, values);
            }
        }
    }
    return *s;
}

Selection selection(const RunStore& s)
{
    Selection sel;
    for (const auto& r : s.runs())
        sel.runs << QString::fromStdString(r->name());
    for (int t = 0; t < kTags; ++t)
        sel.tags << QString("loss/task%1").arg(t);
    return sel;
}

ChartView& chart()
{
    static std::unique_ptr<ChartView> view = [] {
        auto v = std::make_unique<ChartView>();
        v->setAttribute(Qt::WA_DontShowOnScreen);
        v->resize(kImage);
        v->show();
        QApplication::processEvents();
        return v;
    }();
    return *view;
}

void render(ChartView& view)
{
    QImage image(kImage, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    view.render(&painter, QRectF(QPointF(0, 0), QSizeF(kImage)));
}

// What every frame benchmark starts from: the store, the selection, a builder whose caches
// (smoothing, pyramids) are filled, and the chart showing the whole range.
struct Frame {
    explicit Frame(std::size_t points) : store(::store(points)), sel(selection(store)), builder(store), view(chart())
    {
        settings.smoothing = 0.6;
        settings.showRaw = false;
        builder.build(sel, settings, std::nullopt, view.plotColumns()); // smoothing + pyramids, cached
        first = builder.build(sel, settings, std::nullopt, view.plotColumns());
        view.setPlot(first.curves, first.spec, false);
    }
    RunStore& store;
    Selection sel;
    ViewSettings settings;
    PlotBuilder builder;
    ChartView& view;
    Plot first;
};

// One redraw after a pan or zoom: re-decimate every series for the new x range and draw the
// lines (the app's worker), hand them to the chart, render it (the GUI thread). Alternates
// between the full range and a zoomed, panned window.
void BM_RenderFrame(benchmark::State& state)
{
    app();
    const auto points = std::size_t(state.range(0));
    Frame f(points);
    ChartView& view = f.view;
    std::size_t frame = 0, drawn = 0;
    const double span = double(points - 1);
    for (auto _ : state) {
        const double from = (frame % 2) ? span * 0.05 * double(frame % 7) : 0.0;
        const double to = (frame % 2) ? from + span * 0.6 : span;
        ++frame;
        const std::pair<double, double> zoom{from, to};
        const Plot plot = f.builder.build(f.sel, f.settings, zoom, view.plotColumns());
        const PrerenderedCurves lines = ChartView::prerender(plot.curves, plot.spec, std::nullopt, view.plotAreaSize(), 1.0);
        view.setPlot(plot.curves, plot.spec, false, lines);
        render(view);
        drawn = 0;
        for (const Curve& c : plot.curves)
            drawn += std::size_t(c.points.size());
    }
    state.counters["series"] = double(f.first.curves.size());
    state.counters["points_total"] = double(f.store.pointCount());
    state.counters["points_drawn"] = double(drawn);
}
BENCHMARK(BM_RenderFrame)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly(true)->MeasureProcessCPUTime()->UseRealTime();

// The parts of that frame, to see where its time goes: decimation, drawing the lines, handing
// both to the view (axes, legend, gap markers), and rendering the chart.
enum class FramePart { Decimate, DrawLines, SetPlot, Render, RenderEmpty };

void BM_RenderFramePart(benchmark::State& state, FramePart part)
{
    app();
    const auto points = std::size_t(state.range(0));
    Frame f(points);
    ChartView& view = f.view;
    const double span = double(points - 1);
    const std::pair<double, double> ranges[] = {{0.0, span}, {span * 0.1, span * 0.7}};
    const Plot plots[] = {f.builder.build(f.sel, f.settings, ranges[0], view.plotColumns()),
                          f.builder.build(f.sel, f.settings, ranges[1], view.plotColumns())};
    const auto lines = [&](std::size_t k) { return ChartView::prerender(plots[k].curves, plots[k].spec, std::nullopt, view.plotAreaSize(), 1.0); };
    const PrerenderedCurves drawn[] = {lines(0), lines(1)};
    view.setPlot(part == FramePart::RenderEmpty ? QList<Curve>{} : plots[0].curves, plots[0].spec, false, drawn[0]);
    std::size_t frame = 0;
    for (auto _ : state) {
        const std::size_t k = frame++ % 2;
        switch (part) {
        case FramePart::Decimate: benchmark::DoNotOptimize(f.builder.build(f.sel, f.settings, ranges[k], view.plotColumns()).curves.data()); break;
        case FramePart::DrawLines: benchmark::DoNotOptimize(lines(k).image.constBits()); break;
        case FramePart::SetPlot: view.setPlot(plots[k].curves, plots[k].spec, false, drawn[k]); break;
        case FramePart::Render:
        case FramePart::RenderEmpty: render(view); break;
        }
    }
}
BENCHMARK_CAPTURE(BM_RenderFramePart, decimate, FramePart::Decimate)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();
BENCHMARK_CAPTURE(BM_RenderFramePart, draw_lines, FramePart::DrawLines)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();
BENCHMARK_CAPTURE(BM_RenderFramePart, set_plot, FramePart::SetPlot)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();
BENCHMARK_CAPTURE(BM_RenderFramePart, render_axes_only, FramePart::RenderEmpty)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();
BENCHMARK_CAPTURE(BM_RenderFramePart, render, FramePart::Render)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

// The same frame with every raw point handed to Qt Charts itself: one QLineSeries per series,
// filled with replace() and no decimation, in a QChartView of the same size rendered the same way.
void BM_RenderFrameRawQtCharts(benchmark::State& state)
{
    app();
    const auto points = std::size_t(state.range(0));
    const RunStore& s = store(points);
    QChartView view;
    view.setAttribute(Qt::WA_DontShowOnScreen);
    view.setRenderHint(QPainter::Antialiasing);
    view.resize(kImage);
    view.show();
    QChart* chart = view.chart();
    auto* x = new QValueAxis, *y = new QValueAxis;
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    QList<QLineSeries*> lines;
    for (const auto& r : s.runs())
        for (const auto& series : r->allSeries()) {
            auto* line = new QLineSeries;
            line->setName(QString::fromStdString(series->tag()));
            chart->addSeries(line);
            line->attachAxis(x), line->attachAxis(y);
            lines.append(line);
        }
    x->setRange(0, double(points - 1));
    y->setRange(0, 10);
    for (auto _ : state) {
        qsizetype k = 0;
        for (const auto& r : s.runs())
            for (const auto& series : r->allSeries()) {
                QList<QPointF> raw;
                raw.reserve(qsizetype(series->size()));
                for (std::size_t i = 0; i < series->size(); ++i)
                    raw.append(QPointF(double(series->steps()[i]), series->values()[i]));
                lines[k++]->replace(raw);
            }
        QImage image(kImage, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::white);
        QPainter painter(&image);
        view.render(&painter, QRectF(QPointF(0, 0), QSizeF(kImage)), view.viewport()->rect());
    }
    state.counters["points_drawn"] = double(s.pointCount());
}
// 1 M points per series (80 M) needs ~17 GB and minutes: measured at 100 k, it scales linearly
BENCHMARK(BM_RenderFrameRawQtCharts)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

} // namespace
