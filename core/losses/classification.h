#pragma once
// The TF1 classification losses (tf.compat.v1.losses, TF1's tensorflow/python/ops/losses/losses_impl.py):
// sigmoid_cross_entropy, softmax_cross_entropy, sparse_softmax_cross_entropy, log_loss and hinge_loss.
//
//   softmaxCrossEntropy(sceneLogits, sceneOneHot, {.labelSmoothing = 0.1}).addTo(losses, "scene/xent");
//
// Weights, reductions, gradients, numbers and errors follow the conventions stated in
// regression.h: weights broadcast to the *loss* shape (TF1's rule), SumByNonzeroWeights by
// default, the gradient is d(value)/d(logits or predictions), accumulation is in double.

#include "core/losses/loss_result.h"
#include "core/losses/options.h"

namespace losslens {

/// Options of sigmoidCrossEntropy.
template <typename T>
struct SigmoidCrossEntropyOptions {
    TensorView<T> weights{};                              ///< broadcastable to the logits; absent = 1
    double labelSmoothing = 0.0;                          ///< ε in [0, 1]: z' = z·(1 − ε) + ε/2
    Reduction reduction = Reduction::SumByNonzeroWeights; ///< TF1's default
    Gradient gradient = Gradient::Skip;

    /// Throws std::invalid_argument for labelSmoothing outside [0, 1].
    void validate() const;
};

/// sigmoid_cross_entropy (tf.nn.sigmoid_cross_entropy_with_logits, weighted): for logits x and
/// labels z in [0, 1] of the same shape, smoothed to z' = z·(1 − ε) + ε/2,
///
///   lᵢ = max(xᵢ, 0) − xᵢ·z'ᵢ + log(1 + exp(−|xᵢ|))   (= −z'·log σ(x) − (1 − z')·log(1 − σ(x))),
///   dlᵢ/dxᵢ = σ(xᵢ) − z'ᵢ.
///
/// The form is the stable one: logits of ±1e4 give finite values. Losses are shaped like x.
template <typename T>
LossResult<T> sigmoidCrossEntropy(TensorView<T> logits, TensorView<T> multiClassLabels,
                                  const SigmoidCrossEntropyOptions<T>& options = {});

/// Options of softmaxCrossEntropy.
template <typename T>
struct SoftmaxCrossEntropyOptions {
    TensorView<T> weights{};                              ///< rank 0 or [batch] (or [1]); absent = 1
    double labelSmoothing = 0.0;                          ///< ε in [0, 1]: y' = y·(1 − ε) + ε/C
    Reduction reduction = Reduction::SumByNonzeroWeights; ///< TF1's default
    Gradient gradient = Gradient::Skip;

    /// Throws std::invalid_argument for labelSmoothing outside [0, 1].
    void validate() const;
};

/// softmax_cross_entropy (tf.nn.softmax_cross_entropy_with_logits_v2, weighted): for logits x
/// and labels y of shape [batch, C], smoothed to y' = y·(1 − ε) + ε/C, and per row b
///
///   l_b = Σ_c y'_bc·(LSE_b − x_bc)   with LSE_b = log Σ_c exp(x_bc) (computed as m + log Σ exp(x − m)),
///   dl_b/dx_bc = softmax(x_b)_c·Σ_c' y'_bc' − y'_bc.
///
/// The gradient is the exact derivative of the value; for labels whose rows sum to 1 (one-hot,
/// smoothed or not) it is TF's softmax − y'. Losses have shape [batch]; weights are rank 0,
/// [batch] or [1] — a [batch, 1] weight is rejected, as in TF1. Only rank-2 logits are accepted
/// (TF1 takes the class count for smoothing from dimension 1). ±1e4 logits stay finite; a NaN
/// logit makes its row's loss and gradient NaN.
template <typename T>
LossResult<T> softmaxCrossEntropy(TensorView<T> logits, TensorView<T> onehotLabels,
                                  const SoftmaxCrossEntropyOptions<T>& options = {});

/// sparse_softmax_cross_entropy (tf.nn.sparse_softmax_cross_entropy_with_logits, weighted): for
/// logits x of shape [d₀, …, d_{r−1}, C] and integer class ids k of shape [d₀, …, d_{r−1}],
///
///   lᵢ = LSEᵢ − x_{i,kᵢ},   dlᵢ/dx_{i,c} = softmax(xᵢ)_c − [c = kᵢ].
///
/// Like TF1, labels of shape [d₀, …, d_{r−1}, 1] are squeezed to [d₀, …, d_{r−1}], and so are
/// weights with one dimension more than the (squeezed) labels whose last dimension is 1. Every
/// label must lie in [0, C). Losses are shaped like the (squeezed) labels.
template <typename T>
LossResult<T> sparseSoftmaxCrossEntropy(TensorView<T> logits, TensorView<Index> labels,
                                        const LossOptions<T>& options = {});

/// Options of logLoss.
template <typename T>
struct LogLossOptions {
    TensorView<T> weights{};                              ///< broadcastable to p; absent = 1
    double epsilon = 1e-7;                                ///< ε ≥ 0 keeps the logarithms finite
    Reduction reduction = Reduction::SumByNonzeroWeights; ///< TF1's default
    Gradient gradient = Gradient::Skip;

    /// Throws std::invalid_argument for a negative or NaN epsilon.
    void validate() const;
};

/// log_loss: for probabilities p and labels z of the same shape,
///
///   lᵢ = −zᵢ·log(pᵢ + ε) − (1 − zᵢ)·log(1 − pᵢ + ε),
///   dlᵢ/dpᵢ = −zᵢ/(pᵢ + ε) + (1 − zᵢ)/(1 − pᵢ + ε).
///
/// Losses are shaped like p.
template <typename T>
LossResult<T> logLoss(TensorView<T> predictions, TensorView<T> labels, const LogLossOptions<T>& options = {});

/// hinge_loss: for logits x and labels z in {0, 1} of the same shape, with sᵢ = 2zᵢ − 1,
///
///   lᵢ = max(0, 1 − sᵢ·xᵢ),   dlᵢ/dxᵢ = −sᵢ where 1 − sᵢxᵢ > 0, else 0.
///
/// Losses are shaped like x. Labels are not checked to be 0 or 1 (TF1 does not either).
template <typename T>
LossResult<T> hingeLoss(TensorView<T> logits, TensorView<T> labels, const LossOptions<T>& options = {});

} // namespace losslens
