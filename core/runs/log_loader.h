#pragma once
// Loading logs into the store: many files in parallel, with progress and cancellation, and
// following files that are still being written.

#include "core/formats/record_sink.h"
#include "core/runs/logdir_scan.h"
#include "core/runs/run_store.h"

#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace losslens {

enum class ReadMode {
    Snapshot, ///< the files are complete: an incomplete last record is reported as truncated
    Follow,   ///< the files may still grow: an incomplete last record waits for the next update()
};

struct LoadProgress {
    std::uint64_t bytesDone = 0;
    std::uint64_t bytesTotal = 0;
};

struct LoadOptions {
    ReadMode mode = ReadMode::Snapshot;
    /// Parser threads; 0 means std::thread::hardware_concurrency().
    unsigned threads = 0;
    /// Called on the thread that called update(), a few times a second and once at the end.
    std::function<void(const LoadProgress&)> progress = {};
    /// Set (from any thread) to stop update() early. What was read stays in the store: the file
    /// being merged up to the block its parser was on (the next update() reads on from there),
    /// the files before it whole.
    const std::atomic<bool>* cancel = nullptr;
    /// Records are merged block by block as they are parsed, files in order, so records parsed
    /// ahead wait; parsers pause while this many bytes of them wait (the file being merged always
    /// goes on). 0 means 32 MB per parser thread.
    std::size_t readAheadBytes = 0;
};

struct LoadReport {
    std::size_t newPoints = 0;
    std::size_t filesRead = 0;
    std::vector<formats::Warning> warnings;
    bool cancelled = false;
    /// The most bytes of parsed records that waited to be merged at once (at most readAheadBytes
    /// plus one block's records per parser thread and one being merged).
    std::size_t peakReadAheadBytes = 0;
};

/// Reads logs (files or logdirs, scanned again on every update() so new files are found) into
/// a RunStore. Files are parsed on worker threads; their records are merged on the caller's
/// thread, files of a run in name order, so RunStore observers are called there. Each update()
/// reads only what is new: bytes appended since the last one. A file that shrank, was replaced
/// (another inode), or whose first bytes or last bytes read changed (Lightning rewrites
/// metrics.csv when a column appears; a job truncates and writes again) starts its run over, with
/// a warning: the run's logged series are emptied and every file of the run is read again from
/// its start, so the store ends up as a fresh load of the files would.
class LogLoader {
public:
    explicit LogLoader(RunStore& store, LoadOptions options = {});
    ~LogLoader();
    LogLoader(const LogLoader&) = delete;
    LogLoader& operator=(const LogLoader&) = delete;

    /// Adds a file or logdir. Returns false with `error` when it does not exist or cannot be read.
    /// A logdir's role overrides file (RoleOverrides::kFileName) is loaded into the store.
    /// Runs keep their scanned names unless a name is already taken by a path added before: then
    /// every run of this path is prefixed with its parent folder ("b/version_0" beside
    /// "version_0"), so two opened folders never merge into one run.
    bool addPath(const std::string& path, std::string* error = nullptr);
    /// Reads what is new. Blocks until done or cancelled.
    LoadReport update();
    /// The files found so far, in merge order.
    std::vector<LogFile> files() const;

private:
    struct TrackedFile;
    void rescan(LoadReport& report);
    void prepare(TrackedFile& file, LoadReport& report);
    static void startOver(TrackedFile& file);
    std::set<std::string> restartRuns();
    void clearRun(const std::string& name);

    /// An added path, and how its runs are named: the scanned name behind a prefix that is empty
    /// unless the names collided with an earlier path's.
    struct Root {
        std::string path;
        std::string ownRunPrefix; // for the run of the path's own folder (or the file's folder)
        std::string subRunPrefix; // for runs in subfolders of the path
        std::vector<std::string> runs; // as named when added
        std::string runName(const LogFile& file) const;
    };
    bool anyRunTaken(const Root& candidate, const ScanResult& scan) const;
    void qualifyRunNames(Root& root, const ScanResult& scan) const;

    RunStore& m_store;
    LoadOptions m_options;
    std::vector<Root> m_roots;
    std::vector<std::unique_ptr<TrackedFile>> m_files;
};

} // namespace losslens
