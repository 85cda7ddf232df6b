// The viewer's live mode, offscreen, on 127.0.0.1: a stream shows up in the LogSession's store,
// reloads stay at or under 25 a second however fast records come, previous live runs reopen on
// start, and the demo streams into the session it runs in.

#include "core/live/live_client.h"
#include "ui/live_session.h"
#include "ui/log_session.h"
#include "ui/plot_builder.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <thread>

using namespace losslens;
using losslens::ui::LiveOptions;
using losslens::ui::LiveSession;
using losslens::ui::LogSession;

namespace {

LiveOptions loopback(const QString& dir)
{
    LiveOptions o;
    o.address.port = 0; // 127.0.0.1, a free port
    o.directory = dir;
    return o;
}

std::size_t points(const LogSession& session, const char* run, const char* tag)
{
    if (session.loading())
        return 0;
    const Run* r = session.store().findRun(run);
    const Series* s = r ? r->find(tag) : nullptr;
    return s ? s->size() : 0;
}

} // namespace

class TestLiveGui : public QObject {
    Q_OBJECT

private slots:
    void showsAStream();
    void reloadsAtMost25PerSecond();
    void growingCachesEqualAFreshStart();
    void reopensPreviousRuns();
    void demoStreamsIntoItself();
    void demoStartsOver();
};

void TestLiveGui::showsAStream()
{
    QTemporaryDir dir;
    LogSession session;
    LiveSession live(session);
    QSignalSpy state(&live, &LiveSession::stateChanged);
    QString error;
    QVERIFY2(live.start(loopback(dir.path()), &error), qPrintable(error));
    QVERIFY(state.count() >= 1);
    QVERIFY(state.last().at(1).toString().startsWith("127.0.0.1:"));

    live::LiveClient client({.host = "127.0.0.1", .port = live.port(), .run = "gui-run"});
    for (int step = 1; step <= 200; ++step)
        client.send(live::Record{"", step, 1.0, {{"loss/a", 1.0 / step, Role::Component}, {"total_loss", 2.0 / step, Role::Total}}});
    QVERIFY(client.sync());
    QTRY_COMPARE_WITH_TIMEOUT(points(session, "gui-run", "loss/a"), std::size_t{200}, 10000);
    const Series* total = session.store().findRun("gui-run")->find("total_loss");
    QCOMPARE(total->role(), Role::Total);
    QCOMPARE(total->values().back(), 2.0 / 200);
}

void TestLiveGui::reloadsAtMost25PerSecond()
{
    QTemporaryDir dir;
    LogSession session;
    LiveSession live(session);
    QVERIFY(live.start(loopback(dir.path())));
    QSignalSpy refreshed(&live, &LiveSession::refreshed);
    std::atomic<int> sent{0};
    const auto start = std::chrono::steady_clock::now();
    std::thread sender([&, port = live.port()] {
        live::LiveClient client({.host = "127.0.0.1", .port = port, .run = "fast", .sendThreshold = 0});
        // 1 s of records as fast as one client goes, each sent at once: a worst case for redraws.
        for (int step = 0; step < 200000 && std::chrono::steady_clock::now() - start < std::chrono::seconds(1); ++step) {
            client.send(live::Record{"", step, 1.0, {{"loss", 1.0, std::nullopt}}});
            sent = step + 1;
        }
        client.sync();
    });
    QTest::qWait(1000);
    sender.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    QTRY_COMPARE_WITH_TIMEOUT(points(session, "fast", "loss"), static_cast<std::size_t>(sent.load()), 20000);
    QVERIFY(sent > 100);
    QVERIFY2(static_cast<double>(refreshed.count()) <= 25 * seconds + 1, qPrintable(QString("%1 reloads in %2 s").arg(refreshed.count()).arg(seconds)));
}

// A live series is smoothed, summarised and decimated from where the last redraw stopped; after
// growth in chunks and a restart (steps going back), that gives exactly what a fresh start gives.
void TestLiveGui::growingCachesEqualAFreshStart()
{
    QTemporaryDir dir;
    LogSession session;
    LiveSession live(session);
    QVERIFY(live.start(loopback(dir.path())));
    ui::Selection selection;
    selection.runs = {"grow"};
    selection.tags = {"loss/a"};
    const ui::ViewSettings settings; // EMA 0.6, raw curve shown
    ui::PlotBuilder grown(session.store());
    int loads = 0;
    connect(&session, &LogSession::loaded, this, [&] { // what the window does on every load
        for (const auto& [series, first] : session.takeChanges())
            grown.seriesChanged(series, first);
        grown.build(selection, settings, std::nullopt, 300);
        grown.summary(selection);
        ++loads;
    });
    live::LiveClient client({.host = "127.0.0.1", .port = live.port(), .run = "grow"});
    const auto send = [&](int from, int to) {
        for (int step = from; step < to; ++step) // constant at first: its smoothing starts late
            client.send(live::Record{"", step, 1.0, {{"loss/a", step < 100 ? 0.5 : 1.0 / (1 + step / 300.0) + 0.1 * std::sin(step), Role::Component}}});
        QVERIFY(client.sync());
    };
    for (int chunk = 0; chunk < 6; ++chunk) {
        send(chunk * 500, chunk * 500 + 500);
        QTest::qWait(60);
    }
    QTRY_COMPARE_WITH_TIMEOUT(points(session, "grow", "loss/a"), std::size_t{3000}, 10000);
    send(2000, 4000); // a restart at step 2000 replaces the points from there on
    QTRY_COMPARE_WITH_TIMEOUT(points(session, "grow", "loss/a"), std::size_t{4000}, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!session.loading(), 5000);
    QVERIFY(loads >= 3);

    ui::PlotBuilder fresh(session.store());
    const auto a = grown.build(selection, settings, std::nullopt, 300).curves, b = fresh.build(selection, settings, std::nullopt, 300).curves;
    QCOMPARE(a.size(), 2);
    QCOMPARE(a.size(), b.size());
    for (qsizetype i = 0; i < a.size(); ++i)
        QCOMPARE(a[i].points, b[i].points);
    const auto sa = grown.summary(selection).value(0).stats, sb = fresh.summary(selection).value(0).stats;
    QCOMPARE(sa.points, std::size_t{4000});
    QCOMPARE(sa.points, sb.points);
    QCOMPARE(sa.best, sb.best);
    QCOMPARE(sa.bestStep, sb.bestStep);
    QCOMPARE(sa.last, sb.last);
    QCOMPARE(sa.meanLast10, sb.meanLast10);
}

void TestLiveGui::reopensPreviousRuns()
{
    QTemporaryDir dir;
    {
        LogSession session;
        LiveSession live(session);
        QVERIFY(live.start(loopback(dir.path())));
        live::LiveClient client({.host = "127.0.0.1", .port = live.port(), .run = "earlier"});
        client.send(live::Record{"", 1, 1.0, {{"loss", 0.5, std::nullopt}}});
        QVERIFY(client.sync());
    }
    LogSession session;
    LiveSession live(session);
    QVERIFY(live.start(loopback(dir.path())));
    QTRY_COMPARE_WITH_TIMEOUT(points(session, "earlier", "loss"), std::size_t{1}, 10000);
}

// Each --demo deletes the earlier demo recordings (its own runs only) before the folder reopens.
void TestLiveGui::demoStartsOver()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QStringList runs{"demo", "demo-20261129-120000", "demo-gui", "mtl-seed0", "demo-2026"};
    for (const QString& r : runs) {
        QVERIFY(QDir(dir.path()).mkpath(r));
        QFile f(QDir(dir.path()).filePath(r + "/live.jsonl"));
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    LiveSession::removeDemoRecordings(dir.path());
    QCOMPARE(QDir(dir.path()).entryList(QDir::Dirs | QDir::NoDotAndDotDot), (QStringList{"demo-2026", "demo-gui", "mtl-seed0"}));
}

void TestLiveGui::demoStreamsIntoItself()
{
    QTemporaryDir dir;
    LogSession session;
    LiveSession live(session);
    QVERIFY(live.start(loopback(dir.path())));
    live.startDemo(300, 0, "demo-gui");
    QTRY_COMPARE_WITH_TIMEOUT(points(session, "demo-gui", "total_loss"), std::size_t{300}, 20000);
    const Series* total = session.store().findRun("demo-gui")->find("total_loss");
    QVERIFY(total->values().back() < total->values().front());
}

QTEST_MAIN(TestLiveGui)
#include "tst_live_gui.moc"
