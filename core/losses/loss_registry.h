#pragma once
// Losses by their TF / torch names, over float64 tensors: what `losslens-cli loss --cases`,
// the conformance tests and (later) scripts call. Each family registers itself from its own file.

#include "core/losses/loss_result.h"
#include "core/losses/reduction.h"

#include <functional>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace losslens {

/// Named input tensors of one call ("logits", "onehot_labels", "weights", …). Tracks which names
/// were read so that a misspelt or unexpected input is reported instead of silently ignored.
class LossInputs {
public:
    void set(const std::string& name, Tensor<double> tensor) { m_tensors[name] = std::move(tensor); }
    /// The named tensor; throws std::invalid_argument naming it when missing.
    const Tensor<double>& required(const std::string& name) const;
    /// The named tensor, or an absent view (weights = 1) when missing.
    TensorView<double> optional(const std::string& name) const;
    /// Names given but never read; throws std::invalid_argument listing them.
    void checkAllUsed(const std::string& fn) const;

private:
    std::map<std::string, Tensor<double>> m_tensors;
    mutable std::set<std::string> m_used;
};

/// Named scalar arguments ("reduction", "label_smoothing", "axis", …) with the same bookkeeping.
class LossArgs {
public:
    using Value = std::variant<double, bool, std::string>;
    void set(const std::string& name, Value value) { m_values[name] = std::move(value); }

    double number(const std::string& name, double fallback) const;
    Index integer(const std::string& name, Index fallback) const;
    bool flag(const std::string& name, bool fallback) const;
    std::string text(const std::string& name, const std::string& fallback) const;
    Reduction reduction(Reduction fallback) const;
    void checkAllUsed(const std::string& fn) const;

private:
    const Value* find(const std::string& name) const;
    std::map<std::string, Value> m_values;
    mutable std::set<std::string> m_used;
};

using LossFunction = std::function<LossResult<double>(const LossInputs&, const LossArgs&, Gradient)>;

class LossRegistry {
public:
    /// Every built-in loss: the TF family by its TF name, the torch family as "torch.<name>".
    static const LossRegistry& builtin();

    /// Registers `fn` under `name`; `gradientInput` names the input its gradient is taken with
    /// respect to ("logits", "predictions", "input", …).
    void add(const std::string& name, const std::string& gradientInput, LossFunction fn);
    /// The input `name`'s gradient refers to; throws std::invalid_argument for an unknown name.
    const std::string& gradientInput(const std::string& name) const;
    /// Calls `name`; throws std::invalid_argument for an unknown name, a missing or unused input
    /// or argument, or whatever the loss itself rejects.
    LossResult<double> evaluate(const std::string& name, const LossInputs& inputs, const LossArgs& args,
                                Gradient gradient = Gradient::Skip) const;
    std::vector<std::string> names() const;

private:
    struct Entry {
        std::string gradientInput;
        LossFunction fn;
    };
    const Entry& entry(const std::string& name) const;
    std::map<std::string, Entry> m_functions;
};

void registerTfLosses(LossRegistry& registry);    // registry_tf.cpp
void registerTorchLosses(LossRegistry& registry); // registry_torch.cpp

} // namespace losslens
