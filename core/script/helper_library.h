#pragma once
// The vectorised helper library scripts call: whole-array operations implemented by array_ops
// (Eigen) and installed as global functions of one QJSEngine. Nothing else of Qt is exposed:
// the object itself stays private to the engine's prelude.
//
//   unary:      log exp sigmoid logSigmoid softplus tanh abs sqrt square neg relu sign   (x)
//   binary:     add sub mul div pow maximum minimum gt ge lt le eq   (a, b) — NumPy broadcasting
//   reductions: sum mean max min logSumExp   (x[, axis[, keepDims]]) — a number without axis
//   along axis: softmax logSoftmax   (x[, axis = -1])
//   others:     clip(x, lo, hi) where(cond, a, b) shift(x[, k = 1]) reshape(x, shape)
//               zeros(shape) full(shape, value) array(values[, shape]) oneHot(ids, classes)
//
// Arrays are Float64Arrays with a `shape` property; numbers are rank-0 arrays, and an operation
// whose result has rank 0 returns a plain number.

#include "core/script/array_ops.h"
#include "core/script/array_store.h"

#include <QObject>
#include <QStringList>

#include <functional>
#include <optional>
#include <string>
#include <variant>

namespace losslens::script {

/// A named argument passed to a script (`args.gamma`): a number, a flag or a string.
using ScriptArg = std::variant<double, bool, std::string>;

/// Where a running script's `inputs` and `args` come from, resolved by name on first use.
struct ScriptValues {
    /// The named tensor, or an absent view when there is none.
    std::function<TensorView<double>(const std::string&)> input;
    std::function<std::optional<ScriptArg>(const std::string&)> arg;
};

class HelperLibrary : public QObject {
    Q_OBJECT
public:
    HelperLibrary(QJSEngine& engine, ArrayStore& store);

    /// Installs every helper as a global function of the engine.
    void install();
    /// The helper names, for the editor's highlighter and the documentation.
    static const QStringList& names();
    /// The values `input()` and `arg()` resolve (null: none).
    void setValues(const ScriptValues* values) { m_values = values; }

    // ---- the helpers (see the table above) ----
    Q_INVOKABLE QJSValue log(const QJSValue& x) { return unaryOp("log", UnaryOp::Log, x); }
    Q_INVOKABLE QJSValue exp(const QJSValue& x) { return unaryOp("exp", UnaryOp::Exp, x); }
    Q_INVOKABLE QJSValue sigmoid(const QJSValue& x) { return unaryOp("sigmoid", UnaryOp::Sigmoid, x); }
    Q_INVOKABLE QJSValue logSigmoid(const QJSValue& x) { return unaryOp("logSigmoid", UnaryOp::LogSigmoid, x); }
    Q_INVOKABLE QJSValue softplus(const QJSValue& x) { return unaryOp("softplus", UnaryOp::Softplus, x); }
    Q_INVOKABLE QJSValue tanh(const QJSValue& x) { return unaryOp("tanh", UnaryOp::Tanh, x); }
    Q_INVOKABLE QJSValue abs(const QJSValue& x) { return unaryOp("abs", UnaryOp::Abs, x); }
    Q_INVOKABLE QJSValue sqrt(const QJSValue& x) { return unaryOp("sqrt", UnaryOp::Sqrt, x); }
    Q_INVOKABLE QJSValue square(const QJSValue& x) { return unaryOp("square", UnaryOp::Square, x); }
    Q_INVOKABLE QJSValue neg(const QJSValue& x) { return unaryOp("neg", UnaryOp::Neg, x); }
    Q_INVOKABLE QJSValue relu(const QJSValue& x) { return unaryOp("relu", UnaryOp::Relu, x); }
    Q_INVOKABLE QJSValue sign(const QJSValue& x) { return unaryOp("sign", UnaryOp::Sign, x); }

    Q_INVOKABLE QJSValue add(const QJSValue& a, const QJSValue& b) { return binaryOp("add", BinaryOp::Add, a, b); }
    Q_INVOKABLE QJSValue sub(const QJSValue& a, const QJSValue& b) { return binaryOp("sub", BinaryOp::Sub, a, b); }
    Q_INVOKABLE QJSValue mul(const QJSValue& a, const QJSValue& b) { return binaryOp("mul", BinaryOp::Mul, a, b); }
    Q_INVOKABLE QJSValue div(const QJSValue& a, const QJSValue& b) { return binaryOp("div", BinaryOp::Div, a, b); }
    Q_INVOKABLE QJSValue pow(const QJSValue& a, const QJSValue& b) { return binaryOp("pow", BinaryOp::Pow, a, b); }
    Q_INVOKABLE QJSValue maximum(const QJSValue& a, const QJSValue& b) { return binaryOp("maximum", BinaryOp::Maximum, a, b); }
    Q_INVOKABLE QJSValue minimum(const QJSValue& a, const QJSValue& b) { return binaryOp("minimum", BinaryOp::Minimum, a, b); }
    Q_INVOKABLE QJSValue gt(const QJSValue& a, const QJSValue& b) { return binaryOp("gt", BinaryOp::Greater, a, b); }
    Q_INVOKABLE QJSValue ge(const QJSValue& a, const QJSValue& b) { return binaryOp("ge", BinaryOp::GreaterEqual, a, b); }
    Q_INVOKABLE QJSValue lt(const QJSValue& a, const QJSValue& b) { return binaryOp("lt", BinaryOp::Less, a, b); }
    Q_INVOKABLE QJSValue le(const QJSValue& a, const QJSValue& b) { return binaryOp("le", BinaryOp::LessEqual, a, b); }
    Q_INVOKABLE QJSValue eq(const QJSValue& a, const QJSValue& b) { return binaryOp("eq", BinaryOp::Equal, a, b); }

    Q_INVOKABLE QJSValue sum(const QJSValue& x, const QJSValue& axis = {}, const QJSValue& keepDims = {}) { return reduceOp("sum", ReduceOp::Sum, x, axis, keepDims); }
    Q_INVOKABLE QJSValue mean(const QJSValue& x, const QJSValue& axis = {}, const QJSValue& keepDims = {}) { return reduceOp("mean", ReduceOp::Mean, x, axis, keepDims); }
    Q_INVOKABLE QJSValue max(const QJSValue& x, const QJSValue& axis = {}, const QJSValue& keepDims = {}) { return reduceOp("max", ReduceOp::Max, x, axis, keepDims); }
    Q_INVOKABLE QJSValue min(const QJSValue& x, const QJSValue& axis = {}, const QJSValue& keepDims = {}) { return reduceOp("min", ReduceOp::Min, x, axis, keepDims); }
    Q_INVOKABLE QJSValue logSumExp(const QJSValue& x, const QJSValue& axis = {}, const QJSValue& keepDims = {}) { return reduceOp("logSumExp", ReduceOp::LogSumExp, x, axis, keepDims); }

    Q_INVOKABLE QJSValue softmax(const QJSValue& x, const QJSValue& axis = {}) { return normalizeOp("softmax", NormalizeOp::Softmax, x, axis); }
    Q_INVOKABLE QJSValue logSoftmax(const QJSValue& x, const QJSValue& axis = {}) { return normalizeOp("logSoftmax", NormalizeOp::LogSoftmax, x, axis); }

    Q_INVOKABLE QJSValue clip(const QJSValue& x, const QJSValue& lo, const QJSValue& hi);
    Q_INVOKABLE QJSValue where(const QJSValue& condition, const QJSValue& a, const QJSValue& b);
    Q_INVOKABLE QJSValue shift(const QJSValue& x, const QJSValue& k = {});
    Q_INVOKABLE QJSValue reshape(const QJSValue& x, const QJSValue& shape);
    Q_INVOKABLE QJSValue zeros(const QJSValue& shape);
    Q_INVOKABLE QJSValue full(const QJSValue& shape, const QJSValue& value);
    Q_INVOKABLE QJSValue array(const QJSValue& values, const QJSValue& shape = {});
    Q_INVOKABLE QJSValue oneHot(const QJSValue& ids, const QJSValue& classes);

    // ---- private to the prelude (not installed as globals) ----
    Q_INVOKABLE QJSValue input(const QString& name);
    Q_INVOKABLE bool hasInput(const QString& name);
    Q_INVOKABLE QJSValue arg(const QString& name);

private:
    QJSValue unaryOp(const char* name, UnaryOp op, const QJSValue& x);
    QJSValue binaryOp(const char* name, BinaryOp op, const QJSValue& a, const QJSValue& b);
    QJSValue reduceOp(const char* name, ReduceOp op, const QJSValue& x, const QJSValue& axis, const QJSValue& keepDims);
    QJSValue normalizeOp(const char* name, NormalizeOp op, const QJSValue& x, const QJSValue& axis);
    /// Runs `body`, turning a std::exception into a JavaScript TypeError "<helper>: <message>".
    QJSValue guarded(const char* helper, const std::function<QJSValue()>& body);
    /// A rank-0 result as a number, anything else as a new array filled by `fill`.
    QJSValue make(const Shape& shape, const std::function<void(double*)>& fill);

    QJSEngine& m_engine;
    ArrayStore& m_store;
    const ScriptValues* m_values = nullptr;
};

} // namespace losslens::script
