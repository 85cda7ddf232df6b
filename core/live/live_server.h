#pragma once
// The live server: accepts protocol v1 connections on its own thread and records every accepted
// record to disk (see protocol.h for the wire format, recorder.h for the files).

#include "core/live/listen_address.h"

#include <QObject>
#include <QString>
#include <QThread>

#include <atomic>
#include <memory>

namespace losslens::live {

struct ServerOptions {
    ListenAddress address;
    /// Required when `address` is not loopback. When set, every connection's first line must be
    /// a hello carrying it; other connections are refused.
    QString token;
    /// Connections beyond this many are refused with a message.
    int maxConnections = 64;
    /// Records go to `<outDir>/<run>/live.jsonl`.
    QString outDir;
    /// Record files open at once (least recently used closed beyond it); 0: Recorder's default.
    int maxOpenFiles = 0;

    /// Empty when the options can be used, else a message a user can act on.
    QString check() const;
};

/// Counters since start(); readable from any thread.
struct ServerStats {
    quint64 connections = 0;  ///< accepted
    quint64 refused = 0;      ///< over the limit or without the token
    quint64 records = 0;      ///< accepted and written
    quint64 scalars = 0;      ///< values in the accepted records
    quint64 badLines = 0;     ///< answered with an error (over-long lines included)
    quint64 overLongLines = 0;
    quint64 partialLines = 0; ///< unfinished lines dropped at a disconnect
    quint64 syncs = 0;        ///< answered
    int open = 0;             ///< connections open now
};

class ServerWorker;

/// Owns the server thread. The records a client sends are parsed on that thread, queued in the
/// Recorder and written once the thread has no more input ready (or 4 MiB are queued); a sync
/// is answered after a write and an fdatasync of every file it touched. One connection's half
/// line never delays another: sockets are non-blocking and each keeps its own partial line.
class LiveServer : public QObject {
    Q_OBJECT

public:
    explicit LiveServer(ServerOptions options, QObject* parent = nullptr);
    /// stop()s.
    ~LiveServer() override;

    /// Starts the thread and binds. Returns false with the reason (bad options, address in use,
    /// folder not writable) in `error`.
    bool start(QString* error = nullptr);
    /// Reads what the clients already sent, writes and syncs everything, closes the connections
    /// and joins the thread. Idempotent.
    void stop();

    bool isRunning() const { return m_worker != nullptr; }
    /// The bound port (useful when the options asked for port 0).
    quint16 port() const { return m_port; }
    const ServerOptions& options() const { return m_options; }
    ServerStats stats() const;

signals:
    /// New records reached the files (written, so readers see them). Emitted on the server
    /// thread, at most every 20 ms while records arrive; `records` is the running total.
    void recordsWritten(quint64 records);
    /// A connection opened or closed; `open` is the number open now.
    void connectionsChanged(int open);
    /// The recorder could not write (disk full, permissions): records stay queued.
    void writeFailed(const QString& error);

private:
    friend class ServerWorker;
    struct Counters {
        std::atomic<quint64> connections{0}, refused{0}, records{0}, scalars{0}, badLines{0}, overLongLines{0},
            partialLines{0}, syncs{0};
        std::atomic<int> open{0};
    };

    ServerOptions m_options;
    QThread m_thread;
    ServerWorker* m_worker = nullptr; // lives on m_thread
    quint16 m_port = 0;
    Counters m_counters;
};

} // namespace losslens::live
