#include "core/script/array_ops.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace losslens::script {

namespace {

using Map = Eigen::Map<const FlatArray<double>>;
using MutableMap = Eigen::Map<FlatArray<double>>;
using RowMajor = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// Strides of `shape` (row-major) as seen from `outShape`: 0 along broadcast dimensions.
std::vector<Index> broadcastStrides(const Shape& shape, const Shape& outShape)
{
    std::vector<Index> strides(outShape.size(), 0);
    Index stride = 1;
    const auto offset = outShape.size() - shape.size();
    for (std::size_t i = shape.size(); i-- > 0;) {
        strides[offset + i] = shape[i] == 1 ? 0 : stride;
        stride *= shape[i];
    }
    return strides;
}

/// Calls f(aExpr, bExpr) for every run of the innermost dimension of `outShape`; each expression
/// is a contiguous Map or a Constant (a broadcast element), so f stays vectorised.
template <typename F>
void forEachBroadcastRow(const ArrayView& a, const ArrayView& b, const Shape& outShape, double* out, F f)
{
    const Index n = elementCount(outShape);
    if (n == 0)
        return;
    if (a.shape() == outShape && b.shape() == outShape) {
        MutableMap(out, n) = f(Map(a.data(), n), Map(b.data(), n));
        return;
    }
    if (a.size() == 1 && b.shape() == outShape) {
        MutableMap(out, n) = f(FlatArray<double>::Constant(n, a[0]), Map(b.data(), n));
        return;
    }
    if (b.size() == 1 && a.shape() == outShape) {
        MutableMap(out, n) = f(Map(a.data(), n), FlatArray<double>::Constant(n, b[0]));
        return;
    }
    const auto sa = broadcastStrides(a.shape(), outShape), sb = broadcastStrides(b.shape(), outShape);
    const std::size_t rank = outShape.size();
    const Index inner = outShape.back();
    std::vector<Index> index(rank, 0);
    Index offA = 0, offB = 0;
    for (Index row = 0; row < n / inner; ++row) {
        MutableMap o(out + row * inner, inner);
        const bool aRun = sa.back() != 0, bRun = sb.back() != 0;
        if (aRun && bRun)
            o = f(Map(a.data() + offA, inner), Map(b.data() + offB, inner));
        else if (aRun)
            o = f(Map(a.data() + offA, inner), FlatArray<double>::Constant(inner, b[offB]));
        else if (bRun)
            o = f(FlatArray<double>::Constant(inner, a[offA]), Map(b.data() + offB, inner));
        else
            o = f(FlatArray<double>::Constant(inner, a[offA]), FlatArray<double>::Constant(inner, b[offB]));
        // Advance the multi-index of the outer dimensions (an odometer).
        for (std::size_t d = rank - 1; d-- > 0;) {
            offA += sa[d];
            offB += sb[d];
            if (++index[d] < outShape[d])
                break;
            offA -= sa[d] * outShape[d];
            offB -= sb[d] * outShape[d];
            index[d] = 0;
        }
    }
}

/// Splits `shape` around `axis` into [outer, n, inner].
struct AxisSplit {
    Index outer = 1, n = 1, inner = 1;
};
AxisSplit split(const Shape& shape, Index axis)
{
    AxisSplit s;
    for (Index i = 0; i < static_cast<Index>(shape.size()); ++i)
        (i < axis ? s.outer : i == axis ? s.n : s.inner) *= shape[static_cast<std::size_t>(i)];
    return s;
}

/// LSE of an Eigen expression, stable: m + log Σ exp(x − m); −∞ for empty or all −∞.
template <typename E>
double logSumExp(const E& x)
{
    if (x.size() == 0)
        return -kInf;
    const double m = x.maxCoeff();
    if (!std::isfinite(m))
        return std::isnan(m) ? kNaN : m == kInf ? kInf : -kInf;
    return m + std::log((x - m).exp().sum());
}

template <typename E>
double reduce(ReduceOp op, const E& x)
{
    const bool empty = x.size() == 0;
    switch (op) {
    case ReduceOp::Sum: return x.sum();
    case ReduceOp::Mean: return empty ? kNaN : x.mean();
    case ReduceOp::Max: return empty ? kNaN : x.maxCoeff();
    case ReduceOp::Min: return empty ? kNaN : x.minCoeff();
    case ReduceOp::LogSumExp: return logSumExp(x);
    }
    return kNaN;
}

} // namespace

Shape broadcastShapes(const Shape& a, const Shape& b, std::string_view op)
{
    const std::size_t rank = std::max(a.size(), b.size());
    Shape out(rank, 1);
    for (std::size_t i = 0; i < rank; ++i) {
        const Index da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
        const Index db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
        if (da != db && da != 1 && db != 1)
            throw std::invalid_argument(std::string(op) + ": shapes " + toString(a) + " and " + toString(b) +
                                        " do not broadcast (each dimension, aligned from the end, must be equal or 1)");
        out[i] = da == 1 ? db : da;
    }
    return out;
}

Index normalizeAxis(Index axis, Index rank, std::string_view op)
{
    const Index resolved = axis < 0 ? axis + rank : axis;
    if (resolved < 0 || resolved >= rank)
        throw std::invalid_argument(std::string(op) + ": axis " + std::to_string(axis) + " is out of range for an array of rank " +
                                    std::to_string(rank));
    return resolved;
}

void unary(UnaryOp op, const ArrayView& x, double* out)
{
    const Map in(x.data(), x.size());
    MutableMap o(out, x.size());
    switch (op) {
    case UnaryOp::Log: o = in.log(); break;
    case UnaryOp::Exp: o = in.exp(); break;
    case UnaryOp::Sigmoid: o = 1.0 / (1.0 + (-in).exp()); break;
    // log σ(x) = −softplus(−x), with softplus(y) = max(y, 0) + log1p(exp(−|y|)): finite for any x.
    case UnaryOp::LogSigmoid: o = -((-in).max(0.0) + (-in.abs()).exp().log1p()); break;
    case UnaryOp::Softplus: o = in.max(0.0) + (-in.abs()).exp().log1p(); break;
    case UnaryOp::Tanh: o = in.tanh(); break;
    case UnaryOp::Abs: o = in.abs(); break;
    case UnaryOp::Sqrt: o = in.sqrt(); break;
    case UnaryOp::Square: o = in.square(); break;
    case UnaryOp::Neg: o = -in; break;
    case UnaryOp::Relu: o = in.max(0.0); break;
    case UnaryOp::Sign: o = in.sign(); break;
    }
}

void binary(BinaryOp op, const ArrayView& a, const ArrayView& b, const Shape& outShape, double* out)
{
    const auto run = [&](auto f) { forEachBroadcastRow(a, b, outShape, out, f); };
    switch (op) {
    case BinaryOp::Add: run([](const auto& x, const auto& y) { return x + y; }); break;
    case BinaryOp::Sub: run([](const auto& x, const auto& y) { return x - y; }); break;
    case BinaryOp::Mul: run([](const auto& x, const auto& y) { return x * y; }); break;
    case BinaryOp::Div: run([](const auto& x, const auto& y) { return x / y; }); break;
    case BinaryOp::Pow: run([](const auto& x, const auto& y) { return x.pow(y); }); break;
    case BinaryOp::Maximum: run([](const auto& x, const auto& y) { return x.max(y); }); break;
    case BinaryOp::Minimum: run([](const auto& x, const auto& y) { return x.min(y); }); break;
    case BinaryOp::Greater: run([](const auto& x, const auto& y) { return (x > y).template cast<double>(); }); break;
    case BinaryOp::GreaterEqual: run([](const auto& x, const auto& y) { return (x >= y).template cast<double>(); }); break;
    case BinaryOp::Less: run([](const auto& x, const auto& y) { return (x < y).template cast<double>(); }); break;
    case BinaryOp::LessEqual: run([](const auto& x, const auto& y) { return (x <= y).template cast<double>(); }); break;
    case BinaryOp::Equal: run([](const auto& x, const auto& y) { return (x == y).template cast<double>(); }); break;
    }
}

void broadcastTo(const ArrayView& x, const Shape& shape, double* out)
{
    const double zero = 0.0;
    binary(BinaryOp::Add, x, ArrayView(&zero, Shape{}), shape, out);
}

double reduceAll(ReduceOp op, const ArrayView& x) { return reduce(op, Map(x.data(), x.size())); }

Shape reducedShape(const Shape& shape, Index axis, bool keepDims)
{
    Shape out = shape;
    if (keepDims)
        out[static_cast<std::size_t>(axis)] = 1;
    else
        out.erase(out.begin() + axis);
    return out;
}

void reduceAxis(ReduceOp op, const ArrayView& x, Index axis, double* out)
{
    const AxisSplit s = split(x.shape(), axis);
    for (Index o = 0; o < s.outer; ++o) {
        const Eigen::Map<const RowMajor> block(x.data() + o * s.n * s.inner, s.n, s.inner);
        for (Index i = 0; i < s.inner; ++i)
            out[o * s.inner + i] = reduce(op, block.col(i));
    }
}

void normalize(NormalizeOp op, const ArrayView& x, Index axis, double* out)
{
    const AxisSplit s = split(x.shape(), axis);
    for (Index o = 0; o < s.outer; ++o) {
        const Eigen::Map<const RowMajor> block(x.data() + o * s.n * s.inner, s.n, s.inner);
        Eigen::Map<RowMajor> result(out + o * s.n * s.inner, s.n, s.inner);
        for (Index i = 0; i < s.inner; ++i) {
            const double lse = logSumExp(block.col(i));
            if (op == NormalizeOp::LogSoftmax)
                result.col(i) = block.col(i) - lse;
            else
                result.col(i) = (block.col(i) - lse).exp();
        }
    }
}

void clip(const ArrayView& x, double lo, double hi, double* out)
{
    if (lo > hi)
        throw std::invalid_argument("clip: the lower bound " + std::to_string(lo) + " exceeds the upper bound " + std::to_string(hi));
    MutableMap(out, x.size()) = Map(x.data(), x.size()).max(lo).min(hi);
}

void where(const ArrayView& cond, const ArrayView& a, const ArrayView& b, const Shape& outShape, double* out)
{
    const Index n = elementCount(outShape);
    // Broadcast each operand once (a copy only when its shape differs), then one select.
    const auto expand = [&](const ArrayView& v, FlatArray<double>& storage) -> Map {
        if (v.shape() == outShape)
            return Map(v.data(), n);
        storage.resize(n);
        broadcastTo(v, outShape, storage.data());
        return Map(storage.data(), n);
    };
    FlatArray<double> sc, sa, sb;
    const Map c = expand(cond, sc), x = expand(a, sa), y = expand(b, sb);
    MutableMap(out, n) = (c != 0.0).select(x, y);
}

void shift(const ArrayView& x, Index k, double* out)
{
    const Index rows = x.rank() == 0 ? 1 : x.dim(0);
    const Index width = rows == 0 ? 0 : x.size() / rows;
    for (Index r = 0; r < rows; ++r) {
        const Index from = r - k;
        MutableMap o(out + r * width, width);
        if (from < 0 || from >= rows)
            o.setConstant(kNaN);
        else
            o = Map(x.data() + from * width, width);
    }
}

Shape resolveReshape(const Shape& shape, Index size)
{
    Shape out = shape;
    Index known = 1;
    std::size_t free = out.size();
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i] == -1 && free == out.size())
            free = i;
        else if (out[i] < 0)
            throw std::invalid_argument("reshape: shape " + toString(shape) + " may hold one -1 and otherwise sizes >= 0");
        else if (__builtin_mul_overflow(known, out[i], &known)) // a script's shape can be anything
            throw std::invalid_argument("reshape: cannot view " + std::to_string(size) + " elements as " + toString(shape));
    }
    if (free != out.size() && known != 0 && size % known == 0)
        out[free] = size / known;
    if (elementCount(out) != size)
        throw std::invalid_argument("reshape: cannot view " + std::to_string(size) + " elements as " + toString(shape));
    return out;
}

void oneHot(const ArrayView& ids, Index classes, double* out)
{
    MutableMap(out, ids.size() * classes).setZero();
    for (Index i = 0; i < ids.size(); ++i) {
        const double id = ids[i];
        if (!(id >= 0 && id < static_cast<double>(classes)) || id != std::floor(id))
            throw std::invalid_argument("oneHot: id " + std::to_string(id) + " at index " + std::to_string(i) +
                                        " is not an integer in [0, " + std::to_string(classes) + ")");
        out[i * classes + static_cast<Index>(id)] = 1.0;
    }
}

} // namespace losslens::script
