#pragma once
// The vectorised kernels behind the script helper library: whole-array operations with NumPy
// broadcasting, written with Eigen. Qt-free: the JavaScript bridge (helper_library.h) only moves
// buffers in and out, so these are testable and reusable without a script engine.
//
// Every kernel writes into caller-provided storage of the size its *Shape function returned, so
// the bridge can hand out pooled buffers that JavaScript then sees without a copy.

#include "core/tensor.h"

#include <string_view>

namespace losslens::script {

using ArrayView = TensorView<double>;

/// Element-wise functions of one array.
enum class UnaryOp { Log, Exp, Sigmoid, LogSigmoid, Softplus, Tanh, Abs, Sqrt, Square, Neg, Relu, Sign };

/// Element-wise functions of two broadcast arrays; comparisons give 1 or 0.
enum class BinaryOp { Add, Sub, Mul, Div, Pow, Maximum, Minimum, Greater, GreaterEqual, Less, LessEqual, Equal };

/// Reductions over all elements or along one axis.
enum class ReduceOp { Sum, Mean, Max, Min, LogSumExp };

/// Softmax-family normalisations along an axis.
enum class NormalizeOp { Softmax, LogSoftmax };

/// NumPy's broadcasting rule: shapes aligned at the end, each dimension equal or 1.
/// Throws std::invalid_argument naming `op` and both shapes when they do not broadcast.
Shape broadcastShapes(const Shape& a, const Shape& b, std::string_view op);

/// A negative axis counts from the end; throws std::invalid_argument when out of range.
Index normalizeAxis(Index axis, Index rank, std::string_view op);

/// out[i] = f(x[i]); out has x.size() elements.
void unary(UnaryOp op, const ArrayView& x, double* out);

/// out = f(a, b) broadcast to `outShape` (from broadcastShapes).
void binary(BinaryOp op, const ArrayView& a, const ArrayView& b, const Shape& outShape, double* out);

/// Copies `x` broadcast to `shape` into out (shape must come from broadcastShapes).
void broadcastTo(const ArrayView& x, const Shape& shape, double* out);

/// The reduction of every element (NaN for an empty Mean/Max/Min, −∞ for an empty LogSumExp).
double reduceAll(ReduceOp op, const ArrayView& x);

/// The shape of reduceAxis' result: `axis` removed, or kept with size 1 when keepDims.
Shape reducedShape(const Shape& shape, Index axis, bool keepDims);
/// Reduces along `axis` (already normalised) into out (reducedShape's size).
void reduceAxis(ReduceOp op, const ArrayView& x, Index axis, double* out);

/// softmax(x)ᵢ = exp(xᵢ − LSE), logSoftmax(x)ᵢ = xᵢ − LSE along `axis` (normalised), computed
/// stably (LSE = m + log Σ exp(x − m)); out is shaped like x.
void normalize(NormalizeOp op, const ArrayView& x, Index axis, double* out);

/// min(max(x, lo), hi) element-wise.
void clip(const ArrayView& x, double lo, double hi, double* out);

/// out = cond ≠ 0 ? a : b, with all three broadcast to `outShape`.
void where(const ArrayView& cond, const ArrayView& a, const ArrayView& b, const Shape& outShape, double* out);

/// Lag along the first axis: out[i] = x[i − k] (NaN where i − k is outside the array); k may be
/// negative (a lead). Used by recipes that need the previous step (Dynamic Weight Average).
void shift(const ArrayView& x, Index k, double* out);

/// `shape` with at most one −1 resolved against `size`; throws when it does not fit.
Shape resolveReshape(const Shape& shape, Index size);

/// Class ids of shape S → one-hot rows of shape S + [classes]; throws for a non-integer or
/// out-of-range id.
void oneHot(const ArrayView& ids, Index classes, double* out);

} // namespace losslens::script
