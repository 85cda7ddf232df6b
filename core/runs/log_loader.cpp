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
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace losslens {

namespace {

constexpr std::size_t kBlock = std::size_t{16} << 20;
constexpr std::size_t kMinRead = std::size_t{64} << 10; // a read past the size seen, for a file still growing
constexpr std::size_t kHeadBytes = 4096;
constexpr std::size_t kTailBytes = 64;
constexpr std::size_t kTrimAfterPoints = std::size_t{1} << 20;
// Parsed records allowed to wait for the merge, per parser thread (a 16 MB block of event files
// holds about 8 MB of records).
constexpr std::size_t kReadAheadPerThread = std::size_t{32} << 20;
constexpr auto kProgressInterval = std::chrono::milliseconds(100);

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
    std::uint64_t size = 0;  // when this update began
    std::uint64_t start = 0; // the reader's position then
    ino_t inode = 0;
    dev_t device = 0;
    bool seen = false;
    bool restarted = false; // this update reads it from the start again
    // one update's work
    bool pending = false;
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
    file.pending = file.failed = false;
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
    file.size = size;
    file.inode = st.st_ino;
    file.device = st.st_dev;
    file.pending = !file.seen || restart || size > file.reader->position();
    file.seen = true;
}

namespace {

// Parsed records on their way from the parser threads to the merging thread, which takes the files
// in order. A parser ahead of the merge pauses while `limit` bytes of records wait, so read-ahead
// cannot hold a second copy of the logs (it did: a large file first in order kept the other
// threads' files waiting, 33-40 bytes per point at the peak where the store holds 24, measured
// with tests/bench/scale.sh). The file being merged, the head, always goes on, so the limit can
// slow a load but never stall it.
class Pipeline {
public:
    Pipeline(std::size_t files, std::size_t limit) : m_parsed(files), m_done(files, false), m_limit(limit) {}

    // Records of a part of a file, and how many more points are likely to follow per point.
    struct Parsed {
        RecordBatch records;
        double expectedMore = 0;
    };

    // Parser side: queues records of file `i` (`last`: the file is done), then waits for room.
    void handOver(std::size_t i, Parsed parsed, bool last, const std::function<bool()>& stop)
    {
        std::unique_lock lock(m_mutex);
        m_pending += parsed.records.memoryBytes();
        m_peak = std::max(m_peak, m_pending);
        m_parsed[i].push_back(std::move(parsed));
        m_done[i] = last;
        m_changed.notify_all();
        // the head waits only for the merger to take what it gave, so parsing and merging overlap
        while (m_pending >= m_limit && !(i == m_head && m_parsed[i].empty()) && !stop())
            m_room.wait_for(lock, std::chrono::milliseconds(100)); // the cancel flag notifies no one
    }

    // Merging side: the next records of file `i`, or nothing once it is done and drained; `idle`
    // is called while it waits.
    std::optional<Parsed> next(std::size_t i, const std::function<void()>& idle)
    {
        std::unique_lock lock(m_mutex);
        while (m_parsed[i].empty() && !m_done[i]) {
            m_changed.wait_for(lock, std::chrono::milliseconds(100));
            lock.unlock();
            idle();
            lock.lock();
        }
        if (m_parsed[i].empty())
            return std::nullopt;
        Parsed parsed = std::move(m_parsed[i].front());
        m_parsed[i].pop_front();
        m_room.notify_all();
        return parsed;
    }

    // Records taken with next() are merged (or dropped): their `bytes` are free.
    void release(std::size_t bytes)
    {
        std::lock_guard lock(m_mutex);
        m_pending -= bytes;
        m_room.notify_all();
    }

    // File `i` is merged; the merge waits for the next one.
    void advance(std::size_t i)
    {
        std::lock_guard lock(m_mutex);
        m_head = i + 1;
        m_room.notify_all();
    }

    std::size_t peakBytes()
    {
        std::lock_guard lock(m_mutex);
        return m_peak;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed; // records queued: the merger looks
    std::condition_variable m_room;    // records taken or merged, the head moved: waiting parsers look
    std::vector<std::deque<Parsed>> m_parsed;
    std::vector<bool> m_done;
    std::size_t m_head = 0;
    std::size_t m_pending = 0; // bytes of records queued or being merged
    std::size_t m_peak = 0;
    const std::size_t m_limit;
};

// Reads the file from the reader's position to its end, in blocks, feeding the reader; `parsed`
// is called with the bytes consumed after each block, while the records sit in the reader's sink.
bool readIncrement(const std::string& path, formats::Reader& reader, ReadMode mode, const std::atomic<bool>* cancel,
                   std::string& head, std::string& tail, const std::function<void(std::size_t)>& parsed)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st {};
    const std::uint64_t size = ::fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
    std::vector<char> buffer;
    std::size_t filled = 0;
    std::uint64_t offset = reader.position();
    bool ok = true;
    while (!(cancel && cancel->load(std::memory_order_relaxed))) {
        // Blocks of kBlock, but no larger than what the file holds (a little more, should it have
        // grown): the buffer is zero-filled as it grows, and faulting in 16 MB for every small
        // file, or for every few lines of a followed one, took longer than parsing them.
        const std::uint64_t at = offset + filled;
        const auto want = static_cast<std::size_t>(std::clamp<std::uint64_t>(size > at ? size - at : 0, kMinRead, kBlock));
        if (buffer.size() < filled + want)
            buffer.resize(filled + want);
        const ssize_t n = ::pread(fd, buffer.data() + filled, want, static_cast<off_t>(at));
        if (n < 0) {
            ok = false;
            break;
        }
        filled += static_cast<std::size_t>(n);
        const bool eof = n == 0 || static_cast<std::size_t>(n) < want;
        // The head grows with every read that reaches into the first kHeadBytes, not only the first.
        if (head.size() >= offset && head.size() < kHeadBytes && head.size() < offset + filled)
            head.append(buffer.data() + (head.size() - offset), std::min<std::uint64_t>(kHeadBytes, offset + filled) - head.size());
        const std::size_t used = reader.feed(std::string_view(buffer.data(), filled), eof && mode == ReadMode::Snapshot);
        std::memmove(buffer.data(), buffer.data() + used, filled - used);
        filled -= used;
        offset += used;
        parsed(used);
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
        f->start = f->reader->position();
        work.push_back(f.get());
        struct stat st {};
        if (::stat(f->info.path.c_str(), &st) == 0)
            progress.bytesTotal += static_cast<std::uint64_t>(st.st_size) -
                                   std::min<std::uint64_t>(f->reader->position(), static_cast<std::uint64_t>(st.st_size));
    }
    std::atomic<std::uint64_t> bytesDone{0};
    std::atomic<std::size_t> next{0};
    const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
    const auto threadCount = static_cast<std::size_t>(std::min<std::size_t>(m_options.threads ? m_options.threads : hardware, work.size()));
    Pipeline pipeline(work.size(), m_options.readAheadBytes ? m_options.readAheadBytes : std::max<std::size_t>(threadCount, 1) * kReadAheadPerThread);
    const std::function<bool()> cancelled = [&] { return m_options.cancel && m_options.cancel->load(); };
    auto worker = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < work.size();) {
            TrackedFile& f = *work[i];
            const bool ok = readIncrement(f.info.path, *f.reader, m_options.mode, m_options.cancel, f.head, f.tail, [&](std::size_t used) {
                bytesDone.fetch_add(used, std::memory_order_relaxed);
                const std::uint64_t left = f.size - std::min(f.size, f.reader->position());
                const double more = used ? static_cast<double>(left) / static_cast<double>(used) : 0.0;
                pipeline.handOver(i, {f.batch.takeRecords(), more}, false, cancelled);
            });
            if (ok && f.start == 0 && f.reader->position() == 0 && f.head.empty() && m_options.mode == ReadMode::Snapshot && !cancelled())
                f.batch.onWarning(formats::Warning{f.info.path, formats::Warning::Where::Offset, 0, "empty file: no records"});
            f.failed = !ok; // seen by the merger once handOver() marked the file done
            pipeline.handOver(i, {f.batch.takeRecords(), 0.0}, true, cancelled);
        }
    };
    std::vector<std::jthread> threads;
    for (std::size_t t = 0; t < threadCount; ++t)
        threads.emplace_back(worker);
    // Progress a few times a second, from this thread.
    auto lastProgress = std::chrono::steady_clock::now();
    const std::function<void()> tick = [&] {
        const auto now = std::chrono::steady_clock::now();
        if (!m_options.progress || now - lastProgress < kProgressInterval)
            return;
        lastProgress = now;
        progress.bytesDone = std::min(bytesDone.load(), progress.bytesTotal);
        m_options.progress(progress);
    };
    // Merge on this thread, in file order, each block's records as soon as they are parsed. After
    // a cancel the file being merged is merged as far as its parser got; the files after it are
    // dropped whole.
    for (std::size_t i = 0; i < work.size(); ++i) {
        TrackedFile& f = *work[i];
        const bool drop = cancelled();
        if (!drop && rereadRuns.erase(f.info.run))
            clearRun(f.info.run);
        while (std::optional<Pipeline::Parsed> parsed = pipeline.next(i, tick)) {
            const std::size_t bytes = parsed->records.memoryBytes();
            if (!drop)
                report.newPoints += parsed->records.mergeInto(m_store, f.info.run, f.info.path, report.warnings, parsed->expectedMore);
            parsed.reset();
            pipeline.release(bytes);
            tick();
        }
        pipeline.advance(i);
        if (drop) {
            f.reader->restart(); // read it whole next time; the restart rule keeps the store right
            f.head.clear();
            f.tail.clear();
            f.seen = false;
            continue;
        }
        if (f.failed)
            report.warnings.push_back(formats::Warning{f.info.path, formats::Warning::Where::Offset, f.reader->position(),
                                                       std::string("read error: ") + std::strerror(errno)});
        // Read whole or in bulk, its series grew while the records came in: the spare room goes
        // back. A followed file's few new records leave it for the next ones.
        if (f.start == 0 || f.reader->position() - f.start >= kBlock)
            f.batch.shrinkSeries(m_store, f.info.run);
        ++report.filesRead;
    }
    threads.clear();
    report.cancelled = cancelled();
    report.peakReadAheadBytes = pipeline.peakBytes();
#ifdef __GLIBC__
    // The parse buffers just merged went back to malloc's arenas, in pages between the store's
    // columns that glibc keeps: without this, resident memory after a large load stayed at 35-38
    // bytes per point where the store holds 24 (measured with tests/bench/scale.sh).
    if (report.newPoints >= kTrimAfterPoints)
        ::malloc_trim(0);
#endif
    if (m_options.progress) {
        progress.bytesDone = std::min(bytesDone.load(), progress.bytesTotal);
        m_options.progress(progress);
    }
    return report;
}

} // namespace losslens
