#pragma once
// The PyTorch family: torch.nn.functional's losses with torch's shapes, weights and reductions,
// so that a value logged by a PyTorch training script can be recomputed (and differentiated) here.

#include "core/losses/loss_result.h"
#include "core/losses/reduction.h"

namespace losslens::torch {

/// ## Reductions
///
/// Every function takes the shared `Reduction`; torch's spellings map onto it as follows (the
/// registry's "torch.*" entries do this translation):
///
/// | torch        | cross_entropy, nll_loss (class indices)     | every other loss here               |
/// |--------------|---------------------------------------------|-------------------------------------|
/// | 'none'       | None: w_{yᵢ}·lᵢ per sample                  | None: wᵢ·lᵢ, shaped like the input  |
/// | 'sum'        | Sum                                         | Sum                                 |
/// | 'mean'       | Mean: Σ w_{yᵢ}lᵢ / Σ w_{yᵢ} (non-ignored)   | SumOverBatchSize: Σ wᵢlᵢ / N        |
/// | 'batchmean'  | rejected                                    | kl_div only: BatchMean, Σ lᵢ / shape[0] |
///
/// (cross_entropy with probability targets has no per-sample weight, so its 'mean' — Σ lᵢ over
/// the number of samples — is both Mean and SumOverBatchSize.) The other shared reductions
/// (SumByNonzeroWeights, …) are accepted with their shared meaning; BatchMean is rejected except
/// by klDiv, as torch rejects it.
///
/// Where a mean divides by zero (every target ignored, class weights of the targets summing to 0,
/// an empty input) the value is torch's IEEE quotient — NaN for 0/0 — and not the 0 of TF's
/// div_no_nan; the gradient there is 0 for the samples that carry no weight.
///
/// ## Gradients
///
/// With `Gradient::Compute`, `LossResult::gradient` is d(value)/d(input) shaped like the input (for
/// Reduction::None, of the sum of the values). Targets and weights are constants.
///
/// ## Numbers
///
/// Any T accumulates in double; logits of ±1e4 give finite values; NaN and ±Inf propagate as in
/// torch. Invalid arguments throw std::invalid_argument naming the argument and the shapes.

/// Options of crossEntropy.
template <typename T>
struct CrossEntropyOptions {
    TensorView<T> weight{};        ///< [C] class weights w_c (may be 0 or negative); absent = 1
    Index ignoreIndex = -100;      ///< class-index targets equal to it contribute nothing
    double labelSmoothing = 0.0;   ///< ε in [0, 1]
    Reduction reduction = Reduction::Mean; ///< torch's 'mean' (see the table above)
    Gradient gradient = Gradient::Skip;
};

/// torch.nn.functional.cross_entropy.
///
/// Shapes: input x is [N, C], [N, C, d₁, …] (classes along dim 1) or [C]; target is either
/// - class indices (stored as integral T) shaped like x without its class dim ([N], [N, d₁, …], or
///   rank 0 for a [C] input), each in [0, C) or equal to ignoreIndex; or
/// - class probabilities shaped exactly like x (torch's rule: equal shapes mean probabilities).
///
/// With log pᵢ = log_softmax(xᵢ) over the classes of sample i (a computed log-sum-exp):
/// - class indices:  lᵢ = (1 − ε)·w_{yᵢ}·(−log p_{i,yᵢ}) + (ε/C)·Σ_c w_c·(−log p_{i,c}), and 0 for an
///   ignored sample. 'mean' divides Σ lᵢ by Σ w_{yᵢ} over the non-ignored samples — the smoothing
///   term too, even for samples whose target weight is 0 (ATen's
///   cross_entropy_loss_label_smoothing).
/// - probabilities:  lᵢ = −Σ_c w_c·t̃_{i,c}·log p_{i,c} with t̃ = (1 − ε)·t + ε/C; ignoreIndex must
///   be negative; 'mean' divides by the number of samples (N·d₁·…), not by the weights.
///
/// Value: rank 0, or the sample shape ([N, d₁, …]; rank 0 for a [C] input) for Reduction::None.
template <typename T>
LossResult<T> crossEntropy(TensorView<T> input, TensorView<T> target, const CrossEntropyOptions<T>& options = {});

/// Options of nllLoss.
template <typename T>
struct NllLossOptions {
    TensorView<T> weight{};   ///< [C] class weights; absent = 1
    Index ignoreIndex = -100;
    Reduction reduction = Reduction::Mean; ///< torch's 'mean': Σ w_{yᵢ}lᵢ / Σ w_{yᵢ}
    Gradient gradient = Gradient::Skip;
};

/// torch.nn.functional.nll_loss: lᵢ = −w_{yᵢ}·x_{i,yᵢ} for log-probabilities x, 0 when yᵢ ==
/// ignoreIndex. Shapes and reductions as crossEntropy with class-index targets.
template <typename T>
LossResult<T> nllLoss(TensorView<T> input, TensorView<T> target, const NllLossOptions<T>& options = {});

/// Options of binaryCrossEntropyWithLogits.
template <typename T>
struct BceWithLogitsOptions {
    /// Broadcastable to the input by torch's rule (aligned on the right, each dim 1 or equal);
    /// multiplies each element's loss. Absent = 1.
    TensorView<T> weight{};
    /// pos_weight p, broadcastable to the input the same way — typically [C] against the last dim.
    /// Absent = 1.
    TensorView<T> posWeight{};
    Reduction reduction = Reduction::SumOverBatchSize; ///< torch's 'mean': Σ wᵢlᵢ / N
    Gradient gradient = Gradient::Skip;
};

/// torch.nn.functional.binary_cross_entropy_with_logits, for logits x and targets z in [0, 1] of the
/// same shape:
///   lᵢ = (1 − zᵢ)·xᵢ + (1 + (pᵢ − 1)·zᵢ)·(log1p(exp(−|xᵢ|)) + max(−xᵢ, 0))
///      = −[pᵢ·zᵢ·log σ(xᵢ) + (1 − zᵢ)·log(1 − σ(xᵢ))],
///   ∂lᵢ/∂xᵢ = (1 + (pᵢ − 1)·zᵢ)·σ(xᵢ) − pᵢ·zᵢ.
/// Value: rank 0, or the input's shape for Reduction::None.
template <typename T>
LossResult<T> binaryCrossEntropyWithLogits(TensorView<T> input, TensorView<T> target,
                                           const BceWithLogitsOptions<T>& options = {});

/// Options of the losses whose only parameter is the reduction.
struct PointwiseLossOptions {
    Reduction reduction = Reduction::SumOverBatchSize; ///< torch's 'mean': Σ lᵢ / N
    Gradient gradient = Gradient::Skip;
};
using MseLossOptions = PointwiseLossOptions;
using L1LossOptions = PointwiseLossOptions;

/// torch.nn.functional.mse_loss: lᵢ = (xᵢ − yᵢ)², ∂lᵢ/∂xᵢ = 2(xᵢ − yᵢ). Same shapes; value rank 0
/// or the input's shape.
template <typename T>
LossResult<T> mseLoss(TensorView<T> input, TensorView<T> target, const MseLossOptions& options = {});

/// torch.nn.functional.l1_loss: lᵢ = |xᵢ − yᵢ|, ∂lᵢ/∂xᵢ = sgn(xᵢ − yᵢ) — 0 at 0 and at NaN, as
/// torch's abs backward gives.
template <typename T>
LossResult<T> l1Loss(TensorView<T> input, TensorView<T> target, const L1LossOptions& options = {});

/// Options of smoothL1Loss.
struct SmoothL1LossOptions {
    double beta = 1.0; ///< β ≥ 0; β = 0 is the L1 loss
    Reduction reduction = Reduction::SumOverBatchSize;
    Gradient gradient = Gradient::Skip;
};

/// torch.nn.functional.smooth_l1_loss, with d = x − y:
///   l = 0.5·d²/β if |d| < β, else |d| − 0.5·β;
///   ∂l/∂x = −1 if d ≤ −β, 1 if d ≥ β, else d/β (ATen's kernel: −1 at d = 0 when β = 0).
template <typename T>
LossResult<T> smoothL1Loss(TensorView<T> input, TensorView<T> target, const SmoothL1LossOptions& options = {});

/// Options of huberLoss.
struct HuberLossOptions {
    double delta = 1.0; ///< δ > 0 (torch rejects 0)
    Reduction reduction = Reduction::SumOverBatchSize;
    Gradient gradient = Gradient::Skip;
};

/// torch.nn.functional.huber_loss, with d = x − y:
///   l = 0.5·d² if |d| < δ, else δ·(|d| − 0.5·δ);   ∂l/∂x = clamp(d, −δ, δ).
/// Equal to δ·smoothL1Loss with β = δ.
template <typename T>
LossResult<T> huberLoss(TensorView<T> input, TensorView<T> target, const HuberLossOptions& options = {});

/// Whether kl_div's target holds probabilities or log-probabilities.
enum class LogTarget { No, Yes };

/// Options of klDiv.
struct KlDivOptions {
    LogTarget logTarget = LogTarget::No;
    /// torch's default 'mean' is Σ lᵢ / N over *every element* (SumOverBatchSize); the
    /// KL divergence per sample is Reduction::BatchMean (torch's 'batchmean').
    Reduction reduction = Reduction::SumOverBatchSize;
    Gradient gradient = Gradient::Skip;
};

/// torch.nn.functional.kl_div for log-probabilities x and a target t of the same shape:
///   LogTarget::No:  lᵢ = xlogy(tᵢ, tᵢ) − tᵢ·xᵢ  (0·log 0 = 0; t < 0 gives NaN),  ∂lᵢ/∂xᵢ = −tᵢ;
///   LogTarget::Yes: lᵢ = exp(tᵢ)·(tᵢ − xᵢ),                                     ∂lᵢ/∂xᵢ = −exp(tᵢ).
/// BatchMean divides Σ lᵢ by shape[0] (by 1 for a rank-0 input, as torch does).
template <typename T>
LossResult<T> klDiv(TensorView<T> input, TensorView<T> target, const KlDivOptions& options = {});

} // namespace losslens::torch
