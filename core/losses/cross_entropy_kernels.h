#pragma once
// Hand-vectorised float32 kernels of sigmoid and softmax cross-entropy: the inner loops of
// sigmoidCrossEntropy<float> and softmaxCrossEntropy<float> on CPUs with AVX-512. Elsewhere (and
// for double) classification.cpp keeps its Eigen expressions; both compute the same formulas.
//
// Why by hand: issue 2 asks these losses (value + gradient) to run within 2× of memory bandwidth.
// The Eigen expressions cost ≈ 1.1 ns (sigmoid) and 0.8 ns (softmax) per element in cache; one
// exp(−|x|) shared by the sigmoid and log1p, short minimax polynomials, one pass per vector and
// software prefetch bring that to ≈ 0.65 and 0.42 ns (tests/bench/compare_losses_torch.py).

#include "core/tensor.h"

namespace losslens::kernels {

/// Whether this build has the kernels below (compiled with AVX-512, e.g. LOSSLENS_NATIVE on such a CPU).
#ifdef __AVX512F__
inline constexpr bool kVectorisedFloat = true;
#else
inline constexpr bool kVectorisedFloat = false;
#endif

/// Sigmoid cross-entropy of n elements with labels smoothed as z' = keep·z + half:
///
///   losses[i]   = max(xᵢ, 0) − xᵢ·z'ᵢ + log(1 + exp(−|xᵢ|)),
///   gradient[i] = gradientScale·(σ(xᵢ) − z'ᵢ)          (skipped when gradient is null).
///
/// Both come from one e = exp(−|x|): σ(|x|) = 1/(1 + e), σ(−|x|) = e·σ(|x|), and
/// log(1 + e) = 2·atanh(e/(2 + e)). Only defined when kVectorisedFloat.
void sigmoidCrossEntropy(const float* x, const float* z, Index n, float keep, float half, float* losses,
                         float* gradient, float gradientScale);

/// One row of softmax cross-entropy over `classes` logits x with labels y' = keep·y + spread:
/// returns Σ y'·(LSE − x) and, when gradient is not null, writes
/// gradientScale·(softmax(x)·Σy' − y') there. One exp per element; the row stays in L1 between
/// its three passes (max, exp and sums, gradient). Only defined when kVectorisedFloat.
double softmaxCrossEntropyRow(const float* x, const float* y, Index classes, double keep, double spread,
                              float* gradient, double gradientScale);

} // namespace losslens::kernels
