// The viewer's numeric kernels at full resolution: TensorBoard smoothing and M4 decimation.

#include "core/analysis/decimation.h"
#include "core/analysis/smoothing.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace {

struct Curve {
    std::vector<std::int64_t> steps;
    std::vector<double> values;
};

const Curve& curve(std::size_t n)
{
    static Curve c;
    if (c.steps.size() != n) {
        std::mt19937_64 rng(42);
        std::normal_distribution<double> noise(0.0, 0.05);
        c.steps.resize(n), c.values.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            c.steps[i] = std::int64_t(i);
            c.values[i] = 2.0 * std::exp(-double(i) / double(n) * 5) + 0.3 + noise(rng);
        }
    }
    return c;
}

// M4 by scanning every visible point (what a redraw costs without the pyramid).
void BM_M4Decimate(benchmark::State& state)
{
    const Curve& c = curve(std::size_t(state.range(0)));
    const auto columns = std::size_t(state.range(1));
    for (auto _ : state) {
        auto kept = losslens::analysis::m4Indices(c.steps, c.values, 0.0, double(c.steps.size() - 1), columns);
        benchmark::DoNotOptimize(kept.data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
    state.SetBytesProcessed(state.iterations() * state.range(0) * std::int64_t(sizeof(std::int64_t) + sizeof(double)));
}
BENCHMARK(BM_M4Decimate)->Args({10'000'000, 1920})->Unit(benchmark::kMillisecond);

// The same with the min/max pyramid the viewer keeps per series: O(columns · log n) per redraw.
void BM_M4DecimatePyramid(benchmark::State& state)
{
    const Curve& c = curve(std::size_t(state.range(0)));
    const losslens::analysis::MinMaxPyramid pyramid(c.values);
    const auto columns = std::size_t(state.range(1));
    for (auto _ : state) {
        auto kept = losslens::analysis::m4Indices(c.steps, c.values, 0.0, double(c.steps.size() - 1), columns, &pyramid);
        benchmark::DoNotOptimize(kept.data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_M4DecimatePyramid)->Args({10'000'000, 1920})->Unit(benchmark::kMicrosecond);

void BM_MinMaxPyramidBuild(benchmark::State& state)
{
    const Curve& c = curve(std::size_t(state.range(0)));
    for (auto _ : state) {
        losslens::analysis::MinMaxPyramid pyramid(c.values);
        benchmark::DoNotOptimize(&pyramid);
    }
    state.SetBytesProcessed(state.iterations() * state.range(0) * std::int64_t(sizeof(double)));
}
BENCHMARK(BM_MinMaxPyramidBuild)->Arg(10'000'000)->Unit(benchmark::kMillisecond);

void BM_SmoothEma(benchmark::State& state)
{
    const Curve& c = curve(std::size_t(state.range(0)));
    for (auto _ : state) {
        auto s = losslens::analysis::smoothEma(c.values, 0.6);
        benchmark::DoNotOptimize(s.data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
    state.SetBytesProcessed(state.iterations() * state.range(0) * std::int64_t(2 * sizeof(double)));
}
BENCHMARK(BM_SmoothEma)->Arg(10'000'000)->Unit(benchmark::kMillisecond);

void BM_SmoothTimeWeighted(benchmark::State& state)
{
    const Curve& c = curve(std::size_t(state.range(0)));
    const std::vector<double> x(c.steps.begin(), c.steps.end());
    for (auto _ : state) {
        auto s = losslens::analysis::smoothTimeWeighted(x, c.values, 0.6);
        benchmark::DoNotOptimize(s.data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SmoothTimeWeighted)->Arg(10'000'000)->Unit(benchmark::kMillisecond);

} // namespace
