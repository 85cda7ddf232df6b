#include "core/script/array_store.h"

#include "core/script/array_ops.h"

#include <QJSEngine>

#include <cmath>
#include <cstring>
#include <stdexcept>

namespace losslens::script {

Index checkedElementCount(const Shape& shape, const std::string& what)
{
    constexpr Index kMax = Index{1} << 53;
    Index n = 1;
    for (const Index d : shape) {
        if (d < 0)
            throw std::invalid_argument(what + " " + toString(shape) + " has a negative dimension");
        if (d != 0 && n > kMax / d)
            throw std::invalid_argument(what + " " + toString(shape) + " has more than 2^53 elements");
        n *= d;
    }
    return n;
}

namespace {
// A property only this bridge sets: the key of a typed array's buffer in m_entries. A script can
// read or copy it, but then only aliases another live array (read with that array's own size).
const QString kIdProperty = QStringLiteral("__losslens_array");
constexpr std::size_t kPoolLimit = std::size_t{256} << 20; // spare buffers kept for reuse
constexpr qsizetype kBorrowFrom = qsizetype{512} << 10; // smaller inputs are copied: no GC needed after
constexpr std::size_t kCollectAbove = std::size_t{4} << 20; // live bytes that warrant a GC: large
// evaluations collect every time, so their buffers come back to the pool instead of fresh (page-faulting) memory

Shape shapeOf(const QJSValue& value, Index length)
{
    const QJSValue shape = value.property(QStringLiteral("shape"));
    if (!shape.isArray())
        return {length};
    Shape out;
    const auto rank = shape.property(QStringLiteral("length")).toUInt();
    for (quint32 i = 0; i < rank; ++i) {
        const double d = shape.property(i).toNumber();
        if (!(d >= 0) || d != std::floor(d) || d > 0x1p53)
            throw std::invalid_argument("its shape must list non-negative integers");
        out.push_back(static_cast<Index>(d));
    }
    if (checkedElementCount(out, "its shape") != length)
        throw std::invalid_argument("its shape " + toString(out) + " does not match its " + std::to_string(length) + " elements");
    return out;
}
} // namespace

ArrayStore::ArrayStore(QJSEngine& engine, std::size_t memoryLimit)
    : m_engine(engine), m_memoryLimit(memoryLimit),
      m_float64Array(engine.globalObject().property(QStringLiteral("Float64Array")))
{
}

QByteArray ArrayStore::allocate(qsizetype bytes)
{
    if (m_liveBytes + static_cast<std::size_t>(bytes) > m_memoryLimit) {
        m_engine.collectGarbage();
        sweep();
        if (m_liveBytes + static_cast<std::size_t>(bytes) > m_memoryLimit)
            throw std::invalid_argument("the script holds more than " + std::to_string(m_memoryLimit >> 20) +
                                        " MiB of arrays; free some (drop references) or raise the memory limit");
    }
    m_liveBytes += static_cast<std::size_t>(bytes);
    if (const auto it = m_pool.find(bytes); it != m_pool.end()) {
        QByteArray reused = std::move(it->second);
        m_pool.erase(it);
        m_poolBytes -= static_cast<std::size_t>(bytes);
        return reused;
    }
    return QByteArray(bytes, Qt::Uninitialized);
}

QJSValue ArrayStore::wrap(QByteArray bytes, Shape shape, bool borrowed)
{
    const std::uint64_t id = m_nextId++;
    QJSValue array = m_float64Array.callAsConstructor({m_engine.toScriptValue(bytes)});
    QJSValue jsShape = m_engine.newArray(static_cast<uint>(shape.size()));
    for (std::size_t i = 0; i < shape.size(); ++i)
        jsShape.setProperty(static_cast<quint32>(i), static_cast<double>(shape[i]));
    array.setProperty(QStringLiteral("shape"), jsShape);
    array.setProperty(kIdProperty, static_cast<double>(id));
    m_entries.emplace(id, Entry{std::move(bytes), std::move(shape), borrowed});
    m_borrowed += borrowed ? 1 : 0;
    return array;
}

ArrayStore::NewArray ArrayStore::create(const Shape& shape)
{
    QByteArray bytes = allocate(static_cast<qsizetype>(checkedElementCount(shape, "an array of shape")) * static_cast<qsizetype>(sizeof(double)));
    // data() before wrap(): once JavaScript shares the buffer, data() would detach (copy) it.
    auto* data = reinterpret_cast<double*>(bytes.data());
    return {wrap(std::move(bytes), shape), data};
}

QJSValue ArrayStore::copyOf(const TensorView<double>& tensor)
{
    auto made = create(tensor.shape());
    if (tensor.size() > 0)
        std::memcpy(made.data, tensor.data(), static_cast<std::size_t>(tensor.size()) * sizeof(double));
    return made.value;
}

QJSValue ArrayStore::borrow(const TensorView<double>& tensor)
{
    const auto bytes = static_cast<qsizetype>(tensor.size()) * static_cast<qsizetype>(sizeof(double));
    if (bytes < kBorrowFrom)
        return copyOf(tensor);
    // A QByteArray over the caller's memory with a reference count of its own (unlike
    // fromRawData), so that recycle() can tell whether any script value still holds it.
    QArrayData* header = QTypedArrayData<char>::allocate(1).first;
    auto* data = const_cast<char*>(reinterpret_cast<const char*>(tensor.data()));
    return wrap(QByteArray(QByteArray::DataPointer(static_cast<QTypedArrayData<char>*>(header), data, bytes)),
                tensor.shape(), true);
}

QJSValue ArrayStore::reshaped(const QJSValue& value, const Shape& shape, const std::string& what)
{
    // A copy, so that every buffer belongs to exactly one entry (recycling relies on that).
    const ArrayArg arg = read(value, what);
    auto made = create(resolveReshape(shape, arg.size()));
    if (arg.size() > 0)
        std::memcpy(made.data, arg.view().data(), static_cast<std::size_t>(arg.size()) * sizeof(double));
    return made.value;
}

ArrayArg ArrayStore::read(const QJSValue& value, const std::string& what) const
{
    ArrayArg arg;
    if (value.isNumber() || value.isBool()) {
        arg.m_scalar = value.toNumber();
        arg.m_isScalar = true;
        return arg;
    }
    if (!value.isObject())
        throw std::invalid_argument(what + " must be an array or a number, got " +
                                    (value.isUndefined() ? std::string("undefined") : value.toString().toStdString()));
    const QJSValue id = value.property(kIdProperty);
    // A script can set the id to anything: only a number in range may be converted (NaN, a
    // negative or a huge double would make the cast undefined).
    const double key = id.isNumber() ? id.toNumber() : -1.0;
    if (const auto it = key >= 0 && key < 0x1p64 ? m_entries.find(static_cast<std::uint64_t>(key)) : m_entries.end();
        it != m_entries.end()) {
        arg.m_bytes = it->second.bytes; // shared, not copied
        arg.m_data = reinterpret_cast<const double*>(arg.m_bytes.constData());
        arg.m_shape = it->second.shape;
        return arg;
    }
    // The slow path: an array the script built itself, read element by element.
    const QJSValue lengthValue = value.property(QStringLiteral("length"));
    if (!lengthValue.isNumber())
        throw std::invalid_argument(what + " must be an array or a number, got an object without a length");
    const auto length = static_cast<Index>(lengthValue.toUInt());
    try {
        arg.m_shape = shapeOf(value, length);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(what + ": " + e.what());
    }
    arg.m_bytes = QByteArray(static_cast<qsizetype>(length * static_cast<Index>(sizeof(double))), Qt::Uninitialized);
    auto* data = reinterpret_cast<double*>(arg.m_bytes.data());
    for (Index i = 0; i < length; ++i) {
        const QJSValue x = value.property(static_cast<quint32>(i));
        if (!x.isNumber() && !x.isBool())
            throw std::invalid_argument(what + "[" + std::to_string(i) + "] is not a number");
        data[i] = x.toNumber();
    }
    arg.m_data = data;
    return arg;
}

void ArrayStore::sweep()
{
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        // Detached = only this table holds the buffer: no script value can reach it any more.
        if (!it->second.bytes.isDetached()) {
            ++it;
            continue;
        }
        const auto size = it->second.bytes.size();
        if (it->second.borrowed) {
            --m_borrowed;
            it = m_entries.erase(it);
            continue;
        }
        m_liveBytes -= static_cast<std::size_t>(size);
        if (m_poolBytes + static_cast<std::size_t>(size) <= kPoolLimit) {
            m_poolBytes += static_cast<std::size_t>(size);
            m_pool.emplace(size, std::move(it->second.bytes));
        }
        it = m_entries.erase(it);
    }
}

bool ArrayStore::recycle()
{
    if (m_liveBytes > kCollectAbove || m_borrowed > 0)
        m_engine.collectGarbage();
    sweep();
    return m_borrowed == 0;
}

} // namespace losslens::script
