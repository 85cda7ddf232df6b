#include "core/live/recorder.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

namespace losslens::live {

struct Recorder::File {
    std::filesystem::path path;
    int fd = -1;
    std::string queue;
    bool unsynced = false;
    std::uint64_t lastUse = 0;

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

void assignDirectoryName(std::string& name, std::string_view run)
{
    name.clear();
    for (const char c : run) {
        const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                          c == '_' || c == '-';
        name.push_back(safe ? c : '_');
    }
    if (name.empty() || name == "." || name == "..")
        name.insert(name.begin(), '_');
}

// True when the file is non-empty and does not end with '\n' (a torn line from a killed writer).
bool endsMidLine(int fd)
{
    struct stat st {};
    char last = '\n';
    if (::fstat(fd, &st) != 0 || st.st_size == 0)
        return false;
    return ::pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n';
}

} // namespace

Recorder::Recorder(std::filesystem::path dir, std::size_t maxOpenFiles)
    : m_dir(std::move(dir)), m_maxOpenFiles(maxOpenFiles ? maxOpenFiles : defaultMaxOpenFiles())
{
    std::error_code ec;
    std::filesystem::create_directories(m_dir, ec);
    if (ec || !std::filesystem::is_directory(m_dir))
        throw std::runtime_error("cannot create the recording folder " + m_dir.string() + ": " +
                                 (ec ? ec.message() : "not a folder"));
}

Recorder::~Recorder() { sync(); }

std::size_t Recorder::defaultMaxOpenFiles()
{
    rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return 512;
    return std::clamp<std::size_t>(static_cast<std::size_t>(limit.rlim_cur) / 4, 8, 512);
}

std::string Recorder::directoryName(std::string_view run)
{
    std::string name;
    assignDirectoryName(name, run);
    return name;
}

std::filesystem::path Recorder::fileOf(std::string_view run) const
{
    return m_dir / directoryName(run) / kFileName;
}

// Runs whose names map to one folder share its file (and its descriptor).
Recorder::File& Recorder::fileFor(std::string_view run)
{
    assignDirectoryName(m_nameBuffer, run);
    if (auto it = m_byDirectory.find(std::string_view(m_nameBuffer)); it != m_byDirectory.end())
        return *it->second;
    auto file = std::make_unique<File>();
    file->path = m_dir / m_nameBuffer / kFileName;
    return *m_byDirectory.emplace(m_nameBuffer, std::move(file)).first->second;
}

bool Recorder::open(File& file, std::string* error)
{
    if (m_openFiles >= m_maxOpenFiles)
        closeLeastRecentlyUsed(file);
    const auto dir = file.path.parent_path();
    const bool newDir = !std::filesystem::exists(dir);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    const bool newFile = newDir || !std::filesystem::exists(file.path);
    // O_RDWR only so that endsMidLine() can pread the last byte; every write appends.
    file.fd = ::open(file.path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (file.fd < 0) {
        if (error)
            *error = describe(file.path, "cannot open");
        return false;
    }
    ++m_openFiles;
    if (endsMidLine(file.fd))
        file.queue.insert(file.queue.begin(), '\n');
    if (newDir)
        syncDirectory(m_dir);
    if (newFile)
        syncDirectory(dir);
    return true;
}

// Writes the file's queue; the file must be open.
bool Recorder::flush(File& file, std::string* error)
{
    if (file.queue.empty())
        return true;
    if (!writeAll(file.fd, file.queue)) {
        if (error)
            *error = describe(file.path, "cannot write");
        return false;
    }
    m_queuedBytes -= std::min(m_queuedBytes, file.queue.size());
    file.queue.clear();
    file.unsynced = true;
    return true;
}

// Makes room for one more descriptor. What the closed file held is written and fdatasync'ed
// first: a sync acknowledgement must not depend on a descriptor we no longer have.
void Recorder::closeLeastRecentlyUsed(const File& keep)
{
    File* oldest = nullptr;
    for (auto& [name, file] : m_byDirectory)
        if (file->fd >= 0 && file.get() != &keep && (!oldest || file->lastUse < oldest->lastUse))
            oldest = file.get();
    if (!oldest)
        return;
    flush(*oldest, nullptr);
    if (oldest->unsynced && ::fdatasync(oldest->fd) == 0)
        oldest->unsynced = false;
    if (oldest->unsynced)
        return; // keep it open: the next sync() reports the failure
    ::close(std::exchange(oldest->fd, -1));
    --m_openFiles;
}

// Closed, empty and synced: nothing left to remember (it is reopened for append if needed).
void Recorder::dropClosedFiles()
{
    std::erase_if(m_byDirectory, [](const auto& entry) {
        const File& f = *entry.second;
        return f.fd < 0 && f.queue.empty() && !f.unsynced;
    });
}

void Recorder::append(std::string_view run, std::string_view line)
{
    File& file = fileFor(run);
    file.queue.append(line);
    file.lastUse = ++m_clock;
    m_queuedBytes += line.size();
}

bool Recorder::write(std::string* error)
{
    // Collected first: opening one file may close another (writing its queue before it does).
    std::vector<File*> queued;
    for (auto& [name, file] : m_byDirectory)
        if (!file->queue.empty())
            queued.push_back(file.get());
    bool ok = true;
    for (File* file : queued) {
        if (file->queue.empty())
            continue; // written while another file was being made room for
        if (file->fd < 0 && !open(*file, error)) {
            ok = false;
            continue;
        }
        ok = flush(*file, error) && ok;
    }
    dropClosedFiles();
    return ok;
}

bool Recorder::sync(std::string* error)
{
    bool ok = write(error);
    for (auto& [name, file] : m_byDirectory) {
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
