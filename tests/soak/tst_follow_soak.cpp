// Tailing soak: a writer changes a logdir the way training jobs do while a LogLoader in Follow
// mode keeps a RunStore up to date, calling update() at random moments in between. Each run
// folder holds one format (tfevents, CSV, JSON lines) and the writer, at random:
// - appends records, sometimes leaving the last one half-written until the next append;
// - truncates the current file in place and writes it again from its first step;
// - rewrites it Lightning-style (a new file renamed over the old name, sometimes with one more
//   CSV column);
// - rotates: starts a new file in the same folder, continuing or resuming from an earlier step.
// At the end of each round the followed store must equal a fresh Snapshot load of the final files:
// the same runs, tags, steps, wall times and values (NaN equal to NaN).
//
// Knobs: LOSSLENS_SOAK_ROUNDS (default 12), LOSSLENS_SOAK_OPS (operations per round, 80),
// LOSSLENS_SOAK_SEED. A failure names the round's seed.

#include "core/formats/event_writer.h"
#include "core/runs/log_loader.h"
#include "soak_config.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstdio>
#include <string>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include <fcntl.h>
#include <unistd.h>

using namespace losslens;
namespace fs = std::filesystem;

namespace {

enum class Kind { TfEvents, Csv, JsonLines };

/// One run folder and the file its job writes now.
class FollowedWriter {
public:
    FollowedWriter(Kind kind, fs::path dir, std::mt19937_64& random) : m_kind(kind), m_dir(std::move(dir)), m_random(random)
    {
        fs::create_directories(m_dir);
        startFile(0);
    }

    /// What it did, for the trace (LOSSLENS_SOAK_TRACE=1).
    std::string randomOperation()
    {
        const auto p = m_random() % 100;
        if (p < 70)
            append(1 + m_random() % 50);
        else if (p < 80)
            truncateAndRewrite();
        else if (p < 90)
            replace();
        else
            rotate();
        return (p < 70 ? "append to " : p < 80 ? "truncate " : p < 90 ? "replace " : "rotate to ") + m_current.filename().string() +
               " (steps " + std::to_string(m_firstStep) + ".." + std::to_string(m_nextStep) + ")";
    }
    /// Truncating leaves the file empty until rewritten; the loader may look in between.
    bool wantsUpdateMidway() const { return m_midway; }
    void finishMidway()
    {
        if (std::exchange(m_midway, false))
            writeFrom(m_firstStep, 1 + m_random() % 80);
    }
    /// Writes the held-back end of a half-written record.
    void completeRecord() { appendBytes(std::exchange(m_heldBack, {})); }

private:
    void append(std::size_t records)
    {
        std::string bytes = std::exchange(m_heldBack, {});
        for (std::size_t i = 0; i < records; ++i)
            bytes += record(m_nextStep++);
        if (m_random() % 3 == 0) { // hold back part of the last record
            const std::size_t keep = 1 + m_random() % 20;
            m_heldBack = bytes.substr(bytes.size() - std::min(keep, bytes.size() - 1));
            bytes.resize(bytes.size() - m_heldBack.size());
        }
        appendBytes(bytes);
    }

    void truncateAndRewrite()
    {
        m_heldBack.clear();
        QVERIFY(::truncate(m_current.c_str(), 0) == 0);
        m_midway = m_random() % 2 == 0;
        if (!m_midway)
            writeFrom(m_firstStep, 1 + m_random() % 80);
    }

    // Lightning: the whole file written again under a temporary name and renamed over it.
    void replace()
    {
        m_heldBack.clear();
        if (m_kind == Kind::Csv && m_random() % 2 == 0)
            ++m_extraColumns;
        const fs::path final = m_current;
        m_current = m_dir / "rewrite.tmp";
        writeFrom(m_firstStep, 1 + m_random() % 80, true);
        fs::rename(m_current, final);
        m_current = final;
    }

    void rotate()
    {
        completeRecord();
        const bool resume = m_random() % 2 == 0 && m_nextStep > m_firstStep;
        startFile(resume ? m_firstStep + static_cast<std::int64_t>(m_random() % static_cast<std::uint64_t>(m_nextStep - m_firstStep))
                         : m_nextStep);
    }

    void startFile(std::int64_t firstStep)
    {
        ++m_files;
        char name[64];
        switch (m_kind) {
        case Kind::TfEvents: std::snprintf(name, sizeof name, "events.out.tfevents.%d.soak.1.v2", 1700000000 + m_files); break;
        case Kind::Csv: std::snprintf(name, sizeof name, "metrics-%03d.csv", m_files); break;
        case Kind::JsonLines: std::snprintf(name, sizeof name, "metrics-%03d.jsonl", m_files); break;
        }
        m_current = m_dir / name;
        writeFrom(firstStep, m_random() % 40, true);
    }

    // The file becomes a header and `records` records from `step` on.
    void writeFrom(std::int64_t step, std::size_t records, bool create = false)
    {
        m_firstStep = step;
        m_nextStep = step;
        std::string bytes = header();
        for (std::size_t i = 0; i < records; ++i)
            bytes += record(m_nextStep++);
        if (create)
            fs::remove(m_current);
        appendBytes(bytes);
    }

    std::string header() const
    {
        switch (m_kind) {
        case Kind::TfEvents: return formats::events::frameRecord(formats::events::fileVersionEvent(1.7e9));
        case Kind::Csv: {
            std::string h = "step,loss_a,loss_b";
            for (int c = 0; c < m_extraColumns; ++c)
                h += ",extra_" + std::to_string(c);
            return h + "\n";
        }
        case Kind::JsonLines: return {};
        }
        return {};
    }

    std::string record(std::int64_t step)
    {
        const double a = static_cast<double>(m_random() % 100000) / 1024, b = static_cast<double>(m_random() % 7) - 3;
        const double wall = 1.7e9 + static_cast<double>(step) * 0.5;
        char text[256];
        switch (m_kind) {
        case Kind::TfEvents:
            return formats::events::frameRecord(formats::events::summaryEvent(
                wall, step, {formats::events::simpleValue("loss/a", static_cast<float>(a)), formats::events::simpleValue("loss/b", static_cast<float>(b))}));
        case Kind::Csv: {
            std::snprintf(text, sizeof text, "%lld,%.17g,%.17g", static_cast<long long>(step), a, b);
            std::string row = text;
            for (int c = 0; c < m_extraColumns; ++c)
                row += (step + c) % 3 == 0 ? "," : "," + std::to_string(c * step); // sparse, as Lightning writes
            return row + "\n";
        }
        case Kind::JsonLines:
            std::snprintf(text, sizeof text, R"({"step":%lld,"wall_time":%.17g,"loss_a":%.17g,"loss_b":%.17g})" "\n",
                          static_cast<long long>(step), wall, a, b);
            return text;
        }
        return {};
    }

    void appendBytes(std::string_view bytes)
    {
        const int fd = ::open(m_current.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        QVERIFY(fd >= 0);
        QVERIFY(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
        ::close(fd);
    }

    Kind m_kind;
    fs::path m_dir;
    std::mt19937_64& m_random;
    fs::path m_current;
    std::int64_t m_firstStep = 0;
    std::int64_t m_nextStep = 0;
    std::string m_heldBack;
    int m_files = 0;
    int m_extraColumns = 0;
    bool m_midway = false;
};

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// Empty when equal, else the first difference.
std::string difference(const RunStore& followed, const RunStore& fresh)
{
    if (followed.runs().size() != fresh.runs().size())
        return "runs: " + std::to_string(followed.runs().size()) + " followed, " + std::to_string(fresh.runs().size()) + " fresh";
    for (const auto& run : fresh.runs()) {
        const Run* other = followed.findRun(run->name());
        if (!other)
            return "run " + run->name() + " not followed";
        if (other->allSeries().size() != run->allSeries().size())
            return "run " + run->name() + ": " + std::to_string(other->allSeries().size()) + " series followed, " +
                   std::to_string(run->allSeries().size()) + " fresh";
        for (const auto& series : run->allSeries()) {
            const Series* s = other->find(series->tag());
            const std::string where = run->name() + "/" + series->tag();
            if (!s)
                return where + " not followed";
            if (s->size() != series->size())
                return where + ": " + std::to_string(s->size()) + " points followed, " + std::to_string(series->size()) + " fresh";
            for (std::size_t i = 0; i < s->size(); ++i)
                if (s->steps()[i] != series->steps()[i] || !same(s->values()[i], series->values()[i]) ||
                    !same(s->wallTimes()[i], series->wallTimes()[i]))
                    return where + ": point " + std::to_string(i) + " differs (step " + std::to_string(s->steps()[i]) +
                           " followed, " + std::to_string(series->steps()[i]) + " fresh)";
        }
    }
    return {};
}

} // namespace

class TestFollowSoak : public QObject {
    Q_OBJECT

private slots:
    void followedEqualsFreshLoad();
    void rewriteInPlaceWithTheSameHead();
    void rewriteBeyondTheHead();
    void rewriteStartingAtTheLastStep();
    void rewriteKeepsOtherFilesPoints();
};

void TestFollowSoak::followedEqualsFreshLoad()
{
    const auto rounds = soak::envInt("LOSSLENS_SOAK_ROUNDS", 12);
    const auto operations = soak::envInt("LOSSLENS_SOAK_OPS", 80);
    soak::announce("follow", std::to_string(rounds) + " rounds of " + std::to_string(operations) + " operations");
    for (std::int64_t round = 0; round < rounds; ++round) {
        const std::uint64_t seed = soak::seed() + static_cast<std::uint64_t>(round);
        std::mt19937_64 random(seed);
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        std::vector<std::unique_ptr<FollowedWriter>> writers;
        writers.push_back(std::make_unique<FollowedWriter>(Kind::TfEvents, root / "tb", random));
        writers.push_back(std::make_unique<FollowedWriter>(Kind::Csv, root / "csv", random));
        writers.push_back(std::make_unique<FollowedWriter>(Kind::JsonLines, root / "jsonl", random));

        RunStore followed;
        LogLoader follower(followed, {.mode = ReadMode::Follow, .threads = 2});
        QVERIFY(follower.addPath(root.string()));
        const bool trace = soak::envInt("LOSSLENS_SOAK_TRACE", 0) != 0;
        for (std::int64_t op = 0; op < operations; ++op) {
            FollowedWriter& w = *writers[random() % writers.size()];
            const std::string did = w.randomOperation();
            const bool midway = w.wantsUpdateMidway() && random() % 2 == 0;
            if (midway)
                follower.update();
            w.finishMidway();
            const bool update = random() % 2 == 0;
            if (update)
                follower.update();
            if (trace)
                std::printf("%lld: %s%s%s\n", static_cast<long long>(op), did.c_str(), midway ? ", update midway" : "",
                            update ? ", update" : "");
        }
        for (auto& w : writers)
            w->completeRecord();
        follower.update();

        RunStore fresh;
        LogLoader loader(fresh, {.mode = ReadMode::Snapshot, .threads = 2});
        QVERIFY(loader.addPath(root.string()));
        loader.update();
        const std::string diff = difference(followed, fresh);
        QVERIFY2(diff.empty(), qPrintable(QString("round %1 (LOSSLENS_SOAK_SEED=%2 LOSSLENS_SOAK_ROUNDS=1): %3")
                                              .arg(round).arg(seed).arg(QString::fromStdString(diff))));
    }
}

namespace {

void writeFile(const fs::path& path, std::string_view bytes, bool append = false)
{
    std::ofstream(path, append ? std::ios::app | std::ios::binary : std::ios::trunc | std::ios::binary) << bytes;
}

// Follows `root` through `steps` (each changes the files, then the follower updates) and
// compares with a fresh load.
std::string followThenCompare(const fs::path& root, const std::vector<std::function<void()>>& steps)
{
    RunStore followed;
    LogLoader follower(followed, {.mode = ReadMode::Follow, .threads = 1});
    follower.addPath(root.string());
    for (const auto& step : steps) {
        step();
        follower.update();
    }
    RunStore fresh;
    LogLoader loader(fresh, {.mode = ReadMode::Snapshot, .threads = 1});
    loader.addPath(root.string());
    loader.update();
    return difference(followed, fresh);
}

} // namespace

// Regression: a CSV file first read as its header alone, then grown, then truncated and written
// again longer, looked unchanged (same first bytes, no shrink seen): the follower read on from
// the old position, in the middle of the new rows.
void TestFollowSoak::rewriteInPlaceWithTheSameHead()
{
    QTemporaryDir dir;
    const fs::path file = fs::path(dir.path().toStdString()) / "run" / "metrics.csv";
    fs::create_directories(file.parent_path());
    const std::string diff = followThenCompare(file.parent_path().parent_path(), {
        [&] { writeFile(file, "step,loss\n"); },
        [&] { writeFile(file, "0,1.5\n1,1.25\n2,1.125\n", true); },
        [&] { writeFile(file, "step,loss\n0,9.5\n1,9.25\n2,9.125\n3,9.0625\n"); },
    });
    QVERIFY2(diff.empty(), diff.c_str());
}

// A rewrite that keeps the first 4 KiB (the head the loader compares) but changes what follows:
// the last bytes read before the position tell.
void TestFollowSoak::rewriteBeyondTheHead()
{
    QTemporaryDir dir;
    const fs::path file = fs::path(dir.path().toStdString()) / "run" / "metrics.csv";
    fs::create_directories(file.parent_path());
    const auto rows = [](int from, int to, const char* value) {
        std::string text;
        for (int i = from; i < to; ++i)
            text += std::to_string(i) + "," + value + "\n";
        return text;
    };
    const std::string diff = followThenCompare(file.parent_path().parent_path(), {
        [&] { writeFile(file, "step,loss\n" + rows(0, 1000, "1.5")); },
        [&] { writeFile(file, "step,loss\n" + rows(0, 700, "1.5") + rows(700, 1200, "2.5")); },
    });
    QVERIFY2(diff.empty(), diff.c_str());
}

// Regression: a file rewritten from the step it ended at (one row at step 5, then rows 5 and 6)
// kept the old step-5 point beside the new one: equal steps do not trigger the restart rule.
void TestFollowSoak::rewriteStartingAtTheLastStep()
{
    QTemporaryDir dir;
    const fs::path file = fs::path(dir.path().toStdString()) / "run" / "metrics.jsonl";
    fs::create_directories(file.parent_path());
    const std::string diff = followThenCompare(file.parent_path().parent_path(), {
        [&] { writeFile(file, R"({"step":5,"loss":1})" "\n"); },
        [&] {
            writeFile(file.string() + ".tmp", R"({"step":5,"loss":2})" "\n" R"({"step":6,"loss":3})" "\n");
            fs::rename(file.string() + ".tmp", file);
        },
    });
    QVERIFY2(diff.empty(), diff.c_str());
}

// Regression: rewriting the newer of two files of a run, from a step the older one also logged,
// dropped the older file's point at that step (the restart rule cut from that step on).
void TestFollowSoak::rewriteKeepsOtherFilesPoints()
{
    QTemporaryDir dir;
    const fs::path run = fs::path(dir.path().toStdString()) / "run";
    fs::create_directories(run);
    const std::string diff = followThenCompare(run.parent_path(), {
        [&] {
            writeFile(run / "a.jsonl", R"({"step":5,"loss":1})" "\n");
            writeFile(run / "b.jsonl", R"({"step":5,"loss":2})" "\n" R"({"step":6,"loss":3})" "\n");
        },
        [&] { writeFile(run / "b.jsonl", R"({"step":5,"loss":4})" "\n"); },
    });
    QVERIFY2(diff.empty(), diff.c_str());
}

QTEST_GUILESS_MAIN(TestFollowSoak)
#include "tst_follow_soak.moc"
