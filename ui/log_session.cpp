#include "ui/log_session.h"

#include "ui/background_priority.h"

#include <QtConcurrent/QtConcurrentRun>

#include <mutex>

namespace losslens::ui {

// Collects the store's change notifications; they come from the loader's thread.
class LogSession::ChangeLog : public RunStoreObserver {
public:
    void pointsAppended(const Run&, const Series& series, std::size_t firstChanged) override
    {
        const std::lock_guard lock(m_mutex);
        const auto [it, added] = m_changes.try_emplace(&series, firstChanged);
        if (!added)
            it->second = std::min(it->second, firstChanged);
    }
    SeriesChanges take()
    {
        const std::lock_guard lock(m_mutex);
        return std::exchange(m_changes, {});
    }

private:
    std::mutex m_mutex;
    SeriesChanges m_changes;
};

LogSession::LogSession(QObject* parent, ReadMode mode) : QObject(parent), m_changeLog(std::make_unique<ChangeLog>())
{
    m_store.addObserver(m_changeLog.get());
    LoadOptions options;
    options.mode = mode;
    options.cancel = &m_cancel;
    // Called on the worker thread; a queued signal carries it to the GUI.
    options.progress = [this](const LoadProgress& p) { emit progress(p.bytesDone, p.bytesTotal); };
    m_loader = std::make_unique<LogLoader>(m_store, options);
    m_watcher.setObjectName("load");
    connect(&m_watcher, &QFutureWatcher<LoadReport>::finished, this, &LogSession::finish);
    m_coalesce.setSingleShot(true);
    m_coalesce.setObjectName("reload");
    m_coalesce.setInterval(40);
    connect(&m_coalesce, &QTimer::timeout, this, [this] {
        if (!loading())
            start();
    });
    connect(&m_autoReload, &QTimer::timeout, this, &LogSession::reload);
}

LogSession::~LogSession()
{
    m_cancel = true;
    m_watcher.waitForFinished();
    m_store.removeObserver(m_changeLog.get());
}

void LogSession::open(const QStringList& paths)
{
    m_pendingPaths += paths;
    for (const QString& p : paths)
        if (!m_sources.contains(p))
            m_sources << p;
    if (!loading())
        start();
}

void LogSession::reload()
{
    m_reloadQueued = true;
    if (!loading() && !m_coalesce.isActive())
        m_coalesce.start();
}

void LogSession::cancel() { m_cancel = true; }

SeriesChanges LogSession::takeChanges() { return m_changeLog->take(); }

void LogSession::setAutoReload(bool on, int intervalMs)
{
    if (on)
        m_autoReload.start(intervalMs);
    else
        m_autoReload.stop();
}

void LogSession::storeReleased()
{
    if (std::exchange(m_startWhenReleased, false) && !loading())
        start();
}

// Sources are added between loads only: the loader belongs to the worker while one runs.
void LogSession::start()
{
    if (m_readersBusy && m_readersBusy()) {
        m_startWhenReleased = true;
        return;
    }
    for (const QString& path : std::exchange(m_pendingPaths, {})) {
        std::string error;
        if (!m_loader->addPath(path.toStdString(), &error)) {
            m_sources.removeAll(path);
            emit loadFailed(path, QString::fromStdString(error));
        }
    }
    m_reloadQueued = false;
    m_cancel = false;
    m_watcher.setFuture(QtConcurrent::run([this] {
        lowerThisThreadsPriority(); // and its parser threads
        return m_loader->update();
    }));
}

void LogSession::finish()
{
    const LoadReport report = m_watcher.result();
    QStringList warnings;
    for (const auto& w : report.warnings)
        warnings << QString::fromStdString(w.toString());
    if (!warnings.isEmpty())
        emit warningsFound(warnings);
    emit loaded(static_cast<int>(report.newPoints), report.cancelled);
    if (!m_pendingPaths.isEmpty())
        start();
    else if (m_reloadQueued && !m_coalesce.isActive())
        m_coalesce.start();
}

} // namespace losslens::ui
