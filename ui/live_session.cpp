#include "ui/live_session.h"

#include "core/demo/multitask_demo.h"
#include "core/live/live_client.h"
#include "ui/log_session.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLocale>
#include <QRegularExpression>
#include <QStandardPaths>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace losslens::ui {

LiveSession::LiveSession(LogSession& session, QObject* parent) : QObject(parent), m_session(session)
{
    m_refresh.setSingleShot(true);
    m_refresh.setObjectName("live refresh");
    m_refresh.setInterval(kRefreshIntervalMs);
    connect(&m_refresh, &QTimer::timeout, this, &LiveSession::refresh);
}

LiveSession::~LiveSession() { stop(); }

QString LiveSession::defaultDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/live");
}

bool LiveSession::start(const LiveOptions& options, QString* error)
{
    stop();
    live::ServerOptions server;
    server.address = options.address;
    server.token = options.token;
    server.maxConnections = options.maxConnections;
    server.outDir = options.directory.isEmpty() ? defaultDirectory() : options.directory;
    m_server = std::make_unique<live::LiveServer>(server);
    // Queued: the server emits on its own thread; the GUI thread only reloads.
    connect(m_server.get(), &live::LiveServer::recordsWritten, this, &LiveSession::onRecordsWritten, Qt::QueuedConnection);
    connect(m_server.get(), &live::LiveServer::connectionsChanged, this, &LiveSession::publishState, Qt::QueuedConnection);
    if (!m_server->start(error)) {
        m_server.reset();
        return false;
    }
    m_directory = server.outDir;
    m_session.open({m_directory}); // previous live runs reopen; new ones are found on reload
    publishState();
    return true;
}

void LiveSession::stop()
{
    stopDemo();
    if (!m_server)
        return;
    m_server->stop();
    m_server.reset();
    m_refresh.stop();
    emit stateChanged(false, {});
}

void LiveSession::onRecordsWritten()
{
    // The first write after a quiet spell shows within 40 ms; a stream shows every 40 ms.
    if (!m_refresh.isActive())
        m_refresh.start();
}

void LiveSession::refresh()
{
    m_session.reload();
    publishState();
    emit refreshed();
}

void LiveSession::publishState()
{
    if (!isListening())
        return;
    live::ListenAddress bound = m_server->options().address;
    bound.port = m_server->port();
    const live::ServerStats s = m_server->stats();
    emit stateChanged(true, tr("%1 · %n client(s)", nullptr, s.open).arg(bound.toString()) + tr(" · %1 records").arg(QLocale().toString(s.records)));
}

void LiveSession::startDemo(int steps, int intervalMs, const QString& run)
{
    if (!isListening() || m_demo.joinable())
        return;
    const live::ServerOptions& server = m_server->options();
    // A server on every interface is reached through loopback like one on loopback.
    const QString host = server.address.host.isLoopback() ? server.address.host.toString() : QStringLiteral("127.0.0.1");
    live::ClientOptions client{.host = host.toStdString(),
                               .port = m_server->port(),
                               .run = run.toStdString(),
                               .token = server.token.toStdString()};
    m_demoStop = false;
    m_demo = std::thread([this, client, steps, intervalMs] {
        live::LiveClient stream(client);
        demo::MultiTaskDemo model;
        for (int i = 0; i < steps && !m_demoStop; ++i) {
            const LossCollection& losses = model.trainStep();
            stream.send(losses.snapshot(model.step()));
            stream.flush(); // one step at a time: the point is to watch it arrive
            if (intervalMs > 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(intervalMs));
        }
        stream.sync(2000);
    });
}

void LiveSession::removeDemoRecordings(const QString& directory)
{
    const QDir dir(directory.isEmpty() ? defaultDirectory() : directory);
    static const QRegularExpression demoRun(QStringLiteral("^demo(-\\d{8}-\\d{6})?$"));
    for (const QString& name : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
        if (demoRun.match(name).hasMatch())
            QDir(dir.filePath(name)).removeRecursively();
}

void LiveSession::stopDemo()
{
    m_demoStop = true;
    if (m_demo.joinable())
        m_demo.join();
}

// ---- EventLoopProbe -------------------------------------------------------------------------

struct EventLoopProbe::Impl {
    QFile file;
    QByteArray pending;
    std::thread poster;
    std::mutex mutex;
    std::condition_variable wake;
    bool stop = false;
};

EventLoopProbe::EventLoopProbe(const QString& file, int intervalMs, QObject* parent)
    : QObject(parent), m(std::make_unique<Impl>())
{
    m->file.setFileName(file);
    if (!m->file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qWarning("losslens: cannot write the latency file %s", qPrintable(file));
    m->poster = std::thread([this, intervalMs] {
        std::unique_lock lock(m->mutex);
        while (!m->wake.wait_for(lock, std::chrono::milliseconds(intervalMs), [this] { return m->stop; })) {
            const auto posted = std::chrono::steady_clock::now();
            const qint64 postedAt = QDateTime::currentMSecsSinceEpoch();
            QMetaObject::invokeMethod(
                this,
                [this, posted, postedAt] {
                    const std::chrono::duration<double, std::milli> late = std::chrono::steady_clock::now() - posted;
                    m->pending += QByteArray::number(static_cast<double>(postedAt) / 1000.0, 'f', 3) + ' ' + QByteArray::number(late.count(), 'f', 3) + '\n';
                    // Written at once: a benchmark ends the process with a signal.
                    m->file.write(std::exchange(m->pending, {}));
                    m->file.flush();
                },
                Qt::QueuedConnection);
        }
    });
}

EventLoopProbe::~EventLoopProbe()
{
    {
        std::lock_guard lock(m->mutex);
        m->stop = true;
    }
    m->wake.notify_all();
    m->poster.join();
    m->file.write(m->pending);
}

} // namespace losslens::ui
