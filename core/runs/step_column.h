#pragma once
// A series' steps in 4 bytes each: offsets from the first step, or plain int64 when they don't fit.

#include "core/runs/series_column.h"

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <ranges>
#include <span>

namespace losslens {

/// A read-only view of non-decreasing int64 steps, stored either as 32-bit offsets from a base or
/// as plain int64 (any contiguous int64 range converts to one). Indexing and iteration give
/// values, not references.
class Steps {
public:
    class Iterator;

    Steps() = default;
    /// Plain int64 steps: a vector, a span, a grid. Implicit, so every function that takes Steps
    /// takes them as well.
    template <std::ranges::contiguous_range Range>
        requires std::same_as<std::ranges::range_value_t<Range>, std::int64_t>
    Steps(const Range& steps)
        : m_wide(std::ranges::data(steps)), m_size(std::ranges::size(steps))
    {
    }
    /// `base + offsets[i]` for i < n.
    Steps(const std::uint32_t* offsets, std::int64_t base, std::size_t n) : m_offsets(offsets), m_base(base), m_size(n) {}

    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    std::int64_t operator[](std::size_t i) const
    {
        // offset + base may pass INT64_MAX only in unsigned arithmetic; the sum is a valid step
        return m_wide ? m_wide[i] : static_cast<std::int64_t>(static_cast<std::uint64_t>(m_base) + m_offsets[i]);
    }
    std::int64_t front() const { return (*this)[0]; }
    std::int64_t back() const { return (*this)[m_size - 1]; }
    /// Steps [offset, offset + count), count clipped to what is left.
    Steps subspan(std::size_t offset, std::size_t count = std::numeric_limits<std::size_t>::max()) const
    {
        Steps s = *this;
        s.m_size = std::min(count, m_size - offset);
        if (m_wide)
            s.m_wide += offset;
        else
            s.m_offsets += offset;
        return s;
    }
    /// Where step i is stored (for prefetching).
    const void* address(std::size_t i) const { return m_wide ? static_cast<const void*>(m_wide + i) : m_offsets + i; }
    /// The int64 steps when they are stored as such, else empty.
    std::span<const std::int64_t> wide() const { return m_wide ? std::span(m_wide, m_size) : std::span<const std::int64_t>(); }

    Iterator begin() const;
    Iterator end() const;

    /// Equal steps, however each side stores them.
    friend bool operator==(const Steps& a, const Steps& b)
    {
        if (a.m_size != b.m_size)
            return false;
        if (a.m_wide && b.m_wide)
            return std::equal(a.m_wide, a.m_wide + a.m_size, b.m_wide);
        if (!a.m_wide && !b.m_wide && a.m_base == b.m_base)
            return std::equal(a.m_offsets, a.m_offsets + a.m_size, b.m_offsets);
        for (std::size_t i = 0; i < a.m_size; ++i)
            if (a[i] != b[i])
                return false;
        return true;
    }

private:
    const std::int64_t* m_wide = nullptr;
    const std::uint32_t* m_offsets = nullptr;
    std::int64_t m_base = 0;
    std::size_t m_size = 0;
};

/// A random-access iterator over Steps that yields values (so std::lower_bound, std::vector's
/// range constructor and range-for all work). It holds its own copy of the view, so it stays
/// valid after the Steps it came from, as long as the series does.
class Steps::Iterator {
public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = std::int64_t;
    using difference_type = std::ptrdiff_t;
    using reference = std::int64_t;
    using pointer = void;

    Iterator() = default;
    Iterator(const Steps& steps, std::size_t i) : m_steps(steps), m_i(static_cast<difference_type>(i)) {}

    std::int64_t operator*() const { return m_steps[static_cast<std::size_t>(m_i)]; }
    std::int64_t operator[](difference_type n) const { return *(*this + n); }
    Iterator& operator++() { return ++m_i, *this; }
    Iterator operator++(int) { return {m_steps, static_cast<std::size_t>(m_i++)}; }
    Iterator& operator--() { return --m_i, *this; }
    Iterator operator--(int) { return {m_steps, static_cast<std::size_t>(m_i--)}; }
    Iterator& operator+=(difference_type n) { return m_i += n, *this; }
    Iterator& operator-=(difference_type n) { return m_i -= n, *this; }
    friend Iterator operator+(Iterator it, difference_type n) { return it += n; }
    friend Iterator operator+(difference_type n, Iterator it) { return it += n; }
    friend Iterator operator-(Iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const Iterator& a, const Iterator& b) { return a.m_i - b.m_i; }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.m_i == b.m_i; }
    friend auto operator<=>(const Iterator& a, const Iterator& b) { return a.m_i <=> b.m_i; }

private:
    Steps m_steps;
    difference_type m_i = 0;
};

inline Steps::Iterator Steps::begin() const { return {*this, 0}; }
inline Steps::Iterator Steps::end() const { return {*this, m_size}; }

/// The steps column of a Series. Steps never decrease, so the first is the smallest and every
/// step of a real log fits in 32 bits above it (a step range of 4 billion); a step that does not
/// turns the column into plain int64 once, for good (until it is emptied).
class StepColumn {
public:
    std::size_t size() const { return m_wide ? m_steps.size() : m_offsets.size(); }
    bool empty() const { return size() == 0; }
    std::size_t capacity() const { return m_wide ? m_steps.capacity() : m_offsets.capacity(); }
    std::size_t memoryBytes() const
    {
        return m_steps.capacity() * sizeof(std::int64_t) + m_offsets.capacity() * sizeof(std::uint32_t);
    }
    std::int64_t back() const { return view().back(); }
    Steps view() const { return m_wide ? Steps(std::span(m_steps.data(), m_steps.size())) : Steps(m_offsets.data(), m_base, m_offsets.size()); }
    /// True when the steps are stored as plain int64.
    bool wide() const { return m_wide; }

    void push_back(std::int64_t step)
    {
        if (empty())
            m_base = step;
        if (!m_wide && !fits(step)) [[unlikely]]
            widen();
        if (m_wide)
            m_steps.push_back(step);
        else
            m_offsets.push_back(offset(step));
    }
    /// Appends non-decreasing steps, each ≥ back().
    void append(Steps steps)
    {
        if (steps.empty())
            return;
        if (empty())
            m_base = steps.front();
        if (!m_wide && !fits(steps.back())) // the largest
            widen();
        if (const auto plain = steps.wide(); !plain.empty())
            appendValues(plain); // the loader's case: one branch for the lot, not one per step
        else
            appendValues(steps);
    }
    void truncate(std::size_t n)
    {
        m_offsets.truncate(n);
        m_steps.truncate(n);
        if (n == 0 && m_wide) { // a fresh start may fit in 32 bits again
            m_steps = {};
            m_wide = false;
        }
    }
    void reserve(std::size_t n) { m_wide ? m_steps.reserve(n) : m_offsets.reserve(n); }
    void shrinkToFit()
    {
        m_offsets.shrinkToFit();
        m_steps.shrinkToFit();
    }

private:
    bool fits(std::int64_t step) const
    {
        // step ≥ m_base always (steps never decrease); the difference is exact in uint64
        return static_cast<std::uint64_t>(step) - static_cast<std::uint64_t>(m_base) <= std::numeric_limits<std::uint32_t>::max();
    }
    std::uint32_t offset(std::int64_t step) const
    {
        return static_cast<std::uint32_t>(static_cast<std::uint64_t>(step) - static_cast<std::uint64_t>(m_base));
    }
    template <class Values>
    void appendValues(const Values& steps)
    {
        const std::size_t n = steps.size();
        if (m_wide) {
            std::int64_t* out = m_steps.extend(n);
            for (std::size_t i = 0; i < n; ++i)
                out[i] = steps[i];
        } else {
            std::uint32_t* out = m_offsets.extend(n);
            for (std::size_t i = 0; i < n; ++i)
                out[i] = offset(steps[i]);
        }
    }
    void widen()
    {
        const Steps narrow = view();
        m_steps.reserve(std::max(m_offsets.capacity(), narrow.size() + 1));
        std::int64_t* out = m_steps.extend(narrow.size());
        for (std::size_t i = 0; i < narrow.size(); ++i)
            out[i] = narrow[i];
        m_offsets = {};
        m_wide = true;
    }

    SeriesColumn<std::uint32_t> m_offsets;
    SeriesColumn<std::int64_t> m_steps; ///< instead of the offsets once a step does not fit
    std::int64_t m_base = 0;
    bool m_wide = false;
};

} // namespace losslens
