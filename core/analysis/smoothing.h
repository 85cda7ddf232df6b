#pragma once
// Smoothing of loss curves, computed at full resolution (before any decimation) so that what is
// drawn never depends on how many points fit on the screen.

#include <span>
#include <vector>

namespace losslens::analysis {

enum class SmoothingKind {
    Ema,         ///< TensorBoard's debiased exponential moving average (per point)
    TimeWeighted ///< exponential moving average in x: the same curve whatever the point density
};

/// TensorBoard's scalar smoothing (tensorboard/plugins/scalar/vz_line_chart2, "resmoothDataset"):
///   last₀ = 0;  for every finite vₖ (the n-th finite one):  last = last·w + (1 − w)·vₖ,
///   sₖ = last / (1 − wⁿ)     (the debias; with w = 1 no debias).
/// Non-finite values are not accumulated and come out unchanged (NaN stays a gap); a constant
/// series comes out unchanged. `weight` ∈ [0, 1); 0 returns the input. Output has input's size.
std::vector<double> smoothEma(std::span<const double> values, double weight);

/// Where smoothEma stopped, so a growing series is smoothed from there on.
struct EmaState {
    double last = 0.0;
    double decay = 1.0;   ///< wⁿ
    bool constant = true; ///< every value so far equals the first: they come out unchanged
};

/// Extends `smoothed` — smoothEma of the first smoothed.size() values, made by earlier calls with
/// this `state` and `weight` (start with both empty) — to all of `values`, in O(new points). The
/// result is exactly smoothEma(values, weight). Returns the first index of `smoothed` that changed:
/// its old size, or 0 when the first new value ends a constant series (those then get smoothed).
std::size_t extendEma(std::span<const double> values, double weight, EmaState& state, std::vector<double>& smoothed);

/// An EMA in continuous x (steps, seconds): the weight of a point decays as exp(−Δx/τ), with
/// τ = −(span / 1000) / ln w, span = the x extent of the finite points. Debiased like TensorBoard:
///   a₀ = w, aₖ = e^{−(xₖ−xₖ₋₁)/τ};  num = aₖ·num + (1−aₖ)·vₖ;  den = aₖ·den + (1−aₖ);  sₖ = num/den
/// (num = den = 0 before the first point). On points spaced span/1000 apart aₖ = w and this is
/// exactly smoothEma(values, w); adding points between them barely changes the curve. `x` must not decrease; non-finite values pass through.
std::vector<double> smoothTimeWeighted(std::span<const double> x, std::span<const double> values, double weight);

/// Either of the above; x is only used by TimeWeighted.
std::vector<double> smooth(SmoothingKind kind, std::span<const double> x, std::span<const double> values, double weight);

} // namespace losslens::analysis
