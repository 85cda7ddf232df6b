// losslens-cli with the live protocol on 127.0.0.1: demo-train --connect streams a run whose total
// loss falls; serve exits 0 on SIGTERM with everything written; and a recorder killed with
// SIGKILL at an arbitrary moment has lost no record that a sync acknowledged.

#include "core/live/live_client.h"
#include "core/live/live_server.h"
#include "core/live/protocol.h"
#include "core/live/recorder.h"
#include "live_test_client.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <numeric>
#include <thread>

#include <signal.h>

using namespace losslens;
using namespace losslens::live;

namespace {

// Starts `losslens-cli serve` on a free loopback port; returns the port (0 on failure).
quint16 startServe(QProcess& serve, const QString& dir)
{
    serve.start(LOSSLENS_CLI, {"serve", "--listen", "127.0.0.1:0", "--out", dir});
    if (!serve.waitForReadyRead(10000))
        return 0;
    const QByteArray line = serve.readLine(); // "listening on 127.0.0.1:PORT, recording into DIR"
    const qsizetype colon = line.indexOf(':');
    return static_cast<quint16>(line.mid(colon + 1, line.indexOf(',') - colon - 1).toUInt());
}

double mean(const std::vector<double>& v, std::size_t from, std::size_t n)
{
    return std::accumulate(v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(from + n), 0.0) /
           static_cast<double>(n);
}

} // namespace

class TestLiveCli : public QObject {
    Q_OBJECT

private slots:
    void demoTrainStreamsFallingLoss();
    void serveStopsOnSigterm();
    void sigkillLosesNoSyncedRecord();
};

void TestLiveCli::demoTrainStreamsFallingLoss()
{
    QTemporaryDir dir;
    ServerOptions options;
    options.address.port = 0;
    options.outDir = dir.path();
    LiveServer server(options);
    QVERIFY(server.start());
    QProcess demo;
    demo.start(LOSSLENS_CLI, {"demo-train", "--connect", QString("127.0.0.1:%1").arg(server.port()), "--steps", "600",
                              "--run", "demo-test"});
    QVERIFY(demo.waitForFinished(60000));
    QCOMPARE(demo.exitCode(), 0); // it exits 0 only after the server confirmed every step
    server.stop();

    LineParser parser;
    std::vector<double> total;
    for (const std::string& line : test::fileLines(Recorder(dir.path().toStdString()).fileOf("demo-test"))) {
        Record r;
        QCOMPARE(parser.parseRecord(line, r), std::string());
        QCOMPARE(r.step, static_cast<std::int64_t>(total.size() + 1));
        for (const Scalar& s : r.scalars)
            if (s.tag == "total_loss") {
                QCOMPARE(s.role, std::optional<Role>(Role::Total));
                total.push_back(s.value);
            }
    }
    QCOMPARE(total.size(), std::size_t{600});
    // The demo trains: the last 100 steps' mean total is well below the first 100 steps'.
    const double first = mean(total, 0, 100), last = mean(total, 500, 100);
    QVERIFY2(last < 0.7 * first, qPrintable(QString("first %1, last %2").arg(first).arg(last)));
}

void TestLiveCli::serveStopsOnSigterm()
{
    QTemporaryDir dir;
    QProcess serve;
    const quint16 port = startServe(serve, dir.path());
    QVERIFY(port != 0);
    test::RawClient client(port);
    std::string stream;
    for (int i = 0; i < 1000; ++i)
        appendRecord(stream, {"term", i, 1.0, {{"loss", 1.0 / (i + 1), std::nullopt}}});
    QVERIFY(client.send(stream + R"({"bad":)" "\n"));
    QVERIFY(!client.readLine().empty()); // the error for the bad line: everything before it was read
    ::kill(static_cast<pid_t>(serve.processId()), SIGTERM);
    QVERIFY(serve.waitForFinished(30000));
    QCOMPARE(serve.exitStatus(), QProcess::NormalExit);
    QCOMPARE(serve.exitCode(), 0);
    QVERIFY(serve.readAllStandardError().contains("1000 records"));
    QCOMPARE(test::fileLines(Recorder(dir.path().toStdString()).fileOf("term")).size(), std::size_t{1000});
}

void TestLiveCli::sigkillLosesNoSyncedRecord()
{
    QTemporaryDir dir;
    QProcess serve;
    const quint16 port = startServe(serve, dir.path());
    QVERIFY(port != 0);
    std::atomic<std::int64_t> acknowledged{0};
    std::atomic<bool> stop{false};
    std::thread sender([&] {
        LiveClient client({.host = "127.0.0.1", .port = port, .run = "killed", .timeoutMs = 2000});
        // Bounded: at most 2000 batches; the kill below ends it much sooner.
        for (std::int64_t batch = 0; batch < 2000 && !stop; ++batch) {
            for (std::int64_t i = 0; i < 50; ++i)
                client.send(Record{"", batch * 50 + i, 1.0, {{"loss", 0.5, std::nullopt}}});
            if (!client.sync(2000))
                break;
            acknowledged = (batch + 1) * 50;
        }
    });
    QTRY_VERIFY_WITH_TIMEOUT(acknowledged >= 500, 30000); // each waits for fdatasync: slow when the disk is busy
    ::kill(static_cast<pid_t>(serve.processId()), SIGKILL);
    QVERIFY(serve.waitForFinished(10000));
    stop = true;
    sender.join();
    const std::int64_t safe = acknowledged;
    const auto lines = test::fileLines(Recorder(dir.path().toStdString()).fileOf("killed"));
    QVERIFY2(static_cast<std::int64_t>(lines.size()) >= safe,
             qPrintable(QString("%1 acknowledged, %2 on disk").arg(safe).arg(lines.size())));
    LineParser parser;
    for (std::int64_t i = 0; i < safe; ++i) {
        Record r;
        QCOMPARE(parser.parseRecord(lines[static_cast<std::size_t>(i)], r), std::string());
        QCOMPARE(r.step, i);
    }
}

QTEST_GUILESS_MAIN(TestLiveCli)
#include "tst_live_cli.moc"
