#pragma once
// One column of a Series: plain values in one malloc'd block that grows and shrinks with realloc.

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace losslens {

/// A contiguous column of trivially copyable values (a Series' steps, wall times or values): a
/// std::vector without the copy on growth. A vector grows by allocating the new block beside the
/// old one, so growing a 1 GB column needs 2-3 GB for a moment; with realloc, glibc moves a large
/// (mmapped) block's pages with mremap instead: growing and shrinkToFit() copy nothing, and the
/// spare capacity costs no memory until it is written.
template <class T>
class SeriesColumn {
    static_assert(std::is_trivially_copyable_v<T>);

public:
    SeriesColumn() = default;
    SeriesColumn(const SeriesColumn& other) { append(other.data(), other.size()); }
    SeriesColumn(SeriesColumn&& other) noexcept
        : m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0)),
          m_capacity(std::exchange(other.m_capacity, 0))
    {
    }
    SeriesColumn& operator=(SeriesColumn other) noexcept
    {
        std::swap(m_data, other.m_data);
        std::swap(m_size, other.m_size);
        std::swap(m_capacity, other.m_capacity);
        return *this;
    }
    ~SeriesColumn() { std::free(m_data); }

    std::size_t size() const { return m_size; }
    std::size_t capacity() const { return m_capacity; }
    bool empty() const { return m_size == 0; }
    const T* data() const { return m_data; }
    const T* begin() const { return m_data; }
    const T* end() const { return m_data + m_size; }
    const T& back() const { return m_data[m_size - 1]; }

    void push_back(T value)
    {
        if (m_size == m_capacity)
            grow(m_size + 1);
        m_data[m_size++] = value;
    }
    void append(const T* values, std::size_t n)
    {
        if (n != 0)
            std::memcpy(extend(n), values, n * sizeof(T));
    }
    /// Appends `n` values for the caller to write; returns where they start.
    T* extend(std::size_t n)
    {
        if (m_size + n > m_capacity)
            grow(m_size + n);
        T* out = m_data + m_size;
        m_size += n;
        return out;
    }
    /// Keeps the first `n` values (fewer never grows the column).
    void truncate(std::size_t n) { m_size = std::min(m_size, n); }
    void reserve(std::size_t n)
    {
        if (n > m_capacity)
            setCapacity(n);
    }
    void shrinkToFit()
    {
        if (m_capacity > m_size)
            setCapacity(m_size);
    }

private:
    // Doubling keeps appends amortized O(1); the spare half costs no memory until it is written.
    void grow(std::size_t needed) { setCapacity(std::max(needed, m_capacity * 2)); }
    void setCapacity(std::size_t n)
    {
        if (n == 0) {
            std::free(std::exchange(m_data, nullptr));
        } else {
            void* block = std::realloc(m_data, n * sizeof(T));
            if (!block)
                throw std::bad_alloc();
            m_data = static_cast<T*>(block);
        }
        m_capacity = n;
    }

    T* m_data = nullptr;
    std::size_t m_size = 0;
    std::size_t m_capacity = 0;
};

} // namespace losslens
