#include "core/live/live_server.h"

#include "core/live/protocol.h"
#include "core/live/recorder.h"

#include <QElapsedTimer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <exception>
#include <unordered_map>
#include <vector>

namespace losslens::live {

namespace {

// Bounds what one readyRead hands over, so a flooding client cannot starve the others.
constexpr qint64 kReadChunk = 256 * 1024;
// A client that never reads its replies must not grow our memory: past this, errors are counted
// but not sent, and the connection is not read any further (so it sends no more syncs to answer)
// until the client has taken some of the replies.
constexpr qint64 kMaxUnsentReplyBytes = 1 << 20;
constexpr std::size_t kWriteThreshold = 4u << 20;
constexpr qint64 kNotifyIntervalMs = 20;

double now()
{
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

// Token comparison that takes the same time wherever the first difference is.
bool sameToken(std::string_view given, const QByteArray& expected)
{
    if (expected.isEmpty())
        return false;
    unsigned diff = given.size() == static_cast<std::size_t>(expected.size()) ? 0u : 1u;
    for (std::size_t i = 0; i < given.size(); ++i)
        diff |= static_cast<unsigned char>(given[i]) ^
                static_cast<unsigned char>(expected[static_cast<qsizetype>(i % static_cast<std::size_t>(expected.size()))]);
    return diff == 0;
}

} // namespace

QString ServerOptions::check() const
{
    if (!address.isLoopback() && token.isEmpty())
        return QStringLiteral("listening on %1 (not a loopback address) requires a token (--token SECRET): "
                              "anyone on the network could write into %2 otherwise")
            .arg(address.toString(), outDir);
    if (maxConnections < 1)
        return QStringLiteral("the connection limit must be at least 1");
    if (outDir.isEmpty())
        return QStringLiteral("no output folder given");
    return {};
}

struct Connection {
    QTcpSocket* socket = nullptr;
    LineFramer framer;
    std::string helloRun;
    bool authorized = false;
    bool closing = false;
    bool sawLine = false;
    quint64 records = 0;
};

/// The server's state, all of it on the server thread.
class ServerWorker : public QObject {
public:
    ServerWorker(LiveServer& owner, std::unique_ptr<Recorder> recorder)
        : m_owner(owner), m_recorder(*recorder), m_ownedRecorder(std::move(recorder)),
          m_token(owner.m_options.token.toUtf8())
    {}

    bool listen(QString& error)
    {
        m_server = new QTcpServer(this);
        QObject::connect(m_server, &QTcpServer::newConnection, this, &ServerWorker::acceptAll);
        if (!m_server->listen(m_owner.m_options.address.host, m_owner.m_options.address.port)) {
            error = QStringLiteral("cannot listen on %1: %2").arg(m_owner.m_options.address.toString(), m_server->errorString());
            return false;
        }
        m_notifyClock.start();
        return true;
    }
    quint16 port() const { return m_server->serverPort(); }

    void shutdown()
    {
        m_server->close();
        for (auto& [socket, c] : m_connections) {
            readAvailable(*c);
            if (c->framer.hasPartialLine())
                ++m_owner.m_counters.partialLines;
        }
        commit(true);
        for (auto& [socket, c] : m_connections) {
            socket->disconnect(this);
            socket->flush();
            socket->abort();
            delete socket;
        }
        m_connections.clear();
        m_owner.m_counters.open = 0;
        emitNotify();
    }

private:
    void acceptAll()
    {
        while (QTcpSocket* socket = m_server->nextPendingConnection())
            accept(socket);
    }

    void accept(QTcpSocket* socket)
    {
        if (static_cast<int>(m_connections.size()) >= m_owner.m_options.maxConnections) {
            ++m_owner.m_counters.refused;
            refuse(socket, QStringLiteral("too many connections: this server accepts %1 at a time; try again later")
                               .arg(m_owner.m_options.maxConnections));
            return;
        }
        auto c = std::make_unique<Connection>();
        c->socket = socket;
        c->authorized = m_owner.m_options.token.isEmpty();
        socket->setReadBufferSize(kReadChunk);
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        Connection* raw = c.get();
        QObject::connect(socket, &QTcpSocket::readyRead, this, [this, raw] { onReadyRead(*raw); });
        QObject::connect(socket, &QTcpSocket::bytesWritten, this, [this, raw] {
            if (raw->socket->bytesAvailable() > 0 && !repliesPiledUp(*raw))
                onReadyRead(*raw); // reading was paused: go on
        });
        QObject::connect(socket, &QTcpSocket::disconnected, this, [this, raw] { onDisconnected(*raw); });
        m_connections.emplace(socket, std::move(c));
        ++m_owner.m_counters.connections;
        m_owner.m_counters.open = static_cast<int>(m_connections.size());
        emit m_owner.connectionsChanged(static_cast<int>(m_connections.size()));
    }

    void refuse(QTcpSocket* socket, const QString& why)
    {
        const std::string line = refusedLine(why.toStdString());
        socket->write(line.data(), static_cast<qint64>(line.size()));
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        socket->disconnectFromHost();
    }

    static bool repliesPiledUp(const Connection& c) { return c.socket->bytesToWrite() > kMaxUnsentReplyBytes; }

    void onReadyRead(Connection& c)
    {
        readAvailable(c, true);
        if (m_recorder.queuedBytes() >= kWriteThreshold)
            commit(false);
        scheduleCommit();
    }

    // With `backpressure`, stops while the client leaves its replies unread (bytesWritten resumes).
    void readAvailable(Connection& c, bool backpressure = false)
    {
        const double receiveTime = now();
        while (!c.closing && c.socket->bytesAvailable() > 0 && !(backpressure && repliesPiledUp(c))) {
            const QByteArray data = c.socket->read(kReadChunk);
            c.framer.feed(std::string_view(data.constData(), static_cast<std::size_t>(data.size())),
                          [&](std::string_view line, std::uint64_t number, bool overLong) {
                              handleLine(c, line, number, overLong, receiveTime);
                          });
        }
        if (c.closing)
            c.socket->readAll(); // refused: what follows the bad first line is ignored
    }

    void handleLine(Connection& c, std::string_view line, std::uint64_t number, bool overLong, double receiveTime)
    {
        if (c.closing)
            return;
        if (overLong) {
            ++m_owner.m_counters.overLongLines;
            return reject(c, "line longer than 1 MiB (1048576 bytes); skipped", number);
        }
        m_line.clear();
        const ParsedLine& p = m_parser.parse(line, c.helloRun, receiveTime, m_line);
        if (p.kind == ParsedLine::Kind::Blank)
            return;
        const bool first = !c.sawLine;
        c.sawLine = true;
        if (!c.authorized) {
            if (p.kind == ParsedLine::Kind::Hello && sameToken(p.token, m_token)) {
                c.authorized = true;
            } else {
                ++m_owner.m_counters.refused;
                c.closing = true;
                const bool gaveToken = p.kind == ParsedLine::Kind::Hello && !p.token.empty();
                refuseLater(c, gaveToken ? QStringLiteral("wrong token")
                                         : QStringLiteral("this server requires a token: send "
                                                          "{\"hello\":{\"token\":\"…\"}} as the first line"));
                return;
            }
        }
        switch (p.kind) {
        case ParsedLine::Kind::Record:
            m_recorder.append(p.run, m_line);
            ++c.records;
            ++m_pendingRecords;
            m_pendingScalars += p.scalars;
            return;
        case ParsedLine::Kind::Hello:
            if (!first)
                return reject(c, "hello must be the first line of a connection", number);
            c.helloRun = p.run;
            return;
        case ParsedLine::Kind::Sync:
            m_syncs.push_back({c.socket, syncedLine(p.syncId, c.records)});
            return;
        case ParsedLine::Kind::Error: return reject(c, p.error, number);
        case ParsedLine::Kind::Blank: return;
        }
    }

    void reject(Connection& c, std::string_view why, std::uint64_t number)
    {
        ++m_owner.m_counters.badLines;
        if (repliesPiledUp(c))
            return;
        const std::string reply = errorLine(why, number);
        c.socket->write(reply.data(), static_cast<qint64>(reply.size()));
    }

    // Records accepted before the refusal still count; the socket closes after the reply.
    void refuseLater(Connection& c, const QString& why)
    {
        const std::string line = refusedLine(why.toStdString());
        c.socket->write(line.data(), static_cast<qint64>(line.size()));
        QTimer::singleShot(0, c.socket, [socket = c.socket] { socket->disconnectFromHost(); });
    }

    void onDisconnected(Connection& c)
    {
        readAvailable(c);
        if (c.framer.hasPartialLine() && !c.closing)
            ++m_owner.m_counters.partialLines;
        QTcpSocket* socket = c.socket;
        m_connections.erase(socket);
        socket->deleteLater();
        m_owner.m_counters.open = static_cast<int>(m_connections.size());
        emit m_owner.connectionsChanged(static_cast<int>(m_connections.size()));
        scheduleCommit();
    }

    void scheduleCommit()
    {
        if (m_commitScheduled)
            return;
        m_commitScheduled = true;
        QTimer::singleShot(0, this, [this] {
            m_commitScheduled = false;
            commit(!m_syncs.empty());
        });
    }

    // Writes what is queued; with `durable`, also fdatasyncs and then answers the waiting syncs.
    void commit(bool durable)
    {
        std::string error;
        const bool ok = durable ? m_recorder.sync(&error) : m_recorder.write(&error);
        if (!ok) {
            emit m_owner.writeFailed(QString::fromStdString(error));
            for (auto& [socket, reply] : std::exchange(m_syncs, {}))
                if (m_connections.count(socket))
                    socket->write(errorLine("sync failed: " + error, 0).c_str());
            return;
        }
        m_owner.m_counters.records += std::exchange(m_pendingRecords, 0);
        m_owner.m_counters.scalars += std::exchange(m_pendingScalars, 0);
        if (durable) {
            for (auto& [socket, reply] : std::exchange(m_syncs, {})) {
                if (!m_connections.count(socket))
                    continue; // the client left; its records are on disk all the same
                socket->write(reply.data(), static_cast<qint64>(reply.size()));
                ++m_owner.m_counters.syncs;
            }
        }
        notify();
    }

    void notify()
    {
        const quint64 total = m_owner.m_counters.records;
        if (total == m_notified || m_notifyScheduled)
            return;
        const qint64 wait = kNotifyIntervalMs - m_notifyClock.elapsed();
        if (wait <= 0)
            return emitNotify();
        m_notifyScheduled = true;
        QTimer::singleShot(std::chrono::milliseconds(wait), this, [this] {
            m_notifyScheduled = false;
            emitNotify();
        });
    }

    void emitNotify()
    {
        const quint64 total = m_owner.m_counters.records;
        if (total == m_notified)
            return;
        m_notified = total;
        m_notifyClock.restart();
        emit m_owner.recordsWritten(total);
    }

    struct PendingSync {
        QTcpSocket* socket;
        std::string reply;
    };

    LiveServer& m_owner;
    Recorder& m_recorder;
    std::unique_ptr<Recorder> m_ownedRecorder;
    QByteArray m_token;
    QTcpServer* m_server = nullptr;
    std::unordered_map<QTcpSocket*, std::unique_ptr<Connection>> m_connections;
    LineParser m_parser;
    std::string m_line;
    std::vector<PendingSync> m_syncs;
    quint64 m_pendingRecords = 0;
    quint64 m_pendingScalars = 0;
    bool m_commitScheduled = false;
    bool m_notifyScheduled = false;
    quint64 m_notified = 0;
    QElapsedTimer m_notifyClock;
};

// ---- LiveServer -----------------------------------------------------------------------------

LiveServer::LiveServer(ServerOptions options, QObject* parent) : QObject(parent), m_options(std::move(options))
{
    m_thread.setObjectName(QStringLiteral("losslens-live-server"));
}

LiveServer::~LiveServer() { stop(); }

bool LiveServer::start(QString* error)
{
    if (m_worker)
        return true;
    QString why = m_options.check();
    std::unique_ptr<Recorder> recorder;
    if (why.isEmpty()) {
        try {
            recorder = std::make_unique<Recorder>(m_options.outDir.toStdString(),
                                                  static_cast<std::size_t>(std::max(0, m_options.maxOpenFiles)));
        } catch (const std::exception& e) {
            why = QString::fromStdString(e.what());
        }
    }
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return false;
    }
    m_thread.start();
    auto* worker = new ServerWorker(*this, std::move(recorder));
    worker->moveToThread(&m_thread);
    bool ok = false;
    QMetaObject::invokeMethod(
        worker, [&] { ok = worker->listen(why); m_port = ok ? worker->port() : 0; }, Qt::BlockingQueuedConnection);
    m_worker = worker;
    if (!ok) {
        stop();
        if (error)
            *error = why;
        return false;
    }
    return true;
}

void LiveServer::stop()
{
    if (!m_worker)
        return;
    ServerWorker* worker = std::exchange(m_worker, nullptr);
    // Sockets must die on the thread that owns their notifiers.
    QMetaObject::invokeMethod(
        worker, [worker] { worker->shutdown(); }, Qt::BlockingQueuedConnection);
    QMetaObject::invokeMethod(worker, [worker] { delete worker; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

ServerStats LiveServer::stats() const
{
    const Counters& c = m_counters;
    return {c.connections, c.refused, c.records, c.scalars, c.badLines, c.overLongLines, c.partialLines, c.syncs,
            c.open};
}

} // namespace losslens::live
