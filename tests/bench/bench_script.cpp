// Scripts against native code: a scripted MSE composes whole-array helpers, so it should stay
// within 10x of the native kernel (issue 7), and a derived series over 1 M aligned points should
// take well under 100 ms. BM_NativeMse repeats bench_losses.cpp's BM_MeanSquaredError (float32,
// value and gradient) at the scripted benchmark's size; BM_NativeMseDouble does the script's
// exact work (float64, value only).

#include "core/losses/regression.h"
#include "core/script/derived_series.h"
#include "core/script/scripted_loss.h"

#include <benchmark/benchmark.h>

#include <QCoreApplication>

#include <random>

using namespace losslens;

namespace {

template <typename T>
Tensor<T> randomTensor(Index n, unsigned seed)
{
    Tensor<T> t(Shape{n});
    std::mt19937 rng(seed);
    std::normal_distribution<T> normal(T(0), T(2));
    for (Index i = 0; i < n; ++i)
        t.mutableData()[i] = normal(rng);
    return t;
}

/// QJSEngine needs an application object; benchmark_main does not make one.
void ensureApplication()
{
    static int argc = 1;
    static char name[] = "losslens-bench";
    static char* argv[] = {name, nullptr};
    static QCoreApplication* app = QCoreApplication::instance() ? nullptr : new QCoreApplication(argc, argv);
    (void)app;
}

const char* const kScriptedMse = "function loss(inputs) { return square(sub(inputs.predictions, inputs.labels)); }";

} // namespace

static void BM_ScriptedMse(benchmark::State& state)
{
    const Index n = state.range(0);
    const auto predictions = randomTensor<double>(n, 5), labels = randomTensor<double>(n, 6);
    ensureApplication();
    script::ScriptedLoss loss(kScriptedMse);
    for (auto _ : state) {
        auto result = loss.evaluate({{"predictions", predictions}, {"labels", labels}});
        benchmark::DoNotOptimize(result.value.item());
    }
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_ScriptedMse)->Arg(1000)->Arg(1000000)->Unit(benchmark::kMillisecond);

static void BM_NativeMse(benchmark::State& state)
{
    const Index n = state.range(0);
    const auto predictions = randomTensor<float>(n, 5), labels = randomTensor<float>(n, 6);
    for (auto _ : state) {
        auto result = meanSquaredError(predictions, labels, {.gradient = Gradient::Compute});
        benchmark::DoNotOptimize(result.value.item());
        benchmark::DoNotOptimize(result.gradient.data());
    }
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_NativeMse)->Arg(1000000)->Unit(benchmark::kMillisecond);

static void BM_NativeMseDouble(benchmark::State& state)
{
    const Index n = state.range(0);
    const auto predictions = randomTensor<double>(n, 5), labels = randomTensor<double>(n, 6);
    for (auto _ : state) {
        auto result = meanSquaredError<double>(predictions, labels);
        benchmark::DoNotOptimize(result.value.item());
    }
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_NativeMseDouble)->Arg(1000000)->Unit(benchmark::kMillisecond);

namespace {
/// A run with total_loss and three components on the same n steps (alignment is part of the work).
Run alignedRun(std::size_t n)
{
    Run run("bench", "memory");
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> value(0.0, 1.0);
    for (const char* tag : {"total_loss", "loss_cls", "loss_box_reg", "loss_mask"}) {
        Series& s = run.series(tag, Role::Component);
        s.reserve(n);
        for (std::size_t i = 0; i < n; ++i)
            s.append(static_cast<std::int64_t>(i) * 20, 1.7e9 + static_cast<double>(i), value(rng));
    }
    return run;
}
} // namespace

static void BM_DerivedSeries(benchmark::State& state)
{
    const Run run = alignedRun(static_cast<std::size_t>(state.range(0)));
    const script::DerivedSeriesSpec spec{"unexplained", "total_loss - (loss_cls + loss_box_reg + loss_mask)", Role::Other,
                                         script::DerivedLanguage::Expression};
    for (auto _ : state) {
        const Series out = script::evaluateDerivedSeries(spec, run);
        benchmark::DoNotOptimize(out.values().data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_DerivedSeries)->Arg(1000000)->Unit(benchmark::kMillisecond);

static void BM_DerivedSeriesScript(benchmark::State& state)
{
    const Run run = alignedRun(static_cast<std::size_t>(state.range(0)));
    const script::DerivedSeriesSpec spec{
        "unexplained",
        "function derive(s) { return sub(s.total_loss, add(s.loss_cls, add(s.loss_box_reg, s.loss_mask))); }",
        Role::Other, script::DerivedLanguage::Script};
    ensureApplication();
    script::ScriptEngine engine;
    for (auto _ : state) {
        const Series out = script::evaluateDerivedSeries(spec, run, &engine);
        benchmark::DoNotOptimize(out.values().data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_DerivedSeriesScript)->Arg(1000000)->Unit(benchmark::kMillisecond);
