#pragma once
// The TF1 regression losses (tf.compat.v1.losses, TF1's tensorflow/python/ops/losses/losses_impl.py):
// absolute_difference, mean_squared_error, huber_loss, cosine_distance,
// mean_pairwise_squared_error and compute_weighted_loss.
//
//   meanSquaredError(depthPred, depthTrue, {.weights = validPixels}).addTo(losses, "depth/mse");

#include "core/losses/loss_result.h"
#include "core/losses/options.h"

#include <functional>
#include <string>

namespace losslens {

/// ## Conventions shared by every TF-family loss
///
/// With predictions p and labels y of the same shape, each loss computes element-wise losses lᵢ
/// and reduces w·l with the shared WeightedReduction (TF1's compute_weighted_loss):
///
/// - weights: absent (= 1), rank 0, or the rank of the losses with every dimension 1 or equal
///   to the loss dimension (TF1's assert_broadcastable). NaN weights are rejected; zero and
///   negative weights are allowed.
/// - reduction: SumByNonzeroWeights by default (TF1's default); a zero denominator gives 0 (TF1's
///   div_no_nan). Reduction::None returns wᵢ·lᵢ shaped like the losses.
/// - gradient: with Gradient::Compute, d(value)/dp shaped like p — for Reduction::None, the
///   gradient of Σᵢ wᵢ·lᵢ. Labels and weights are constants.
/// - numbers: any T accumulates in double. NaN and ±Inf in p propagate into the value.
/// - errors: std::invalid_argument naming the argument and the shapes.

/// absolute_difference:  lᵢ = |pᵢ − yᵢ|,  dlᵢ/dpᵢ = sign(pᵢ − yᵢ) (0 at pᵢ = yᵢ).
///
/// Shapes: p and y equal; losses shaped like p.
template <typename T>
LossResult<T> absoluteDifference(TensorView<T> predictions, TensorView<T> labels, const LossOptions<T>& options = {});

/// mean_squared_error:  lᵢ = (pᵢ − yᵢ)²,  dlᵢ/dpᵢ = 2(pᵢ − yᵢ).
///
/// Shapes: p and y equal; losses shaped like p.
template <typename T>
LossResult<T> meanSquaredError(TensorView<T> predictions, TensorView<T> labels, const LossOptions<T>& options = {});

/// sum_of_squares: slim's original name of meanSquaredError (same value, same reduction).
template <typename T>
LossResult<T> sumOfSquares(TensorView<T> predictions, TensorView<T> labels, const LossOptions<T>& options = {})
{
    return meanSquaredError(predictions, labels, options);
}

/// Options of huberLoss.
template <typename T>
struct HuberLossOptions {
    TensorView<T> weights{};                              ///< absent = 1
    double delta = 1.0;                                   ///< δ ≥ 0, where the loss turns linear
    Reduction reduction = Reduction::SumByNonzeroWeights; ///< TF1's default
    Gradient gradient = Gradient::Skip;

    /// Throws std::invalid_argument for a negative or NaN delta.
    void validate() const;
};

/// huber_loss: with eᵢ = pᵢ − yᵢ and qᵢ = min(|eᵢ|, δ),
///
///   lᵢ = ½qᵢ² + δ·(|eᵢ| − qᵢ)   (½e² for |e| ≤ δ, δ|e| − ½δ² beyond),
///   dlᵢ/dpᵢ = clamp(eᵢ, −δ, δ).
///
/// Shapes: p and y equal; losses shaped like p.
template <typename T>
LossResult<T> huberLoss(TensorView<T> predictions, TensorView<T> labels, const HuberLossOptions<T>& options = {});

/// cosine_distance along `axis` (TF1 has no default; negative counts from the end):
///
///   l = 1 − Σ_axis pᵢ·yᵢ,   dl/dpᵢ = −yᵢ.
///
/// Like TF1, p and y are assumed unit-normalised along `axis` (nothing is normalised here).
/// Shapes: p and y equal; the losses keep `axis` with size 1 (p [4, 3], axis 1 → losses [4, 1]),
/// so per-sample weights are [4, 1], not [4].
template <typename T>
LossResult<T> cosineDistance(TensorView<T> predictions, TensorView<T> labels, Index axis,
                             const LossOptions<T>& options = {});

/// Options of meanPairwiseSquaredError. The loss has no reduction of its own (see below).
template <typename T>
struct MeanPairwiseSquaredErrorOptions {
    TensorView<T> weights{}; ///< rank 0, or broadcastable to p ([batch, 1, …] or p's shape); absent = 1
    Gradient gradient = Gradient::Skip;
};

/// mean_pairwise_squared_error, TF 1.15's formula exactly (graph mode). For each sample b of p
/// and y of shape [batch, d₁, …], with dᵢ = pᵢ − yᵢ over the sample's elements:
///
///   n_b   = the number of non-zero weights once broadcast over the sample's elements
///   l_b   = 2·Σdᵢ² / (n_b − 1) − 2·(Σdᵢ)² / (n_b·(n_b − 1))   (a term is 0 when its divisor ≤ 0)
///   value = Σ_b l_b·W_b,   W_b = the sum of sample b's row of the weights as given (the one row
///                          if their first dimension is 1; the weight itself for rank 0 or [batch, 1, …])
///   value = 0 when every n_b is 0
///
/// With every weight 1, l_b is the mean of ((pᵢ − pⱼ) − (yᵢ − yⱼ))² over the pairs i < j. The
/// quirks are TF1's: the sums run over every element (a zero weight only lowers n_b), and a
/// [batch, d₁] weight multiplies l_b by its row sum. The value is always a scalar (TF1 sums; there
/// is no reduction argument); the gradient is w.r.t. p.
template <typename T>
LossResult<T> meanPairwiseSquaredError(TensorView<T> predictions, TensorView<T> labels,
                                       const MeanPairwiseSquaredErrorOptions<T>& options = {});

/// compute_weighted_loss: reduces precomputed element-wise `losses` (lᵢ as given) with the
/// weights and reduction of `options`. The gradient is d(value)/dlᵢ, i.e. wᵢ/denominator.
template <typename T>
LossResult<T> computeWeightedLoss(TensorView<T> losses, const LossOptions<T>& options = {});

namespace detail {

/// An element-wise loss over elements [begin, begin + count): writes lᵢ to losses[i − begin] and,
/// when `gradient` is not null, gradientScale·dlᵢ/dxᵢ to gradient[i − begin].
template <typename T>
using ElementwiseKernel = std::function<void(Index begin, Index count, T* losses, T* gradient, T gradientScale)>;

/// Evaluates `kernel` over a loss of `shape` and reduces it with `reduction`. With uniform weights
/// the losses are summed chunk by chunk while the gradient is written — one pass over memory, no
/// full-size temporary; otherwise the losses are materialised in T and handed to reduce().
/// Used by the element-wise losses of regression.cpp and classification.cpp.
template <typename T>
LossResult<T> reduceElementwise(const Shape& shape, const WeightedReduction& reduction, Gradient gradient,
                                const ElementwiseKernel<T>& kernel);

/// Throws "<aName> of shape [..] and <bName> of shape [..] must match" unless the shapes are equal.
void requireSameShape(const Shape& a, const char* aName, const Shape& b, const char* bName);

/// An element-wise loss of x against labels z of x's shape through reduceElementwise:
/// `kernel(x, z, losses, gradient, gradientScale)` receives Eigen maps of one stretch of x, z and
/// the losses, and a pointer to the same stretch of the gradient (null when not requested).
template <typename T, typename Kernel>
LossResult<T> elementwise(TensorView<T> x, const char* xName, TensorView<T> z, const char* zName,
                          TensorView<T> weights, Reduction reduction, Gradient gradient, Kernel kernel)
{
    requireSameShape(x.shape(), xName, z.shape(), zName);
    const WeightedReduction reducer(x.shape(), weights, reduction);
    using ConstMap = Eigen::Map<const FlatArray<T>>;
    return reduceElementwise<T>(x.shape(), reducer, gradient, [&](Index begin, Index count, T* losses, T* grad, T scale) {
        kernel(ConstMap(x.data() + begin, count), ConstMap(z.data() + begin, count),
               Eigen::Map<FlatArray<T>>(losses, count), grad, scale);
    });
}

/// A number as a user typed it, for messages: 1.5, -1e-07, nan.
std::string formatNumber(double x);

} // namespace detail

} // namespace losslens
