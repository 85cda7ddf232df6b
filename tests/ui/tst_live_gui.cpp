// The viewer's live mode, offscreen, on 127.0.0.1: a stream shows up in the LogSession's store,
// reloads stay at or under 25 a second however fast records come, previous live runs reopen on
// start, and the demo streams into the session it runs in.

#include "core/live/live_client.h"
#include "ui/live_session.h"
#include "ui/log_session.h"

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
    void reopensPreviousRuns();
    void demoStreamsIntoItself();
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
