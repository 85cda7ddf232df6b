#pragma once
// The viewer's live mode: runs the live server (its own thread) recording into a folder, and has
// a LogSession read that folder whenever records were written — at most 25 times a second, so
// the GUI redraws at that rate however fast data arrives. Data is on disk before it is shown.

#include "core/live/live_server.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <atomic>
#include <memory>
#include <thread>

namespace losslens::ui {

class LogSession;

struct LiveOptions {
    live::ListenAddress address;
    QString token;
    int maxConnections = 64;
    /// Where records go; LiveSession::defaultDirectory() when empty.
    QString directory;
};

class LiveSession : public QObject {
    Q_OBJECT

public:
    /// Reloads at most this often (25 per second).
    static constexpr int kRefreshIntervalMs = 40;

    explicit LiveSession(LogSession& session, QObject* parent = nullptr);
    /// Stops the demo and the server (which writes and syncs what it received).
    ~LiveSession() override;

    /// QStandardPaths::AppDataLocation + "/live": previous live runs there reopen on start.
    static QString defaultDirectory();

    /// Starts the server and opens its folder in the LogSession. False with the reason in `error`.
    bool start(const LiveOptions& options, QString* error = nullptr);
    void stop();
    /// Trains the demo model on a background thread, streaming each step into this session's
    /// server as run `run`, "demo" by default (one step every `intervalMs`, so it can be watched).
    void startDemo(int steps = 3000, int intervalMs = 5, const QString& run = QStringLiteral("demo"));
    /// Deletes earlier demo recordings from `directory` (defaultDirectory() when empty): the
    /// "demo" run folder, and the "demo-<date>-<time>" ones earlier versions made. Call before
    /// start(), which reopens what the folder holds, so each demo starts over instead of piling up.
    static void removeDemoRecordings(const QString& directory = {});

    bool isListening() const { return m_server && m_server->isRunning(); }
    quint16 port() const { return m_server ? m_server->port() : 0; }
    QString directory() const { return m_directory; }
    live::ServerStats stats() const { return m_server ? m_server->stats() : live::ServerStats{}; }

signals:
    /// For the status bar: `summary` reads like "127.0.0.1:6464 · 2 clients · 1 234 records".
    void stateChanged(bool listening, const QString& summary);
    /// The LogSession was asked to read newly written records.
    void refreshed();

private:
    void onRecordsWritten();
    void refresh();
    void publishState();
    void stopDemo();

    LogSession& m_session;
    std::unique_ptr<live::LiveServer> m_server;
    QString m_directory;
    QTimer m_refresh;
    std::thread m_demo;
    std::atomic<bool> m_demoStop{false};
};

/// Measures how late the GUI event loop serves a request: a helper thread posts a probe every
/// `intervalMs` and the loop, when it runs the probe, appends "<unix time posted, s> <delay ms>" to `file`
/// (one probe a line, written at once). Started by `losslens --measure-latency FILE`.
class EventLoopProbe : public QObject {
public:
    EventLoopProbe(const QString& file, int intervalMs = 10, QObject* parent = nullptr);
    ~EventLoopProbe() override;

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace losslens::ui
