#include "core/script/scripted_loss.h"

#include <QJSEngine>

namespace losslens::script {

namespace {

constexpr const char* kSignature = "function loss(inputs, args) returning a number or an array of element-wise losses";

std::string typeName(const QJSValue& value)
{
    if (value.isUndefined())
        return "undefined (did loss() forget to return?)";
    if (value.isNull())
        return "null";
    if (value.isString())
        return "the string \"" + value.toString().left(40).toStdString() + "\"";
    if (value.isBool())
        return "a boolean";
    if (value.isCallable())
        return "a function";
    return "an object";
}

/// A LossArgs value whose type the caller does not know (text, flag or number).
std::optional<ScriptArg> anyArg(const LossArgs& args, const std::string& name)
{
    static const std::string absent = "\x01" "absent";
    try {
        const std::string text = args.text(name, absent);
        if (text == absent)
            return std::nullopt;
        return text;
    } catch (const std::invalid_argument&) {
    }
    try {
        return args.flag(name, false);
    } catch (const std::invalid_argument&) {
    }
    return args.number(name, 0.0);
}

} // namespace

ScriptedLoss::ScriptedLoss(const std::string& source, ScriptLimits limits) : m_engine(limits)
{
    m_engine.load(source);
    m_loss = m_engine.function("loss", kSignature);
    m_generation = m_engine.generation();
}

LossResult<double> ScriptedLoss::run(const ScriptValues& values,
                                     const std::function<Tensor<double>(const TensorView<double>&)>& reduce,
                                     const std::function<void()>& reduced)
{
    if (m_generation != m_engine.generation()) { // rebuilt after a script kept an input
        m_loss = m_engine.function("loss", kSignature);
        m_generation = m_engine.generation();
    }
    m_engine.setValues(&values);
    QJSValue result;
    try {
        result = m_engine.call(m_loss, {m_engine.lazyInputs(), m_engine.lazyArgs()});
    } catch (...) {
        m_engine.setValues(nullptr);
        m_engine.finishCall(true);
        throw;
    }
    m_engine.setValues(nullptr);
    try {
        LossResult<double> out = convert(result, reduce, reduced);
        result = QJSValue(); // let the collector see the result's arrays as garbage
        m_engine.finishCall();
        return out;
    } catch (const ScriptError&) {
        result = QJSValue();
        m_engine.finishCall(true);
        throw;
    }
}

LossResult<double> ScriptedLoss::convert(const QJSValue& result,
                                         const std::function<Tensor<double>(const TensorView<double>&)>& reduce,
                                         const std::function<void()>& reduced)
{
    LossResult<double> out;
    if (result.isNumber()) {
        reduced();
        out.value = Tensor<double>::scalar(result.toNumber());
        return out;
    }
    if (!result.isObject() || result.isCallable() || !result.property(QStringLiteral("length")).isNumber())
        throw ScriptError(ScriptErrorKind::Result, "loss() must return a number (the reduced loss) or an array of "
                                                   "element-wise losses; it returned " + typeName(result));
    ArrayArg losses;
    try {
        losses = m_engine.arrays().read(result, "the array loss() returned");
    } catch (const std::invalid_argument& e) {
        throw ScriptError(ScriptErrorKind::Result, e.what());
    }
    try {
        out.value = reduce(losses.view());
    } catch (const std::invalid_argument& e) {
        throw ScriptError(ScriptErrorKind::Result, "loss() returned element-wise losses of shape " +
                                                       toString(losses.shape()) + ": " + e.what());
    }
    return out;
}

LossResult<double> ScriptedLoss::evaluate(const std::map<std::string, TensorView<double>>& inputs,
                                          const ScriptedLossOptions& options)
{
    const ScriptValues values{
        [&](const std::string& name) {
            const auto it = inputs.find(name);
            return it == inputs.end() ? TensorView<double>{} : it->second;
        },
        [&](const std::string& name) -> std::optional<ScriptArg> {
            const auto it = options.args.find(name);
            return it == options.args.end() ? std::nullopt : std::optional<ScriptArg>(it->second);
        }};
    return run(
        values,
        [&](const TensorView<double>& l) {
            return WeightedReduction(l.shape(), options.weights, options.reduction).reduce(l.flat());
        },
        [&] {
            if (options.weights.present())
                throw ScriptError(ScriptErrorKind::Result, "loss() returned an already-reduced number, so the weights "
                                                           "cannot apply; return the element-wise losses instead");
        });
}

LossResult<double> ScriptedLoss::evaluate(const LossInputs& inputs, const LossArgs& args)
{
    const ScriptValues values{[&](const std::string& name) { return inputs.optional(name); },
                              [&](const std::string& name) { return anyArg(args, name); }};
    return run(
        values,
        [&](const TensorView<double>& l) {
            return WeightedReduction(l.shape(), inputs.optional("weights"), args.reduction(Reduction::SumByNonzeroWeights))
                .reduce(l.flat());
        },
        [&] {
            if (inputs.optional("weights").present())
                throw ScriptError(ScriptErrorKind::Result, "loss() returned an already-reduced number, so the input "
                                                           "'weights' cannot apply; return the element-wise losses instead");
        });
}

void registerScriptLoss(LossRegistry& registry)
{
    registry.add("script", "(none: scripts have no gradient)", [](const LossInputs& in, const LossArgs& args, Gradient gradient) {
        if (gradient == Gradient::Compute)
            throw std::invalid_argument("script: scripted losses have no gradient; evaluate them for their value only");
        const std::string source = args.text("source", "");
        if (source.empty())
            throw std::invalid_argument("script: needs the argument 'source' holding function loss(inputs, args) {…}");
        return ScriptedLoss(source).evaluate(in, args);
    });
}

} // namespace losslens::script
