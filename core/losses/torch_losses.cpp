#include "core/losses/torch_losses.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace losslens::torch {

namespace {

using Eigen::Dynamic;

[[noreturn]] void fail(std::string_view fn, const std::string& message)
{
    throw std::invalid_argument(std::string(fn) + ": " + message);
}

std::string number(double x)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", x);
    return buffer;
}

void rejectBatchMean(std::string_view fn, Reduction reduction)
{
    if (reduction == Reduction::BatchMean)
        fail(fn, "reduction batchmean is not valid here (torch accepts it for kl_div only)");
}

template <typename T>
void requireSameShape(std::string_view fn, const TensorView<T>& input, const TensorView<T>& target)
{
    if (input.shape() != target.shape())
        fail(fn, "target of shape " + toString(target.shape()) + " does not match input of shape " +
                     toString(input.shape()));
}

// torch broadcasts from the right; the shared helper wants equal ranks, so missing leading
// dimensions become 1 (a rank-0 weight stays a uniform scalar).
template <typename T>
TensorView<T> alignRight(std::string_view fn, std::string_view name, TensorView<T> weights, const Shape& to)
{
    if (!weights.present() || weights.rank() == 0)
        return weights;
    const Shape& from = weights.shape();
    bool fits = from.size() <= to.size();
    for (std::size_t k = 1; fits && k <= from.size(); ++k)
        fits = from[from.size() - k] == 1 || from[from.size() - k] == to[to.size() - k];
    if (!fits)
        fail(fn, std::string(name) + " of shape " + toString(from) + " cannot be broadcast to the input's shape " +
                     toString(to));
    Shape padded(to.size() - from.size(), 1);
    padded.insert(padded.end(), from.begin(), from.end());
    return TensorView<T>(weights.data(), std::move(padded));
}

template <typename T>
Tensor<T> gradientTensor(const Shape& shape, const FlatArray<double>& gradient)
{
    return Tensor<T>(shape, FlatArray<T>(gradient.template cast<T>()));
}

// ---- pointwise losses of d = input − target ----

template <typename T, typename Loss, typename Slope>
LossResult<T> pointwise(std::string_view fn, TensorView<T> input, TensorView<T> target, Reduction reduction,
                        Gradient gradient, Loss loss, Slope slope)
{
    requireSameShape(fn, input, target);
    rejectBatchMean(fn, reduction);
    const auto d = input.flat().template cast<double>() - target.flat().template cast<double>();
    const WeightedReduction r(input.shape(), TensorView<T>{}, reduction, "weights", ZeroDenominator::Ieee);
    LossResult<T> result;
    result.value = r.reduce(d.unaryExpr(loss));
    if (gradient == Gradient::Compute) {
        FlatArray<double> g = d.unaryExpr(slope);
        r.scaleGradient(g);
        result.gradient = gradientTensor<T>(input.shape(), g);
    }
    return result;
}

// torch's sgn: 0 at 0 and, unlike std::copysign or Eigen's sign, 0 at NaN too.
double torchSign(double d) { return static_cast<double>((d > 0.0) - (d < 0.0)); }

// torch.xlogy(t, t): 0·log 0 = 0, NaN stays NaN.
double xlogx(double t)
{
    if (std::isnan(t))
        return t;
    return t == 0.0 ? 0.0 : t * std::log(t);
}

// ---- cross_entropy and nll_loss: classes along dim 1 ----

/// An input of shape [N, C, d₁, …] read as [batch, classes, inner]; a [C] input is one sample.
struct ClassLayout {
    Index batch = 1;
    Index classes = 0;
    Index inner = 1;
    Shape sampleShape; // the input's shape without its class dim
    Index samples() const { return batch * inner; }
    // For [N, C] every sample sits in one block; for [N, C, d…] each batch item is a block.
    Index blocks() const { return inner == 1 ? 1 : batch; }
    Index blockWidth() const { return inner == 1 ? batch : inner; }
};

ClassLayout classLayout(std::string_view fn, const Shape& input)
{
    if (input.empty())
        fail(fn, "input of shape [] has no class dimension; expected [C], [N, C] or [N, C, d1, ...]");
    ClassLayout l;
    if (input.size() == 1) {
        l.classes = input[0];
    } else {
        l.batch = input[0];
        l.classes = input[1];
        l.sampleShape.push_back(input[0]);
        for (std::size_t d = 2; d < input.size(); ++d) {
            l.inner *= input[d];
            l.sampleShape.push_back(input[d]);
        }
    }
    if (l.classes == 0)
        fail(fn, "input of shape " + toString(input) + " has no classes");
    return l;
}

template <typename Scalar>
using RowMajorArray = Eigen::Array<std::remove_const_t<Scalar>, Dynamic, Dynamic, Eigen::RowMajor>;
template <typename Scalar>
using ColumnBlock =
    Eigen::Map<std::conditional_t<std::is_const_v<Scalar>, const RowMajorArray<Scalar>, RowMajorArray<Scalar>>,
               Eigen::Unaligned, Eigen::Stride<Dynamic, Dynamic>>;

/// Block `b` of an input-shaped array as classes × samples, one column per sample: column j is
/// sample b·blockWidth() + j. Scalar is const-qualified for read-only data.
template <typename Scalar>
ColumnBlock<Scalar> columns(Scalar* data, const ClassLayout& l, Index b)
{
    using Strides = Eigen::Stride<Dynamic, Dynamic>;
    if (l.inner == 1) // row-major [N, C] memory read column by column
        return ColumnBlock<Scalar>(data, l.classes, l.batch, Strides(1, l.classes));
    return ColumnBlock<Scalar>(data + b * l.classes * l.inner, l.classes, l.inner, Strides(l.inner, 1));
}

template <typename T>
FlatArray<double> logSoftmax(TensorView<T> input, const ClassLayout& l)
{
    FlatArray<double> out(input.size());
    for (Index b = 0; b < l.blocks(); ++b) {
        const auto in = columns(input.data(), l, b);
        auto y = columns(out.data(), l, b);
        // Shifting each sample by its largest logit keeps exp() finite (log-sum-exp).
        const Eigen::Array<double, 1, Dynamic> largest = in.template cast<double>().colwise().maxCoeff();
        y = in.template cast<double>().rowwise() - largest;
        const Eigen::Array<double, 1, Dynamic> logSum = y.exp().colwise().sum().log();
        y.rowwise() -= logSum;
    }
    return out;
}

template <typename T>
FlatArray<double> classWeights(std::string_view fn, TensorView<T> weight, Index classes)
{
    if (!weight.present())
        return FlatArray<double>::Ones(classes);
    if (weight.rank() != 1 || weight.size() != classes)
        fail(fn, "weight of shape " + toString(weight.shape()) + " must hold one weight per class, [" +
                     std::to_string(classes) + "]");
    FlatArray<double> w = weight.flat().template cast<double>();
    if (w.isNaN().any())
        fail(fn, "weight contains NaN");
    return w;
}

std::string elementName(std::string_view name, Index flat, const Shape& shape)
{
    if (shape.empty())
        return std::string(name);
    Shape index(shape.size());
    for (std::size_t d = shape.size(); d-- > 0;) {
        index[d] = flat % shape[d];
        flat /= shape[d];
    }
    return std::string(name) + toString(index);
}

/// Class-index targets resolved against the classes: label −1 marks an ignored sample.
struct ClassTargets {
    std::vector<Index> label;
    FlatArray<double> weight; // w_{yᵢ}; 0 for an ignored sample
};

template <typename T>
ClassTargets classTargets(std::string_view fn, TensorView<T> target, const ClassLayout& l,
                          const FlatArray<double>& classWeight, Index ignoreIndex)
{
    ClassTargets out{std::vector<Index>(static_cast<std::size_t>(l.samples()), -1),
                     FlatArray<double>::Zero(l.samples())};
    for (Index i = 0; i < l.samples(); ++i) {
        const auto y = static_cast<double>(target[i]);
        if (!std::isfinite(y) || y != std::floor(y))
            fail(fn, elementName("target", i, target.shape()) + " = " + number(y) + " is not an integer class index");
        if (y == static_cast<double>(ignoreIndex))
            continue;
        if (y < 0.0 || y >= static_cast<double>(l.classes))
            fail(fn, elementName("target", i, target.shape()) + " = " + number(y) + " is not a class index in [0, " +
                         std::to_string(l.classes) + ") nor the ignore_index " + std::to_string(ignoreIndex));
        out.label[static_cast<std::size_t>(i)] = static_cast<Index>(y);
        out.weight[i] = classWeight[static_cast<Index>(y)];
    }
    return out;
}

/// Everything cross_entropy and nll_loss share once the input is log-probabilities.
struct ClassProblem {
    std::string_view fn;
    ClassLayout layout;
    FlatArray<double> logp; // input-shaped log-probabilities
    bool fromLogits;        // cross_entropy (softmax inside) rather than nll_loss
    FlatArray<double> classWeight;
    double smoothing;
    Reduction reduction;
    Gradient gradient;
};

// lᵢ = (1 − ε)·w_{yᵢ}·(−log p_{i,yᵢ}) + (ε/C)·Σ_c w_c·(−log p_{i,c}): the first term is the helper's
// weighted reduction with weights w_{yᵢ}. ATen divides the smoothing term by that same Σ w_{yᵢ}
// even for samples whose w_{yᵢ} is 0, which weights on the losses cannot express, so a second
// helper sums it with weight 1/denominator per non-ignored sample.
template <typename T>
LossResult<T> classIndexLoss(const ClassProblem& p, TensorView<T> target, Index ignoreIndex, const Shape& inputShape)
{
    const ClassLayout& l = p.layout;
    const ClassTargets targets = classTargets(p.fn, target, l, p.classWeight, ignoreIndex);
    const Index n = l.samples();
    FlatArray<double> nll = FlatArray<double>::Zero(n), smooth = FlatArray<double>::Zero(n);
    const double classShare = p.smoothing / static_cast<double>(l.classes);
    for (Index b = 0; b < l.blocks(); ++b) {
        const auto logp = columns(p.logp.data(), l, b);
        const Index first = b * l.blockWidth();
        for (Index j = 0; j < logp.cols(); ++j)
            if (const Index y = targets.label[static_cast<std::size_t>(first + j)]; y >= 0) {
                nll[first + j] = -logp(y, j);
                if (p.smoothing > 0.0)
                    smooth[first + j] = -classShare * (logp.col(j) * p.classWeight).sum();
            }
    }

    const Tensor<double> targetWeight(l.sampleShape, targets.weight);
    const WeightedReduction byTarget(l.sampleShape, TensorView<double>(targetWeight), p.reduction, "weight",
                                    ZeroDenominator::Ieee);
    FlatArray<double> perSample = FlatArray<double>::Zero(n);
    for (Index i = 0; i < n; ++i)
        if (targets.label[static_cast<std::size_t>(i)] >= 0)
            perSample[i] = 1.0 / byTarget.denominator();
    const Tensor<double> smoothWeight(l.sampleShape, perSample);
    const WeightedReduction bySample(l.sampleShape, TensorView<double>(smoothWeight),
                                     p.reduction == Reduction::None ? Reduction::None : Reduction::Sum, "weight");

    LossResult<T> result;
    result.value = byTarget.reduce((1.0 - p.smoothing) * nll);
    if (p.smoothing > 0.0)
        result.value.storage() += bySample.reduce(smooth).storage();
    if (p.gradient == Gradient::Skip)
        return result;

    // d(value)/d(−log p_{i,c}) per sample and class, then through log_softmax when from logits.
    FlatArray<double> targetScale = FlatArray<double>::Ones(n), smoothScale = FlatArray<double>::Ones(n);
    byTarget.scaleGradient(targetScale);
    bySample.scaleGradient(smoothScale);
    FlatArray<double> gradient(p.logp.size());
    for (Index b = 0; b < l.blocks(); ++b) {
        const auto logp = columns(p.logp.data(), l, b);
        auto g = columns(gradient.data(), l, b);
        const Index first = b * l.blockWidth();
        RowMajorArray<double> dlogp = RowMajorArray<double>::Zero(l.classes, logp.cols());
        if (p.smoothing > 0.0)
            dlogp = (p.classWeight.matrix() * smoothScale.segment(first, logp.cols()).matrix().transpose()).array() *
                    classShare;
        for (Index j = 0; j < logp.cols(); ++j)
            if (const Index y = targets.label[static_cast<std::size_t>(first + j)]; y >= 0)
                dlogp(y, j) += (1.0 - p.smoothing) * targetScale[first + j];
        if (p.fromLogits) { // through log_softmax: ∂/∂x_k = p_k·Σ_c dlogp_c − dlogp_k
            const Eigen::Array<double, 1, Dynamic> total = dlogp.colwise().sum();
            g = logp.exp().rowwise() * total - dlogp;
        } else {
            g = -dlogp;
        }
    }
    result.gradient = gradientTensor<T>(inputShape, gradient);
    return result;
}

// lᵢ = −Σ_c w_c·t̃_{i,c}·log p_{i,c}, reduced per sample without weights (torch's 'mean' divides by
// the number of samples).
template <typename T>
LossResult<T> probabilityLoss(const ClassProblem& p, TensorView<T> target, const Shape& inputShape)
{
    const ClassLayout& l = p.layout;
    const double classShare = p.smoothing / static_cast<double>(l.classes);
    const WeightedReduction r(l.sampleShape, TensorView<T>{}, p.reduction, "weight", ZeroDenominator::Ieee);
    FlatArray<double> losses(l.samples());
    FlatArray<double> gradient(p.gradient == Gradient::Compute ? p.logp.size() : 0);
    for (Index b = 0; b < l.blocks(); ++b) {
        const auto logp = columns(p.logp.data(), l, b);
        const auto t = columns(target.data(), l, b);
        const RowMajorArray<double> a =
            ((1.0 - p.smoothing) * t.template cast<double>() + classShare).colwise() * p.classWeight;
        losses.segment(b * l.blockWidth(), logp.cols()) = -(logp * a).colwise().sum().transpose();
        if (p.gradient == Gradient::Compute) {
            const Eigen::Array<double, 1, Dynamic> total = a.colwise().sum();
            columns(gradient.data(), l, b) = (logp.exp().rowwise() * total - a) * r.uniformScale();
        }
    }
    LossResult<T> result;
    result.value = r.reduce(losses);
    if (p.gradient == Gradient::Compute)
        result.gradient = gradientTensor<T>(inputShape, gradient);
    return result;
}

} // namespace

template <typename T>
LossResult<T> crossEntropy(TensorView<T> input, TensorView<T> target, const CrossEntropyOptions<T>& options)
{
    constexpr std::string_view fn = "cross_entropy";
    const ClassLayout layout = classLayout(fn, input.shape());
    FlatArray<double> weight = classWeights(fn, options.weight, layout.classes);
    if (!(options.labelSmoothing >= 0.0 && options.labelSmoothing <= 1.0))
        fail(fn, "label_smoothing must be between 0 and 1, got " + number(options.labelSmoothing));
    rejectBatchMean(fn, options.reduction);

    const bool probabilities = target.shape() == input.shape();
    if (!probabilities && target.shape() != layout.sampleShape)
        fail(fn, "target of shape " + toString(target.shape()) + " must be " + toString(layout.sampleShape) +
                     " (class indices) or " + toString(input.shape()) + " (class probabilities) for input of shape " +
                     toString(input.shape()));
    if (probabilities && options.ignoreIndex >= 0)
        fail(fn, "ignore_index is not supported for probability targets, got " + std::to_string(options.ignoreIndex));

    const ClassProblem problem{.fn = fn,
                               .layout = layout,
                               .logp = logSoftmax(input, layout),
                               .fromLogits = true,
                               .classWeight = std::move(weight),
                               .smoothing = options.labelSmoothing,
                               .reduction = options.reduction,
                               .gradient = options.gradient};
    if (probabilities)
        return probabilityLoss(problem, target, input.shape());
    return classIndexLoss(problem, target, options.ignoreIndex, input.shape());
}

template <typename T>
LossResult<T> nllLoss(TensorView<T> input, TensorView<T> target, const NllLossOptions<T>& options)
{
    constexpr std::string_view fn = "nll_loss";
    const ClassLayout layout = classLayout(fn, input.shape());
    FlatArray<double> weight = classWeights(fn, options.weight, layout.classes);
    rejectBatchMean(fn, options.reduction);
    if (target.shape() != layout.sampleShape)
        fail(fn, "target of shape " + toString(target.shape()) + " must be " + toString(layout.sampleShape) +
                     " (class indices) for input of shape " + toString(input.shape()));
    const ClassProblem problem{.fn = fn,
                               .layout = layout,
                               .logp = input.flat().template cast<double>(),
                               .fromLogits = false,
                               .classWeight = std::move(weight),
                               .smoothing = 0.0,
                               .reduction = options.reduction,
                               .gradient = options.gradient};
    return classIndexLoss(problem, target, options.ignoreIndex, input.shape());
}

template <typename T>
LossResult<T> binaryCrossEntropyWithLogits(TensorView<T> input, TensorView<T> target,
                                           const BceWithLogitsOptions<T>& options)
{
    constexpr std::string_view fn = "binary_cross_entropy_with_logits";
    requireSameShape(fn, input, target);
    rejectBatchMean(fn, options.reduction);
    const TensorView<T> weight = alignRight(fn, "weight", options.weight, input.shape());
    const WeightedReduction r(input.shape(), weight, options.reduction, "weight", ZeroDenominator::Ieee);
    const auto x = input.flat().template cast<double>();
    const auto z = target.flat().template cast<double>();

    const auto compute = [&](const auto& posWeight) {
        // c = 1 + (p − 1)·z weighs the softplus term: l = (1 − z)·x + c·log(1 + e^{−x}).
        const auto c = 1.0 + (posWeight - 1.0) * z;
        const auto decay = (-x.abs()).exp(); // e^{−|x|} ∈ (0, 1]: never overflows
        LossResult<T> result;
        result.value = r.reduce((1.0 - z) * x + c * (decay.log1p() + (-x).max(0.0)));
        if (options.gradient == Gradient::Compute) {
            // (1 − z) − c·σ(−x) and c·σ(x) − p·z are the same derivative; each is free of
            // cancellation on its own side of 0 (σ(−|x|) is the small one).
            const auto smallSigmoid = decay / (1.0 + decay);
            FlatArray<double> g = (x >= 0.0).select((1.0 - z) - c * smallSigmoid, c * smallSigmoid - posWeight * z);
            r.scaleGradient(g);
            result.gradient = gradientTensor<T>(input.shape(), g);
        }
        return result;
    };
    if (!options.posWeight.present())
        return compute(FlatArray<double>::Ones(input.size()));
    if (options.posWeight.rank() == 0) {
        const auto p = static_cast<double>(options.posWeight[0]);
        if (std::isnan(p))
            fail(fn, "pos_weight contains NaN");
        return compute(FlatArray<double>::Constant(input.size(), p));
    }
    const FlatArray<double> posWeight = detail::broadcastWeights(
        alignRight(fn, "pos_weight", options.posWeight, input.shape()), input.shape(), "pos_weight");
    return compute(posWeight);
}

template <typename T>
LossResult<T> mseLoss(TensorView<T> input, TensorView<T> target, const MseLossOptions& options)
{
    return pointwise(
        "mse_loss", input, target, options.reduction, options.gradient, [](double d) { return d * d; },
        [](double d) { return 2.0 * d; });
}

template <typename T>
LossResult<T> l1Loss(TensorView<T> input, TensorView<T> target, const L1LossOptions& options)
{
    return pointwise(
        "l1_loss", input, target, options.reduction, options.gradient, [](double d) { return std::abs(d); },
        torchSign);
}

template <typename T>
LossResult<T> smoothL1Loss(TensorView<T> input, TensorView<T> target, const SmoothL1LossOptions& options)
{
    const double beta = options.beta;
    if (!(beta >= 0.0))
        fail("smooth_l1_loss", "beta must be non-negative, got " + number(beta));
    // ATen's kernels, comparisons included, so that the boundaries (and β = 0) match torch.
    const auto loss = [beta](double d) {
        const double a = std::abs(d);
        return a < beta ? 0.5 * d * d / beta : a - 0.5 * beta;
    };
    const auto slope = [beta](double d) { return d <= -beta ? -1.0 : d >= beta ? 1.0 : d / beta; };
    return pointwise("smooth_l1_loss", input, target, options.reduction, options.gradient, loss, slope);
}

template <typename T>
LossResult<T> huberLoss(TensorView<T> input, TensorView<T> target, const HuberLossOptions& options)
{
    const double delta = options.delta;
    if (!(delta > 0.0))
        fail("huber_loss", "delta must be positive, got " + number(delta));
    const auto loss = [delta](double d) {
        const double a = std::abs(d);
        return a < delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
    };
    const auto slope = [delta](double d) { return d <= -delta ? -delta : d >= delta ? delta : d; };
    return pointwise("huber_loss", input, target, options.reduction, options.gradient, loss, slope);
}

template <typename T>
LossResult<T> klDiv(TensorView<T> input, TensorView<T> target, const KlDivOptions& options)
{
    constexpr std::string_view fn = "kl_div";
    requireSameShape(fn, input, target);
    const auto x = input.flat().template cast<double>();
    const auto t = target.flat().template cast<double>();
    const WeightedReduction r(input.shape(), TensorView<T>{}, options.reduction, "weights", ZeroDenominator::Ieee);
    const bool logTarget = options.logTarget == LogTarget::Yes;
    LossResult<T> result;
    if (logTarget)
        result.value = r.reduce(t.exp() * (t - x));
    else
        result.value = r.reduce(t.unaryExpr(&xlogx) - t * x);
    if (options.gradient == Gradient::Compute) {
        FlatArray<double> g = logTarget ? FlatArray<double>(-t.exp()) : FlatArray<double>(-t);
        r.scaleGradient(g);
        result.gradient = gradientTensor<T>(input.shape(), g);
    }
    return result;
}

#define LOSSLENS_INSTANTIATE_TORCH_LOSSES(T)                                                                       \
    template LossResult<T> crossEntropy(TensorView<T>, TensorView<T>, const CrossEntropyOptions<T>&);            \
    template LossResult<T> nllLoss(TensorView<T>, TensorView<T>, const NllLossOptions<T>&);                      \
    template LossResult<T> binaryCrossEntropyWithLogits(TensorView<T>, TensorView<T>,                            \
                                                        const BceWithLogitsOptions<T>&);                         \
    template LossResult<T> mseLoss(TensorView<T>, TensorView<T>, const MseLossOptions&);                         \
    template LossResult<T> l1Loss(TensorView<T>, TensorView<T>, const L1LossOptions&);                           \
    template LossResult<T> smoothL1Loss(TensorView<T>, TensorView<T>, const SmoothL1LossOptions&);               \
    template LossResult<T> huberLoss(TensorView<T>, TensorView<T>, const HuberLossOptions&);                     \
    template LossResult<T> klDiv(TensorView<T>, TensorView<T>, const KlDivOptions&);

LOSSLENS_INSTANTIATE_TORCH_LOSSES(float)
LOSSLENS_INSTANTIATE_TORCH_LOSSES(double)

#undef LOSSLENS_INSTANTIATE_TORCH_LOSSES

} // namespace losslens::torch
