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
/// Not thread-safe: one thread owns it.
class Recorder {
public:
    /// Creates `dir` if needed; throws std::runtime_error with the reason when it cannot.
    explicit Recorder(std::filesystem::path dir);
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
    const std::filesystem::path& directory() const { return m_dir; }
    /// The file that holds `run`'s records.
    std::filesystem::path fileOf(std::string_view run) const;
    /// `run` with every byte outside [A-Za-z0-9._-] replaced by '_' ("." and ".." get a '_' in front).
    static std::string directoryName(std::string_view run);
    static constexpr const char* kFileName = "live.jsonl";

private:
    struct File;
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    File& fileFor(std::string_view run);
    bool open(File& file, std::string* error);

    std::filesystem::path m_dir;
    std::unordered_map<std::string, File*, Hash, std::equal_to<>> m_runs; // run → its folder's file
    std::unordered_map<std::string, std::unique_ptr<File>> m_byDirectory;
    std::size_t m_queuedBytes = 0;
};

} // namespace losslens::live
