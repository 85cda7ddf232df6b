#include "ui/main_window.h"

#include "ui/chart_view.h"
#include "ui/controls_bar.h"
#include "ui/inspector.h"
#include "ui/log_session.h"
#include "ui/plot_area.h"
#include "ui/runs_panel.h"
#include "ui/script_editor.h"
#include "ui/tags_panel.h"

#include "core/script/derived_series_model.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyleFactory>
#include <QToolButton>

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace losslens::ui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_session(new LogSession(this)), m_plot(new PlotArea(m_session->store(), this)), m_runs(new RunsPanel),
      m_tags(new TagsPanel), m_inspector(new Inspector), m_warnings(new QListWidget), m_status(new QLabel), m_live(new QLabel),
      m_progress(new QProgressBar), m_cancel(new QToolButton), m_pinned(std::nan(""))
{
    setWindowTitle("LossLens");
    setWindowIcon(QIcon(":/icons/losslens.svg"));
    setAcceptDrops(true);
    resize(1440, 900);
    setCentralWidget(m_plot);
    // Derived results are written into the store: not while a load writes it or a build reads it.
    m_derived = new script::DerivedSeriesModel(m_session->store(), [this] { return !storeBusy(); }, {}, this);
    createDocks();
    createMenus();

    m_progress->setMaximumWidth(200);
    m_progress->setRange(0, 1000);
    m_progress->setVisible(false);
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop loading; what was read so far stays"));
    m_cancel->setVisible(false);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    statusBar()->addPermanentWidget(m_live);

    connect(m_cancel, &QToolButton::clicked, m_session, &LogSession::cancel);
    connect(m_session, &LogSession::loaded, this, &MainWindow::onLoaded);
    m_plot->setDataBusy([this] { return m_session->loading(); });
    m_session->setReadersBusy([this] { return m_plot->building(); });
    connect(m_plot, &PlotArea::buildFinished, this, [this] {
        m_session->storeReleased();
        if (m_derived->busy())
            m_derived->refresh(); // lands results that waited for the build
    });
    connect(m_session, &LogSession::progress, this, [this](quint64 done, quint64 total) {
        m_progress->setVisible(true), m_cancel->setVisible(true);
        m_progress->setValue(total ? int(1000.0 * double(done) / double(total)) : 0);
    });
    connect(m_session, &LogSession::loadFailed, this, [this](const QString& path, const QString& error) {
        m_warnings->addItem(tr("%1: cannot open: %2").arg(path, error));
        QMessageBox::warning(this, tr("Cannot open"), tr("%1\n\n%2").arg(path, error));
    });
    connect(m_session, &LogSession::warningsFound, this, [this](const QStringList& warnings) {
        m_warnings->addItems(warnings);
        statusBar()->showMessage(tr("%n reader warning(s); see the Warnings panel", nullptr, int(warnings.size())), 8000);
    });
    connect(m_runs, &RunsPanel::changed, this, &MainWindow::updateSelection);
    connect(m_runs, &RunsPanel::focusChanged, this, &MainWindow::updateSelection);
    connect(m_tags, &TagsPanel::changed, this, &MainWindow::updateSelection);
    connect(m_tags, &TagsPanel::roleChangeRequested, this, &MainWindow::changeRole);
    connect(m_inspector, &Inspector::weightChanged, this, [this](const QString& tag, double w) {
        m_weights[tag] = w;
        updateSelection();
    });
    connect(m_plot, &PlotArea::hovered, this, [this](double x) {
        if (std::isnan(m_pinned))
            inspectAt(x, false);
    });
    connect(m_plot, &PlotArea::clicked, this, [this](double x) { inspectAt(x, true); });
    m_summaryTimer = new QTimer(this);
    m_summaryTimer->setSingleShot(true);
    m_summaryTimer->setObjectName("summary");
    connect(m_summaryTimer, &QTimer::timeout, this, [this] {
        if (storeBusy()) { // it reads the builder and the store: after them
            m_summaryTimer->start(40);
            return;
        }
        m_sinceSummary.start();
        m_inspector->setSummary(m_plot->builder().summary(m_plot->selection()));
    });
    connect(m_plot, &PlotArea::redrawn, this, [this] {
        showSummarySoon();
        if (!std::isnan(m_pinned))
            inspectAt(m_pinned, true);
        else if (!std::isnan(m_hoverWaiting))
            inspectAt(std::exchange(m_hoverWaiting, std::nan("")), false);
    });
    connect(m_plot->controls(), &ControlsBar::settingsChanged, this, [this] {
        if (m_plot->settings().dark != (palette().color(QPalette::Window).lightness() < 128))
            setDarkPalette(m_plot->settings().dark);
    });
    connectScripts();
    m_session->setAutoReload(QSettings().value("autoReload", true).toBool());
    updateStatus();
}

void MainWindow::connectScripts()
{
    using script::DerivedDefinition;
    connect(m_scriptEditor, &ScriptEditor::derivedSeriesRequested, this,
            [this](const QString& name, const QString& source, Role role, script::DerivedLanguage language) {
                defineDerived({{name.toStdString(), source.toStdString(), role, language}, false});
            });
    connect(m_scriptEditor, &ScriptEditor::recipeRequested, this, [this](const QString& name, const QString& source) {
        defineDerived(DerivedDefinition::makeRecipe(name.toStdString(), source.toStdString()));
    });
    connect(m_scriptEditor, &ScriptEditor::removeRequested, this, &MainWindow::removeDerived);
    connect(m_tags, &TagsPanel::removeDerivedRequested, this, &MainWindow::removeDerived);
    connect(m_tags, &TagsPanel::editDerivedRequested, this, &MainWindow::editDerived);
    connect(m_derived, &script::DerivedSeriesModel::seriesChanged, this, &MainWindow::onDerivedChanged);
    connect(m_derived, &script::DerivedSeriesModel::failed, this, &MainWindow::onDerivedFailed);
    connect(m_derived, &script::DerivedSeriesModel::settled, m_scriptEditor, &ScriptEditor::evaluationFinished);
}

ChartView& MainWindow::chart() { return *m_plot->chart(); }

void MainWindow::createDocks()
{
    const auto dock = [this](const QString& title, const QString& name, QWidget* w, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(w);
        addDockWidget(area, d);
        return d;
    };
    dock(tr("Runs"), "runs", m_runs, Qt::LeftDockWidgetArea);
    dock(tr("Tags"), "tags", m_tags, Qt::LeftDockWidgetArea);
    dock(tr("Inspector"), "inspector", m_inspector, Qt::BottomDockWidgetArea);
    QDockWidget* warnings = dock(tr("Warnings"), "warnings", m_warnings, Qt::BottomDockWidgetArea);
    m_scriptEditor = new ScriptEditor(this);
    addDockWidget(Qt::RightDockWidgetArea, m_scriptEditor);
    m_scriptEditor->hide(); // View ▸ Script Editor: most sessions never need it
    m_scriptEditor->toggleViewAction()->setShortcut(QKeySequence(tr("Ctrl+J")));
    connect(m_scriptEditor, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible && m_scriptEditor->width() < 380 && !m_scriptEditor->isFloating()) // first shown: room for code
            resizeDocks({m_scriptEditor}, {440}, Qt::Horizontal);
    });
    tabifyDockWidget(findChild<QDockWidget*>("inspector"), warnings);
    findChild<QDockWidget*>("inspector")->raise();
    resizeDocks({findChild<QDockWidget*>("inspector")}, {200}, Qt::Vertical);
    resizeDocks({findChild<QDockWidget*>("runs")}, {260}, Qt::Horizontal);
    m_warnings->setToolTip(tr("What the readers skipped or repaired, with file and offset"));
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open Folder…"), QKeySequence::Open, this, &MainWindow::chooseFolder);
    file->addAction(tr("Open &Files…"), QKeySequence(tr("Ctrl+Shift+O")), this, &MainWindow::chooseFiles);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    file->addSeparator();
    file->addAction(tr("Open Sess&ion…"), this, [this] { chooseSession(false); });
    file->addAction(tr("&Save Session…"), QKeySequence::Save, this, [this] { chooseSession(true); });
    file->addSeparator();
    file->addAction(tr("&Export…"), QKeySequence(tr("Ctrl+E")), this, &MainWindow::chooseExport);
    file->addAction(tr("&Copy Chart"), QKeySequence(tr("Ctrl+Shift+C")), this,
                    [this] { copyCharts(m_plot->visibleCharts(), {QSize(1200, 700), 96, m_plot->settings().dark}); });
    file->addSeparator();
    file->addAction(tr("&Reload"), QKeySequence::Refresh, m_session, &LogSession::reload);
    QAction* autoReload = file->addAction(tr("&Auto-reload"));
    autoReload->setCheckable(true);
    autoReload->setChecked(QSettings().value("autoReload", true).toBool());
    autoReload->setToolTip(tr("Read what the training writes, every 2 seconds"));
    connect(autoReload, &QAction::toggled, this, [this](bool on) {
        m_session->setAutoReload(on);
        QSettings().setValue("autoReload", on);
        updateStatus();
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::closeAllWindows);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->addAction(tr("&Fit / Reset Zoom"), QKeySequence(tr("Ctrl+0")), m_plot, &PlotArea::resetZoom);
    m_viewMenu->addAction(tr("F&ull Screen"), QKeySequence::FullScreen, this, [this] { isFullScreen() ? showNormal() : showFullScreen(); });
    QAction* dark = m_viewMenu->addAction(tr("&Dark Palette"));
    dark->setCheckable(true);
    connect(dark, &QAction::toggled, this, [this](bool on) {
        ViewSettings s = m_plot->settings();
        s.dark = on;
        m_plot->setSettings(s);
    });
    m_viewMenu->addSeparator();
    for (QDockWidget* d : findChildren<QDockWidget*>())
        m_viewMenu->addAction(d->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About LossLens"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::addDock(QDockWidget* dock, Qt::DockWidgetArea area)
{
    addDockWidget(area, dock);
    m_viewMenu->addAction(dock->toggleViewAction());
}

void MainWindow::open(const QStringList& paths)
{
    m_status->setText(tr("Loading %1…").arg(paths.join(", ")));
    for (const QString& p : paths)
        addRecent(p);
    m_session->open(paths);
}

void MainWindow::chooseFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a log folder"));
    if (!dir.isEmpty())
        open({dir});
}

void MainWindow::chooseFiles()
{
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Open log files"), {}, tr("Training logs (*tfevents* *.csv *.tsv *.json *.jsonl *.log);;All files (*)"));
    if (!files.isEmpty())
        open(files);
}

void MainWindow::chooseExport()
{
    QString selected;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export"), QDir::home().filePath("losslens.png"),
        tr("PNG image (*.png);;SVG vector image (*.svg);;PDF document (*.pdf);;CSV, one column per series (*.csv);;CSV, one line per point (*.csv);;JSON (*.json)"),
        &selected);
    if (path.isEmpty())
        return;
    ExportFormat format;
    if (!formatFromPath(path, &format)) {
        QMessageBox::warning(this, tr("Export"), tr("Choose a file name ending in .png, .svg, .pdf, .csv or .json."));
        return;
    }
    if (format == ExportFormat::CsvWide && selected.contains("per point"))
        format = ExportFormat::CsvLong;
    QString error;
    const QSize size = m_plot->chart()->size().expandedTo(QSize(800, 500));
    if (!exportTo(path, format, {size, format == ExportFormat::Png ? 192 : 96, m_plot->settings().dark}, &error))
        QMessageBox::warning(this, tr("Export"), tr("Could not export %1:\n%2").arg(path, error));
    else
        statusBar()->showMessage(tr("Exported %1").arg(path), 5000);
}

bool MainWindow::exportTo(const QString& path, ExportFormat format, const ImageOptions& options, QString* error)
{
    if (m_session->loading()) { // the store is being written
        if (error)
            *error = tr("the logs are still being read; export once they are loaded");
        return false;
    }
    m_plot->redrawNow();
    if (format == ExportFormat::Png || format == ExportFormat::Svg || format == ExportFormat::Pdf)
        return exportCharts(m_plot->visibleCharts(), path, format, options, error);
    return exportData(m_session->store(), m_plot->selection(), path, format, error);
}

void MainWindow::chooseSession(bool save)
{
    const QString filter = tr("LossLens session (*.losslens)");
    const QString path = save ? QFileDialog::getSaveFileName(this, tr("Save session"), QDir::home().filePath("session.losslens"), filter)
                              : QFileDialog::getOpenFileName(this, tr("Open session"), {}, filter);
    QString error;
    if (!path.isEmpty() && !(save ? saveSession(path, &error) : loadSession(path, &error)))
        QMessageBox::warning(this, tr("Session"), tr("%1:\n%2").arg(path, error));
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About LossLens"),
                       tr("<h3>LossLens %1</h3><p>See what your multi-task loss is made of, and how that changes over training.</p>"
                          "<p>Smoothing as TensorBoard does it; every point kept and drawn through M4 decimation.</p>"
                          "<p>Built with Qt %2, Qt Charts and Eigen.</p>")
                           .arg(QApplication::applicationVersion(), qVersion()));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile())
            paths << url.toLocalFile();
    if (paths.size() == 1 && paths.front().endsWith(".losslens"))
        loadSession(paths.front());
    else if (!paths.isEmpty())
        open(paths);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (!m_session->sources().isEmpty() && QDir().mkpath(dir))
        saveSession(QDir(dir).filePath("last.losslens"));
    QSettings().setValue("windowState", saveState());
    QSettings().setValue("windowGeometry", saveGeometry());
    QMainWindow::closeEvent(event);
}

void MainWindow::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Escape) {
        if (m_session->loading())
            m_session->cancel();
        m_pinned = std::nan("");
        m_plot->setCrosshair(m_pinned);
        m_inspector->setRows({}, false);
        return;
    }
    QMainWindow::keyPressEvent(event);
}

void MainWindow::onLoaded(int newPoints, bool cancelled)
{
    m_progress->setVisible(false), m_cancel->setVisible(false);
    listRunsAndTags();
    if (m_pendingSession && !m_session->loading()) {
        const SessionState s = *std::exchange(m_pendingSession, std::nullopt);
        applySession(s);
    }
    m_derived->refresh(); // the inputs may have grown
    if (const SeriesChanges changed = m_session->takeChanges(); newPoints > 0 || cancelled || !changed.empty())
        m_plot->dataChanged(changed);
    updateSelection();
    updateStatus();
    if (cancelled)
        statusBar()->showMessage(tr("Loading cancelled; what was read is shown"), 5000);
}

void MainWindow::listRunsAndTags()
{
    QStringList names, sources;
    QList<TagInfo> tags;
    QSet<QString> seen, derived;
    for (const auto& run : m_session->store().runs()) {
        names << QString::fromStdString(run->name());
        sources << QString::fromStdString(run->source());
        for (const auto& s : run->allSeries()) {
            const QString tag = QString::fromStdString(s->tag());
            if (seen.contains(tag))
                continue;
            seen.insert(tag);
            const script::DerivedDefinition* d = s->derived() ? m_derived->find(s->tag()) : nullptr;
            tags.append({tag, s->role(), s->derived(), d ? QString::fromStdString(d->spec.source) : QString()});
            if (s->derived())
                derived.insert(tag);
        }
    }
    m_runs->setRuns(names, sources);
    m_tags->setTags(tags);
    m_inspector->setDerivedTags(derived);
}

void MainWindow::defineDerived(const script::DerivedDefinition& definition)
{
    const QString name = QString::fromStdString(definition.spec.name);
    m_tags->setChecked(name, true); // plotted as soon as it is computed
    try {
        m_derived->define(definition);
    } catch (const std::invalid_argument& e) {
        m_warnings->addItem(tr("derived series '%1': %2").arg(name, QString::fromUtf8(e.what())));
    }
    onDerivedChanged();
}

void MainWindow::removeDerived(const QString& name)
{
    m_derived->remove(name.toStdString());
    onDerivedChanged();
}

void MainWindow::editDerived(const QString& tag)
{
    if (const script::DerivedDefinition* d = m_derived->find(tag.toStdString())) {
        m_scriptEditor->showDefinition(*d);
        m_scriptEditor->show();
        m_scriptEditor->raise();
    }
}

void MainWindow::onDerivedChanged()
{
    QStringList names;
    for (const auto& d : m_derived->definitions())
        names << QString::fromStdString(d.spec.name);
    m_scriptEditor->setDefinedNames(names);
    if (m_session->loading())
        return; // the store is being written: onLoaded lists what changed
    listRunsAndTags();
    // Recomputed series come as store changes (from their first point); a removed one may leave a
    // cache entry behind under its address, so then every cache goes.
    const SeriesChanges changes = m_session->takeChanges();
    if (forgetRemovedDerived())
        m_plot->dataChanged();
    else
        m_plot->dataChanged(changes);
    updateSelection();
    updateStatus();
}

bool MainWindow::forgetRemovedDerived()
{
    std::unordered_set<const Series*> now;
    for (const auto& run : m_session->store().runs())
        for (const auto& s : run->allSeries())
            if (s->derived())
                now.insert(s.get());
    const bool removed = std::any_of(m_derivedSeries.begin(), m_derivedSeries.end(), [&](const Series* s) { return !now.contains(s); });
    m_derivedSeries = std::move(now);
    return removed;
}

void MainWindow::onDerivedFailed(const QString& name, const QString& run, const script::ScriptDiagnostic& problem)
{
    m_warnings->addItem(tr("derived series '%1' on run %2: %3").arg(name, run, ScriptEditor::describe(problem)));
    const script::DerivedDefinition* d = m_derived->find(name.toStdString());
    m_scriptEditor->showEvaluationProblem(name, d ? QString::fromStdString(d->spec.source) : QString(), run, problem);
    statusBar()->showMessage(tr("Derived series '%1' failed on run %2; see the Warnings panel").arg(name, run), 8000);
}

void MainWindow::updateSelection()
{
    Selection s;
    s.runs = m_runs->checkedRuns();
    s.tags = m_tags->checkedTags();
    s.runColors = m_runs->colors();
    s.groups = m_runs->groups(&s.groupNames);
    s.focusRun = m_runs->focusRun();
    s.weights = m_weights;
    m_plot->setSelection(s); // the summary follows when it is drawn
}

bool MainWindow::storeBusy() const { return m_session->loading() || m_plot->building(); }

void MainWindow::showSummarySoon()
{
    constexpr qint64 kIntervalMs = 250;
    const qint64 since = m_sinceSummary.isValid() ? m_sinceSummary.elapsed() : kIntervalMs;
    if (!m_summaryTimer->isActive())
        m_summaryTimer->start(int(std::max<qint64>(0, kIntervalMs - since)));
}

void MainWindow::inspectAt(double x, bool pin)
{
    if (pin)
        m_pinned = x;
    m_plot->setCrosshair(x);
    if (storeBusy()) { // shown once it is drawn
        if (!pin)
            m_hoverWaiting = x;
        return;
    }
    m_inspector->setRows(m_plot->builder().inspect(m_plot->selection(), m_plot->settings(), x), pin);
}

void MainWindow::changeRole(const QString& tag, Role role)
{
    if (const script::DerivedDefinition* d = m_derived->find(tag.toStdString())) {
        if (d->recipe) {
            statusBar()->showMessage(tr("'%1' is the recipe's total: its role stays 'total'").arg(tag), 5000);
            return;
        }
        script::DerivedDefinition changed = *d; // a derived series' role is part of its definition
        changed.spec.role = role;
        defineDerived(changed);
        return;
    }
    RunStore& store = m_session->store();
    if (m_session->loading()) {
        statusBar()->showMessage(tr("Loading: change the role of '%1' once it is done").arg(tag), 5000);
        return;
    }
    m_plot->waitForBuild(); // it reads the roles
    store.setRole({}, tag.toStdString(), role);
    for (const QString& source : m_session->sources()) // persisted next to each logdir
        if (QFileInfo(source).isDir())
            store.roleOverrides().save(QDir(source).filePath(QString::fromLatin1(RoleOverrides::kFileName.data())).toStdString());
    onLoaded(1, false);
}

SessionState MainWindow::sessionState() const
{
    SessionState s;
    s.sources = m_session->sources();
    s.runFilter = m_runs->filter();
    s.groupRegex = m_runs->groupRegex();
    s.focusRun = m_runs->focusRun();
    const QStringList checked = m_runs->checkedRuns();
    for (const QString& r : m_runs->runs())
        if (!checked.contains(r))
            s.uncheckedRuns << r;
    s.colors = m_runs->colors();
    s.tagFilter = m_tags->filter();
    s.tagChecks = m_tags->checkStates();
    s.view = m_plot->settings();
    s.weights = m_weights;
    s.roleOverridesJson = QString::fromStdString(m_session->store().roleOverrides().toJson());
    s.derived = m_derived->definitions();
    return s;
}

void MainWindow::applySession(const SessionState& state)
{
    QStringList missing;
    for (const QString& src : state.sources)
        if (!m_session->sources().contains(src))
            missing << src;
    if (!missing.isEmpty() || m_session->loading()) { // it applies once the runs are there
        m_pendingSession = state;
        if (!missing.isEmpty())
            open(missing);
        return;
    }
    m_plot->waitForBuild(); // it reads the roles
    if (!state.roleOverridesJson.isEmpty() && m_session->store().roleOverrides().fromJson(state.roleOverridesJson.toStdString()))
        m_session->store().applyRoleOverrides();
    m_runs->setFilter(state.runFilter);
    m_runs->setGroupRegex(state.groupRegex);
    for (const QString& r : m_runs->runs())
        m_runs->setChecked(r, !state.uncheckedRuns.contains(r));
    for (auto it = state.colors.begin(); it != state.colors.end(); ++it)
        m_runs->setColor(it.key(), it.value());
    m_runs->setFocusRun(state.focusRun);
    m_tags->setFilter(state.tagFilter);
    for (auto it = state.tagChecks.begin(); it != state.tagChecks.end(); ++it)
        m_tags->setChecked(it.key(), it.value());
    m_weights = state.weights;
    m_plot->setSettings(state.view);
    m_derived->setDefinitions(state.derived);
    m_plot->dataChanged();
    onDerivedChanged();
}

bool MainWindow::saveSession(const QString& path, QString* error)
{
    if (!sessionState().save(path, error))
        return false;
    addRecent(path);
    return true;
}

bool MainWindow::loadSession(const QString& path, QString* error)
{
    SessionState state;
    if (!SessionState::load(path, &state, error))
        return false;
    addRecent(path);
    applySession(state);
    return true;
}

void MainWindow::setLiveState(bool live, const QString& detail)
{
    m_liveStreaming = live;
    m_liveDetail = detail;
    updateStatus();
}

void MainWindow::setDarkPalette(bool dark)
{
    QApplication::setStyle(QStyleFactory::create("Fusion"));
    QPalette p;
    if (dark) {
        p.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x33));
        p.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
        p.setColor(QPalette::Base, QColor(0x1f, 0x21, 0x26));
        p.setColor(QPalette::AlternateBase, QColor(0x2b, 0x2d, 0x33));
        p.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
        p.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3e));
        p.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
        p.setColor(QPalette::Highlight, QColor(0x4e, 0x79, 0xa7));
        p.setColor(QPalette::ToolTipBase, QColor(0x35, 0x37, 0x3e));
        p.setColor(QPalette::ToolTipText, QColor(0xe6, 0xe6, 0xe6));
    } else {
        p = QApplication::style()->standardPalette();
    }
    QApplication::setPalette(p);
    if (m_plot->settings().dark != dark) {
        ViewSettings s = m_plot->settings();
        s.dark = dark;
        m_plot->setSettings(s);
    }
}

void MainWindow::restoreLayout()
{
    const QSettings settings;
    restoreGeometry(settings.value("windowGeometry").toByteArray());
    restoreState(settings.value("windowState").toByteArray());
}

void MainWindow::addRecent(const QString& path)
{
    QSettings settings;
    QStringList recent = settings.value("recent").toStringList();
    recent.removeAll(path);
    recent.prepend(QFileInfo(path).absoluteFilePath());
    settings.setValue("recent", recent.mid(0, 10));
}

void MainWindow::fillRecentMenu()
{
    m_recentMenu->clear();
    for (const QString& path : QSettings().value("recent").toStringList())
        m_recentMenu->addAction(path, this, [this, path] { path.endsWith(".losslens") ? (void)loadSession(path) : open({path}); });
    if (m_recentMenu->isEmpty())
        m_recentMenu->addAction(tr("(none)"))->setEnabled(false);
}

void MainWindow::updateStatus()
{
    const auto& store = m_session->store();
    m_status->setText(store.runs().empty() ? tr("Open a log folder (Ctrl+O) or drop one here")
                                           : tr("%n run(s) · %1 points", nullptr, int(store.runs().size()))
                                                 .arg(QLocale().toString(qulonglong(store.pointCount()))));
    if (m_liveStreaming) {
        m_live->setText(tr("<span style='color:#2ca02c'>●</span> live %1").arg(m_liveDetail));
        m_live->setToolTip(tr("Receiving records as training runs"));
    } else if (m_session->autoReload()) {
        m_live->setText(tr("⟳ auto-reload"));
        m_live->setToolTip(tr("The logs are read again every 2 seconds (File ▸ Auto-reload)"));
    } else {
        m_live->setText(QString());
    }
}

} // namespace losslens::ui
