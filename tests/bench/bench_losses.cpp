// The loss kernels on float32, one thread, reduced value *and* gradient — the same work as
// PyTorch's forward + backward (tests/bench/compare_losses_torch.py runs that side).

#include "core/losses/classification.h"
#include "core/losses/regression.h"

#include <benchmark/benchmark.h>

#include <random>

using namespace losslens;

namespace {

Tensor<float> randomTensor(Shape shape, unsigned seed)
{
    Tensor<float> t(std::move(shape));
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 2.0f);
    for (Index i = 0; i < t.size(); ++i)
        t.mutableData()[i] = normal(rng);
    return t;
}

Tensor<float> oneHot(Index batch, Index classes, unsigned seed)
{
    Tensor<float> t({batch, classes});
    std::mt19937 rng(seed);
    std::uniform_int_distribution<Index> label(0, classes - 1);
    for (Index i = 0; i < batch; ++i)
        t.mutableData()[i * classes + label(rng)] = 1.0f;
    return t;
}

Tensor<float> binaryLabels(Shape shape, unsigned seed)
{
    Tensor<float> t(std::move(shape));
    std::mt19937 rng(seed);
    std::bernoulli_distribution coin(0.5);
    for (Index i = 0; i < t.size(); ++i)
        t.mutableData()[i] = coin(rng) ? 1.0f : 0.0f;
    return t;
}

// Bytes a kernel cannot avoid: read predictions and labels, write the gradient.
void reportBytes(benchmark::State& state, Index elements)
{
    state.SetBytesProcessed(state.iterations() * elements * static_cast<int64_t>(3 * sizeof(float)));
}

} // namespace

static void BM_SoftmaxCrossEntropy(benchmark::State& state)
{
    const Index batch = state.range(0), classes = state.range(1);
    const auto logits = randomTensor({batch, classes}, 1);
    const auto labels = oneHot(batch, classes, 2);
    for (auto _ : state) {
        auto result = softmaxCrossEntropy(logits, labels, {.gradient = Gradient::Compute});
        benchmark::DoNotOptimize(result.value.item());
        benchmark::DoNotOptimize(result.gradient.data());
    }
    reportBytes(state, batch * classes);
}
// 4096 × 1000 is issue 2's size (49 MB touched: memory-bound); 64 × 1000 stays in L2 and shows
// the kernel's arithmetic cost per element.
BENCHMARK(BM_SoftmaxCrossEntropy)->Args({4096, 1000})->Args({64, 1000})->Unit(benchmark::kMillisecond);

static void BM_SigmoidCrossEntropy(benchmark::State& state)
{
    const Index batch = state.range(0), classes = state.range(1);
    const auto logits = randomTensor({batch, classes}, 3);
    const auto labels = binaryLabels({batch, classes}, 4);
    for (auto _ : state) {
        auto result = sigmoidCrossEntropy(logits, labels, {.gradient = Gradient::Compute});
        benchmark::DoNotOptimize(result.value.item());
        benchmark::DoNotOptimize(result.gradient.data());
    }
    reportBytes(state, batch * classes);
}
BENCHMARK(BM_SigmoidCrossEntropy)->Args({4096, 1000})->Args({64, 1000})->Unit(benchmark::kMillisecond);

static void BM_MeanSquaredError(benchmark::State& state)
{
    const Index n = state.range(0);
    const auto predictions = randomTensor({n}, 5);
    const auto labels = randomTensor({n}, 6);
    for (auto _ : state) {
        auto result = meanSquaredError(predictions, labels, {.gradient = Gradient::Compute});
        benchmark::DoNotOptimize(result.value.item());
        benchmark::DoNotOptimize(result.gradient.data());
    }
    reportBytes(state, n);
}
BENCHMARK(BM_MeanSquaredError)->Arg(4194304)->Unit(benchmark::kMillisecond);
