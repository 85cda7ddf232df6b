#include "core/losses/regularizers.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace losslens {

namespace {

void requireScale(double scale, const std::string& what)
{
    if (!(scale >= 0.0)) {
        char number[32];
        std::snprintf(number, sizeof number, "%g", scale);
        throw std::invalid_argument(what + " must be >= 0, got " + number + " (a scale of 0 disables the regularizer)");
    }
}

/// Σ f(chunk) over the tensor: each chunk sums vectorised in T, the chunks add up in double.
template <typename T, typename ChunkSum>
double chunkedSum(TensorView<T> tensor, ChunkSum chunkSum)
{
    constexpr Index kChunk = 4096;
    double sum = 0.0;
    for (Index begin = 0; begin < tensor.size(); begin += kChunk) {
        const Index count = std::min(kChunk, tensor.size() - begin);
        sum += static_cast<double>(chunkSum(Eigen::Map<const FlatArray<T>>(tensor.data() + begin, count)));
    }
    return sum;
}

} // namespace

template <typename T>
Regularizer<T>::Regularizer(double scaleL1, double scaleL2) : m_scaleL1(scaleL1), m_scaleL2(scaleL2)
{
    requireScale(scaleL1, "regularizer scale_l1");
    requireScale(scaleL2, "regularizer scale_l2");
}

template <typename T>
double Regularizer<T>::operator()(TensorView<T> tensor) const
{
    // A zero scale skips its term rather than multiplying it by 0, so Inf/NaN weights give 0.
    double value = 0.0;
    if (m_scaleL1 != 0.0)
        value += m_scaleL1 * chunkedSum(tensor, [](const auto& w) { return w.abs().sum(); });
    if (m_scaleL2 != 0.0)
        value += m_scaleL2 * 0.5 * chunkedSum(tensor, [](const auto& w) { return w.square().sum(); });
    return value;
}

template <typename T>
Tensor<T> Regularizer<T>::gradient(TensorView<T> tensor) const
{
    Tensor<T> out(tensor.shape());
    if (m_scaleL1 != 0.0)
        out.storage() += tensor.flat().sign() * static_cast<T>(m_scaleL1);
    if (m_scaleL2 != 0.0)
        out.storage() += tensor.flat() * static_cast<T>(m_scaleL2);
    return out;
}

template <typename T>
LossResult<T> Regularizer<T>::evaluate(TensorView<T> tensor, Gradient gradient) const
{
    LossResult<T> result{Tensor<double>::scalar((*this)(tensor)), {}};
    if (gradient == Gradient::Compute)
        result.gradient = this->gradient(tensor);
    return result;
}

template <typename T>
Regularizer<T> l1Regularizer(double scale)
{
    requireScale(scale, "l1_regularizer: scale");
    return {scale, 0.0};
}

template <typename T>
Regularizer<T> l2Regularizer(double scale)
{
    requireScale(scale, "l2_regularizer: scale");
    return {0.0, scale};
}

template <typename T>
Regularizer<T> l1L2Regularizer(double scaleL1, double scaleL2)
{
    requireScale(scaleL1, "l1_l2_regularizer: scale_l1");
    requireScale(scaleL2, "l1_l2_regularizer: scale_l2");
    return {scaleL1, scaleL2};
}

template class Regularizer<float>;
template class Regularizer<double>;
template Regularizer<float> l1Regularizer<float>(double);
template Regularizer<double> l1Regularizer<double>(double);
template Regularizer<float> l2Regularizer<float>(double);
template Regularizer<double> l2Regularizer<double>(double);
template Regularizer<float> l1L2Regularizer<float>(double, double);
template Regularizer<double> l1L2Regularizer<double>(double, double);

} // namespace losslens
