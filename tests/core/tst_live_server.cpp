// The live server and recorder on 127.0.0.1: concurrent clients mixing valid and invalid lines,
// the files holding exactly the accepted records, syncs answered only after their data is in the
// file, and every kind of bad input answered while the server keeps running.

#include "core/live/live_server.h"
#include "core/live/protocol.h"
#include "core/live/recorder.h"
#include "live_test_client.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QScopeGuard>
#include <QTest>

#include <algorithm>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <sys/resource.h>

using namespace losslens;
using namespace losslens::live;
using losslens::live::test::fileLines;
using losslens::live::test::RawClient;

namespace {

std::string record(std::string_view run, std::int64_t step, double a)
{
    std::string line;
    appendRecord(line, {std::string(run), step, static_cast<double>(step % 1000),
                        {{"loss/a", a, Role::Component}, {"total_loss", 2 * a, std::nullopt}}});
    return line;
}

ServerOptions loopback(const QString& dir, int maxConnections = 64, const QString& token = {})
{
    ServerOptions o;
    o.address.port = 0; // 127.0.0.1, any free port
    o.outDir = dir;
    o.maxConnections = maxConnections;
    o.token = token;
    return o;
}

// What one concurrent client sent and what it must find.
struct ClientPlan {
    std::string run;
    std::vector<std::string> accepted;       // canonical lines, in order
    std::vector<std::uint64_t> badLineNumbers;
    std::string stream;                      // every byte it sends
    std::vector<std::pair<std::string, std::size_t>> syncs; // id, records accepted before it
};

ClientPlan makePlan(int k, int lines)
{
    ClientPlan p;
    p.run = "run-" + std::to_string(k % 3); // clients k and k+3 share a run, so a file
    std::uint64_t number = 0;
    for (int i = 0; i < lines; ++i) {
        ++number;
        switch (i % 8) {
        case 5: p.stream += R"({"run":"x","step":1,"scalars":{"a":1})" "\n"; break;                  // malformed
        case 6: p.stream += R"({"run":"x","step":"1","scalars":{"a":1}})" "\n"; break;               // wrong type
        case 7: p.stream += std::string("\x00\xff\xfe junk \x01", 10) + "\n"; break;                 // binary junk
        default: {
            const std::string line = record(p.run, k * 100000 + i, i % 16 == 1 ? std::nan("") : i * 0.5);
            p.stream += line;
            p.accepted.push_back(line.substr(0, line.size() - 1));
            continue;
        }
        }
        p.badLineNumbers.push_back(number);
        if (i % 40 == 39) {
            const std::string id = std::to_string(k) + "-" + std::to_string(i);
            p.stream += syncLine(id);
            ++number;
            p.syncs.push_back({id, p.accepted.size()});
        }
    }
    return p;
}

} // namespace

class TestLiveServer : public QObject {
    Q_OBJECT

private slots:
    void concurrentClientsMixedLines();
    void halfLineDoesNotBlockOthers();
    void disconnectMidLine();
    void overLongLine();
    void connectionLimit();
    void token();
    void nonLoopbackNeedsToken();
    void stopWritesEverything();
    void recorderIsolatesTornLine();
    void recorderCapsOpenFiles();
    void manyRunNamesUnderLowFileLimit();
    void unreadRepliesPauseReading();
    void runDirectoryNames_data();
    void runDirectoryNames();
};

void TestLiveServer::concurrentClientsMixedLines()
{
    QTemporaryDir dir;
    LiveServer server(loopback(dir.path()));
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    Recorder paths(dir.path().toStdString());

    constexpr int kClients = 6;
    std::vector<ClientPlan> plans;
    for (int k = 0; k < kClients; ++k)
        plans.push_back(makePlan(k, 240));
    std::mutex mutex;
    std::vector<std::string> failures;
    const auto fail = [&](std::string why) {
        std::lock_guard lock(mutex);
        failures.push_back(std::move(why));
    };
    std::vector<std::vector<std::uint64_t>> errorLines(kClients);

    std::vector<std::thread> threads;
    for (int k = 0; k < kClients; ++k) {
        threads.emplace_back([&, k] {
            const ClientPlan& plan = plans[static_cast<std::size_t>(k)];
            RawClient client(server.port());
            if (!client.ok())
                return fail("cannot connect");
            std::mt19937 random(static_cast<unsigned>(k));
            std::size_t sent = 0;
            for (const auto& [id, acceptedBefore] : plan.syncs) {
                const std::size_t syncEnd = plan.stream.find(syncLine(id)) + syncLine(id).size();
                while (sent < syncEnd) { // random chunk sizes: lines arrive split anywhere
                    const std::size_t n = std::min<std::size_t>(syncEnd - sent, 1 + random() % 300);
                    client.send(std::string_view(plan.stream).substr(sent, n));
                    sent += n;
                }
                for (;;) {
                    const std::string line = client.readLine();
                    const Reply r = parseReply(line);
                    if (r.kind == Reply::Kind::Error) {
                        errorLines[static_cast<std::size_t>(k)].push_back(r.line);
                        continue;
                    }
                    if (r.kind != Reply::Kind::Synced || r.syncId != id)
                        return fail("expected synced " + id + ", got '" + line + "'");
                    if (r.records != acceptedBefore)
                        return fail("sync " + id + " counted " + std::to_string(r.records));
                    break;
                }
                // Answered, so everything before it must already be in the file.
                const auto onDisk = fileLines(paths.fileOf(plan.run));
                const std::set<std::string> present(onDisk.begin(), onDisk.end());
                for (std::size_t i = 0; i < acceptedBefore; ++i)
                    if (!present.count(plan.accepted[i]))
                        return fail("sync " + id + " answered before its record " + std::to_string(i) + " was written");
            }
            client.send(std::string_view(plan.stream).substr(sent));
        });
    }
    for (auto& t : threads)
        t.join();
    QVERIFY2(failures.empty(), failures.empty() ? "" : failures.front().c_str());
    server.stop();

    std::size_t accepted = 0, bad = 0;
    for (int k = 0; k < kClients; ++k) {
        const ClientPlan& plan = plans[static_cast<std::size_t>(k)];
        // The file holds exactly the accepted records of every client writing to it, each
        // client's in the order sent.
        std::vector<std::string> mine;
        for (const std::string& line : fileLines(paths.fileOf(plan.run))) {
            Record r;
            LineParser parser;
            QCOMPARE(parser.parseRecord(line, r), std::string());
            if (r.step / 100000 == k)
                mine.push_back(line);
        }
        QCOMPARE(mine, plan.accepted);
        // The last line is a sync, so every bad line got its error back, with its line number.
        QCOMPARE(errorLines[static_cast<std::size_t>(k)], plan.badLineNumbers);
        accepted += plan.accepted.size();
        bad += plan.badLineNumbers.size();
    }
    std::size_t total = 0;
    for (int run = 0; run < 3; ++run)
        total += fileLines(paths.fileOf("run-" + std::to_string(run))).size();
    QCOMPARE(total, accepted);
    const ServerStats stats = server.stats();
    QCOMPARE(stats.records, accepted);
    QCOMPARE(stats.scalars, 2 * accepted);
    QCOMPARE(stats.badLines, bad);
    QCOMPARE(stats.connections, quint64{kClients});
}

void TestLiveServer::halfLineDoesNotBlockOthers()
{
    QTemporaryDir dir;
    LiveServer server(loopback(dir.path()));
    QVERIFY(server.start());
    RawClient slow(server.port());
    RawClient fast(server.port());
    const std::string line = record("slow", 1, 1.0);
    QVERIFY(slow.send(line.substr(0, 20)));
    QVERIFY(fast.send(record("fast", 1, 1.0) + record("fast", 2, 2.0) + syncLine("f")));
    QCOMPARE(fast.readLine(2000), std::string(R"({"synced":"f","records":2})"));
    QVERIFY(slow.send(line.substr(20) + syncLine("s")));
    QCOMPARE(slow.readLine(2000), std::string(R"({"synced":"s","records":1})"));
}

void TestLiveServer::disconnectMidLine()
{
    QTemporaryDir dir;
    LiveServer server(loopback(dir.path()));
    QVERIFY(server.start());
    {
        RawClient client(server.port());
        QVERIFY(client.send(record("cut", 1, 1.0) + R"({"run":"cut","step":2,"scal)"));
    }
    QTRY_COMPARE_WITH_TIMEOUT(server.stats().partialLines, quint64{1}, 5000);
    server.stop();
    QCOMPARE(fileLines(Recorder(dir.path().toStdString()).fileOf("cut")).size(), std::size_t{1});
    QCOMPARE(server.stats().records, quint64{1});
}

void TestLiveServer::overLongLine()
{
    QTemporaryDir dir;
    LiveServer server(loopback(dir.path()));
    QVERIFY(server.start());
    RawClient client(server.port());
    std::string huge = R"({"run":"big","step":1,"scalars":{"a":1},"pad":")" + std::string(kMaxLineBytes, 'x') + "\"}\n";
    QVERIFY(client.send(huge + record("big", 2, 1.0) + syncLine("after")));
    const Reply error = parseReply(client.readLine());
    QCOMPARE(error.kind, Reply::Kind::Error);
    QCOMPARE(error.line, std::uint64_t{1});
    QVERIFY(error.message.find("1 MiB") != std::string::npos);
    QCOMPARE(client.readLine(), std::string(R"({"synced":"after","records":1})"));
    QCOMPARE(server.stats().overLongLines, quint64{1});
}

void TestLiveServer::connectionLimit()
{
    QTemporaryDir dir;
    LiveServer server(loopback(dir.path(), 2));
    QVERIFY(server.start());
    RawClient a(server.port());
    RawClient b(server.port());
    QTRY_COMPARE_WITH_TIMEOUT(server.stats().open, 2, 5000);
    RawClient c(server.port());
    const Reply refused = parseReply(c.readLine());
    QCOMPARE(refused.kind, Reply::Kind::Refused);
    QVERIFY(refused.message.find("too many connections") != std::string::npos);
    QVERIFY(c.closedByServer());
    a.close();
    QTRY_COMPARE_WITH_TIMEOUT(server.stats().open, 1, 5000);
    RawClient d(server.port()); // the server keeps serving once a slot is free
    QVERIFY(d.send(record("d", 1, 1.0) + syncLine("d")));
    QCOMPARE(d.readLine(), std::string(R"({"synced":"d","records":1})"));
    QCOMPARE(server.stats().refused, quint64{1});
}

void TestLiveServer::token()
{
    QTemporaryDir dir;
    LiveServer server(loopback(dir.path(), 8, "s3cret"));
    QVERIFY(server.start());
    RawClient none(server.port());
    QVERIFY(none.send(record("t", 1, 1.0)));
    Reply r = parseReply(none.readLine());
    QCOMPARE(r.kind, Reply::Kind::Refused);
    QVERIFY(r.message.find("requires a token") != std::string::npos);
    QVERIFY(none.closedByServer());

    RawClient wrong(server.port());
    QVERIFY(wrong.send(helloLine("t", "guess") + record("t", 2, 1.0)));
    r = parseReply(wrong.readLine());
    QCOMPARE(r.kind, Reply::Kind::Refused);
    QCOMPARE(r.message, std::string("wrong token"));

    RawClient right(server.port());
    QVERIFY(right.send(helloLine("t", "s3cret") + R"({"step":3,"scalars":{"a":1}})" "\n" + syncLine("ok")));
    QCOMPARE(right.readLine(), std::string(R"({"synced":"ok","records":1})"));
    server.stop();
    const auto lines = fileLines(Recorder(dir.path().toStdString()).fileOf("t"));
    QCOMPARE(lines.size(), std::size_t{1}); // the refused clients' records never reached the file
    QVERIFY(lines[0].find("\"step\":3") != std::string::npos);
}

void TestLiveServer::nonLoopbackNeedsToken()
{
    QTemporaryDir dir;
    ServerOptions o = loopback(dir.path());
    QVERIFY(ListenAddress::parse("0.0.0.0:6464", o.address));
    QVERIFY(!o.address.isLoopback());
    LiveServer server(o);
    QString error;
    QVERIFY(!server.start(&error)); // refused before binding anything
    QVERIFY(error.contains("requires a token"));
    QVERIFY(ListenAddress::parse("[::1]:0", o.address));
    QVERIFY(o.address.isLoopback());
    QVERIFY(ListenAddress::parse("localhost:7", o.address));
    QCOMPARE(o.address.toString(), QString("127.0.0.1:7"));
    QVERIFY(!ListenAddress::parse("host.example:1", o.address, &error));
    QVERIFY(!ListenAddress::parse("127.0.0.1:70000", o.address, &error));
}

void TestLiveServer::stopWritesEverything()
{
    QTemporaryDir dir;
    LiveServer server(loopback(dir.path()));
    QVERIFY(server.start());
    RawClient client(server.port());
    std::string stream;
    for (int i = 0; i < 500; ++i)
        stream += record("stop", i, i);
    QVERIFY(client.send(stream));
    QTRY_COMPARE_WITH_TIMEOUT(server.stats().records, quint64{500}, 5000);
    server.stop();
    QCOMPARE(fileLines(Recorder(dir.path().toStdString()).fileOf("stop")).size(), std::size_t{500});
}

void TestLiveServer::recorderIsolatesTornLine()
{
    QTemporaryDir dir;
    const std::string line = record("torn", 2, 1.0);
    {
        Recorder recorder(dir.path().toStdString());
        recorder.append("torn", record("torn", 1, 1.0));
        QVERIFY(recorder.sync());
    }
    {
        // A recorder killed mid-write leaves half a line behind.
        std::ofstream(Recorder(dir.path().toStdString()).fileOf("torn"), std::ios::app) << R"({"run":"torn","st)";
        Recorder recorder(dir.path().toStdString());
        recorder.append("torn", line);
        QVERIFY(recorder.sync());
    }
    const auto lines = fileLines(Recorder(dir.path().toStdString()).fileOf("torn"));
    QCOMPARE(lines.size(), std::size_t{3});
    QCOMPARE(lines[1], std::string(R"({"run":"torn","st)"));
    QCOMPARE(lines[2] + "\n", line);
}

void TestLiveServer::recorderCapsOpenFiles()
{
    // More runs than descriptors: the least recently used file is closed and later reopened for
    // append, and the per-folder state is dropped once closed, so neither fds nor memory grow.
    QTemporaryDir dir;
    constexpr int kRuns = 40;
    std::vector<std::vector<std::string>> expected(kRuns);
    {
        Recorder recorder(dir.path().toStdString(), 4);
        std::mt19937 random(7);
        for (int i = 0; i < 2000; ++i) {
            const int run = static_cast<int>(random() % kRuns);
            const std::string name = "lru-" + std::to_string(run);
            const std::string line = record(name, i, 0.5 * i);
            recorder.append(name, line);
            expected[static_cast<std::size_t>(run)].push_back(line.substr(0, line.size() - 1));
            if (i % 7 == 0)
                QVERIFY(recorder.write());
            QVERIFY(recorder.openFiles() <= 4);
            if (i % 100 == 99) {
                QVERIFY(recorder.sync());
                QVERIFY2(recorder.trackedFiles() <= 4, qPrintable(QString::number(recorder.trackedFiles())));
            }
        }
    }
    for (int run = 0; run < kRuns; ++run)
        QCOMPARE(fileLines(Recorder(dir.path().toStdString()).fileOf("lru-" + std::to_string(run))),
                 expected[static_cast<std::size_t>(run)]);
}

// Regression: every run name kept its file open, so a client inventing run names made the
// server fail with EMFILE ("cannot open …: Too many open files") and stop recording.
void TestLiveServer::manyRunNamesUnderLowFileLimit()
{
    rlimit saved {};
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &saved), 0);
    rlimit low = saved;
    low.rlim_cur = std::min<rlim_t>(saved.rlim_cur, 128);
    QCOMPARE(::setrlimit(RLIMIT_NOFILE, &low), 0);
    const auto restore = qScopeGuard([&] { ::setrlimit(RLIMIT_NOFILE, &saved); });

    QTemporaryDir dir;
    LiveServer server(loopback(dir.path()));
    QSignalSpy failures(&server, &LiveServer::writeFailed);
    QVERIFY(server.start());
    RawClient client(server.port());
    constexpr int kRuns = 600;
    std::string stream;
    for (int i = 0; i < kRuns; ++i)
        stream += record("many-" + std::to_string(i), i, 1.0);
    QVERIFY(client.send(stream + syncLine("all")));
    QCOMPARE(client.readLine(20000), std::string(R"({"synced":"all","records":600})"));
    QVERIFY(client.send(record("many-0", kRuns, 2.0) + syncLine("again")));
    QCOMPARE(client.readLine(20000), std::string(R"({"synced":"again","records":601})"));
    server.stop();
    QCOMPARE(failures.count(), 0);
    const Recorder paths(dir.path().toStdString());
    QCOMPARE(fileLines(paths.fileOf("many-0")).size(), std::size_t{2});
    for (int i = 1; i < kRuns; ++i)
        QCOMPARE(fileLines(paths.fileOf("many-" + std::to_string(i))).size(), std::size_t{1});
}

// Regression: sync answers were always queued, so a client sending syncs without ever reading
// the answers grew the server's memory without bound (about 30 bytes kept per 12 bytes sent).
// Now the server stops reading that connection while its replies pile up.
void TestLiveServer::unreadRepliesPauseReading()
{
    QTemporaryDir dir;
    LiveServer server(loopback(dir.path()));
    QVERIFY(server.start());
    RawClient client(server.port());
    constexpr int kSyncs = 1'000'000;
    std::thread sender([&] {
        std::string syncs;
        for (int i = 0; i < kSyncs; ++i)
            syncs += "{\"sync\":" + std::to_string(i) + "}\n";
        client.send(syncs); // blocks once the server stops reading, until the replies are read
    });
    QTest::qWait(1500);
    const quint64 answeredUnread = server.stats().syncs;
    QVERIFY2(answeredUnread < kSyncs / 2, qPrintable(QString("%1 answers queued for a client that reads none").arg(answeredUnread)));
    int answers = 0;
    while (answers < kSyncs && parseReply(client.readLine(10000)).kind == Reply::Kind::Synced)
        ++answers;
    sender.join();
    QCOMPARE(answers, kSyncs);
    QCOMPARE(server.stats().syncs, quint64{kSyncs});
}

void TestLiveServer::runDirectoryNames_data()
{
    QTest::addColumn<QString>("run");
    QTest::addColumn<QString>("folder");
    QTest::newRow("plain") << "mtl-seed0" << "mtl-seed0";
    QTest::newRow("slash") << "exp/seed.1" << "exp_seed.1";
    QTest::newRow("parent") << ".." << "_..";
    QTest::newRow("dot") << "." << "_.";
    QTest::newRow("escape") << "../../etc" << ".._.._etc";
    QTest::newRow("unicode") << "λ run" << "___run";
}

void TestLiveServer::runDirectoryNames()
{
    QFETCH(QString, run);
    QFETCH(QString, folder);
    QCOMPARE(QString::fromStdString(Recorder::directoryName(run.toStdString())), folder);
}

QTEST_GUILESS_MAIN(TestLiveServer)
#include "tst_live_server.moc"
