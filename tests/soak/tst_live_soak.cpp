// Live soak: 64 loopback clients stream into one LiveServer at once, each connection a random
// mix of records for its own run, runs shared with other clients and many short-lived runs (more
// than the recorder may keep open), malformed lines, bursts, hellos, syncs and endings: a clean
// final sync, a disconnect mid-line, a plain close, or a sync sent just before closing.
//
// Checked while running: every sync is answered with the count of records accepted on its
// connection, after the errors for exactly the bad lines before it, and only once every record
// before it is in its file. Checked at the end, against what each client knows it sent: the
// files hold nothing but sent records, each at most once; on each connection what was recorded
// is a prefix of what was sent, covering at least everything before its last answered sync, and
// all of it when the connection ended with an answered sync.
//
// Knobs: LOSSLENS_SOAK_SECONDS (default 5), LOSSLENS_SOAK_CLIENTS (64), LOSSLENS_SOAK_SEED.

#include "core/live/live_server.h"
#include "core/live/protocol.h"
#include "core/live/recorder.h"
#include "live_test_client.h"
#include "soak_config.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

using namespace losslens;
using namespace losslens::live;
using losslens::live::test::RawClient;

namespace {

constexpr int kSharedRuns = 4;
constexpr int kManyRunsPerClient = 16;
constexpr int kMaxOpenFiles = 32; // well below the runs in use, so files are closed and reopened
constexpr std::int64_t kClientStride = 1'000'000'000'000;
constexpr std::int64_t kConnectionStride = 1'000'000;
constexpr std::size_t kLateHello = 5; // in malformedLines(): an error anywhere but on line 1

struct SentRecord {
    std::string run;
    std::string line; // canonical, without '\n': what the file must hold
};

struct ConnectionLog {
    std::vector<SentRecord> records;
    std::size_t acknowledged = 0; // records before the last answered sync
    bool complete = false;        // its last record is covered by an answered sync
};

// One step per record, telling whose it is.
std::int64_t stepOf(int client, std::size_t connection, std::size_t index)
{
    return client * kClientStride + static_cast<std::int64_t>(connection) * kConnectionStride +
           static_cast<std::int64_t>(index);
}

const std::vector<std::string>& malformedLines()
{
    static const std::vector<std::string> lines = {
        R"({"run":"x","step":1,"scalars":{"a":1})",           // unterminated object
        R"({"run":"x","step":"1","scalars":{"a":1}})",        // step of the wrong type
        std::string("\x00\xff\xfe junk \x01", 10),            // binary
        R"({"run":"x","step":1,"scalars":{}})",               // no values
        R"({"run":")" + std::string(kMaxRunBytes + 1, 'r') + R"(","step":1,"scalars":{"a":1}})", // run too long
        R"({"hello":{"run":"late"}})",                        // hello after the first line (kLateHello)
        R"({"run":"x","step":1.5,"scalars":{"a":1}})",        // step not an integer
        R"([1,2,3])",
    };
    return lines;
}

/// One client: connects again and again until the deadline, logging what it sent.
class SoakClient {
public:
    SoakClient(int id, quint16 port, std::filesystem::path dir, std::uint64_t seed)
        : m_id(id), m_port(port), m_paths(std::move(dir)), m_random(seed * 1000003u + static_cast<unsigned>(id))
    {}

    void run(std::chrono::steady_clock::time_point deadline)
    {
        m_deadline = deadline;
        while (m_failure.empty() && !timeIsUp())
            connection();
    }
    const std::vector<ConnectionLog>& log() const { return m_log; }
    const std::string& failure() const { return m_failure; }
    std::size_t syncsAnswered() const { return m_syncsAnswered; }
    double longestSyncMs() const { return m_longestSyncMs; }

private:
    struct Connection {
        Connection(quint16 port, ConnectionLog& into) : socket(port), log(into) {}
        RawClient socket;
        ConnectionLog& log;
        bool hello = false;
        std::uint64_t lineNumber = 0;
        std::vector<std::uint64_t> badLines; // since the last sync
        std::size_t checkedUpTo = 0;         // records already checked on disk
    };

    std::size_t pick(std::size_t n) { return static_cast<std::size_t>(m_random() % n); }
    bool timeIsUp() const { return std::chrono::steady_clock::now() >= m_deadline; }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(m_random) < p; }
    std::string privateRun() const { return "c" + std::to_string(m_id); }

    void fail(std::string why)
    {
        if (m_failure.empty())
            m_failure = "client " + std::to_string(m_id) + ", connection " + std::to_string(m_log.size() - 1) + ": " + why;
    }

    void connection()
    {
        m_log.emplace_back();
        Connection c(m_port, m_log.back());
        if (!c.socket.ok())
            return fail("cannot connect");
        if (chance(0.3)) {
            c.hello = true;
            sendLine(c, helloLine(privateRun(), {}));
        }
        const std::size_t batches = 1 + pick(4);
        for (std::size_t b = 0; b < batches && m_failure.empty() && !timeIsUp(); ++b) {
            sendBatch(c);
            if (chance(0.5))
                syncAndCheck(c);
        }
        if (m_failure.empty())
            finish(c);
    }

    void sendBatch(Connection& c)
    {
        const bool burst = chance(0.05);
        const std::size_t lines = burst ? 500 + pick(2500) : 1 + pick(60);
        std::string bytes;
        for (std::size_t i = 0; i < lines; ++i) {
            ++c.lineNumber;
            if (chance(0.08)) {
                const std::size_t kind = pick(malformedLines().size());
                bytes += malformedLines()[kind == kLateHello && c.lineNumber == 1 ? 0 : kind] + "\n";
                c.badLines.push_back(c.lineNumber);
            } else if (c.lineNumber > 1 && chance(0.01)) {
                bytes += "\n"; // blank: counted as a line, never answered (never first: see kLateHello)
            } else {
                bytes += nextRecord(c);
            }
        }
        if (chance(0.002)) { // over 1 MiB: skipped with an error, the connection goes on
            bytes += R"({"run":"big","pad":")" + std::string(kMaxLineBytes, 'x') + "\"}\n";
            c.badLines.push_back(++c.lineNumber);
        }
        sendChunked(c, bytes, burst);
    }

    std::string nextRecord(Connection& c)
    {
        std::string run = privateRun();
        if (chance(0.05))
            run = "shared-" + std::to_string(pick(kSharedRuns));
        else if (chance(0.2))
            run = privateRun() + "-m" + std::to_string(pick(kManyRunsPerClient));
        const std::size_t index = c.log.records.size();
        const std::int64_t step = stepOf(m_id, m_log.size() - 1, index);
        std::string line;
        appendRecord(line, {run, step, 1.7e9 + static_cast<double>(index) * 0.25,
                            {{"loss/a", std::ldexp(static_cast<double>(m_random() % 4096), -7), Role::Component},
                             {"total_loss", index % 97 == 5 ? std::nan("") : 1.0 / static_cast<double>(index + 1), std::nullopt}}});
        c.log.records.push_back({run, line.substr(0, line.size() - 1)});
        if (c.hello && run == privateRun()) // the hello names the run: leave it out
            return "{" + line.substr(line.find(',') + 1);
        return line;
    }

    void sendLine(Connection& c, const std::string& line)
    {
        ++c.lineNumber;
        c.socket.send(line);
    }

    // Random split points, so lines arrive cut anywhere; a burst goes in one piece.
    void sendChunked(Connection& c, std::string_view bytes, bool whole)
    {
        while (!bytes.empty()) {
            const std::size_t n = whole ? bytes.size() : std::min(bytes.size(), 1 + pick(4000));
            if (!c.socket.send(bytes.substr(0, n)))
                return fail("send failed");
            bytes.remove_prefix(n);
        }
    }

    std::string nextSyncId(std::string& json)
    {
        const std::string id = std::to_string(m_id) + "." + std::to_string(m_log.size() - 1) + "." + std::to_string(m_syncs++);
        if (chance(0.5)) {
            json = syncLine(id);
            return id;
        }
        const std::string number = std::to_string(static_cast<std::size_t>(m_id) * 1'000'000 + m_syncs);
        json = "{\"sync\":" + number + "}\n";
        return number;
    }

    void syncAndCheck(Connection& c)
    {
        std::string json;
        const std::string id = nextSyncId(json);
        sendLine(c, json);
        const auto sent = std::chrono::steady_clock::now();
        std::vector<std::uint64_t> errors;
        for (;;) {
            const std::string line = c.socket.readLine(60000);
            const Reply r = parseReply(line);
            if (r.kind == Reply::Kind::Error) {
                errors.push_back(r.line);
                continue;
            }
            if (r.kind != Reply::Kind::Synced || r.syncId != id)
                return fail("expected the answer to sync " + id + ", got '" + line + "'");
            if (r.records != c.log.records.size())
                return fail("sync " + id + " counted " + std::to_string(r.records) + " records, " +
                            std::to_string(c.log.records.size()) + " were sent");
            break;
        }
        if (errors != std::exchange(c.badLines, {}))
            return fail("sync " + id + ": the errors before it name other lines than the bad ones sent");
        ++m_syncsAnswered;
        m_longestSyncMs = std::max(m_longestSyncMs, static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                                          std::chrono::steady_clock::now() - sent).count()) / 1000);
        c.log.acknowledged = c.log.records.size();
        checkOnDisk(c);
    }

    // Every record before the answered sync must already be in its file. Records this client sent
    // after its previous check were written after it, so only the bytes past that point are read.
    void checkOnDisk(Connection& c)
    {
        std::map<std::string, std::vector<const std::string*>> byRun;
        for (std::size_t i = c.checkedUpTo; i < c.log.acknowledged; ++i)
            byRun[c.log.records[i].run].push_back(&c.log.records[i].line);
        c.checkedUpTo = c.log.acknowledged;
        for (const auto& [run, lines] : byRun) {
            std::uint64_t& offset = m_checkedOffset[run];
            const std::string tail = "\n" + readFrom(m_paths.fileOf(run), offset);
            std::size_t at = 0;
            for (const std::string* line : lines) {
                at = tail.find("\n" + *line + "\n", at);
                if (at == std::string::npos)
                    return fail("a sync was answered before this record reached " + run + ": " + *line);
            }
            offset += tail.rfind('\n'); // up to the last complete line ('\n' prepended above)
        }
    }

    static std::string readFrom(const std::filesystem::path& path, std::uint64_t offset)
    {
        std::ifstream in(path, std::ios::binary);
        in.seekg(static_cast<std::streamoff>(offset));
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

    void finish(Connection& c)
    {
        const double p = std::uniform_real_distribution<double>(0, 1)(m_random);
        if (p < 0.65) {
            syncAndCheck(c);
            c.log.complete = m_failure.empty();
        } else if (p < 0.85) { // half a record, then gone: it must not be recorded
            std::string half = nextRecord(c);
            c.log.records.pop_back();
            c.socket.send(std::string_view(half).substr(0, 1 + pick(half.size() - 2)));
        } else if (p < 0.95) {
            std::string json;
            nextSyncId(json);
            c.socket.send(json); // nobody waits for the answer
        }
        c.socket.close();
    }

    int m_id;
    quint16 m_port;
    std::chrono::steady_clock::time_point m_deadline;
    Recorder m_paths; // only for fileOf(): never appended to
    std::mt19937_64 m_random;
    std::vector<ConnectionLog> m_log;
    std::map<std::string, std::uint64_t> m_checkedOffset;
    std::size_t m_syncs = 0;
    std::size_t m_syncsAnswered = 0;
    double m_longestSyncMs = 0;
    std::string m_failure;
};

struct FoundLine {
    int client;
    std::size_t connection;
    std::size_t index;
};

} // namespace

class TestLiveSoak : public QObject {
    Q_OBJECT

private slots:
    void manyClientsFaultsAndSyncs();
};

void TestLiveSoak::manyClientsFaultsAndSyncs()
{
    const int clients = static_cast<int>(soak::envInt("LOSSLENS_SOAK_CLIENTS", 64));
    const auto budget = soak::duration(5);
    soak::announce("live", std::to_string(clients) + " clients for " + std::to_string(budget.count() / 1000) + " s");
    QTemporaryDir dir;
    ServerOptions options;
    options.address.port = 0;
    options.outDir = dir.path();
    options.maxConnections = 2 * clients; // a reconnect may arrive before the server saw the close
    options.maxOpenFiles = kMaxOpenFiles;
    LiveServer server(options);
    QVERIFY(server.start());

    std::vector<std::unique_ptr<SoakClient>> soakClients;
    for (int k = 0; k < clients; ++k)
        soakClients.push_back(std::make_unique<SoakClient>(k, server.port(), dir.path().toStdString(), soak::seed()));
    const auto deadline = std::chrono::steady_clock::now() + budget;
    std::vector<std::thread> threads;
    for (auto& c : soakClients)
        threads.emplace_back([&c, deadline] { c->run(deadline); });
    for (auto& t : threads)
        t.join();
    for (const auto& c : soakClients)
        QVERIFY2(c->failure().empty(), c->failure().c_str());
    server.stop();

    // Every line of every file, matched to the record it must be a copy of.
    std::vector<std::vector<std::vector<bool>>> present(static_cast<std::size_t>(clients));
    for (int k = 0; k < clients; ++k)
        for (const ConnectionLog& log : soakClients[static_cast<std::size_t>(k)]->log())
            present[static_cast<std::size_t>(k)].emplace_back(log.records.size(), false);
    const Recorder paths(dir.path().toStdString());
    std::size_t lines = 0;
    LineParser parser;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path().toStdString())) {
        if (!entry.is_regular_file())
            continue;
        std::map<std::pair<int, std::size_t>, std::size_t> lastIndex; // per connection, in this file
        for (const std::string& line : test::fileLines(entry.path().string())) {
            ++lines;
            Record r;
            QCOMPARE(parser.parseRecord(line, r), std::string());
            const int k = static_cast<int>(r.step / kClientStride);
            const auto connection = static_cast<std::size_t>(r.step % kClientStride / kConnectionStride);
            const auto index = static_cast<std::size_t>(r.step % kConnectionStride);
            QVERIFY2(k >= 0 && k < clients && connection < present[static_cast<std::size_t>(k)].size(), line.c_str());
            const ConnectionLog& log = soakClients[static_cast<std::size_t>(k)]->log()[connection];
            QVERIFY2(index < log.records.size(), ("never sent: " + line).c_str());
            QCOMPARE(line, log.records[index].line);
            QVERIFY2(entry.path() == paths.fileOf(log.records[index].run), ("in the wrong file: " + line).c_str());
            auto&& seen = present[static_cast<std::size_t>(k)][connection][index];
            QVERIFY2(!seen, ("recorded twice: " + line).c_str());
            seen = true;
            const auto [it, first] = lastIndex.try_emplace({k, connection}, index);
            QVERIFY2(first || it->second < index, ("out of order: " + line).c_str());
            it->second = index;
        }
    }
    std::size_t sent = 0, acknowledged = 0, connections = 0, syncs = 0;
    double longestSync = 0;
    for (int k = 0; k < clients; ++k) {
        const auto& logs = soakClients[static_cast<std::size_t>(k)]->log();
        syncs += soakClients[static_cast<std::size_t>(k)]->syncsAnswered();
        longestSync = std::max(longestSync, soakClients[static_cast<std::size_t>(k)]->longestSyncMs());
        for (std::size_t c = 0; c < logs.size(); ++c) {
            const auto& got = present[static_cast<std::size_t>(k)][c];
            const auto recorded = static_cast<std::size_t>(std::find(got.begin(), got.end(), false) - got.begin());
            const QString where = QString("client %1, connection %2").arg(k).arg(c);
            QVERIFY2(std::find(got.begin() + static_cast<std::ptrdiff_t>(recorded), got.end(), true) == got.end(),
                     qPrintable(where + ": a record is missing before a recorded one"));
            QVERIFY2(recorded >= logs[c].acknowledged, qPrintable(where + ": an acknowledged record is missing"));
            QVERIFY2(!logs[c].complete || recorded == got.size(), qPrintable(where + ": a record is missing"));
            sent += got.size();
            acknowledged += logs[c].acknowledged;
        }
        connections += logs.size();
    }
    QCOMPARE(server.stats().records, quint64{lines});
    std::printf("soak live: %zu connections, %zu records sent, %zu recorded, %zu acknowledged, %zu syncs "
                "answered (longest wait %.0f ms), %llu bad lines, %llu partial lines dropped\n",
                connections, sent, lines, acknowledged, syncs, longestSync,
                static_cast<unsigned long long>(server.stats().badLines),
                static_cast<unsigned long long>(server.stats().partialLines));
    QVERIFY(syncs > 0);
}

QTEST_GUILESS_MAIN(TestLiveSoak)
#include "tst_live_soak.moc"
