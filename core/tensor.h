#pragma once
// Dense row-major tensors: the only array type the loss engine speaks.
//
// TensorView<T> is a non-owning (pointer, shape) pair; Tensor<T> owns its storage and *is* a view,
// so every loss takes `TensorView<T>` and accepts either without a copy (and T is still deduced).

#include <Eigen/Core>

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace losslens {

using Index = std::int64_t;
using Shape = std::vector<Index>;

/// Number of elements of a shape (1 for rank 0).
inline Index elementCount(const Shape& shape)
{
    Index n = 1;
    for (Index d : shape)
        n *= d;
    return n;
}

/// "[4, 5]" — for error messages.
std::string toString(const Shape& shape);

template <typename T>
using FlatArray = Eigen::Array<T, Eigen::Dynamic, 1>;

/// A non-owning view of `size()` row-major elements of type T with a shape.
/// A default-constructed view is *absent* (used for optional weights).
template <typename T>
class TensorView {
public:
    using Scalar = T;

    TensorView() = default;
    TensorView(const T* data, Shape shape)
        : m_data(data), m_shape(std::move(shape)), m_size(elementCount(m_shape)), m_present(true)
    {
        for (Index d : m_shape)
            if (d < 0)
                throw std::invalid_argument("tensor shape " + toString(m_shape) + " has a negative dimension");
    }
    /// A column vector of Eigen, viewed as rank 1.
    TensorView(const FlatArray<T>& a) : TensorView(a.data(), Shape{a.size()}) {}

    bool present() const { return m_present; }
    const T* data() const { return m_data; }
    const Shape& shape() const { return m_shape; }
    Index rank() const { return static_cast<Index>(m_shape.size()); }
    Index size() const { return m_size; }
    Index dim(Index axis) const { return m_shape.at(static_cast<std::size_t>(axis)); }
    T operator[](Index i) const { return m_data[i]; }

    /// All elements as one Eigen column (vectorised expressions start here).
    Eigen::Map<const FlatArray<T>> flat() const { return {m_data, m_size}; }
    /// The tensor as a row-major [rows, size/rows] Eigen matrix, e.g. [batch, classes].
    Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> rows(Index rows) const
    {
        return {m_data, rows, rows == 0 ? 0 : m_size / rows};
    }

protected:
    const T* m_data = nullptr;
    Shape m_shape;
    Index m_size = 0;
    bool m_present = false;
};

/// An owning row-major tensor. Storage is an Eigen array (aligned for SIMD).
template <typename T>
class Tensor : public TensorView<T> {
public:
    Tensor() = default;
    /// Zero-filled tensor of the given shape.
    explicit Tensor(Shape shape) : m_storage(FlatArray<T>::Zero(elementCount(shape))) { bind(std::move(shape)); }
    Tensor(Shape shape, std::initializer_list<T> values) : Tensor(std::move(shape), std::vector<T>(values)) {}
    Tensor(Shape shape, const std::vector<T>& values) : m_storage(static_cast<Index>(values.size()))
    {
        if (elementCount(shape) != static_cast<Index>(values.size()))
            throw std::invalid_argument("tensor shape " + toString(shape) + " needs " +
                                        std::to_string(elementCount(shape)) + " values, got " +
                                        std::to_string(values.size()));
        std::copy(values.begin(), values.end(), m_storage.data());
        bind(std::move(shape));
    }
    Tensor(Shape shape, FlatArray<T> values) : m_storage(std::move(values))
    {
        if (elementCount(shape) != m_storage.size())
            throw std::invalid_argument("tensor shape " + toString(shape) + " does not match " +
                                        std::to_string(m_storage.size()) + " values");
        bind(std::move(shape));
    }
    static Tensor scalar(T value) { return Tensor(Shape{}, {value}); }

    Tensor(const Tensor& other) : TensorView<T>(), m_storage(other.m_storage) { rebind(other); }
    Tensor(Tensor&& other) noexcept : TensorView<T>(), m_storage(std::move(other.m_storage)) { rebind(other); }
    Tensor& operator=(const Tensor& other)
    {
        if (this != &other) {
            m_storage = other.m_storage;
            rebind(other);
        }
        return *this;
    }
    Tensor& operator=(Tensor&& other) noexcept
    {
        m_storage = std::move(other.m_storage);
        rebind(other);
        return *this;
    }

    T* mutableData() { return m_storage.data(); }
    FlatArray<T>& storage() { return m_storage; }
    const FlatArray<T>& storage() const { return m_storage; }
    /// The single value of a rank-0 (or one-element) tensor.
    T item() const
    {
        if (this->m_size != 1)
            throw std::logic_error("item() of a tensor of shape " + toString(this->m_shape));
        return m_storage[0];
    }

private:
    void bind(Shape&& shape)
    {
        this->m_shape = std::move(shape);
        this->m_size = m_storage.size();
        this->m_data = m_storage.data();
        this->m_present = true;
    }
    void rebind(const TensorView<T>& other)
    {
        this->m_shape = other.shape();
        this->m_size = m_storage.size();
        this->m_data = m_storage.data();
        this->m_present = other.present();
    }

    FlatArray<T> m_storage;
};

inline std::string toString(const Shape& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

} // namespace losslens
