#pragma once
// The ONE reduction helper. Every loss computes element-wise values (usually as a lazy Eigen
// expression) and hands them here, the way ATen's losses share `apply_loss_reduction`.

#include "core/tensor.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>

namespace losslens {

/// How element-wise losses lᵢ with broadcast weights wᵢ become the reported value.
///
/// | Reduction           | value                    | source                                   |
/// |---------------------|--------------------------|------------------------------------------|
/// | None                | wᵢ·lᵢ (loss shape)       | tf.compat.v1.losses, torch 'none'        |
/// | Sum                 | Σ wᵢlᵢ                   | TF SUM, torch 'sum'                      |
/// | Mean                | Σ wᵢlᵢ / Σ wᵢ            | TF MEAN, torch 'mean' with class weights |
/// | SumOverBatchSize    | Σ wᵢlᵢ / N (elements)    | TF SUM_OVER_BATCH_SIZE, torch 'mean'     |
/// | SumByNonzeroWeights | Σ wᵢlᵢ / #{wᵢ ≠ 0}       | TF SUM_BY_NONZERO_WEIGHTS (TF1 default)  |
/// | BatchMean           | Σ wᵢlᵢ / shape[0]        | torch kl_div 'batchmean'                 |
///
/// A zero denominator gives 0 (TF1's `div_no_nan`) or follows IEEE (ATen): see ZeroDenominator.
enum class Reduction { None, Sum, Mean, SumOverBatchSize, SumByNonzeroWeights, BatchMean };

/// What a dividing reduction gives when its denominator is 0 (all weights zero, every target
/// ignored, an empty input).
enum class ZeroDenominator {
    GivesZero, ///< 0, with a zero gradient: TF1's div_no_nan
    Ieee,      ///< Σ wᵢlᵢ / 0 (0/0 = NaN), with a zero gradient: ATen's plain division
};

/// Whether a loss also returns d(value)/d(predictions).
enum class Gradient { Skip, Compute };

/// Accepts TF spellings (`SUM_BY_NONZERO_WEIGHTS`, `weighted_sum_by_nonzero_weights`) and torch
/// spellings (`none`, `mean`, `sum`, `batchmean`); throws std::invalid_argument otherwise.
Reduction parseReduction(std::string_view name);
std::string_view reductionName(Reduction reduction);

/// Weights resolved against a loss shape, plus the denominator of the chosen reduction.
///
/// Weights follow TF1's broadcasting rule: absent (= 1), rank 0, or the same rank as the losses
/// with every dimension 1 or equal to the loss dimension. NaN weights are rejected.
class WeightedReduction {
public:
    template <typename T>
    WeightedReduction(const Shape& lossShape, TensorView<T> weights, Reduction reduction,
                      std::string_view weightsName = "weights", ZeroDenominator zero = ZeroDenominator::GivesZero);

    Reduction reduction() const { return m_reduction; }
    const Shape& lossShape() const { return m_lossShape; }
    double denominator() const { return m_denominator; }
    /// True when every element has the same weight (no per-element array is kept).
    bool uniform() const { return m_weights.size() == 0; }
    /// The broadcast weight of loss element i.
    double weight(Index i) const { return uniform() ? m_uniformWeight : m_weights[i]; }

    /// d(value)/d(lᵢ): wᵢ / denominator (wᵢ for Reduction::None; 0 when the denominator is 0).
    double scale(Index i) const { return weight(i) * m_inverse; }
    /// The scale shared by every element when uniform().
    double uniformScale() const { return m_uniformWeight * m_inverse; }

    /// The reported value of element-wise losses given as an Eigen expression of lossShape's size:
    /// rank 0, or the loss shape for Reduction::None. Accumulates in double.
    template <typename Derived>
    Tensor<double> reduce(const Eigen::ArrayBase<Derived>& losses) const;

    /// The reported value from Σ wᵢlᵢ already summed by the caller (kernels that reduce chunk by
    /// chunk as they stream); not for Reduction::None.
    Tensor<double> fromWeightedSum(double weightedSum) const;

    /// Multiplies element-wise gradients dlᵢ/dxᵢ (same size as the losses) by scale(i) in place.
    template <typename Derived>
    void scaleGradient(Eigen::ArrayBase<Derived>& gradient) const;

private:
    void finish(Index batch);

    Shape m_lossShape;
    Reduction m_reduction;
    ZeroDenominator m_zero;
    double m_uniformWeight = 1.0;
    FlatArray<double> m_weights; // broadcast to the loss shape; empty when uniform
    double m_denominator = 1.0;
    double m_inverse = 1.0; // 1/denominator, or 0 for a zero denominator (safe division)
};

// ---- implementation of the templates ----

namespace detail {
/// Broadcasts `weights` (shape `from`) to `to` following TF1's rule, or throws.
template <typename T>
FlatArray<double> broadcastWeights(const TensorView<T>& weights, const Shape& to, std::string_view name);
} // namespace detail

template <typename T>
WeightedReduction::WeightedReduction(const Shape& lossShape, TensorView<T> weights, Reduction reduction,
                                     std::string_view weightsName, ZeroDenominator zero)
    : m_lossShape(lossShape), m_reduction(reduction), m_zero(zero)
{
    if (weights.present() && weights.size() == 1 && weights.rank() == 0)
        m_uniformWeight = static_cast<double>(weights[0]);
    else if (weights.present())
        m_weights = detail::broadcastWeights(weights, lossShape, weightsName);
    if (uniform() && std::isnan(m_uniformWeight))
        throw std::invalid_argument(std::string(weightsName) + " contains NaN");
    finish(lossShape.empty() ? 1 : lossShape.front());
}

template <typename Derived>
Tensor<double> WeightedReduction::reduce(const Eigen::ArrayBase<Derived>& losses) const
{
    const auto l = losses.template cast<double>();
    if (m_reduction == Reduction::None) {
        Tensor<double> out(m_lossShape);
        if (uniform())
            out.storage() = l * m_uniformWeight;
        else
            out.storage() = l * m_weights;
        return out;
    }
    return fromWeightedSum(uniform() ? m_uniformWeight * l.sum() : (l * m_weights).sum());
}

template <typename Derived>
void WeightedReduction::scaleGradient(Eigen::ArrayBase<Derived>& gradient) const
{
    using S = typename Derived::Scalar;
    if (uniform())
        gradient *= static_cast<S>(uniformScale());
    else
        gradient *= (m_weights * m_inverse).template cast<S>();
}

} // namespace losslens
