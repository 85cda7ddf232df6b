#include "core/runs/log_loader.h"

#include "core/formats/reader.h"
#include "core/runs/record_batch.h"

#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

namespace losslens {

namespace {

constexpr std::size_t kBlock = std::size_t{16} << 20;
constexpr std::size_t kHeadBytes = 4096;
constexpr std::size_t kTailBytes = 64;
constexpr std::size_t kTrimAfterPoints = std::size_t{1} << 20;

// `n` bytes of `path` from `offset` (fewer at its end; empty when it cannot be read).
std::string readRange(const std::string& path, std::uint64_t offset, std::size_t n)
{
    std::string bytes(n, '\0');
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    const ssize_t got = fd < 0 ? 0 : ::pread(fd, bytes.data(), n, static_cast<off_t>(offset));
    if (fd >= 0)
        ::close(fd);
    bytes.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    return bytes;
}

} // namespace

struct LogLoader::TrackedFile {
    LogFile info;
    RecordBatch batch;
    std::unique_ptr<formats::Reader> reader;
    std::string head; // the first bytes as last seen, to notice a rewrite
    std::string tail; // the last bytes consumed, before position(): a rewrite in place with the same head
    ino_t inode = 0;
    dev_t device = 0;
    bool seen = false;
    bool restarted = false; // this update reads it from the start again
    // one update's work
    bool pending = false;
    bool done = false;
    bool failed = false;
};

LogLoader::LogLoader(RunStore& store, LoadOptions options) : m_store(store), m_options(std::move(options)) {}

LogLoader::~LogLoader() = default;

bool LogLoader::addPath(const std::string& path, std::string* error)
{
    const ScanResult scan = scanPath(path);
    if (!scan.error.empty()) {
        if (error)
            *error = scan.error;
        return false;
    }
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        std::string message;
        const std::string overrides = (std::filesystem::path(path) / RoleOverrides::kFileName).string();
        if (!m_store.roleOverrides().load(overrides, &message) && error)
            *error = message; // not fatal: the logs are still read
        m_store.applyRoleOverrides();
    }
    Root root{path, {}, {}, {}};
    qualifyRunNames(root, scan);
    for (const LogFile& f : scan.files)
        root.runs.push_back(root.runName(f));
    m_roots.push_back(std::move(root));
    return true;
}

std::string LogLoader::Root::runName(const LogFile& file) const
{
    auto normal = [](const std::string& p) {
        const std::filesystem::path n = std::filesystem::path(p).lexically_normal();
        return n.has_filename() ? n : n.parent_path(); // "a/" → "a"
    };
    const std::filesystem::path added = normal(path), filePath = normal(file.path);
    const bool ownRun = filePath == added || filePath.parent_path() == added;
    return (ownRun ? ownRunPrefix : subRunPrefix) + file.run;
}

bool LogLoader::anyRunTaken(const Root& candidate, const ScanResult& scan) const
{
    return std::any_of(scan.files.begin(), scan.files.end(), [&](const LogFile& f) {
        const std::string name = candidate.runName(f);
        return std::any_of(m_roots.begin(), m_roots.end(), [&](const Root& r) {
            return std::find(r.runs.begin(), r.runs.end(), name) != r.runs.end();
        });
    });
}

// Names that collide with an earlier path's go up one folder: "b/version_0" for the subfolder
// run of b/, "exp2/version_0" for an opened exp2/version_0/; "#2", "#3"… when that is not enough.
void LogLoader::qualifyRunNames(Root& root, const ScanResult& scan) const
{
    if (!anyRunTaken(root, scan))
        return;
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path resolved = fs::weakly_canonical(root.path, ec);
    const fs::path ownFolder = fs::is_directory(resolved, ec) ? resolved : resolved.parent_path();
    const std::string above = ownFolder.parent_path().filename().string();
    const std::string self = ownFolder.filename().string();
    auto qualify = [&](int n) {
        const std::string tag = n > 1 ? std::string(1, '#').append(std::to_string(n)) : std::string();
        root.ownRunPrefix = above + tag + "/";
        root.subRunPrefix = self + tag + "/";
    };
    for (int n = 1; n == 1 || anyRunTaken(root, scan); ++n)
        qualify(n);
}

std::vector<LogFile> LogLoader::files() const
{
    std::vector<LogFile> out;
    for (const auto& f : m_files)
        out.push_back(f->info);
    return out;
}

void LogLoader::rescan(LoadReport& report)
{
    (void)report;
    for (const Root& root : m_roots) {
        for (LogFile& f : scanPath(root.path).files) {
            f.run = root.runName(f);
            const bool known = std::any_of(m_files.begin(), m_files.end(), [&](const auto& t) { return t->info.path == f.path; });
            if (known)
                continue;
            auto tracked = std::make_unique<TrackedFile>();
            tracked->info = std::move(f);
            tracked->reader = formats::createReader(tracked->info.format, tracked->batch, tracked->info.path);
            m_files.push_back(std::move(tracked));
        }
    }
    std::stable_sort(m_files.begin(), m_files.end(), [](const auto& a, const auto& b) {
        return a->info.run != b->info.run ? a->info.run < b->info.run : a->info.path < b->info.path;
    });
}

void LogLoader::startOver(TrackedFile& file)
{
    file.reader->restart();
    file.batch.clear();
    file.head.clear();
    file.tail.clear();
}

// The points a restarted file gave earlier cannot be told apart from its neighbours' in the
// store, and the restart rule alone gets equal steps wrong (a rewrite starting at the last step
// kept both; one starting at a step another file also logged dropped that file's point). So the
// whole run is read again, every file from its start, as a fresh load reads it.
std::set<std::string> LogLoader::restartRuns()
{
    std::set<std::string> runs;
    for (const auto& f : m_files)
        if (f->restarted)
            runs.insert(f->info.run);
    for (auto& f : m_files)
        if (f->reader && f->seen && !f->restarted && runs.count(f->info.run)) {
            startOver(*f);
            f->pending = true;
        }
    return runs;
}

// Empties the run's logged series before its files are merged again (derived ones are recomputed
// by their owner).
void LogLoader::clearRun(const std::string& name)
{
    Run* run = m_store.findRun(name);
    if (!run)
        return;
    for (const auto& series : run->allSeries())
        if (!series->derived() && !series->empty()) {
            series->replacePoints(Series(series->tag(), series->role()));
            m_store.notifyAppended(*run, *series, 0);
        }
}

// Decides whether the file must be read (again), from its identity, size and first bytes.
void LogLoader::prepare(TrackedFile& file, LoadReport& report)
{
    file.pending = file.done = file.failed = false;
    if (!file.reader)
        return;
    struct stat st {};
    if (::stat(file.info.path.c_str(), &st) != 0)
        return; // gone for now; what was read stays
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const std::uint64_t position = file.reader->position();
    bool restart = file.seen && (st.st_ino != file.inode || st.st_dev != file.device || size < position);
    if (!restart && file.seen && !file.head.empty())
        restart = readHead(file.info.path, file.head.size()) != file.head;
    // A file truncated and written again past the old position keeps the same size profile; when
    // its head (a CSV header, the file_version event) is unchanged too, only the bytes just before
    // the position tell the old content from the new.
    if (!restart && file.seen && !file.tail.empty())
        restart = readRange(file.info.path, position - file.tail.size(), file.tail.size()) != file.tail;
    if (restart) {
        report.warnings.push_back(formats::Warning{file.info.path, formats::Warning::Where::Offset, 0,
                                                   "the file was truncated or replaced; reading its run again from the start"});
        startOver(file);
    }
    file.restarted = restart;
    file.inode = st.st_ino;
    file.device = st.st_dev;
    file.pending = !file.seen || restart || size > file.reader->position();
    file.seen = true;
}

namespace {

struct Shared {
    std::mutex mutex;
    std::condition_variable changed;
    std::atomic<std::uint64_t> bytesDone{0};
};

// Reads the file from the reader's position to its end, in blocks, feeding the reader.
bool readIncrement(const std::string& path, formats::Reader& reader, ReadMode mode, const std::atomic<bool>* cancel,
                   std::atomic<std::uint64_t>& bytesDone, std::string& head, std::string& tail)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    std::vector<char> buffer;
    std::size_t filled = 0;
    std::uint64_t offset = reader.position();
    bool ok = true;
    while (!(cancel && cancel->load(std::memory_order_relaxed))) {
        if (buffer.size() < filled + kBlock)
            buffer.resize(filled + kBlock);
        const ssize_t n = ::pread(fd, buffer.data() + filled, kBlock, static_cast<off_t>(offset + filled));
        if (n < 0) {
            ok = false;
            break;
        }
        filled += static_cast<std::size_t>(n);
        const bool eof = n == 0 || static_cast<std::size_t>(n) < kBlock;
        // The head grows with every read that reaches into the first kHeadBytes, not only the first.
        if (head.size() >= offset && head.size() < kHeadBytes && head.size() < offset + filled)
            head.append(buffer.data() + (head.size() - offset), std::min<std::uint64_t>(kHeadBytes, offset + filled) - head.size());
        const std::size_t used = reader.feed(std::string_view(buffer.data(), filled), eof && mode == ReadMode::Snapshot);
        bytesDone.fetch_add(used, std::memory_order_relaxed);
        std::memmove(buffer.data(), buffer.data() + used, filled - used);
        filled -= used;
        offset += used;
        if (eof)
            break;
    }
    const std::uint64_t end = reader.position();
    tail.resize(static_cast<std::size_t>(std::min<std::uint64_t>(kTailBytes, end)));
    if (::pread(fd, tail.data(), tail.size(), static_cast<off_t>(end - tail.size())) != static_cast<ssize_t>(tail.size()))
        tail.clear();
    ::close(fd);
    return ok;
}

} // namespace

LoadReport LogLoader::update()
{
    LoadReport report;
    rescan(report);
    std::vector<TrackedFile*> work;
    LoadProgress progress;
    for (auto& f : m_files)
        prepare(*f, report);
    std::set<std::string> rereadRuns = restartRuns();
    for (auto& f : m_files) {
        if (!f->pending)
            continue;
        work.push_back(f.get());
        struct stat st {};
        if (::stat(f->info.path.c_str(), &st) == 0)
            progress.bytesTotal += static_cast<std::uint64_t>(st.st_size) -
                                   std::min<std::uint64_t>(f->reader->position(), static_cast<std::uint64_t>(st.st_size));
    }
    Shared shared;
    std::atomic<std::size_t> next{0};
    const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
    const auto threadCount = static_cast<std::size_t>(std::min<std::size_t>(m_options.threads ? m_options.threads : hardware, work.size()));
    auto worker = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < work.size();) {
            TrackedFile& f = *work[i];
            const std::uint64_t start = f.reader->position();
            const bool ok = readIncrement(f.info.path, *f.reader, m_options.mode, m_options.cancel, shared.bytesDone, f.head, f.tail);
            if (ok && start == 0 && f.reader->position() == 0 && f.head.empty() && m_options.mode == ReadMode::Snapshot)
                f.batch.onWarning(formats::Warning{f.info.path, formats::Warning::Where::Offset, 0, "empty file: no records"});
            std::lock_guard lock(shared.mutex);
            f.failed = !ok;
            f.done = true;
            shared.changed.notify_all();
        }
    };
    std::vector<std::jthread> threads;
    for (std::size_t t = 0; t < threadCount; ++t)
        threads.emplace_back(worker);
    // Merge on this thread, in file order, as soon as each file is parsed.
    auto cancelled = [&] { return m_options.cancel && m_options.cancel->load(); };
    for (TrackedFile* f : work) {
        std::unique_lock lock(shared.mutex);
        while (!f->done) {
            shared.changed.wait_for(lock, std::chrono::milliseconds(100));
            if (m_options.progress) {
                progress.bytesDone = std::min(shared.bytesDone.load(), progress.bytesTotal);
                lock.unlock();
                m_options.progress(progress);
                lock.lock();
            }
        }
        lock.unlock();
        if (cancelled()) {
            report.cancelled = true;
            f->batch.clear();
            f->reader->restart(); // read it whole next time; the restart rule keeps the store right
            f->head.clear();
            f->tail.clear();
            f->seen = false;
            continue;
        }
        if (rereadRuns.erase(f->info.run))
            clearRun(f->info.run);
        if (f->failed)
            report.warnings.push_back(formats::Warning{f->info.path, formats::Warning::Where::Offset, f->reader->position(),
                                                       std::string("read error: ") + std::strerror(errno)});
        report.newPoints += f->batch.mergeInto(m_store, f->info.run, f->info.path, report.warnings);
        ++report.filesRead;
    }
    threads.clear();
#ifdef __GLIBC__
    // The parse buffers just merged went back to malloc's arenas, in pages between the store's
    // columns that glibc keeps: without this, resident memory after a large load stayed at 35-38
    // bytes per point where the store holds 24 (measured with tests/bench/scale.sh).
    if (report.newPoints >= kTrimAfterPoints)
        ::malloc_trim(0);
#endif
    if (m_options.progress) {
        progress.bytesDone = std::min(shared.bytesDone.load(), progress.bytesTotal);
        m_options.progress(progress);
    }
    return report;
}

} // namespace losslens
