// The memory-bandwidth yardstick: how fast this binary copies a buffer larger than the caches.
// A kernel's bound is (bytes it must read + write) / this rate.

#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

static void BM_MemoryCopy(benchmark::State& state)
{
    const auto n = static_cast<std::size_t>(state.range(0));
    std::vector<float> from(n, 1.0f), to(n, 0.0f);
    for (auto _ : state) {
        std::memcpy(to.data(), from.data(), n * sizeof(float));
        benchmark::DoNotOptimize(to.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(2 * n * sizeof(float)));
}
BENCHMARK(BM_MemoryCopy)->Arg(4096 * 1000)->Arg(4194304)->Unit(benchmark::kMillisecond);
