#pragma once
// The main window composes the panels and views and wires them; it holds no business logic.

#include "core/runs/role.h"
#include "ui/exporter.h"
#include "ui/session_file.h"

#include <cmath>

#include <QElapsedTimer>
#include <QMainWindow>
#include <QTimer>
#include <QStringList>

#include <optional>
#include <unordered_set>

QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QListWidget)
QT_FORWARD_DECLARE_CLASS(QMenu)
QT_FORWARD_DECLARE_CLASS(QProgressBar)
QT_FORWARD_DECLARE_CLASS(QToolButton)

namespace losslens::script {
class DerivedSeriesModel;
struct DerivedDefinition;
struct ScriptDiagnostic;
} // namespace losslens::script

namespace losslens::ui {

class ChartView;
class Inspector;
class LogSession;
class PlotArea;
class RunsPanel;
class ScriptEditor;
class TagsPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);

    /// Opens log folders or files (TensorBoard event files, CSV, JSON lines).
    void open(const QStringList& paths);
    LogSession& session() { return *m_session; }
    PlotArea& plot() { return *m_plot; }
    ChartView& chart();
    RunsPanel& runs() { return *m_runs; }
    TagsPanel& tags() { return *m_tags; }
    Inspector& inspector() { return *m_inspector; }
    QListWidget& warnings() { return *m_warnings; }
    /// The script editor dock (View ▸ Script Editor; hidden until asked for).
    ScriptEditor& scriptEditor() { return *m_scriptEditor; }
    /// The derived series and the recipe: evaluated per run on a worker thread, kept in the store.
    script::DerivedSeriesModel& derivedSeries() { return *m_derived; }

    /// Shows the inspector at x (plot units), pinned or as a hover would.
    void inspectAt(double x, bool pin);
    /// Writes the current view (png/svg/pdf) or the checked data (csv/json) to `path`.
    bool exportTo(const QString& path, ExportFormat format, const ImageOptions& options, QString* error = nullptr);

    SessionState sessionState() const;
    /// Opens the state's sources (if not open yet) and applies the rest once they are loaded.
    void applySession(const SessionState& state);
    bool saveSession(const QString& path, QString* error = nullptr);
    bool loadSession(const QString& path, QString* error = nullptr);

    /// The status bar's live indicator, set by whoever streams data in (e.g. a live session).
    void setLiveState(bool live, const QString& detail = {});
    /// Adds a dock (e.g. a script editor) and lists it in the View menu.
    void addDock(QDockWidget* dock, Qt::DockWidgetArea area = Qt::RightDockWidgetArea);
    void setDarkPalette(bool dark);
    /// Adds or replaces a derived series or the recipe (what the Script Editor's "Add" asks for).
    void defineDerived(const script::DerivedDefinition& definition);
    void removeDerived(const QString& name);
    /// Restores the docks' layout and the geometry saved when the window last closed.
    void restoreLayout();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    void createDocks();
    void connectScripts();
    void createMenus();
    void chooseFolder();
    void chooseFiles();
    void chooseExport();
    void chooseSession(bool save);
    void showAbout();
    void onLoaded(int newPoints, bool cancelled);
    void updateSelection();
    void changeRole(const QString& tag, Role role);
    void listRunsAndTags();
    void editDerived(const QString& tag);
    void onDerivedChanged();
    /// True when a derived series seen last time is gone from the store.
    bool forgetRemovedDerived();
    void onDerivedFailed(const QString& name, const QString& run, const script::ScriptDiagnostic& problem);
    void addRecent(const QString& path);
    void fillRecentMenu();
    void updateStatus();
    /// A load writes the store or a plot build reads it (and the builder's caches) on a worker.
    bool storeBusy() const;
    /// The summary table follows the plot at most 4 times a second: a live plot redraws 25.
    void showSummarySoon();

    LogSession* m_session;
    PlotArea* m_plot;
    RunsPanel* m_runs;
    TagsPanel* m_tags;
    Inspector* m_inspector;
    QListWidget* m_warnings;
    ScriptEditor* m_scriptEditor = nullptr;
    script::DerivedSeriesModel* m_derived = nullptr;
    std::unordered_set<const Series*> m_derivedSeries; // the store's derived series at the last change
    QMenu* m_viewMenu = nullptr;
    QMenu* m_recentMenu = nullptr;
    QLabel* m_status;
    QLabel* m_live;
    QProgressBar* m_progress;
    QToolButton* m_cancel;
    QHash<QString, double> m_weights;
    std::optional<SessionState> m_pendingSession;
    double m_pinned;
    double m_hoverWaiting = std::nan(""); // a hovered step waiting for a build to finish
    QTimer* m_summaryTimer;
    QElapsedTimer m_sinceSummary;
    bool m_liveStreaming = false;
    QString m_liveDetail;
};

} // namespace losslens::ui
