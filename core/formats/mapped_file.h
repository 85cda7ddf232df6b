#pragma once
// Read-only memory mapping of a whole file: how loaders read big logs without copying them.

#include <cstdint>
#include <string>
#include <string_view>

namespace losslens::formats {

/// Maps a file read-only. An empty file maps to an empty view. Move-only.
class MappedFile {
public:
    MappedFile() = default;
    /// Maps `path`; on failure isOpen() is false and error() says why.
    explicit MappedFile(const std::string& path);
    ~MappedFile();
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    bool isOpen() const { return m_open; }
    const std::string& error() const { return m_error; }
    std::string_view bytes() const { return {m_data, m_size}; }
    std::uint64_t size() const { return m_size; }

private:
    void release();
    const char* m_data = nullptr;
    std::size_t m_size = 0;
    bool m_open = false;
    std::string m_error;
};

} // namespace losslens::formats
