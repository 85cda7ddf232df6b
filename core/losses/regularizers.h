#pragma once
// Weight regularizers with TF-Slim's semantics (tf.contrib.layers.l1_regularizer, l2_regularizer,
// l1_l2_regularizer, as slim.l1_regularizer & co.):
//
//   const auto l2 = l2Regularizer(1e-4);                     // Regularizer<float>
//   losses.addRegularization("l2/trunk", l2(trunkWeights));  // scale·Σw²/2
//   Tensor<float> dw = l2.gradient(trunkWeights);            // scale·w

#include "core/losses/loss_result.h"
#include "core/losses/reduction.h"

namespace losslens {

/// A regularizer R(w) = λ₁·Σ|wᵢ| + λ₂·Σwᵢ²/2 over every element of a weight tensor of T, with
///
///   dR/dwᵢ = λ₁·sign(wᵢ) + λ₂·wᵢ   (sign(0) = 0, as TF's gradient of |w|).
///
/// A scale of 0 disables its term entirely, as slim's regularizers return None: l2Regularizer(0)
/// gives 0 even for NaN weights. Sums accumulate in double. Make one with l1Regularizer,
/// l2Regularizer or l1L2Regularizer.
template <typename T>
class Regularizer {
public:
    /// Throws std::invalid_argument for a negative or NaN scale (l1 and l2 scales, as named).
    Regularizer(double scaleL1, double scaleL2);

    double scaleL1() const { return m_scaleL1; }
    double scaleL2() const { return m_scaleL2; }

    /// R(tensor), the value slim adds to the REGULARIZATION_LOSSES collection.
    double operator()(TensorView<T> tensor) const;
    /// dR/d(tensor), shaped like the tensor.
    Tensor<T> gradient(TensorView<T> tensor) const;
    /// Both at once, as the losses return them: value rank 0, gradient on request.
    LossResult<T> evaluate(TensorView<T> tensor, Gradient gradient = Gradient::Compute) const;

private:
    double m_scaleL1;
    double m_scaleL2;
};

/// slim's l1_regularizer(scale): R(w) = scale·Σ|wᵢ|. Throws for scale < 0; 0 disables it.
template <typename T = float>
Regularizer<T> l1Regularizer(double scale);

/// slim's l2_regularizer(scale): R(w) = scale·Σwᵢ²/2 (scale·tf.nn.l2_loss). Throws for scale < 0;
/// 0 disables it.
template <typename T = float>
Regularizer<T> l2Regularizer(double scale);

/// slim's l1_l2_regularizer(scale_l1, scale_l2): the sum of both terms. Throws for a negative
/// scale; a zero scale drops its term (both zero: always 0).
template <typename T = float>
Regularizer<T> l1L2Regularizer(double scaleL1 = 1.0, double scaleL2 = 1.0);

} // namespace losslens
