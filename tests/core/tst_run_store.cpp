// The run store: columnar series, the restart rule, roles and their overrides, logdir scanning,
// parallel loading with progress and cancellation, and following files while they are written.

#include "log_records.h"
#include "printers.h"
#include "test_timing.h"

#include "core/formats/event_writer.h"
#include "core/runs/log_loader.h"
#include "core/runs/logdir_scan.h"
#include "core/runs/role_overrides.h"
#include "core/runs/run_store.h"
#include "core/runs/run_summary.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <limits>
#include <thread>

using namespace losslens;
using namespace losslens::formats;

namespace {

QList<qint64> stepsOf(const Series& s) { return QList<qint64>(s.steps().begin(), s.steps().end()); }

void writeText(const QString& path, const QByteArray& text)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
}

// Calls `hook` on every append, on the merging thread (to hold a merge back, or to cancel one).
struct HookObserver : RunStoreObserver {
    explicit HookObserver(std::function<void()> f) : hook(std::move(f)) {}
    void pointsAppended(const Run&, const Series&, std::size_t) override { hook(); }
    std::function<void()> hook;
};

struct CountingObserver : RunStoreObserver {
    void runAdded(const Run&) override { ++runs; }
    void pointsAppended(const Run&, const Series& s, std::size_t firstChanged) override
    {
        ++calls;
        lastFirstChanged = firstChanged;
        lastSize = s.size();
    }
    void roleChanged(const Run&, const Series&) override { ++roles; }
    int runs = 0;
    int calls = 0;
    int roles = 0;
    std::size_t lastFirstChanged = 0;
    std::size_t lastSize = 0;
};

} // namespace

class TestRunStore : public QObject {
    Q_OBJECT
private slots:
    void restartRule_data();
    void restartRule();
    void memoryIs20BytesPerPoint();
    void stepColumnWidensOnlyWhenItMust();
    void observersHearAppends();
    void derivedSeriesAreReplacedInPlace();
    void loggedTagReplacesADerivedOne();
    void inferRole_data();
    void inferRole();
    void roleOverridesPersist();
    void logdirScanNamesRuns();
    void loaderMergesRunsInNameOrder();
    void loaderKeepsOpenedFoldersApart();
    void loaderProgressAndCancel();
    void loaderBoundsReadAhead_data();
    void loaderBoundsReadAhead();
    void loaderCancelKeepsWhatWasMerged();
    void loaderLeavesNoSpareCapacity();
    void followsGrowingFile();
    void followsTruncatedAndRewrittenFiles();
    void summaryShares();
};

void TestRunStore::restartRule_data()
{
    QTest::addColumn<QList<qint64>>("appended");
    QTest::addColumn<QList<qint64>>("kept");
    QTest::newRow("monotonic") << QList<qint64>{1, 2, 3} << QList<qint64>{1, 2, 3};
    QTest::newRow("equal steps kept") << QList<qint64>{1, 2, 2, 3} << QList<qint64>{1, 2, 2, 3};
    // TensorBoard's EventAccumulator purge: a step < the last one drops every point with step >= it
    QTest::newRow("restart") << QList<qint64>{1, 2, 3, 4, 2, 3} << QList<qint64>{1, 2, 3};
    QTest::newRow("restart to start") << QList<qint64>{5, 6, 0, 1} << QList<qint64>{0, 1};
    QTest::newRow("two restarts") << QList<qint64>{1, 5, 3, 9, 2} << QList<qint64>{1, 2};
    // steps kept as 32-bit offsets from the first one, or as int64 when a step lies further away
    constexpr qint64 kMin = std::numeric_limits<qint64>::min(), kMax = std::numeric_limits<qint64>::max();
    QTest::newRow("negative steps") << QList<qint64>{-7, -3, 0, 4} << QList<qint64>{-7, -3, 0, 4};
    QTest::newRow("offsets up to 2^32-1") << QList<qint64>{-1, 4294967294} << QList<qint64>{-1, 4294967294};
    QTest::newRow("2^32 away") << QList<qint64>{-1, 2, 4294967295} << QList<qint64>{-1, 2, 4294967295};
    QTest::newRow("int64 extremes") << QList<qint64>{kMin, 0, kMax} << QList<qint64>{kMin, 0, kMax};
    QTest::newRow("nanosecond timestamps") << QList<qint64>{1765000000000000000, 1765000000123456789}
                                           << QList<qint64>{1765000000000000000, 1765000000123456789};
    QTest::newRow("wide, then a restart") << QList<qint64>{0, 1LL << 40, 5, 6} << QList<qint64>{0, 5, 6};
    QTest::newRow("wide, then a restart below all") << QList<qint64>{10, 1LL << 40, -3, -2} << QList<qint64>{-3, -2};
}

void TestRunStore::restartRule()
{
    QFETCH(QList<qint64>, appended);
    QFETCH(QList<qint64>, kept);
    Series one("loss", Role::Total);
    std::vector<std::int64_t> steps;
    std::vector<double> values;
    for (qint64 s : appended) {
        one.append(s, 0.0, static_cast<double>(s) * 10.0 + static_cast<double>(steps.size()));
        steps.push_back(s);
        values.push_back(static_cast<double>(s) * 10.0 + static_cast<double>(values.size()));
    }
    QCOMPARE(stepsOf(one), kept);
    Series bulk("loss", Role::Total);
    const std::vector<double> walls(steps.size(), 0.0);
    bulk.append(steps, walls, values);
    QCOMPARE(stepsOf(bulk), kept);
    QVERIFY(std::equal(one.values().begin(), one.values().end(), bulk.values().begin(), bulk.values().end()));
    QCOMPARE(one.values().back(), values.back()); // the newest point survives
}

void TestRunStore::memoryIs20BytesPerPoint()
{
    RunStore store;
    Run& run = store.run("r");
    Series& s = store.series(run, "loss");
    Series& far = store.series(run, "timestamped");
    for (std::int64_t i = 0; i < 100000; ++i) {
        s.append(i, 1.0, 0.5);
        far.append(i << 20, 1.0, 0.5); // a step range past 2^32: int64 steps
    }
    store.shrinkToFit();
    QCOMPARE(store.pointCount(), 200000u);
    QCOMPARE(s.memoryBytes(), 100000u * 20u);
    QCOMPARE(far.memoryBytes(), 100000u * 24u);
    QCOMPARE(store.memoryBytes(), 100000u * 44u);
}

void TestRunStore::stepColumnWidensOnlyWhenItMust()
{
    StepColumn c;
    for (std::int64_t step : {100LL, 100LL, 4294967395LL}) // 2^32 - 1 above the first
        c.push_back(step);
    QVERIFY(!c.wide());
    QCOMPARE(c.memoryBytes(), c.capacity() * sizeof(std::uint32_t));
    const std::vector<std::int64_t> more{4294967396, 4294967397};
    c.append(more);
    QVERIFY(c.wide());
    const std::vector<std::int64_t> all{100, 100, 4294967395, 4294967396, 4294967397};
    QVERIFY(c.view() == Steps(all));
    QCOMPARE(std::vector<std::int64_t>(c.view().begin(), c.view().end()), all);
    QCOMPARE(c.view().subspan(3).front(), 4294967396);
    c.truncate(0);
    QVERIFY(!c.wide()); // empty: the next first step is a new base
    c.push_back(-5);
    QVERIFY(!c.wide());
    QCOMPARE(c.back(), -5);

    // a view's iterators outlive the view (std::lower_bound on series.steps() returns one)
    const auto it = std::lower_bound(c.view().begin(), c.view().end(), -5);
    QCOMPARE(*it, -5);
    // the same steps compare equal whatever their storage
    StepColumn narrow;
    narrow.append(std::vector<std::int64_t>{1, 2, 3});
    QVERIFY(narrow.view() == Steps(std::vector<std::int64_t>{1, 2, 3}));
    QVERIFY(!(narrow.view() == Steps(std::vector<std::int64_t>{1, 2, 4})));
    QVERIFY(!(narrow.view() == narrow.view().subspan(1)));
}

void TestRunStore::observersHearAppends()
{
    RunStore store;
    CountingObserver o;
    store.addObserver(&o);
    Run& run = store.run("r");
    Series& s = store.series(run, "loss");
    store.append(run, s, 1, 0, 1);
    store.append(run, s, 2, 0, 1);
    QCOMPARE(o.runs, 1);
    QCOMPARE(o.calls, 2);
    QCOMPARE(o.lastFirstChanged, 1u);
    store.append(run, s, 0, 0, 1); // restart: everything replaced
    QCOMPARE(o.lastFirstChanged, 0u);
    store.setRole("", "loss", Role::Component);
    QCOMPARE(o.roles, 1);
    QCOMPARE(s.role(), Role::Component);
    QVERIFY(s.roleOverridden());
    store.removeObserver(&o);
    store.append(run, s, 5, 0, 1);
    QCOMPARE(o.calls, 3);
}

void TestRunStore::derivedSeriesAreReplacedInPlace()
{
    RunStore store;
    Run& run = store.run("r");
    store.append(run, store.series(run, "loss_a"), 1, 0, 1.0);
    CountingObserver o;
    store.addObserver(&o);
    Series first("ratio", Role::Other);
    first.append(1, 0, 0.5);
    QVERIFY(store.putDerived(run, std::move(first)));
    Series* stored = run.find("ratio");
    QVERIFY(stored && stored->derived());
    QCOMPARE(o.calls, 1);

    Series second("ratio", Role::Component); // recomputed, with a new role: same object, new points
    second.append(1, 0, 0.25);
    second.append(2, 0, 0.75);
    QVERIFY(store.putDerived(run, std::move(second)));
    QCOMPARE(run.find("ratio"), stored);
    QCOMPARE(stepsOf(*stored), (QList<qint64>{1, 2}));
    QCOMPARE(stored->values()[1], 0.75);
    QCOMPARE(stored->role(), Role::Component);
    QCOMPARE(o.lastFirstChanged, std::size_t{0});

    QVERIFY(!store.putDerived(run, Series("loss_a", Role::Other))); // never over a logged series
    QVERIFY(!run.find("loss_a")->derived());
    QCOMPARE(store.removeDerived("loss_a"), std::size_t{0});
    QCOMPARE(store.removeDerived("ratio"), std::size_t{1});
    QVERIFY(!run.find("ratio"));
    QCOMPARE(run.allSeries().size(), std::size_t{1});
    store.removeObserver(&o);
}

void TestRunStore::loggedTagReplacesADerivedOne()
{
    RunStore store;
    Run& run = store.run("r");
    Series derived("late_tag", Role::Other);
    derived.append(1, 0, 9.0);
    QVERIFY(store.putDerived(run, std::move(derived)));
    Series& logged = store.series(run, "late_tag"); // the log now writes that tag
    QVERIFY(!logged.derived());
    QVERIFY(logged.empty());
    QCOMPARE(run.find("late_tag"), &logged);
    QCOMPARE(run.allSeries().size(), std::size_t{1});
}

void TestRunStore::inferRole_data()
{
    QTest::addColumn<QString>("tag");
    QTest::addColumn<Role>("role");
    QTest::newRow("total_loss") << "total_loss" << Role::Total;
    QTest::newRow("loss") << "loss" << Role::Total;
    QTest::newRow("train/loss") << "train/loss" << Role::Total;
    QTest::newRow("keras epoch_loss") << "epoch_loss" << Role::Total;
    QTest::newRow("lightning train_loss_step") << "train_loss_step" << Role::Total;
    QTest::newRow("val_loss") << "val_loss" << Role::Total;
    QTest::newRow("regularization_loss") << "regularization_loss" << Role::Regularization;
    QTest::newRow("reg_loss") << "reg_loss" << Role::Regularization;
    QTest::newRow("l2/trunk") << "l2/trunk" << Role::Regularization;
    QTest::newRow("weight_decay") << "weight_decay" << Role::Regularization;
    QTest::newRow("loss_cls") << "loss_cls" << Role::Component;
    QTest::newRow("train/box_loss") << "train/box_loss" << Role::Component;
    QTest::newRow("loss/depth") << "loss/depth" << Role::Component;
    QTest::newRow("losses/scene") << "losses/scene" << Role::Component;
    QTest::newRow("dynamics_loss_epoch") << "dynamics_loss_epoch" << Role::Component;
    QTest::newRow("lr") << "lr" << Role::Other;
    QTest::newRow("epoch_accuracy") << "epoch_accuracy" << Role::Other;
    QTest::newRow("metrics/mAP_0.5") << "metrics/mAP_0.5" << Role::Other;
}

void TestRunStore::inferRole()
{
    QFETCH(QString, tag);
    QFETCH(Role, role);
    QCOMPARE(losslens::inferRole(tag.toStdString()), role);
}

void TestRunStore::roleOverridesPersist()
{
    QTemporaryDir dir;
    writeText(dir.filePath("a/metrics.csv"), "step,scene/xent,lr\n1,0.5,0.1\n");
    RoleOverrides saved;
    saved.set("", "scene/xent", Role::Component);
    saved.set("a", "lr", Role::Regularization);
    const std::string file = dir.filePath(QString::fromUtf8(RoleOverrides::kFileName.data())).toStdString();
    std::string error;
    QVERIFY2(saved.save(file, &error), error.c_str());
    RoleOverrides loaded;
    QVERIFY2(loaded.load(file, &error), error.c_str());
    QCOMPARE(loaded.toJson(), saved.toJson());
    QCOMPARE(loaded.lookup("b", "scene/xent"), std::optional<Role>(Role::Component));
    QCOMPARE(loaded.lookup("a", "lr"), std::optional<Role>(Role::Regularization));
    QCOMPARE(loaded.lookup("b", "lr"), std::nullopt);
    QVERIFY(!loaded.fromJson("{\"tags\": {\"x\": \"bogus\"}}", &error));
    QVERIFY(QString::fromStdString(error).contains("bogus"));

    RunStore store;
    LogLoader loader(store);
    QVERIFY(loader.addPath(dir.path().toStdString()));
    loader.update();
    const Run* run = store.findRun("a");
    QVERIFY(run);
    QCOMPARE(run->find("scene/xent")->role(), Role::Component);
    QCOMPARE(run->find("lr")->role(), Role::Regularization);
    QVERIFY(run->find("lr")->roleOverridden());
}

void TestRunStore::logdirScanNamesRuns()
{
    QTemporaryDir dir;
    writeText(dir.filePath("metrics.json"), "{\"step\": 1, \"a\": 1}\n");
    writeText(dir.filePath("exp1/train/events.out.tfevents.2.h"), "");
    writeText(dir.filePath("exp1/train/events.out.tfevents.1.h"), "");
    writeText(dir.filePath("exp2/results.csv"), "epoch,a\n0,1\n");
    writeText(dir.filePath("exp2/training.log"), "epoch,loss\n0,1\n");
    writeText(dir.filePath("exp2/stdout.log"), "Epoch 1: it went well\n");
    writeText(dir.filePath("exp2/hparams.yaml"), "lr: 1\n");
    writeText(dir.filePath(".hidden/metrics.csv"), "step,a\n1,1\n");
    const ScanResult scan = scanPath(dir.path().toStdString());
    QVERIFY(scan.error.empty());
    QStringList got;
    for (const LogFile& f : scan.files)
        got << QString::fromStdString(f.run) + " " + QFileInfo(QString::fromStdString(f.path)).fileName();
    // the logdir's own files form a run named after the logdir (TensorBoard would say ".")
    QStringList expected{QFileInfo(dir.path()).fileName() + " metrics.json", "exp1/train events.out.tfevents.1.h",
                         "exp1/train events.out.tfevents.2.h", "exp2 results.csv", "exp2 training.log"};
    expected.sort();
    QCOMPARE(got, expected);
    for (const LogFile& f : scanPath(dir.path().toStdString() + "/").files) // a trailing separator changes nothing
        if (f.path.ends_with("metrics.json"))
            QCOMPARE(QString::fromStdString(f.run), QFileInfo(dir.path()).fileName());
    const ScanResult single = scanPath(dir.filePath("exp2/results.csv").toStdString());
    QCOMPARE(single.files.size(), 1u);
    QCOMPARE(single.files[0].run, std::string("exp2"));
    QVERIFY(!scanPath(dir.filePath("missing").toStdString()).error.empty());
}

void TestRunStore::loaderMergesRunsInNameOrder()
{
    QTemporaryDir dir;
    QDir().mkpath(dir.filePath("run"));
    // two files of one run: the second restarts at step 2 and must supersede the first from there
    {
        EventFileWriter a(dir.filePath("run/events.out.tfevents.1.h").toStdString());
        for (int i = 0; i < 5; ++i)
            a.writeScalar("loss", i, i, 1.0);
    }
    QDir().mkpath(dir.filePath("other"));
    {
        EventFileWriter b(dir.filePath("run/events.out.tfevents.2.h").toStdString());
        for (int i = 2; i < 4; ++i)
            b.writeScalar("loss", i, 100 + i, 2.0);
        EventFileWriter c(dir.filePath("other/events.out.tfevents.1.h").toStdString());
        c.writeScalar("acc", 1, 0.5, 1.0);
    }
    RunStore store;
    LogLoader loader(store, {.threads = 2});
    QVERIFY(loader.addPath(dir.path().toStdString()));
    const LoadReport report = loader.update();
    QCOMPARE(report.filesRead, 3u);
    QCOMPARE(report.newPoints, 8u);
    QCOMPARE(store.runs().size(), 2u);
    QCOMPARE(store.runs()[0]->name(), std::string("other"));
    const Series* loss = store.findRun("run")->find("loss");
    QCOMPARE(stepsOf(*loss), (QList<qint64>{0, 1, 2, 3}));
    QCOMPARE(loss->values()[3], 103.0);
    // nothing new: nothing read
    QCOMPARE(loader.update().newPoints, 0u);
}

void TestRunStore::loaderKeepsOpenedFoldersApart()
{
    // Lightning-style: experiments with a "version_0" run each, opened as logdirs or as run folders
    QTemporaryDir dir;
    for (const char* run : {"a/version_0", "b/version_0", "c/version_0", "d/c/version_0"}) {
        QDir().mkpath(dir.filePath(run));
        writeText(dir.filePath(run) + "/metrics.csv", "step,loss\n1," + QByteArray::number(run[0]) + "\n");
    }
    RunStore store;
    LogLoader loader(store, {.threads = 1});
    for (const char* path : {"a", "b", "c/version_0", "d/c/version_0/", "d/c/version_0/metrics.csv"})
        QVERIFY(loader.addPath(dir.filePath(path).toStdString()));
    loader.update(); // the last path is a file already read through the one before: read once
    QStringList names;
    for (const auto& run : store.runs())
        names << QString::fromStdString(run->name()) + "=" + QChar(char(run->find("loss")->values()[0]));
    QCOMPARE(names, (QStringList{"b/version_0=b", "c#2/version_0=d", "c/version_0=c", "version_0=a"}));
}

void TestRunStore::loaderProgressAndCancel()
{
    QTemporaryDir dir;
    for (int f = 0; f < 4; ++f) {
        QDir().mkpath(dir.filePath(QString("r%1").arg(f)));
        EventFileWriter w(dir.filePath(QString("r%1/events.out.tfevents.1.h").arg(f)).toStdString());
        for (int i = 0; i < 20000; ++i)
            w.writeScalar("loss", i, 1.0, 1.0);
    }
    std::vector<LoadProgress> seen;
    RunStore store;
    LogLoader loader(store, {.threads = 2, .progress = [&](const LoadProgress& p) { seen.push_back(p); }});
    QVERIFY(loader.addPath(dir.path().toStdString()));
    QVERIFY(loader.update().warnings.empty());
    QVERIFY(!seen.empty());
    QCOMPARE(seen.back().bytesDone, seen.back().bytesTotal);
    QVERIFY(seen.back().bytesTotal > 4u * 20000u * 30u);
    QCOMPARE(store.pointCount(), 80000u);

    std::atomic<bool> cancel{true};
    RunStore cancelled;
    LogLoader stopped(cancelled, {.cancel = &cancel});
    QVERIFY(stopped.addPath(dir.path().toStdString()));
    QVERIFY(stopped.update().cancelled);
    QCOMPARE(cancelled.pointCount(), 0u);
    cancel = false; // a later update reads everything
    QCOMPARE(stopped.update().newPoints, 80000u);
}

void TestRunStore::loaderBoundsReadAhead_data()
{
    QTest::addColumn<std::size_t>("limit");
    QTest::newRow("1 byte: only the file being merged goes on") << std::size_t{1};
    QTest::newRow("about three files") << std::size_t{300000};
    QTest::newRow("unbounded") << std::numeric_limits<std::size_t>::max();
}

void TestRunStore::loaderBoundsReadAhead()
{
    QFETCH(std::size_t, limit);
    // 40 runs of one small file each (one block, so one batch of records per file), merged slower
    // than they are parsed: a busy observer (the GUI) holds every append back 10 ms.
    constexpr int kRuns = 40, kPoints = 4000;
    QTemporaryDir dir;
    for (int r = 0; r < kRuns; ++r) {
        const QString run = QString("r%1").arg(r, 2, 10, QChar('0'));
        QDir().mkpath(dir.filePath(run));
        EventFileWriter w(dir.filePath(run + "/events.out.tfevents.1.h").toStdString());
        for (int i = 0; i < kPoints; ++i)
            w.writeScalar("loss", i, 1.0 / (1 + i), 1.0);
    }
    RunStore store;
    HookObserver slow([] { std::this_thread::sleep_for(std::chrono::milliseconds(10 * kSanitizerSlowdown)); });
    store.addObserver(&slow);
    constexpr unsigned kThreads = 2;
    LogLoader loader(store, {.threads = kThreads, .readAheadBytes = limit});
    QVERIFY(loader.addPath(dir.path().toStdString()));
    const LoadReport report = loader.update();
    store.removeObserver(&slow);

    // every point, in order, whatever the limit
    QCOMPARE(report.newPoints, std::size_t{kRuns * kPoints});
    QCOMPARE(store.runs().size(), std::size_t{kRuns});
    for (int r = 0; r < kRuns; ++r) {
        QCOMPARE(store.runs()[static_cast<std::size_t>(r)]->name(), QString("r%1").arg(r, 2, 10, QChar('0')).toStdString());
        const Series* s = store.runs()[static_cast<std::size_t>(r)]->find("loss");
        QCOMPARE(s->size(), std::size_t{kPoints});
        QVERIFY(std::is_sorted(s->steps().begin(), s->steps().end()));
    }
    // One file's records (24 bytes a point, up to twice that with the vectors' spare capacity).
    constexpr std::size_t kFileBytes = 2 * kPoints * 24;
    if (limit != std::numeric_limits<std::size_t>::max()) {
        // the limit, plus what each parser held when it got there, plus the batch being merged
        QVERIFY2(report.peakReadAheadBytes <= limit + (kThreads + 1) * kFileBytes,
                 std::to_string(report.peakReadAheadBytes).c_str());
    } else {
        // without a limit the parsers run ahead: the check above is not vacuous
        QVERIFY2(report.peakReadAheadBytes > 3 * kFileBytes + 300000, std::to_string(report.peakReadAheadBytes).c_str());
    }
    QVERIFY(report.peakReadAheadBytes >= kPoints * 24u);
}

void TestRunStore::loaderCancelKeepsWhatWasMerged()
{
    // one file of five 16 MB blocks, cancelled as soon as the first block's records are merged;
    // the parser may not read ahead of the merge, so it stops a block or two later
    QTemporaryDir dir;
    QDir().mkpath(dir.filePath("big"));
    constexpr std::size_t kPoints = 1500000;
    {
        EventFileWriter w(dir.filePath("big/events.out.tfevents.1.h").toStdString());
        for (std::size_t i = 0; i < kPoints; ++i)
            w.writeScalar("loss", static_cast<std::int64_t>(i), 1.0, 1.0);
    }
    std::atomic<bool> cancel{false};
    RunStore store;
    HookObserver canceller([&] { cancel = true; });
    store.addObserver(&canceller);
    LogLoader loader(store, {.threads = 1, .cancel = &cancel, .readAheadBytes = 1});
    QVERIFY(loader.addPath(dir.path().toStdString()));
    const LoadReport first = loader.update();
    store.removeObserver(&canceller);
    QVERIFY(first.cancelled);
    QVERIFY(first.warnings.empty());
    QVERIFY(first.newPoints > 0);
    QVERIFY(first.newPoints < kPoints);
    QCOMPARE(store.pointCount(), first.newPoints);

    // the next update reads on from where the parser stopped: nothing twice, nothing missed
    cancel = false;
    const LoadReport second = loader.update();
    QVERIFY(!second.cancelled);
    QVERIFY(second.warnings.empty());
    QCOMPARE(second.newPoints, kPoints - first.newPoints);
    const Series* s = store.findRun("big")->find("loss");
    QCOMPARE(s->size(), kPoints);
    for (std::size_t i = 0; i < kPoints; i += 9973)
        QCOMPARE(s->steps()[i], static_cast<std::int64_t>(i));
    QCOMPARE(s->steps().back(), static_cast<std::int64_t>(kPoints - 1));
}

void TestRunStore::loaderLeavesNoSpareCapacity()
{
    // A series makes room for the rest of its file when it grows, as estimated from the block
    // just parsed: "a" fills the first 16 MB block, so it is sized for the whole file, then stops
    // ("b" takes over). What it did not use goes back when the file is done.
    QTemporaryDir dir;
    QDir().mkpath(dir.filePath("run"));
    constexpr std::size_t kPoints = 400000; // per tag: about 18 MB of events each
    {
        EventFileWriter w(dir.filePath("run/events.out.tfevents.1.h").toStdString());
        for (const char* tag : {"a", "b"})
            for (std::size_t i = 0; i < kPoints; ++i)
                w.writeScalar(tag, static_cast<std::int64_t>(i), 1.0, 1.0);
    }
    RunStore store;
    LogLoader loader(store, {.threads = 2});
    QVERIFY(loader.addPath(dir.path().toStdString()));
    QCOMPARE(loader.update().newPoints, 2 * kPoints);
    QCOMPARE(store.findRun("run")->find("a")->size(), kPoints);
    QCOMPARE(store.memoryBytes(), 2 * kPoints * 20); // steps as 32-bit offsets, wall time and value as doubles
}

void TestRunStore::followsGrowingFile()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("live/events.out.tfevents.1.h").toStdString();
    QDir().mkpath(dir.filePath("live"));
    auto writer = std::make_unique<EventFileWriter>(path);
    writer->flush();
    RunStore store;
    LogLoader loader(store, {.mode = ReadMode::Follow});
    QVERIFY(loader.addPath(dir.path().toStdString()));
    QVERIFY(loader.update().warnings.empty());

    constexpr int kPoints = 2000;
    std::thread producer([&] {
        for (int i = 0; i < kPoints; ++i) {
            writer->writeScalar("loss", i, i, 1.0);
            if (i % 50 == 0) {
                writer->flush();
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        }
        writer->flush();
    });
    std::vector<Warning> warnings;
    auto points = [&] {
        auto report = loader.update();
        warnings.insert(warnings.end(), report.warnings.begin(), report.warnings.end());
        const Run* run = store.findRun("live");
        const Series* s = run ? run->find("loss") : nullptr;
        return s ? s->size() : 0u;
    };
    QTRY_COMPARE_WITH_TIMEOUT(points(), std::size_t{kPoints}, 20000);
    producer.join();
    QVERIFY(warnings.empty()); // partial records are waited for, not reported
    const Series* s = store.findRun("live")->find("loss");
    for (int i = 0; i < kPoints; ++i)
        QCOMPARE(s->steps()[static_cast<std::size_t>(i)], i);

    // half a record, then the rest
    const std::string record = events::frameRecord(events::summaryEvent(1.0, kPoints, {events::simpleValue("loss", 1.0f)}));
    writer.reset();
    std::ofstream append(path, std::ios::binary | std::ios::app);
    append.write(record.data(), 10);
    append.flush();
    QCOMPARE(points(), std::size_t{kPoints});
    append.write(record.data() + 10, static_cast<std::streamsize>(record.size() - 10));
    append.flush();
    QCOMPARE(points(), std::size_t{kPoints + 1});
    QVERIFY(warnings.empty());
}

void TestRunStore::followsTruncatedAndRewrittenFiles()
{
    QTemporaryDir dir;
    const QString csv = dir.filePath("run/metrics.csv");
    writeText(csv, "step,a\n1,1\n2,2\n3,3\n");
    RunStore store;
    LogLoader loader(store, {.mode = ReadMode::Follow});
    QVERIFY(loader.addPath(dir.path().toStdString()));
    loader.update();
    QCOMPARE(store.findRun("run")->find("a")->size(), 3u);
    // Lightning rewrites the file with a new header when a column appears
    writeText(csv, "b,step,a\n9,1,1\n9,2,2\n9,3,3\n9,4,4\n");
    LoadReport report = loader.update();
    QCOMPARE(report.warnings.size(), 1u);
    QVERIFY(report.warnings[0].message.find("again from the start") != std::string::npos);
    QCOMPARE(stepsOf(*store.findRun("run")->find("a")), (QList<qint64>{1, 2, 3, 4}));
    QCOMPARE(store.findRun("run")->find("b")->size(), 4u);
    // truncated to a shorter file: read again, the restart rule keeps the new points
    writeText(csv, "step,a\n1,10\n");
    report = loader.update();
    QCOMPARE(report.warnings.size(), 1u);
    QCOMPARE(stepsOf(*store.findRun("run")->find("a")), (QList<qint64>{1}));
    QCOMPARE(store.findRun("run")->find("a")->values()[0], 10.0);
}

void TestRunStore::summaryShares()
{
    RunStore store;
    Run& run = store.run("r");
    // components 0.6 and 0.3, regularization 0.1, total 1.0 at the last step
    for (auto [tag, v0, v1] : {std::tuple{"loss_cls", 0.9, 0.6}, {"loss_box", 0.2, 0.3}, {"reg_loss", 0.1, 0.1}, {"total_loss", 1.2, 1.0},
                               {"lr", 0.1, 0.1}}) {
        Series& s = store.series(run, tag);
        s.append(10, 0, v0);
        s.append(20, 0, v1);
    }
    const RunSummary summary = summarizeRun(run);
    QCOMPARE(summary.totalTag, std::string("total_loss"));
    QCOMPARE(summary.referenceStep, 20);
    QCOMPARE(summary.tags.size(), 4u); // lr is not a loss
    QCOMPARE(summary.tags[0].tag, std::string("loss_cls"));
    QCOMPARE(*summary.tags[0].share, 0.6);
    QCOMPARE(summary.tags[1].min, 0.2);
    QCOMPARE(summary.tags[1].minStep, 10);
    QCOMPARE(*summary.tags[3].share, 1.0);
}

QTEST_GUILESS_MAIN(TestRunStore)
#include "tst_run_store.moc"
