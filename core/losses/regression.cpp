#include "core/losses/regression.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace losslens {

namespace detail {

void requireSameShape(const Shape& a, const char* aName, const Shape& b, const char* bName)
{
    if (a != b)
        throw std::invalid_argument(std::string(aName) + " of shape " + toString(a) + " and " + bName + " of shape " +
                                    toString(b) + " must match");
}

std::string formatNumber(double x)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", x);
    return buffer;
}

template <typename T>
LossResult<T> reduceElementwise(const Shape& shape, const WeightedReduction& reduction, Gradient gradient,
                                const ElementwiseKernel<T>& kernel)
{
    const Index n = elementCount(shape);
    LossResult<T> result;
    T* g = nullptr;
    if (gradient == Gradient::Compute) {
        result.gradient = Tensor<T>(shape, FlatArray<T>(n)); // every element is written below
        g = result.gradient.mutableData();
    }

    if (reduction.reduction() == Reduction::None || !reduction.uniform()) {
        FlatArray<T> losses(n);
        kernel(0, n, losses.data(), g, T(1));
        result.value = reduction.reduce(losses);
        if (g) {
            Eigen::Map<FlatArray<T>> map(g, n);
            reduction.scaleGradient(map);
        }
        return result;
    }

    // Chunks small enough that predictions, labels, losses and gradient stay in L1 between the
    // kernel's expressions, so memory is read and written once.
    constexpr Index kChunk = 1024;
    alignas(64) T buffer[kChunk];
    const auto scale = static_cast<T>(reduction.uniformScale());
    double sum = 0.0;
    for (Index begin = 0; begin < n; begin += kChunk) {
        const Index count = std::min(kChunk, n - begin);
        kernel(begin, count, buffer, g ? g + begin : nullptr, scale);
        sum += static_cast<double>(Eigen::Map<const FlatArray<T>>(buffer, count).sum());
    }
    result.value = reduction.fromWeightedSum(reduction.weight(0) * sum);
    return result;
}

template LossResult<float> reduceElementwise(const Shape&, const WeightedReduction&, Gradient,
                                             const ElementwiseKernel<float>&);
template LossResult<double> reduceElementwise(const Shape&, const WeightedReduction&, Gradient,
                                              const ElementwiseKernel<double>&);

} // namespace detail

namespace {

template <typename T>
using ConstMap = Eigen::Map<const FlatArray<T>>;
template <typename T>
using Map = Eigen::Map<FlatArray<T>>;

/// The regression losses compare predictions with labels.
template <typename T, typename Kernel>
LossResult<T> elementwise(TensorView<T> predictions, TensorView<T> labels, TensorView<T> weights,
                          Reduction reduction, Gradient gradient, Kernel kernel)
{
    return detail::elementwise(predictions, "predictions", labels, "labels", weights, reduction, gradient, kernel);
}

} // namespace

template <typename T>
LossResult<T> absoluteDifference(TensorView<T> predictions, TensorView<T> labels, const LossOptions<T>& options)
{
    return elementwise(predictions, labels, options.weights, options.reduction, options.gradient,
                       [](const auto& p, const auto& y, auto losses, T* grad, T scale) {
                           losses = (p - y).abs();
                           if (grad)
                               Map<T>(grad, p.size()) = (p - y).sign() * scale;
                       });
}

template <typename T>
LossResult<T> meanSquaredError(TensorView<T> predictions, TensorView<T> labels, const LossOptions<T>& options)
{
    return elementwise(predictions, labels, options.weights, options.reduction, options.gradient,
                       [](const auto& p, const auto& y, auto losses, T* grad, T scale) {
                           losses = (p - y).square();
                           if (grad)
                               Map<T>(grad, p.size()) = (p - y) * (T(2) * scale);
                       });
}

template <typename T>
void HuberLossOptions<T>::validate() const
{
    if (!(delta >= 0.0))
        throw std::invalid_argument("huber_loss: delta must be >= 0, got " + detail::formatNumber(delta));
}

template <typename T>
LossResult<T> huberLoss(TensorView<T> predictions, TensorView<T> labels, const HuberLossOptions<T>& options)
{
    options.validate();
    const auto delta = static_cast<T>(options.delta);
    return elementwise(predictions, labels, options.weights, options.reduction, options.gradient,
                       [delta](const auto& p, const auto& y, auto losses, T* grad, T scale) {
                           const auto error = p - y;
                           const auto quadratic = error.abs().min(delta);
                           losses = T(0.5) * quadratic.square() + delta * (error.abs() - quadratic);
                           // clamp(e, −δ, δ); written with sign·min so that a NaN error stays NaN.
                           if (grad)
                               Map<T>(grad, p.size()) = error.sign() * quadratic * scale;
                       });
}

template <typename T>
LossResult<T> cosineDistance(TensorView<T> predictions, TensorView<T> labels, Index axis, const LossOptions<T>& options)
{
    detail::requireSameShape(predictions.shape(), "predictions", labels.shape(), "labels");
    const Index rank = predictions.rank();
    if (axis < -rank || axis >= rank)
        throw std::invalid_argument("cosine_distance: axis " + std::to_string(axis) + " is out of range for predictions of shape " +
                                    toString(predictions.shape()));
    if (axis < 0)
        axis += rank;

    // View p as [outer, along, inner] with the reduced axis in the middle.
    Shape lossShape = predictions.shape();
    const Index along = lossShape[static_cast<std::size_t>(axis)];
    lossShape[static_cast<std::size_t>(axis)] = 1;
    Index outer = 1, inner = 1;
    for (Index d = 0; d < axis; ++d)
        outer *= predictions.dim(d);
    for (Index d = axis + 1; d < rank; ++d)
        inner *= predictions.dim(d);

    using Block = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
    FlatArray<double> losses(outer * inner);
    for (Index o = 0; o < outer; ++o) {
        const Block p(predictions.data() + o * along * inner, along, inner);
        const Block y(labels.data() + o * along * inner, along, inner);
        losses.segment(o * inner, inner) =
            1.0 - (p.template cast<double>() * y.template cast<double>()).colwise().sum().transpose();
    }

    const WeightedReduction reducer(lossShape, options.weights, options.reduction);
    LossResult<T> result{reducer.reduce(losses), {}};
    if (options.gradient == Gradient::Compute) {
        result.gradient = Tensor<T>(predictions.shape());
        T* g = result.gradient.mutableData();
        for (Index o = 0; o < outer; ++o)
            for (Index a = 0; a < along; ++a)
                for (Index i = 0; i < inner; ++i) {
                    const Index at = (o * along + a) * inner + i;
                    g[at] = static_cast<T>(-static_cast<double>(labels[at]) * reducer.scale(o * inner + i));
                }
    }
    return result;
}

namespace {

/// TF1's per-sample view of the weights of mean_pairwise_squared_error: n_b, the number of
/// non-zero weights once broadcast over sample b, and Σ w_b, the sum of the weights of sample b as
/// given (what `reduce_sum((term1 − term2) · weights)` multiplies each sample's loss by).
struct PairwiseWeights {
    FlatArray<double> present;
    FlatArray<double> factor;
};

template <typename T>
PairwiseWeights pairwiseWeights(const Shape& shape, Index batch, TensorView<T> weights)
{
    PairwiseWeights out{FlatArray<double>(batch), FlatArray<double>(batch)};
    const Index perSample = batch == 0 ? 0 : elementCount(shape) / batch;
    if (!weights.present() || weights.rank() == 0) {
        const double w = weights.present() ? static_cast<double>(weights[0]) : 1.0;
        if (std::isnan(w))
            throw std::invalid_argument("weights contains NaN");
        out.present.setConstant(w != 0.0 ? static_cast<double>(perSample) : 0.0);
        out.factor.setConstant(w);
        return out;
    }
    // TF1 asserts the weights broadcast to the labels; the helper's rule and messages are the same.
    const FlatArray<double> broadcast = detail::broadcastWeights(weights, shape, "weights");
    const Index weightRows = weights.dim(0);
    const auto given = weights.rows(weightRows);
    for (Index b = 0; b < batch; ++b) {
        out.present[b] = static_cast<double>((broadcast.segment(b * perSample, perSample) != 0.0).count());
        out.factor[b] = given.row(weightRows == 1 ? 0 : b).template cast<double>().sum();
    }
    return out;
}

} // namespace

template <typename T>
LossResult<T> meanPairwiseSquaredError(TensorView<T> predictions, TensorView<T> labels,
                                       const MeanPairwiseSquaredErrorOptions<T>& options)
{
    detail::requireSameShape(predictions.shape(), "predictions", labels.shape(), "labels");
    const Shape& shape = predictions.shape();
    const Index batch = shape.empty() ? 1 : shape.front();
    const Index perSample = batch == 0 ? 0 : predictions.size() / batch;
    const PairwiseWeights weights = pairwiseWeights(shape, batch, options.weights);

    const auto diffs = [&](Index b) {
        return (ConstMap<T>(predictions.data() + b * perSample, perSample).template cast<double>() -
                ConstMap<T>(labels.data() + b * perSample, perSample).template cast<double>());
    };
    // TF1's div_no_nan(x, max(divisor, 0)): 0 for a divisor ≤ 0, whatever x is (even NaN).
    const auto divNoNan = [](double x, double divisor) { return divisor > 0.0 ? x / divisor : 0.0; };
    const auto inverse = [](double divisor) { return divisor > 0.0 ? 1.0 / divisor : 0.0; };

    FlatArray<double> losses(batch), sums(batch);
    for (Index b = 0; b < batch; ++b) {
        const double n = weights.present[b];
        sums[b] = diffs(b).sum();
        const double squares = diffs(b).square().sum();
        losses[b] = 2.0 * divNoNan(squares, n - 1.0) - 2.0 * divNoNan(sums[b] * sums[b], n * (n - 1.0));
    }
    // TF1: `where(reduce_sum(num_present_per_batch) > 0, loss, 0)`.
    const bool anyPresent = weights.present.sum() > 0.0;
    const Tensor<double> factor(Shape{batch}, anyPresent ? weights.factor : FlatArray<double>::Zero(batch));
    const WeightedReduction reducer(Shape{batch}, TensorView<double>(factor), Reduction::Sum);

    LossResult<T> result{anyPresent ? reducer.reduce(losses) : Tensor<double>::scalar(0.0), {}};
    if (options.gradient == Gradient::Compute) {
        result.gradient = Tensor<T>(shape);
        for (Index b = 0; b < batch; ++b) {
            const double n = weights.present[b];
            const double s = reducer.scale(b);
            Map<T>(result.gradient.mutableData() + b * perSample, perSample) =
                (4.0 * s * (diffs(b) * inverse(n - 1.0) - sums[b] * inverse(n * (n - 1.0)))).template cast<T>();
        }
    }
    return result;
}

template <typename T>
LossResult<T> computeWeightedLoss(TensorView<T> losses, const LossOptions<T>& options)
{
    const WeightedReduction reducer(losses.shape(), options.weights, options.reduction);
    LossResult<T> result{reducer.reduce(losses.flat()), {}};
    if (options.gradient == Gradient::Compute) {
        result.gradient = Tensor<T>(losses.shape(), FlatArray<T>::Ones(losses.size()));
        reducer.scaleGradient(result.gradient.storage());
    }
    return result;
}

#define LOSSLENS_INSTANTIATE(T)                                                                                       \
    template LossResult<T> absoluteDifference(TensorView<T>, TensorView<T>, const LossOptions<T>&);                   \
    template LossResult<T> meanSquaredError(TensorView<T>, TensorView<T>, const LossOptions<T>&);                     \
    template struct HuberLossOptions<T>;                                                                              \
    template LossResult<T> huberLoss(TensorView<T>, TensorView<T>, const HuberLossOptions<T>&);                       \
    template LossResult<T> cosineDistance(TensorView<T>, TensorView<T>, Index, const LossOptions<T>&);                \
    template LossResult<T> meanPairwiseSquaredError(TensorView<T>, TensorView<T>,                                     \
                                                    const MeanPairwiseSquaredErrorOptions<T>&);                       \
    template LossResult<T> computeWeightedLoss(TensorView<T>, const LossOptions<T>&);

LOSSLENS_INSTANTIATE(float)
LOSSLENS_INSTANTIATE(double)
#undef LOSSLENS_INSTANTIATE

} // namespace losslens
