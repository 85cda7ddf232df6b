#pragma once
// The bridge between native buffers and the script's typed arrays. An array made by a helper is a
// Float64Array over a QByteArray this store keeps: JavaScript and C++ share the memory (QJSEngine
// wraps a QByteArray as an ArrayBuffer without copying), so passing it back to a helper costs no
// copy either. Buffers JavaScript no longer references are reused, which keeps the kernels off
// freshly mapped (page-faulting) memory, and the live total is capped.

#include "core/tensor.h"

#include <QByteArray>
#include <QJSValue>

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

class QJSEngine;

namespace losslens::script {

/// elementCount(shape) for a shape a script made: throws std::invalid_argument naming `what`
/// when a dimension is negative or the count exceeds 2^53 (so a product that would overflow and
/// wrap to a small allocation never reaches one).
Index checkedElementCount(const Shape& shape, const std::string& what);

/// A read-only view of a script value as an array, with whatever storage the conversion needed.
class ArrayArg {
public:
    TensorView<double> view() const { return {m_isScalar ? &m_scalar : m_data, m_shape}; }
    const Shape& shape() const { return m_shape; }
    Index size() const { return elementCount(m_shape); }

private:
    friend class ArrayStore;
    const double* m_data = nullptr;
    Shape m_shape;
    double m_scalar = 0.0;
    bool m_isScalar = false; // then the data is m_scalar (safe to copy the ArrayArg)
    QByteArray m_bytes; // keeps shared or copied storage alive
};

class ArrayStore {
public:
    /// `memoryLimit`: the most bytes of arrays alive at once; beyond it a helper throws.
    ArrayStore(QJSEngine& engine, std::size_t memoryLimit);

    /// A new Float64Array of `shape` for the caller to fill through `data` (uninitialised).
    struct NewArray {
        QJSValue value;
        double* data = nullptr;
    };
    NewArray create(const Shape& shape);
    /// A Float64Array holding a copy of `tensor`.
    QJSValue copyOf(const TensorView<double>& tensor);
    /// A Float64Array over `tensor`'s own memory when it is large (a copy when small): the caller
    /// keeps the memory alive and unchanged until recycle(), which reports whether the script
    /// still references it — then the engine must be discarded (see ScriptEngine).
    QJSValue borrow(const TensorView<double>& tensor);
    /// The elements of `value` with another shape (one −1 allowed).
    QJSValue reshaped(const QJSValue& value, const Shape& shape, const std::string& what);

    /// Reads a number, a boolean, a typed or plain array (with an optional `shape` property) as an
    /// array; throws std::invalid_argument naming `what` ("log: argument 1") otherwise.
    ArrayArg read(const QJSValue& value, const std::string& what) const;

    /// After an evaluation: collects garbage when many bytes are live or memory was borrowed,
    /// then recycles the buffers no script value refers to any more. Returns false when a script
    /// value still refers to borrowed memory (the script kept an input beyond the call).
    [[nodiscard]] bool recycle();
    std::size_t liveBytes() const { return m_liveBytes; }

private:
    struct Entry {
        QByteArray bytes;
        Shape shape;
        bool borrowed = false; // the caller's memory: never pooled, never counted
    };
    QJSValue wrap(QByteArray bytes, Shape shape, bool borrowed = false);
    QByteArray allocate(qsizetype bytes);
    void sweep();

    QJSEngine& m_engine;
    std::size_t m_memoryLimit;
    QJSValue m_float64Array;
    std::unordered_map<std::uint64_t, Entry> m_entries;
    std::multimap<qsizetype, QByteArray> m_pool; // unshared buffers by size
    std::size_t m_liveBytes = 0;
    std::size_t m_poolBytes = 0;
    std::size_t m_borrowed = 0; // entries over caller memory
    std::uint64_t m_nextId = 1;
};

} // namespace losslens::script
