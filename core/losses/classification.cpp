#include "core/losses/classification.h"

#include "core/losses/cross_entropy_kernels.h"
#include "core/losses/regression.h" // detail::elementwise, detail::requireSameShape, detail::formatNumber

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace losslens {

namespace {

template <typename T>
using ConstMap = Eigen::Map<const FlatArray<T>>;
template <typename T>
using Map = Eigen::Map<FlatArray<T>>;

void requireLabelSmoothing(double labelSmoothing, const char* fn)
{
    if (!(labelSmoothing >= 0.0 && labelSmoothing <= 1.0))
        throw std::invalid_argument(std::string(fn) + ": label_smoothing must be in [0, 1], got " +
                                    detail::formatNumber(labelSmoothing));
}

/// Σ_{k=K}^{N−1} u^{k−K}/(2k + 1) by Horner's rule, as a single Eigen expression.
template <typename T, int K, int N, typename U>
auto atanhSeries(const U& u)
{
    constexpr T c = T(1) / T(2 * K + 1);
    if constexpr (K + 2 == N)
        return c + u * (T(1) / T(2 * K + 3));
    else
        return c + u * atanhSeries<T, K + 1, N>(u);
}

/// One stretch of sigmoid cross-entropy (labels already smoothed), with a single division:
///
///   e = exp(−|x|),  r = 1/((1 + e)(2 + e)),  q = (2 + e)·r = σ(|x|),
///   σ(x) = q·(1 + [x < 0]·(e − 1))     (e·q for x < 0: full relative precision there too),
///   log(1 + e) = 2·atanh(t),  t = e/(2 + e) = e(1 + e)·r ≤ 1/3,  2·atanh(t) = 2t·Σ t^{2k}/(2k + 1),
///
/// the series cut where its remainder falls below T's epsilon (7 terms for float, 17 for double).
/// Eigen's log1p and logistic cost a division and more each. Used for double, and for float on CPUs
/// without AVX-512; kernels::sigmoidCrossEntropy computes the same in one pass there.
template <typename T>
void sigmoidStretch(const ConstMap<T>& x, const auto& labels, Map<T> losses, T* gradient, T scale)
{
    constexpr int terms = std::is_same_v<T, float> ? 7 : 17;
    constexpr Index kStretch = 1024;
    alignas(64) T buffer[kStretch];
    for (Index begin = 0; begin < x.size(); begin += kStretch) {
        const Index n = std::min(kStretch, x.size() - begin);
        const auto xs = x.segment(begin, n);
        const auto zs = labels.segment(begin, n);
        auto e = losses.segment(begin, n);
        Map<T> r(buffer, n);
        e = (-xs.abs()).exp();
        r = ((T(1) + e) * (T(2) + e)).inverse();
        if (gradient) {
            // [x < 0] from arithmetic, as Eigen 3.4's select() is not vectorised: −x·max clamped to
            // [0, 1] is exactly 0 or 1 unless |x| < 1/max, where σ(x) = ½ to T's precision anyway.
            // The blend never forms e − 1, which would round e away below T's epsilon.
            const auto negative = (-xs * std::numeric_limits<T>::max()).max(T(0)).min(T(1));
            Map<T>(gradient + begin, n) = ((T(2) + e) * r * (negative * e + (T(1) - negative)) - zs) * scale;
        }
        e = e * (T(1) + e) * r; // t
        // log(1 + e) is added last: a loss of x − x·1 + 1e-35 must not round to 0. max(x, 0) − x·z'
        // stays TF's expression, NaN for an infinite logit as there.
        e = (xs.max(T(0)) - xs * zs) + T(2) * e * atanhSeries<T, 0, terms>(e.square());
    }
}

/// Σ of an Eigen vector expression in blocks of 256 elements, each summed (vectorised) in its own
/// type and added up in double: double accumulation at the speed of Eigen's float sum.
template <typename Expression>
double blockSum(const Expression& values)
{
    constexpr Index kBlock = 256;
    double sum = 0.0;
    for (Index begin = 0; begin < values.size(); begin += kBlock)
        sum += static_cast<double>(values.segment(begin, std::min(kBlock, values.size() - begin)).sum());
    return sum;
}

/// One row of softmax: its max m (NaN if any logit is NaN, so that the row is poisoned as in TF)
/// and Σ exp(x − m); when `exps` is given it receives exp(x − m), which the gradient reuses.
template <typename T>
struct RowSoftmax {
    T max;
    double sumExp;
};

template <typename T>
RowSoftmax<T> rowSoftmax(const ConstMap<T>& x, T* exps)
{
    const T m = x.template maxCoeff<Eigen::PropagateNaN>();
    if (exps) {
        Map<T> e(exps, x.size());
        e = (x - m).exp();
        return {m, blockSum(e)};
    }
    return {m, blockSum((x - m).exp())};
}

/// One row of softmax cross-entropy with labels y' = keep·y + spread: returns Σ y'·(LSE − x) and,
/// when `gradient` is given, writes scale·(softmax(x)·Σy' − y') there — one pass over memory.
template <typename T>
double softmaxRow(const ConstMap<T>& x, const ConstMap<T>& y, double keep, double spread, T* gradient, double scale)
{
    const auto [m, sumExp] = rowSoftmax(x, gradient);
    // Σy' = keep·Σy + C·spread and Σ y'(m − x) = keep·Σ y(m − x) + spread·Σ(m − x): sums of
    // non-negative terms, so ±1e4 logits lose nothing to cancellation.
    const double labelSum = keep * blockSum(y) + spread * static_cast<double>(x.size());
    double shifted = keep * blockSum(y * (m - x));
    if (spread > 0.0)
        shifted += spread * blockSum(m - x);
    if (gradient) {
        Map<T> g(gradient, x.size());
        g = g * static_cast<T>(labelSum * scale / sumExp) - y * static_cast<T>(keep * scale) -
            static_cast<T>(spread * scale);
    }
    return shifted + labelSum * std::log(sumExp);
}

/// The gradient of a loss of x when requested, else absent. Left uninitialised: kernels write
/// every element.
template <typename T>
Tensor<T> gradientBuffer(TensorView<T> x, Gradient gradient)
{
    return gradient == Gradient::Compute ? Tensor<T>(x.shape(), FlatArray<T>(x.size())) : Tensor<T>();
}

} // namespace

template <typename T>
void SigmoidCrossEntropyOptions<T>::validate() const
{
    requireLabelSmoothing(labelSmoothing, "sigmoid_cross_entropy");
}

template <typename T>
void SoftmaxCrossEntropyOptions<T>::validate() const
{
    requireLabelSmoothing(labelSmoothing, "softmax_cross_entropy");
}

template <typename T>
void LogLossOptions<T>::validate() const
{
    if (!(epsilon >= 0.0))
        throw std::invalid_argument("log_loss: epsilon must be >= 0, got " + detail::formatNumber(epsilon));
}

template <typename T>
LossResult<T> sigmoidCrossEntropy(TensorView<T> logits, TensorView<T> multiClassLabels,
                                  const SigmoidCrossEntropyOptions<T>& options)
{
    options.validate();
    const auto keep = static_cast<T>(1.0 - options.labelSmoothing);
    const auto half = static_cast<T>(0.5 * options.labelSmoothing);
    return detail::elementwise(logits, "logits", multiClassLabels, "multi_class_labels", options.weights, options.reduction,
                       options.gradient, [keep, half](const auto& x, const auto& z, auto losses, T* grad, T scale) {
                           if constexpr (std::is_same_v<T, float> && kernels::kVectorisedFloat)
                               kernels::sigmoidCrossEntropy(x.data(), z.data(), x.size(), keep, half, losses.data(),
                                                            grad, scale);
                           else
                               sigmoidStretch(x, z * keep + half, losses, grad, scale);
                       });
}

template <typename T>
LossResult<T> softmaxCrossEntropy(TensorView<T> logits, TensorView<T> onehotLabels,
                                  const SoftmaxCrossEntropyOptions<T>& options)
{
    options.validate();
    detail::requireSameShape(logits.shape(), "logits", onehotLabels.shape(), "onehot_labels");
    if (logits.rank() != 2 || logits.dim(1) == 0)
        throw std::invalid_argument("softmax_cross_entropy: logits of shape " + toString(logits.shape()) +
                                    " must be [batch, classes] with at least one class");
    const Index rows = logits.dim(0), classes = logits.dim(1);
    const WeightedReduction reducer(Shape{rows}, options.weights, options.reduction);

    const double keep = 1.0 - options.labelSmoothing;
    const double spread = options.labelSmoothing / static_cast<double>(classes);

    LossResult<T> result{{}, gradientBuffer(logits, options.gradient)};
    FlatArray<double> losses(rows);
    for (Index r = 0; r < rows; ++r) {
        const ConstMap<T> x(logits.data() + r * classes, classes), y(onehotLabels.data() + r * classes, classes);
        T* g = result.gradient.present() ? result.gradient.mutableData() + r * classes : nullptr;
        if constexpr (std::is_same_v<T, float> && kernels::kVectorisedFloat)
            losses[r] = kernels::softmaxCrossEntropyRow(x.data(), y.data(), classes, keep, spread, g, reducer.scale(r));
        else
            losses[r] = softmaxRow(x, y, keep, spread, g, reducer.scale(r));
    }
    result.value = reducer.reduce(losses);
    return result;
}

template <typename T>
LossResult<T> sparseSoftmaxCrossEntropy(TensorView<T> logits, TensorView<Index> labels, const LossOptions<T>& options)
{
    if (logits.rank() == 0 || logits.dim(logits.rank() - 1) == 0)
        throw std::invalid_argument("sparse_softmax_cross_entropy: logits of shape " + toString(logits.shape()) +
                                    " need a class dimension with at least one class");
    // TF1's _remove_squeezable_dimensions: labels [..., 1] and weights with a trailing 1 lose it.
    Shape lossShape = labels.shape();
    if (labels.rank() == logits.rank() && lossShape.back() == 1)
        lossShape.pop_back();
    Shape expected = logits.shape();
    const Index classes = expected.back();
    expected.pop_back();
    if (lossShape != expected)
        throw std::invalid_argument("sparse_softmax_cross_entropy: labels of shape " + toString(labels.shape()) +
                                    " do not match logits of shape " + toString(logits.shape()) +
                                    "; labels must have the shape " + toString(expected) +
                                    " (the logits without their class dimension)");
    TensorView<T> weights = options.weights;
    if (weights.present() && weights.rank() == static_cast<Index>(lossShape.size()) + 1 &&
        weights.shape().back() == 1)
        weights = TensorView<T>(weights.data(), Shape(weights.shape().begin(), weights.shape().end() - 1));

    const Index rows = elementCount(lossShape);
    for (Index r = 0; r < rows; ++r)
        if (labels[r] < 0 || labels[r] >= classes)
            throw std::invalid_argument("sparse_softmax_cross_entropy: labels[" + std::to_string(r) + "] = " +
                                        std::to_string(labels[r]) + " is outside the valid range of classes [0, " +
                                        std::to_string(classes) + ")");
    const WeightedReduction reducer(lossShape, weights, options.reduction);

    LossResult<T> result{{}, gradientBuffer(logits, options.gradient)};
    FlatArray<double> losses(rows);
    for (Index r = 0; r < rows; ++r) {
        const ConstMap<T> x(logits.data() + r * classes, classes);
        T* g = result.gradient.present() ? result.gradient.mutableData() + r * classes : nullptr;
        const auto [m, sumExp] = rowSoftmax(x, g);
        const Index k = labels[r];
        losses[r] = static_cast<double>(m - x[k]) + std::log(sumExp);
        if (g) {
            const double s = reducer.scale(r);
            Map<T>(g, classes) *= static_cast<T>(s / sumExp);
            g[k] -= static_cast<T>(s);
        }
    }
    result.value = reducer.reduce(losses);
    return result;
}

template <typename T>
LossResult<T> logLoss(TensorView<T> predictions, TensorView<T> labels, const LogLossOptions<T>& options)
{
    options.validate();
    const auto eps = static_cast<T>(options.epsilon);
    return detail::elementwise(predictions, "predictions", labels, "labels", options.weights, options.reduction,
                       options.gradient, [eps](const auto& p, const auto& z, auto losses, T* grad, T scale) {
                           losses = -(z * (p + eps).log()) - (T(1) - z) * (T(1) - p + eps).log();
                           if (grad)
                               Map<T>(grad, p.size()) = ((T(1) - z) / (T(1) - p + eps) - z / (p + eps)) * scale;
                       });
}

template <typename T>
LossResult<T> hingeLoss(TensorView<T> logits, TensorView<T> labels, const LossOptions<T>& options)
{
    return detail::elementwise(logits, "logits", labels, "labels", options.weights, options.reduction, options.gradient,
                       [](const auto& x, const auto& z, auto losses, T* grad, T scale) {
                           const auto sign = T(2) * z - T(1);
                           losses = (T(1) - sign * x).max(T(0));
                           // ReLU's gradient is 0 at the kink and for NaN, as TF's ReluGrad.
                           if (grad)
                               Map<T>(grad, x.size()) = (losses > T(0)).select(-sign * scale, T(0));
                       });
}

#define LOSSLENS_INSTANTIATE(T)                                                                                       \
    template struct SigmoidCrossEntropyOptions<T>;                                                                    \
    template struct SoftmaxCrossEntropyOptions<T>;                                                                    \
    template struct LogLossOptions<T>;                                                                                \
    template LossResult<T> sigmoidCrossEntropy(TensorView<T>, TensorView<T>, const SigmoidCrossEntropyOptions<T>&);   \
    template LossResult<T> softmaxCrossEntropy(TensorView<T>, TensorView<T>, const SoftmaxCrossEntropyOptions<T>&);   \
    template LossResult<T> sparseSoftmaxCrossEntropy(TensorView<T>, TensorView<Index>, const LossOptions<T>&);        \
    template LossResult<T> logLoss(TensorView<T>, TensorView<T>, const LogLossOptions<T>&);                           \
    template LossResult<T> hingeLoss(TensorView<T>, TensorView<T>, const LossOptions<T>&);

LOSSLENS_INSTANTIATE(float)
LOSSLENS_INSTANTIATE(double)
#undef LOSSLENS_INSTANTIATE

} // namespace losslens
