#pragma once
// A loss written as a script: the user's `function loss(inputs, args)` over named tensors, reduced
// by the engine's one reduction helper, landing in a LossCollection like any built-in loss.
//
//   ScriptedLoss focal(R"(
//     function loss(inputs, args) {
//       const p = sigmoid(inputs.logits), y = inputs.targets, g = args.gamma ?? 2;
//       const pt = add(mul(p, y), mul(sub(1, p), sub(1, y)));
//       return mul(pow(sub(1, pt), g), neg(log(pt)));     // element-wise
//     })");
//   focal.evaluate({{"logits", logits}, {"targets", targets}}, {.args = {{"gamma", 2.0}}})
//        .addTo(losses, "det/focal");

#include "core/losses/loss_registry.h"
#include "core/losses/loss_result.h"
#include "core/script/script_engine.h"

#include <map>
#include <string>

namespace losslens::script {

/// Options of ScriptedLoss::evaluate.
struct ScriptedLossOptions {
    /// Broadcast to the element-wise losses (TF1's rule); absent = 1. Not allowed with a script
    /// that returns an already-reduced number.
    TensorView<double> weights{};
    Reduction reduction = Reduction::SumByNonzeroWeights; ///< TF1's default, as the built-ins
    std::map<std::string, ScriptArg> args{};              ///< the script's `args`
};

/// A compiled loss script.
///
/// The script defines `function loss(inputs, args)`. `inputs.<name>` is the named tensor as a
/// Float64Array with a `shape` (e.g. [4, 5]); `'name' in inputs` tests for an optional one;
/// `args.<name>` is a number, a boolean, a string or undefined. It returns either
///
/// - a number: the loss, already reduced (weights and reduction do not apply), or
/// - an array (any shape) of element-wise losses lᵢ, reduced as the built-ins are:
///   value = WeightedReduction(shape of l, weights, reduction).reduce(l).
///
/// Large inputs (≥ 64 Ki elements) are shared with the caller, not copied: a script must treat
/// them as read-only (writing into one writes into the caller's tensor) and must not keep them
/// past the call (that is detected: the engine is rebuilt and the call fails).
///
/// There is no gradient (LossResult::gradient stays absent). Like its ScriptEngine, a ScriptedLoss
/// is used from the thread that created it.
class ScriptedLoss {
public:
    /// Compiles `source`; throws ScriptError (syntax with line and column, no `loss` function).
    explicit ScriptedLoss(const std::string& source, ScriptLimits limits = {});

    LossResult<double> evaluate(const std::map<std::string, TensorView<double>>& inputs,
                                const ScriptedLossOptions& options = {});
    /// The registry's form: every input and argument by name; 'weights' and 'reduction' apply to
    /// element-wise results, anything else is the script's.
    LossResult<double> evaluate(const LossInputs& inputs, const LossArgs& args);

    /// Stops a running evaluation from another thread (ScriptErrorKind::Cancelled).
    void cancel() { m_engine.cancel(); }

private:
    /// Calls loss(); `reduce(shape of l, l)` reduces an element-wise result, `reduced()` checks a number.
    LossResult<double> run(const ScriptValues& values,
                           const std::function<Tensor<double>(const TensorView<double>&)>& reduce,
                           const std::function<void()>& reduced);

    /// The loss of a returned number or array, reduced.
    LossResult<double> convert(const QJSValue& result, const std::function<Tensor<double>(const TensorView<double>&)>& reduce,
                               const std::function<void()>& reduced);

    ScriptEngine m_engine;
    QJSValue m_loss;
    std::uint64_t m_generation = 0;
};

/// Registers "script": `args.source` is the script, every other input and argument is passed to
/// it; 'weights' and 'reduction' as in ScriptedLoss::evaluate. Scripts have no gradient: asking
/// the registry for one throws std::invalid_argument saying so. Used by `losslens-cli loss`.
void registerScriptLoss(LossRegistry& registry);

} // namespace losslens::script
