#pragma once
// The recorder: what makes live data durable. Qt-free (POSIX files), used by the server thread.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace losslens::live {

/// Appends accepted record lines to `<dir>/<runDir>/live.jsonl`, where runDir is the run's
/// name made safe for a path (see directoryName()); each line names its run, so two runs that
/// map to one folder still read back apart. Lines are queued in memory by append(), reach the
/// file (and so any reader) with write(), and the disk with sync() (write() + fdatasync), which
/// is what a sync acknowledgement waits for. A file left with an unfinished last line (the
/// recorder was killed mid-write) gets a '\n' first, so the partial line stays on its own.
///
/// At most `maxOpenFiles` files are open at once, however many runs a client invents: opening
/// one more first closes the least recently used (written and fdatasync'ed first, so a later
/// sync() still covers it), and it is reopened for append when its run sends again. The state
/// kept per run folder is dropped once its file is closed, so memory does not grow with the
/// number of runs either. Not thread-safe: one thread owns it.
class Recorder {
public:
    /// Creates `dir` if needed; throws std::runtime_error with the reason when it cannot.
    /// `maxOpenFiles` 0 means defaultMaxOpenFiles().
    explicit Recorder(std::filesystem::path dir, std::size_t maxOpenFiles = 0);
    /// Writes and syncs what is queued.
    ~Recorder();
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    /// Queues one record line (ending with '\n') of `run`.
    void append(std::string_view run, std::string_view line);
    /// Writes every queued line to its file. Returns false, with the reason in `error`, when a
    /// file cannot be opened or written; what could not be written stays queued.
    bool write(std::string* error = nullptr);
    /// write(), then fdatasync of every file written since the last sync.
    bool sync(std::string* error = nullptr);

    std::size_t queuedBytes() const { return m_queuedBytes; }
    std::size_t openFiles() const { return m_openFiles; }
    /// Run folders with state in memory (open, queued or unsynced).
    std::size_t trackedFiles() const { return m_byDirectory.size(); }
    std::size_t maxOpenFiles() const { return m_maxOpenFiles; }
    const std::filesystem::path& directory() const { return m_dir; }
    /// The file that holds `run`'s records.
    std::filesystem::path fileOf(std::string_view run) const;
    /// `run` with every byte outside [A-Za-z0-9._-] replaced by '_' ("." and ".." get a '_' in front).
    static std::string directoryName(std::string_view run);
    /// A quarter of the soft RLIMIT_NOFILE, between 8 and 512: the server's sockets need the rest.
    static std::size_t defaultMaxOpenFiles();
    static constexpr const char* kFileName = "live.jsonl";

private:
    struct File;
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    File& fileFor(std::string_view run);
    bool open(File& file, std::string* error);
    bool flush(File& file, std::string* error);
    void closeLeastRecentlyUsed(const File& keep);
    void dropClosedFiles();

    std::filesystem::path m_dir;
    std::size_t m_maxOpenFiles;
    std::unordered_map<std::string, std::unique_ptr<File>, Hash, std::equal_to<>> m_byDirectory;
    std::string m_nameBuffer; // directoryName() of the last append, reused
    std::size_t m_queuedBytes = 0;
    std::size_t m_openFiles = 0;
    std::uint64_t m_clock = 0; // ticks on every append: the LRU order
};

} // namespace losslens::live
