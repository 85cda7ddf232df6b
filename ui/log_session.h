#pragma once
// Owns the RunStore and loads logs into it off the GUI thread. The store needs no lock: a load
// writes it on a worker while nothing else uses it; between loads the GUI thread and a plot
// build (another worker, see setReadersBusy) read it, and only the GUI thread writes it, when
// no build runs.

#include "core/formats/record_sink.h"
#include "core/runs/log_loader.h"
#include "core/runs/run_store.h"

#include <QFutureWatcher>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>
#include <unordered_map>

namespace losslens::ui {

/// Per series changed by a load, the index of its first new or replaced point.
using SeriesChanges = std::unordered_map<const Series*, std::size_t>;

class LogSession : public QObject {
    Q_OBJECT

public:
    /// Follow mode (the default) keeps files open for growth: auto-reload reads what was appended.
    explicit LogSession(QObject* parent = nullptr, ReadMode mode = ReadMode::Follow);
    ~LogSession() override;

    /// Adds files or logdirs and starts reading them; paths that cannot be read are reported
    /// through loadFailed() and skipped.
    void open(const QStringList& paths);
    /// Reads what is new in every source (appended data, new files). Calls are coalesced: at most
    /// one read starts per 40 ms (≤ 25 per second), so a live writer can call it for every record.
    void reload();
    void cancel();
    bool loading() const { return m_watcher.isRunning(); }
    /// Every path opened so far.
    QStringList sources() const { return m_sources; }

    /// While `busy()` is true another thread reads the store: a load that should start waits for
    /// storeReleased().
    void setReadersBusy(std::function<bool()> busy) { m_readersBusy = std::move(busy); }
    void storeReleased();

    /// Reloads every `intervalMs` while on (off by default; the window turns it on).
    void setAutoReload(bool on, int intervalMs = 2000);
    bool autoReload() const { return m_autoReload.isActive(); }

    /// The data; read it only while !loading().
    const RunStore& store() const { return m_store; }
    RunStore& store() { return m_store; }
    /// What changed in the store since the last call (loads, derived series): lets views extend
    /// their caches instead of recomputing every series. The pointers are valid until the store
    /// changes again: take them between loads (on loaded()) and use them at once.
    SeriesChanges takeChanges();

signals:
    void progress(quint64 bytesDone, quint64 bytesTotal);
    void loaded(int newPoints, bool cancelled);
    void warningsFound(const QStringList& warnings);
    void loadFailed(const QString& path, const QString& error);

private:
    class ChangeLog;
    void start();
    void finish();

    RunStore m_store;
    std::unique_ptr<ChangeLog> m_changeLog;
    std::unique_ptr<LogLoader> m_loader;
    std::atomic<bool> m_cancel{false};
    QFutureWatcher<LoadReport> m_watcher;
    QStringList m_pendingPaths;
    QStringList m_sources;
    bool m_reloadQueued = false;
    std::function<bool()> m_readersBusy;
    bool m_startWhenReleased = false;
    QTimer m_coalesce;
    QTimer m_autoReload;
};

} // namespace losslens::ui
