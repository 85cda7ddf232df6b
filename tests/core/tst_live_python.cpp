// resources/clients/losslens_client.py against the real server, run by Debian's /usr/bin/python3
// (skipped where it is absent): records arrive exactly, NaN/Infinity survive, the client buffers
// while no server listens and reconnects, and nothing it meets raises into the training loop.

#include "core/live/live_server.h"
#include "core/live/protocol.h"
#include "core/live/recorder.h"
#include "live_test_client.h"

#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace losslens;
using namespace losslens::live;

namespace {

constexpr const char* kPython = "/usr/bin/python3";

// Starts the script with the client's folder on sys.path; PORT is its first argument.
void startPython(QProcess& p, const char* script, quint16 port)
{
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.start(kPython, {"-c", QString("import sys; sys.path.insert(0, '%1')\n").arg(LOSSLENS_CLIENTS_DIR) + script,
                      QString::number(port)});
}

ServerOptions options(const QString& dir, quint16 port = 0)
{
    ServerOptions o;
    o.address.port = port;
    o.outDir = dir;
    return o;
}

} // namespace

class TestLivePython : public QObject {
    Q_OBJECT

private slots:
    void init();
    void streamsExactly();
    void buffersUntilServerStarts();
};

void TestLivePython::init()
{
    if (!QFileInfo::exists(kPython))
        QSKIP("Debian's /usr/bin/python3 is not installed");
}

void TestLivePython::streamsExactly()
{
    QTemporaryDir dir;
    LiveServer server(options(dir.path()));
    QVERIFY(server.start());
    QProcess python;
    startPython(python, R"(
from losslens_client import LossLensClient
import sys
with LossLensClient("py-run", "127.0.0.1", int(sys.argv[1])) as lens:
    for step in range(300):
        lens.log(step, {"loss/a": step * 0.25, "loss/nan": float("nan"), "total_loss": float("-inf")},
                 roles={"loss/a": "component", "total_loss": "total", "x": "bogus"}, wall_time=1000 + step)
    assert lens.log(300, {"bad": object()}) is False     # never raises
    assert lens.sync(10), "sync not confirmed"
    print(lens.dropped)
)",
                server.port());
    QVERIFY(python.waitForFinished(30000));
    QCOMPARE(python.exitCode(), 0);
    QCOMPARE(python.readAllStandardOutput().trimmed(), QByteArray("1"));
    server.stop();

    const auto lines = test::fileLines(Recorder(dir.path().toStdString()).fileOf("py-run"));
    QCOMPARE(lines.size(), std::size_t{300});
    LineParser parser;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        Record r;
        QCOMPARE(parser.parseRecord(lines[i], r), std::string());
        QCOMPARE(r.step, static_cast<std::int64_t>(i));
        QCOMPARE(r.wallTime, 1000.0 + static_cast<double>(i));
        QCOMPARE(r.scalars.size(), std::size_t{3});
        QCOMPARE(r.scalars[0].value, static_cast<double>(i) * 0.25);
        QCOMPARE(r.scalars[0].role, std::optional<Role>(Role::Component));
        QVERIFY(std::isnan(r.scalars[1].value));
        QCOMPARE(r.scalars[2].value, -INFINITY);
    }
}

void TestLivePython::buffersUntilServerStarts()
{
    QTemporaryDir dir;
    quint16 port = 0;
    { // find a free loopback port, then free it again
        LiveServer probe(options(dir.path()));
        QVERIFY(probe.start());
        port = probe.port();
    }
    QProcess python;
    startPython(python, R"(
from losslens_client import LossLensClient
import sys
lens = LossLensClient("late", "127.0.0.1", int(sys.argv[1]))
for step in range(50):
    lens.log(step, {"loss": 1.0 / (step + 1)})
print("logged", flush=True)
sys.stdin.readline()                 # the test starts the server now
ok = lens.sync(20)
lens.close()
print("synced" if ok else "not synced", flush=True)
)",
                port);
    QVERIFY(python.waitForReadyRead(20000));
    QCOMPARE(python.readLine().trimmed(), QByteArray("logged"));
    LiveServer server(options(dir.path(), port));
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    python.write("go\n");
    QVERIFY(python.waitForFinished(40000));
    QCOMPARE(python.exitCode(), 0);
    QCOMPARE(python.readAllStandardOutput().trimmed(), QByteArray("synced"));
    server.stop();
    QCOMPARE(test::fileLines(Recorder(dir.path().toStdString()).fileOf("late")).size(), std::size_t{50});
}

QTEST_GUILESS_MAIN(TestLivePython)
#include "tst_live_python.moc"
