#include "core/script/helper_library.h"

#include <QJSEngine>

#include <cmath>
#include <stdexcept>

namespace losslens::script {

namespace {

std::string argument(const char* helper, int index) { return std::string(helper) + ": argument " + std::to_string(index); }

/// An integer argument (axis, k, classes); `fallback` when undefined.
Index integerArg(const QJSValue& value, Index fallback, const std::string& what)
{
    if (value.isUndefined() || value.isNull())
        return fallback;
    const double d = value.toNumber();
    if (!value.isNumber() || !std::isfinite(d) || d != std::floor(d) || std::abs(d) > 0x1p53)
        throw std::invalid_argument(what + " must be an integer, got " + value.toString().toStdString());
    return static_cast<Index>(d);
}

double numberArg(const QJSValue& value, const std::string& what)
{
    if (!value.isNumber())
        throw std::invalid_argument(what + " must be a number, got " + value.toString().toStdString());
    return value.toNumber();
}

Shape shapeArg(const QJSValue& value, const std::string& what)
{
    if (value.isNumber())
        return {integerArg(value, 0, what)};
    if (!value.isArray())
        throw std::invalid_argument(what + " must be a shape such as [4, 5]");
    Shape shape;
    const auto rank = value.property(QStringLiteral("length")).toUInt();
    for (quint32 i = 0; i < rank; ++i)
        shape.push_back(integerArg(value.property(i), 0, what));
    return shape;
}

} // namespace

HelperLibrary::HelperLibrary(QJSEngine& engine, ArrayStore& store) : m_engine(engine), m_store(store) {}

const QStringList& HelperLibrary::names()
{
    static const QStringList list{
        "log", "exp", "sigmoid", "logSigmoid", "softplus", "tanh", "abs", "sqrt", "square", "neg", "relu", "sign",
        "add", "sub", "mul", "div", "pow", "maximum", "minimum", "gt", "ge", "lt", "le", "eq",
        "sum", "mean", "max", "min", "logSumExp", "softmax", "logSoftmax",
        "clip", "where", "shift", "reshape", "zeros", "full", "array", "oneHot"};
    return list;
}

void HelperLibrary::install()
{
    // The engine must never delete this object through a wrapper it thinks it owns.
    QJSEngine::setObjectOwnership(this, QJSEngine::CppOwnership);
    const QJSValue self = m_engine.newQObject(this);
    QJSValue global = m_engine.globalObject();
    for (const QString& name : names())
        global.setProperty(name, self.property(name));
}

QJSValue HelperLibrary::guarded(const char* helper, const std::function<QJSValue()>& body)
{
    try {
        return body();
    } catch (const std::exception& e) {
        std::string message = e.what();
        if (message.rfind(helper, 0) != 0)
            message = std::string(helper) + ": " + message;
        m_engine.throwError(QJSValue::TypeError, QString::fromStdString(message));
        return {};
    }
}

QJSValue HelperLibrary::make(const Shape& shape, const std::function<void(double*)>& fill)
{
    if (shape.empty()) {
        double value = 0.0;
        fill(&value);
        return QJSValue(value);
    }
    auto made = m_store.create(shape);
    fill(made.data);
    return made.value;
}

QJSValue HelperLibrary::unaryOp(const char* name, UnaryOp op, const QJSValue& x)
{
    return guarded(name, [&] {
        const ArrayArg a = m_store.read(x, argument(name, 1));
        return make(a.shape(), [&](double* out) { script::unary(op, a.view(), out); });
    });
}

QJSValue HelperLibrary::binaryOp(const char* name, BinaryOp op, const QJSValue& a, const QJSValue& b)
{
    return guarded(name, [&] {
        const ArrayArg x = m_store.read(a, argument(name, 1)), y = m_store.read(b, argument(name, 2));
        const Shape shape = broadcastShapes(x.shape(), y.shape(), name);
        return make(shape, [&](double* out) { script::binary(op, x.view(), y.view(), shape, out); });
    });
}

QJSValue HelperLibrary::reduceOp(const char* name, ReduceOp op, const QJSValue& x, const QJSValue& axis,
                                 const QJSValue& keepDims)
{
    return guarded(name, [&] {
        const ArrayArg a = m_store.read(x, argument(name, 1));
        if (axis.isUndefined() || axis.isNull())
            return QJSValue(reduceAll(op, a.view()));
        if (!axis.isNumber())
            throw std::invalid_argument(std::string("the axis must be an integer") +
                                        (op == ReduceOp::Max || op == ReduceOp::Min
                                             ? "; for the element-wise maximum or minimum of two arrays use maximum(a, b) or minimum(a, b)"
                                             : ""));
        const Index resolved = normalizeAxis(integerArg(axis, 0, argument(name, 2)), static_cast<Index>(a.shape().size()), name);
        const Shape shape = reducedShape(a.shape(), resolved, keepDims.toBool());
        return make(shape, [&](double* out) { reduceAxis(op, a.view(), resolved, out); });
    });
}

QJSValue HelperLibrary::normalizeOp(const char* name, NormalizeOp op, const QJSValue& x, const QJSValue& axis)
{
    return guarded(name, [&] {
        const ArrayArg a = m_store.read(x, argument(name, 1));
        const Index resolved = normalizeAxis(integerArg(axis, -1, argument(name, 2)), static_cast<Index>(a.shape().size()), name);
        return make(a.shape(), [&](double* out) { normalize(op, a.view(), resolved, out); });
    });
}

QJSValue HelperLibrary::clip(const QJSValue& x, const QJSValue& lo, const QJSValue& hi)
{
    return guarded("clip", [&] {
        const ArrayArg a = m_store.read(x, "clip: argument 1");
        const double low = numberArg(lo, "clip: argument 2 (the lower bound)");
        const double high = numberArg(hi, "clip: argument 3 (the upper bound)");
        return make(a.shape(), [&](double* out) { script::clip(a.view(), low, high, out); });
    });
}

QJSValue HelperLibrary::where(const QJSValue& condition, const QJSValue& a, const QJSValue& b)
{
    return guarded("where", [&] {
        const ArrayArg c = m_store.read(condition, "where: argument 1"), x = m_store.read(a, "where: argument 2"),
                       y = m_store.read(b, "where: argument 3");
        const Shape shape = broadcastShapes(broadcastShapes(c.shape(), x.shape(), "where"), y.shape(), "where");
        return make(shape, [&](double* out) { script::where(c.view(), x.view(), y.view(), shape, out); });
    });
}

QJSValue HelperLibrary::shift(const QJSValue& x, const QJSValue& k)
{
    return guarded("shift", [&] {
        const ArrayArg a = m_store.read(x, "shift: argument 1");
        const Index by = integerArg(k, 1, "shift: argument 2");
        return make(a.shape(), [&](double* out) { script::shift(a.view(), by, out); });
    });
}

QJSValue HelperLibrary::reshape(const QJSValue& x, const QJSValue& shape)
{
    return guarded("reshape", [&] { return m_store.reshaped(x, shapeArg(shape, "reshape: argument 2"), "reshape: argument 1"); });
}

QJSValue HelperLibrary::zeros(const QJSValue& shape) { return full(shape, QJSValue(0.0)); }

QJSValue HelperLibrary::full(const QJSValue& shape, const QJSValue& value)
{
    return guarded("full", [&] {
        const Shape s = shapeArg(shape, "full: argument 1");
        const double v = numberArg(value, "full: argument 2");
        return make(s, [&](double* out) { Eigen::Map<FlatArray<double>>(out, elementCount(s)).setConstant(v); });
    });
}

QJSValue HelperLibrary::array(const QJSValue& values, const QJSValue& shape)
{
    return guarded("array", [&] {
        const ArrayArg a = m_store.read(values, "array: argument 1");
        const QJSValue copy = m_store.copyOf(a.view());
        return shape.isUndefined() ? copy : m_store.reshaped(copy, shapeArg(shape, "array: argument 2"), "array");
    });
}

QJSValue HelperLibrary::oneHot(const QJSValue& ids, const QJSValue& classes)
{
    return guarded("oneHot", [&] {
        const ArrayArg a = m_store.read(ids, "oneHot: argument 1");
        const Index c = integerArg(classes, -1, "oneHot: argument 2 (the class count)");
        if (c < 1)
            throw std::invalid_argument("argument 2 (the class count) must be a positive integer");
        Shape shape = a.shape();
        shape.push_back(c);
        return make(shape, [&](double* out) { script::oneHot(a.view(), c, out); });
    });
}

QJSValue HelperLibrary::input(const QString& name)
{
    const TensorView<double> tensor = m_values && m_values->input ? m_values->input(name.toStdString()) : TensorView<double>{};
    if (!tensor.present()) {
        m_engine.throwError(QJSValue::ReferenceError, QStringLiteral("missing input '%1' (test for it with '%1' in inputs)").arg(name));
        return {};
    }
    return guarded("inputs", [&] { return m_store.borrow(tensor); });
}

bool HelperLibrary::hasInput(const QString& name)
{
    return m_values && m_values->input && m_values->input(name.toStdString()).present();
}

QJSValue HelperLibrary::arg(const QString& name)
{
    const std::optional<ScriptArg> value = m_values && m_values->arg ? m_values->arg(name.toStdString()) : std::nullopt;
    if (!value)
        return QJSValue(QJSValue::UndefinedValue);
    if (const auto* d = std::get_if<double>(&*value))
        return QJSValue(*d);
    if (const auto* b = std::get_if<bool>(&*value))
        return QJSValue(*b);
    return QJSValue(QString::fromStdString(std::get<std::string>(*value)));
}

} // namespace losslens::script
