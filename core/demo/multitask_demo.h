#pragma once
// A small multi-task model trained with the engine's own losses and gradients: what the sample
// runs, `losslens-cli demo-train` and `losslens --demo` show.
//
//   x ∈ ℝ⁸ ──► h = tanh(W₁x + b₁) ∈ ℝ¹⁶ ──┬─► scene logits = W₂h + b₂ ∈ ℝ⁴   softmax cross-entropy
//                                         ├─► depth = W₃h + b₃ ∈ ℝ          mean squared error
//                                         └─► pose = W₄h + b₄ ∈ ℝ²          Huber (δ = 1)
//   + a custom "aux/orthogonality" loss ‖W₂W₂ᵀ − I‖² / 2 via addLoss, and L2 on every weight.
//
// Targets come from a fixed random teacher network, so the losses fall and then level off at
// different rates — which is what a loss breakdown is for.

#include "core/losses/loss_collection.h"

#include <cstdint>
#include <memory>

namespace losslens::demo {

/// How the task weights are chosen.
enum class Weighting { Fixed, Uncertainty, DynamicWeightAverage };

struct DemoOptions {
    std::uint32_t seed = 0;
    int batchSize = 64;
    double learningRate = 0.05;
    double l2Scale = 1e-3;
    Weighting weighting = Weighting::Fixed;
    int stepsPerEpoch = 50; ///< Dynamic Weight Average updates its weights once per epoch

    void validate() const; ///< throws std::invalid_argument
};

class MultiTaskDemo {
public:
    explicit MultiTaskDemo(const DemoOptions& options = {});
    ~MultiTaskDemo();
    MultiTaskDemo(MultiTaskDemo&&) noexcept;
    MultiTaskDemo& operator=(MultiTaskDemo&&) noexcept;

    /// One SGD step on a fresh batch; returns the step's loss collection (components, task
    /// weights, regularization) whose snapshot(step) is what gets logged.
    const LossCollection& trainStep();
    std::int64_t step() const;

private:
    struct Model;
    std::unique_ptr<Model> m;
};

} // namespace losslens::demo
