#include "core/losses/reduction.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace losslens {

namespace {

struct ReductionName {
    std::string_view name;
    Reduction reduction;
};

// TF1 names (with or without tf.compat.v1's `weighted_` prefix) and torch names, lower-cased.
constexpr std::array kReductionNames{
    ReductionName{"none", Reduction::None},
    ReductionName{"sum", Reduction::Sum},
    ReductionName{"weighted_sum", Reduction::Sum},
    ReductionName{"mean", Reduction::Mean},
    ReductionName{"weighted_mean", Reduction::Mean},
    ReductionName{"sum_over_batch_size", Reduction::SumOverBatchSize},
    ReductionName{"weighted_sum_over_batch_size", Reduction::SumOverBatchSize},
    ReductionName{"sum_by_nonzero_weights", Reduction::SumByNonzeroWeights},
    ReductionName{"weighted_sum_by_nonzero_weights", Reduction::SumByNonzeroWeights},
    ReductionName{"batchmean", Reduction::BatchMean},
};

} // namespace

Reduction parseReduction(std::string_view name)
{
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto& entry : kReductionNames)
        if (entry.name == lower)
            return entry.reduction;
    throw std::invalid_argument("unknown reduction '" + std::string(name) +
                                "'; expected NONE, SUM, MEAN, SUM_OVER_BATCH_SIZE, "
                                "SUM_BY_NONZERO_WEIGHTS or batchmean");
}

std::string_view reductionName(Reduction reduction)
{
    switch (reduction) {
    case Reduction::None: return "NONE";
    case Reduction::Sum: return "SUM";
    case Reduction::Mean: return "MEAN";
    case Reduction::SumOverBatchSize: return "SUM_OVER_BATCH_SIZE";
    case Reduction::SumByNonzeroWeights: return "SUM_BY_NONZERO_WEIGHTS";
    case Reduction::BatchMean: return "BATCHMEAN";
    }
    return "?";
}

void WeightedReduction::finish(Index batch)
{
    const auto n = static_cast<double>(elementCount(m_lossShape));
    switch (m_reduction) {
    case Reduction::None:
    case Reduction::Sum: m_denominator = 1.0; break;
    case Reduction::Mean: m_denominator = uniform() ? m_uniformWeight * n : m_weights.sum(); break;
    case Reduction::SumOverBatchSize: m_denominator = n; break;
    case Reduction::SumByNonzeroWeights:
        m_denominator = uniform() ? (m_uniformWeight != 0.0 ? n : 0.0)
                                  : static_cast<double>((m_weights != 0.0).count());
        break;
    case Reduction::BatchMean: m_denominator = static_cast<double>(batch); break;
    }
    m_inverse = m_denominator == 0.0 ? 0.0 : 1.0 / m_denominator;
}

Tensor<double> WeightedReduction::fromWeightedSum(double weightedSum) const
{
    if (m_denominator == 0.0)
        return Tensor<double>::scalar(m_zero == ZeroDenominator::Ieee ? weightedSum / m_denominator : 0.0);
    return Tensor<double>::scalar(weightedSum * m_inverse);
}

namespace detail {

template <typename T>
FlatArray<double> broadcastWeights(const TensorView<T>& weights, const Shape& to, std::string_view name)
{
    const Shape& from = weights.shape();
    const auto fail = [&](const std::string& why) {
        return std::invalid_argument(std::string(name) + " of shape " + toString(from) +
                                     " cannot be broadcast to the losses of shape " + toString(to) + ": " + why);
    };
    if (from.size() != to.size())
        throw fail("weights must be a scalar or have the same rank as the losses");
    for (std::size_t d = 0; d < to.size(); ++d)
        if (from[d] != 1 && from[d] != to[d])
            throw fail("dimension " + std::to_string(d) + " must be 1 or " + std::to_string(to[d]));

    const auto source = weights.flat();
    if (source.isNaN().any())
        throw std::invalid_argument(std::string(name) + " contains NaN");

    // Walk the target in row-major order; a size-1 source dimension has stride 0.
    const Index rank = static_cast<Index>(to.size());
    std::vector<Index> stride(to.size(), 0), index(to.size(), 0);
    for (Index d = rank - 1, s = 1; d >= 0; --d) {
        stride[static_cast<std::size_t>(d)] = from[static_cast<std::size_t>(d)] == 1 ? 0 : s;
        s *= from[static_cast<std::size_t>(d)];
    }
    FlatArray<double> out(elementCount(to));
    Index offset = 0;
    for (Index i = 0; i < out.size(); ++i) {
        out[i] = static_cast<double>(source[offset]);
        for (Index d = rank - 1; d >= 0; --d) { // odometer increment
            const auto ud = static_cast<std::size_t>(d);
            offset += stride[ud];
            if (++index[ud] < to[ud])
                break;
            offset -= stride[ud] * to[ud];
            index[ud] = 0;
        }
    }
    return out;
}

template FlatArray<double> broadcastWeights(const TensorView<float>&, const Shape&, std::string_view);
template FlatArray<double> broadcastWeights(const TensorView<double>&, const Shape&, std::string_view);

} // namespace detail
} // namespace losslens
