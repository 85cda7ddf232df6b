#include "core/live/recorder.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace losslens::live {

struct Recorder::File {
    std::filesystem::path path;
    int fd = -1;
    std::string queue;
    bool unsynced = false;
    bool failed = false; // opening failed once: retried on the next write()

    ~File()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

namespace {

std::string describe(const std::filesystem::path& path, const char* what)
{
    return std::string(what) + " " + path.string() + ": " + std::strerror(errno);
}

// A new directory entry is durable only once its parent directory is synced.
void syncDirectory(const std::filesystem::path& dir)
{
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

bool writeAll(int fd, std::string_view data)
{
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

} // namespace

Recorder::Recorder(std::filesystem::path dir) : m_dir(std::move(dir))
{
    std::error_code ec;
    std::filesystem::create_directories(m_dir, ec);
    if (ec || !std::filesystem::is_directory(m_dir))
        throw std::runtime_error("cannot create the recording folder " + m_dir.string() + ": " +
                                 (ec ? ec.message() : "not a folder"));
}

Recorder::~Recorder() { sync(); }

std::string Recorder::directoryName(std::string_view run)
{
    std::string name;
    name.reserve(run.size() + 1);
    for (const char c : run) {
        const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                          c == '_' || c == '-';
        name.push_back(safe ? c : '_');
    }
    if (name.empty() || name == "." || name == "..")
        name.insert(name.begin(), '_');
    return name;
}

std::filesystem::path Recorder::fileOf(std::string_view run) const
{
    return m_dir / directoryName(run) / kFileName;
}

Recorder::File& Recorder::fileFor(std::string_view run)
{
    if (auto it = m_runs.find(run); it != m_runs.end())
        return *it->second;
    // Runs whose names map to one folder share its file (and its descriptor).
    const std::string dirName = directoryName(run);
    auto& owned = m_byDirectory[dirName];
    if (!owned) {
        owned = std::make_unique<File>();
        owned->path = m_dir / dirName / kFileName;
    }
    m_runs.emplace(std::string(run), owned.get());
    return *owned;
}

bool Recorder::open(File& file, std::string* error)
{
    const auto dir = file.path.parent_path();
    const bool newDir = !std::filesystem::exists(dir);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    file.fd = ::open(file.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (file.fd < 0) {
        if (error)
            *error = describe(file.path, "cannot open");
        return false;
    }
    struct stat st {};
    char last = '\n';
    if (::fstat(file.fd, &st) == 0 && st.st_size > 0) {
        const int reader = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
        if (reader >= 0) {
            if (::pread(reader, &last, 1, st.st_size - 1) != 1)
                last = '\n';
            ::close(reader);
        }
    }
    if (last != '\n')
        file.queue.insert(file.queue.begin(), '\n');
    if (newDir)
        syncDirectory(m_dir);
    syncDirectory(dir);
    return true;
}

void Recorder::append(std::string_view run, std::string_view line)
{
    File& file = fileFor(run);
    file.queue.append(line);
    m_queuedBytes += line.size();
}

bool Recorder::write(std::string* error)
{
    bool ok = true;
    for (auto& [dirName, file] : m_byDirectory) {
        if (file->queue.empty())
            continue;
        if (file->fd < 0 && !open(*file, error)) {
            ok = false;
            continue;
        }
        if (!writeAll(file->fd, file->queue)) {
            if (error)
                *error = describe(file->path, "cannot write");
            ok = false;
            continue;
        }
        m_queuedBytes -= std::min(m_queuedBytes, file->queue.size());
        file->queue.clear();
        file->unsynced = true;
    }
    return ok;
}

bool Recorder::sync(std::string* error)
{
    bool ok = write(error);
    for (auto& [dirName, file] : m_byDirectory) {
        if (!file->unsynced)
            continue;
        if (::fdatasync(file->fd) != 0) {
            if (error)
                *error = describe(file->path, "cannot sync");
            ok = false;
            continue;
        }
        file->unsynced = false;
    }
    return ok;
}

} // namespace losslens::live
