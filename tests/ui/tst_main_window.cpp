// The main window used as a person would: open the sample runs, see every run and loss curve,
// switch views, inspect a step, edit a weight, change a role, save and restore a session; add a
// derived series and a recipe through the Script Editor and find them everywhere a logged series
// is (store, tags, charts, inspector, exports, session), also when scripts fail or never end.

#include "ui/chart_view.h"
#include "ui/compare_view.h"
#include "ui/controls_bar.h"
#include "ui/inspector.h"
#include "ui/log_session.h"
#include "ui/main_window.h"
#include "ui/plot_area.h"
#include "ui/plot_builder.h"
#include "ui/runs_panel.h"
#include "ui/script_editor.h"
#include "ui/tags_panel.h"
#include "tests/core/test_timing.h"

#include "core/runs/run_store.h"
#include "core/script/derived_series_model.h"
#include "core/script/script_examples.h"

#include <QListWidget>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTextBlock>
#include <QTreeWidgetItem>
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace losslens;
using namespace losslens::ui;

Q_DECLARE_METATYPE(losslens::ui::ViewKind)

namespace {
// 3 sample runs × 7 loss tags (4 components, 2 regularization, the total); regularization_loss and
// the task weights are "other". Each run logs 1200 steps.
constexpr int kRuns = 3, kLossTags = 7, kComponents = 4, kSteps = 1200;

void openSamples(MainWindow& window)
{
    QSignalSpy loaded(&window.session(), &LogSession::loaded);
    window.open({LOSSLENS_SAMPLES});
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1, 20000);
    window.plot().redrawNow();
}

void setView(MainWindow& window, ViewKind view)
{
    ViewSettings s = window.plot().settings();
    s.view = view;
    window.plot().setSettings(s);
    window.plot().redrawNow();
}

// What is left of the logged total once every component and regularization term is taken away.
const QString kRemainder = "total_loss - (`scene/xent` + `depth/mse` + `pose/huber` + `aux/orthogonality` + `l2/trunk` + `l2/heads`)";
const QStringList kTerms{"scene/xent", "depth/mse", "pose/huber", "aux/orthogonality", "l2/trunk", "l2/heads"};

/// Types a derived series or recipe into the Script Editor and presses Add, as a user would.
void addThroughEditor(MainWindow& window, script::SourceKind kind, const QString& name, const QString& source)
{
    ScriptEditor& editor = window.scriptEditor();
    editor.setCheckDelay(0);
    editor.setKind(kind);
    editor.setSeriesName(name);
    editor.setSource(source);
    QTRY_VERIFY(editor.checked());
    QVERIFY2(editor.diagnostics().isEmpty(), qPrintable(editor.statusText()));
    editor.requestAdd();
}

/// Waits until every derived series is computed and drawn.
void settle(MainWindow& window)
{
    QTRY_VERIFY_WITH_TIMEOUT(!window.derivedSeries().busy(), 10000);
    window.plot().redrawNow();
}

/// The value of `tag` in `run` at `step` (NaN if absent).
double valueAt(const MainWindow& window, const char* run, const QString& tag, std::int64_t step)
{
    const Run* r = const_cast<MainWindow&>(window).session().store().findRun(run);
    const Series* s = r ? r->find(tag.toStdString()) : nullptr;
    const auto i = s ? s->indexAtOrBefore(step) : std::nullopt;
    return i && s->steps()[*i] == step ? s->values()[*i] : std::nan("");
}

double remainderAt(const MainWindow& window, const char* run, std::int64_t step)
{
    double sum = 0;
    for (const QString& term : kTerms)
        sum += valueAt(window, run, term, step);
    return valueAt(window, run, "total_loss", step) - sum;
}

int curvesNamed(const ChartView& chart, const QString& part)
{
    int n = 0;
    for (const QString& name : chart.curveNames())
        n += name.contains(part);
    return n;
}
} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void init() { QStandardPaths::setTestModeEnabled(true); }
    void opensTheSampleRuns();
    void uncheckingARunHidesItsCurves();
    void filtersAndGroups();
    void views_data();
    void views();
    void legendTellsTheRunsApart();
    void aTagKeepsItsLineStyleInEveryRun();
    void smoothingOffDropsTheRawCurves();
    void decimationFollowsTheZoom();
    void inspectorShowsTheStep();
    void weightsChangeTheRecomputedTotal();
    void roleFromTheContextMenu();
    void redrawsAreCoalesced();
    void sessionRoundTrip();
    void reportsAPathThatDoesNotExist();
    void scriptEditorIsADock();
    void derivedSeriesIsASeriesLikeAnyOther();
    void recipeTotalInTheBreakdown();
    void derivedSeriesFollowsAGrowingLog();
    void scriptErrorsShowTheirPosition();
    void neverEndingScriptIsStopped();
};

void TestMainWindow::opensTheSampleRuns()
{
    MainWindow window;
    window.show();
    openSamples(window);
    QCOMPARE(window.runs().runs(), (QStringList{"mtl-dwa", "mtl-seed0", "mtl-seed1"}));
    QCOMPARE(window.runs().checkedRuns().size(), kRuns);
    // smoothing 0.6 by default: one smoothed and one faint raw curve per run × loss tag
    QCOMPARE(curvesNamed(window.chart(), "(raw)"), kRuns * kLossTags);
    QCOMPARE(window.chart().curveCount(), 2 * kRuns * kLossTags);
    QVERIFY(window.chart().legendEntries().contains("depth/mse"));
    const auto [x0, x1] = window.chart().xRange();
    QVERIFY(x0 <= 1 && x1 >= kSteps);
    QVERIFY(window.tags().checkedTags().contains("scene/xent"));
    QVERIFY(!window.tags().checkedTags().contains("regularization_loss"));
}

void TestMainWindow::uncheckingARunHidesItsCurves()
{
    MainWindow window;
    openSamples(window);
    QSignalSpy redrawn(&window.plot(), &PlotArea::redrawn);
    window.runs().setChecked("mtl-seed0", false);
    QTRY_VERIFY(redrawn.count() >= 1);
    QCOMPARE(window.chart().curveCount(), 2 * (kRuns - 1) * kLossTags);
    QCOMPARE(curvesNamed(window.chart(), "mtl-seed0"), 0);
}

void TestMainWindow::filtersAndGroups()
{
    MainWindow window;
    openSamples(window);
    window.runs().setFilter("seed");
    window.tags().setFilter("^l2/");
    window.plot().redrawNow();
    QCOMPARE(window.runs().checkedRuns(), (QStringList{"mtl-seed0", "mtl-seed1"}));
    QCOMPARE(window.chart().curveCount(), 2 * 2 * 2);
    window.runs().setFilter({});
    window.runs().setGroupRegex("(mtl-seed)\\d");
    QStringList names;
    const auto groups = window.runs().groups(&names);
    QCOMPARE(groups.size(), 2);
    QCOMPARE(names, (QStringList{"mtl-dwa", "mtl-seed"}));
    QCOMPARE(groups[1], (QStringList{"mtl-seed0", "mtl-seed1"}));
}

void TestMainWindow::views_data()
{
    QTest::addColumn<ViewKind>("view");
    QTest::addColumn<QStringList>("mustHave");
    QTest::addColumn<int>("charts");
    QTest::newRow("breakdown") << ViewKind::Breakdown
                               << QStringList{"scene/xent", "l2/trunk", "total (logged)", "total (recomputed)", "unexplained"} << 1;
    QTest::newRow("share") << ViewKind::Share << QStringList{"scene/xent", "unexplained"} << 1;
    QTest::newRow("balance") << ViewKind::Balance << QStringList{"scene/xent · mtl-dwa", "DWA λ · depth/mse · mtl-dwa"} << 1;
    QTest::newRow("compare") << ViewKind::Compare << QStringList{} << kLossTags;
}

void TestMainWindow::views()
{
    QFETCH(ViewKind, view);
    QFETCH(QStringList, mustHave);
    QFETCH(int, charts);
    MainWindow window;
    window.show();
    openSamples(window);
    setView(window, view);
    QCOMPARE(window.plot().visibleCharts().size(), charts);
    const ChartView& chart = *window.plot().visibleCharts().front();
    for (const QString& name : mustHave)
        QVERIFY2(chart.curveNames().contains(name), qPrintable(name + " not in " + chart.curveNames().join(", ")));
    QVERIFY2(chart.legendEntries().size() >= 3, qPrintable(chart.legendEntries().join(", ")));
    if (view == ViewKind::Breakdown) {
        // 4 components + 2 regularization stacked, plus remainder, logged and recomputed total
        QCOMPARE(chart.curveCount(), kComponents + 2 + 3);
        QVERIFY(chart.drawnPointCount("total (logged)") > 100);
    }
    if (view == ViewKind::Share) {
        const auto [y0, y1] = chart.yRange();
        QVERIFY(y0 <= 0 && y1 >= 100 && y1 < 130);
    }
    if (view == ViewKind::Compare) {
        QCOMPARE(window.plot().compare()->charts().front()->spec().title, "scene/xent");
        QCOMPARE(window.plot().compare()->charts().front()->curveCount(), kRuns);
        // a group of two runs becomes a band and a mean line
        window.runs().setGroupRegex("(mtl-seed)\\d");
        window.plot().redrawNow();
        const QStringList names = window.plot().compare()->charts().front()->curveNames();
        QVERIFY(names.contains("scene/xent · mtl-seed (mean)"));
        QVERIFY(names.contains("scene/xent · mtl-seed (min–max)"));
        // linked x axes
        ChartView* first = window.plot().compare()->charts().front();
        emit first->xRangeChanged(100, 300); // as a zoom on the first chart does
        first->setXRange(100, 300);
        QTRY_COMPARE(window.plot().compare()->charts().back()->xRange().first, 100.0);
    }
}

void TestMainWindow::legendTellsTheRunsApart()
{
    MainWindow window;
    window.show();
    openSamples(window);
    // colour by tag: the legend names the tags in colour and the runs by their line style
    const ChartView& chart = window.chart();
    const auto key = chart.spec().lineStyleKey;
    QCOMPARE(key, (QList<std::pair<QString, Qt::PenStyle>>{{"mtl-dwa", Qt::SolidLine}, {"mtl-seed0", Qt::DashLine}, {"mtl-seed1", Qt::DotLine}}));
    for (const auto& [run, style] : key) {
        QVERIFY2(chart.legendEntries().contains(run), qPrintable(chart.legendEntries().join(", ")));
        for (const Curve& c : chart.curves())
            if (c.name.endsWith(" · " + run))
                QCOMPARE(c.style, style);
    }
    // one run: nothing for the style to tell apart
    for (const char* run : {"mtl-seed0", "mtl-seed1"})
        window.runs().setChecked(run, false);
    window.plot().redrawNow();
    QVERIFY(window.chart().spec().lineStyleKey.isEmpty());
    QVERIFY(!window.chart().legendEntries().contains("mtl-dwa"));
}

void TestMainWindow::aTagKeepsItsLineStyleInEveryRun()
{
    // colour by run: the style is the tag's, even where a run lacks a tag another has before it
    RunStore store;
    for (const auto& [run, tags] : {std::pair{"A", QStringList{"loss_a", "loss_b"}}, std::pair{"B", QStringList{"loss_b"}}})
        for (const QString& tag : tags)
            for (std::int64_t step = 0; step < 10; ++step)
                store.series(store.run(run), tag.toStdString()).append(step, NAN, 1.0);
    Selection selection;
    selection.runs = {"A", "B"}, selection.tags = {"loss_a", "loss_b"};
    selection.runColors = {{"A", Qt::red}, {"B", Qt::blue}};
    ViewSettings settings;
    settings.colorBy = ColorBy::Run;
    settings.smoothing = 0;
    PlotBuilder builder(store);
    const Plot plot = builder.build(selection, settings, std::nullopt, 400);
    QHash<QString, Qt::PenStyle> styles;
    for (const Curve& c : plot.curves)
        styles.insert(c.name, c.style);
    QCOMPARE(styles.value("loss_b · B"), styles.value("loss_b · A"));
    QCOMPARE(styles.value("loss_a · A"), Qt::SolidLine);
    QCOMPARE(styles.value("loss_b · A"), Qt::DashLine);
    QCOMPARE(plot.spec.lineStyleKey, (QList<std::pair<QString, Qt::PenStyle>>{{"loss_a", Qt::SolidLine}, {"loss_b", Qt::DashLine}}));
}

void TestMainWindow::smoothingOffDropsTheRawCurves()
{
    MainWindow window;
    openSamples(window);
    window.plot().controls()->smoothingSlider()->setValue(0);
    window.plot().redrawNow();
    QCOMPARE(window.plot().settings().smoothing, 0.0);
    QCOMPARE(window.chart().curveCount(), kRuns * kLossTags);
}

void TestMainWindow::decimationFollowsTheZoom()
{
    MainWindow window;
    window.resize(900, 700);
    window.show();
    openSamples(window);
    const QString name = "scene/xent · mtl-seed0";
    const int columns = window.chart().plotColumns();
    const auto full = window.chart().drawnPointCount(name);
    QVERIFY(full <= std::min(kSteps, 5 * columns + 2));
    QSignalSpy redrawn(&window.plot(), &PlotArea::redrawn);
    window.chart().setXRange(400, 460); // as the canvas does on a zoom, then says so
    emit window.chart().xRangeChanged(400, 460);
    QTRY_VERIFY(redrawn.count() >= 1);
    QCOMPARE(window.chart().xRange(), std::make_pair(400.0, 460.0));
    // 61 steps in view, all kept, plus one beyond each edge
    QCOMPARE(window.chart().drawnPointCount(name), 63);
    window.plot().resetZoom();
    QCOMPARE(window.chart().drawnPointCount(name), full);
}

void TestMainWindow::inspectorShowsTheStep()
{
    MainWindow window;
    openSamples(window);
    window.inspectAt(600.3, true);
    const QTableWidget* t = window.inspector().atStep();
    QCOMPARE(t->rowCount(), kRuns * kLossTags);
    QCOMPARE(t->item(0, 0)->text(), "mtl-dwa");
    QCOMPARE(t->item(0, 1)->text(), "scene/xent");
    QCOMPARE(t->item(0, 2)->text(), "600");
    const RunStore& store = window.session().store();
    const Series* s = store.findRun("mtl-dwa")->find("scene/xent");
    const double value = s->values()[*s->indexAtOrBefore(600)];
    QCOMPARE(t->item(0, 3)->data(Qt::UserRole).toDouble(), value);
    QVERIFY(t->item(0, 4)->data(Qt::UserRole).toDouble() != value); // smoothed differs
    QVERIFY(t->item(0, 5)->text().endsWith("%"));
    // summary: one row per run × loss tag, sortable
    QTRY_COMPARE(window.inspector().summary()->rowCount(), kRuns * kLossTags); // it follows the plot at most 4 times a second
    QVERIFY(window.inspector().tableText(window.inspector().summary()).startsWith("run\ttag\trole\tlast"));
}

void TestMainWindow::weightsChangeTheRecomputedTotal()
{
    MainWindow window;
    openSamples(window);
    window.runs().setFocusRun("mtl-seed0");
    setView(window, ViewKind::Breakdown);
    const auto recomputedAt = [&](double x) {
        for (const Curve& c : window.chart().curves())
            if (c.name == "total (recomputed)")
                for (const QPointF& p : c.points)
                    if (p.x() == x)
                        return p.y();
        return std::nan("");
    };
    const double before = recomputedAt(1);
    QVERIFY(std::isfinite(before));
    window.inspectAt(1, true);
    QTableWidget* t = window.inspector().atStep();
    int row = -1;
    for (int r = 0; r < t->rowCount(); ++r)
        if (t->item(r, 1)->text() == "depth/mse")
            row = r;
    QVERIFY(row >= 0);
    QSignalSpy changed(&window.inspector(), &Inspector::weightChanged);
    t->item(row, 6)->setText("3"); // as the user types a weight
    QCOMPARE(changed.count(), 1);
    window.plot().redrawNow();
    // smoothed at step 1 equals the raw value (TensorBoard's debias), so the change is exact
    const Series* depth = window.session().store().findRun("mtl-seed0")->find("depth/mse");
    QCOMPARE(recomputedAt(1), before + 2 * depth->values()[0]);
}

void TestMainWindow::roleFromTheContextMenu()
{
    QTemporaryDir dir;
    MainWindow window;
    openSamples(window);
    QSignalSpy role(&window.tags(), &TagsPanel::roleChangeRequested);
    emit window.tags().roleChangeRequested("regularization_loss", Role::Regularization);
    QCOMPARE(window.tags().role("regularization_loss"), Role::Regularization);
    QVERIFY(window.tags().checkedTags().contains("l2/trunk"));
    window.session().store().setRole({}, "regularization_loss", Role::Other); // leave the samples as they were
    QFile::remove(QString(LOSSLENS_SAMPLES) + "/.losslens-roles.json");
}

void TestMainWindow::redrawsAreCoalesced()
{
    MainWindow window;
    openSamples(window);
    const int before = window.plot().redrawCount();
    for (int i = 0; i < 50; ++i) // 50 changes in a burst
        window.plot().controls()->smoothingSlider()->setValue(100 + i * 10);
    QTRY_VERIFY(window.plot().redrawCount() > before);
    QTest::qWait(100);
    QVERIFY2(window.plot().redrawCount() - before <= 2, qPrintable(QString::number(window.plot().redrawCount() - before)));
}

void TestMainWindow::sessionRoundTrip()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("s.losslens");
    {
        MainWindow window;
        openSamples(window);
        window.runs().setChecked("mtl-seed1", false);
        window.runs().setColor("mtl-dwa", QColor("#123456"));
        window.tags().setChecked("l2/heads", false);
        ViewSettings s = window.plot().settings();
        s.view = ViewKind::Share, s.smoothing = 0.9, s.logY = true, s.xAxis = XAxisMode::Relative;
        window.plot().setSettings(s);
        emit window.inspector().weightChanged("depth/mse", 2.5);
        addThroughEditor(window, script::SourceKind::DerivedExpression, "unexplained", kRemainder);
        addThroughEditor(window, script::SourceKind::Recipe, "total (dwa)", QString::fromStdString(script::scriptExample("dwa").source));
        settle(window);
        QVERIFY(window.saveSession(path));
    }
    MainWindow restored;
    QSignalSpy loaded(&restored.session(), &LogSession::loaded);
    QVERIFY(restored.loadSession(path));
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1, 20000);
    QCOMPARE(restored.runs().checkedRuns(), (QStringList{"mtl-dwa", "mtl-seed0"}));
    QCOMPARE(restored.runs().color("mtl-dwa"), QColor("#123456"));
    QVERIFY(!restored.tags().checkedTags().contains("l2/heads"));
    QCOMPARE(restored.plot().settings().view, ViewKind::Share);
    QCOMPARE(restored.plot().settings().smoothing, 0.9);
    QCOMPARE(restored.plot().settings().xAxis, XAxisMode::Relative);
    QCOMPARE(restored.plot().selection().weights.value("depth/mse"), 2.5);
    // the derived series and the recipe come back, and are computed again
    QCOMPARE(restored.derivedSeries().definitions().size(), std::size_t{2});
    QTRY_VERIFY_WITH_TIMEOUT(restored.session().store().findRun("mtl-seed0")->find("total (dwa)"), 10000);
    settle(restored);
    QCOMPARE(valueAt(restored, "mtl-dwa", "unexplained", 700), remainderAt(restored, "mtl-dwa", 700));
    QCOMPARE(restored.derivedSeries().find("total (dwa)")->recipe, true);
    QVERIFY(restored.tags().isDerived("unexplained"));
    QCOMPARE(restored.sessionState().toJson(), SessionState(restored.sessionState()).toJson());
}

void TestMainWindow::reportsAPathThatDoesNotExist()
{
    MainWindow window;
    QSignalSpy failed(&window.session(), &LogSession::loadFailed);
    QSignalSpy loaded(&window.session(), &LogSession::loaded);
    // The failure is shown in a message box; close it as a user would.
    QTimer::singleShot(0, [] {
        for (QWidget* w : QApplication::topLevelWidgets())
            if (w->inherits("QMessageBox"))
                w->close();
    });
    window.session().open({"/nonexistent/logdir"});
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 20000);
    QCOMPARE(failed.count(), 1);
    QCOMPARE(failed.front().at(0).toString(), "/nonexistent/logdir");
    QCOMPARE(window.runs().runs().size(), 0);
    QCOMPARE(window.warnings().count(), 1);
}

void TestMainWindow::scriptEditorIsADock()
{
    MainWindow window;
    window.show();
    ScriptEditor& editor = window.scriptEditor();
    QVERIFY(!editor.isVisible()); // hidden until asked for
    QCOMPARE(window.dockWidgetArea(&editor), Qt::RightDockWidgetArea);
    QAction* toggle = editor.toggleViewAction();
    QVERIFY(window.menuBar()->actions().at(1)->menu()->actions().contains(toggle));
    toggle->trigger();
    QVERIFY(editor.isVisible());
    QVERIFY(editor.width() >= 380);
    // the layout is saved with the window state, and restored
    const QByteArray state = window.saveState();
    editor.hide();
    QVERIFY(window.restoreState(state));
    QVERIFY(editor.isVisible());
}

void TestMainWindow::derivedSeriesIsASeriesLikeAnyOther()
{
    MainWindow window;
    window.show();
    openSamples(window);
    addThroughEditor(window, script::SourceKind::DerivedExpression, "unexplained", kRemainder);
    settle(window);

    // in the store of every run, with the arithmetic of its sources at every step
    for (const char* run : {"mtl-dwa", "mtl-seed0", "mtl-seed1"}) {
        const Series* u = window.session().store().findRun(run)->find("unexplained");
        QVERIFY(u && u->derived());
        QCOMPARE(u->size(), std::size_t(kSteps));
        for (std::int64_t step : {1, 600, 1200})
            QCOMPARE(valueAt(window, run, "unexplained", step), remainderAt(window, run, step));
    }
    // the tags panel: under its role, checked, in italics
    QCOMPARE(window.tags().role("unexplained"), Role::Other);
    QVERIFY(window.tags().isDerived("unexplained"));
    QVERIFY(window.tags().checkedTags().contains("unexplained"));
    QVERIFY(window.tags().item("unexplained")->font(0).italic());
    QVERIFY(!window.tags().item("scene/xent")->font(0).italic());
    // plotted: one smoothed and one raw curve per run
    QCOMPARE(curvesNamed(window.chart(), "unexplained"), 2 * kRuns);
    QVERIFY(window.chart().drawnPointCount("unexplained · mtl-seed0") > 100);
    QVERIFY(window.chart().legendEntries().contains("unexplained"));
    // in the inspector, in italics
    window.inspectAt(600, true);
    const QTableWidget* t = window.inspector().atStep();
    int row = -1;
    for (int r = 0; r < t->rowCount(); ++r)
        if (t->item(r, 0)->text() == "mtl-seed0" && t->item(r, 1)->text() == "unexplained")
            row = r;
    QVERIFY(row >= 0);
    QCOMPARE(t->item(row, 3)->data(Qt::UserRole).toDouble(), remainderAt(window, "mtl-seed0", 600));
    QVERIFY(t->item(row, 1)->font().italic());
    // exported: its own CSV column with the same numbers
    QTemporaryDir dir;
    const QString csv = dir.filePath("data.csv");
    QVERIFY(window.exportTo(csv, ExportFormat::CsvWide, {}));
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).split('\n');
    const qsizetype column = lines.front().split(',').indexOf("mtl-seed0/unexplained");
    QVERIFY2(column > 0, qPrintable(lines.front()));
    for (const QString& line : lines)
        if (line.startsWith("600,"))
            QCOMPARE(line.split(',').at(column).toDouble(), remainderAt(window, "mtl-seed0", 600));
    QVERIFY(window.exportTo(dir.filePath("chart.svg"), ExportFormat::Svg, {}));
    QFile svg(dir.filePath("chart.svg"));
    QVERIFY(svg.open(QIODevice::ReadOnly) && svg.readAll().contains("unexplained")); // in the legend

    // the Compare view has a chart for it
    setView(window, ViewKind::Compare);
    QCOMPARE(window.plot().visibleCharts().size(), kLossTags + 1);
    setView(window, ViewKind::Curves);

    // removed: gone from the store, the tags and the chart
    window.removeDerived("unexplained");
    window.plot().redrawNow();
    QVERIFY(!window.session().store().findRun("mtl-seed0")->find("unexplained"));
    QVERIFY(!window.tags().tags().contains("unexplained"));
    QCOMPARE(curvesNamed(window.chart(), "unexplained"), 0);
    QCOMPARE(window.chart().curveCount(), 2 * kRuns * kLossTags);
}

void TestMainWindow::recipeTotalInTheBreakdown()
{
    MainWindow window;
    openSamples(window);
    window.runs().setFocusRun("mtl-seed1");
    // what-if weighting: the scene loss counted twice
    addThroughEditor(window, script::SourceKind::Recipe, "total (what-if)",
                     "function total(c, reg) {\n"
                     "  let t = mul(2, c['scene/xent']);\n"
                     "  for (const k of ['depth/mse', 'pose/huber', 'aux/orthogonality']) t = add(t, c[k]);\n"
                     "  return add(t, add(reg['l2/trunk'], reg['l2/heads']));\n"
                     "}");
    settle(window);
    const Series* total = window.session().store().findRun("mtl-seed1")->find("total (what-if)");
    QVERIFY(total && total->derived());
    QCOMPARE(total->role(), Role::Total);
    double byHand = 2 * valueAt(window, "mtl-seed1", "scene/xent", 900);
    for (const QString& term : kTerms.mid(1))
        byHand += valueAt(window, "mtl-seed1", term, 900);
    QVERIFY(std::abs(valueAt(window, "mtl-seed1", "total (what-if)", 900) - byHand) < 1e-12);
    QCOMPARE(window.tags().role("total (what-if)"), Role::Total);

    // the Breakdown keeps the logged total as the reference and adds the recipe's line
    setView(window, ViewKind::Breakdown);
    const ChartView& chart = window.chart();
    QVERIFY2(chart.curveNames().contains("total (what-if)"), qPrintable(chart.curveNames().join(", ")));
    QVERIFY(chart.curveNames().contains("total (logged)"));
    QCOMPARE(chart.curveCount(), kComponents + 2 + 3 + 1);
    QVERIFY(chart.drawnPointCount("total (what-if)") > 100);
    QVERIFY(chart.legendEntries().join(' ').contains("recipe"));
}

void TestMainWindow::derivedSeriesFollowsAGrowingLog()
{
    QTemporaryDir dir;
    const QString csv = dir.filePath("run/metrics.csv");
    QDir().mkpath(dir.filePath("run"));
    const auto write = [&](int from, int to, QIODevice::OpenMode mode) {
        QFile f(csv);
        QVERIFY(f.open(mode));
        if (from == 1)
            f.write("step,loss_a,loss_b\n");
        for (int step = from; step <= to; ++step)
            f.write(QString("%1,%2,%3\n").arg(step).arg(step * 0.5).arg(step * 0.25).toUtf8());
    };
    write(1, 10, QIODevice::WriteOnly);
    MainWindow window;
    QSignalSpy loaded(&window.session(), &LogSession::loaded);
    window.open({dir.path()});
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1, 20000);
    addThroughEditor(window, script::SourceKind::DerivedExpression, "gap", "loss_a - loss_b");
    settle(window);
    const Series* gap = window.session().store().runs().front()->find("gap");
    QVERIFY(gap);
    QCOMPARE(gap->size(), std::size_t{10});

    write(11, 15, QIODevice::Append); // the training writes on; the window reads what is new
    window.session().reload();
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 2, 20000);
    settle(window);
    gap = window.session().store().runs().front()->find("gap");
    QCOMPARE(gap->size(), std::size_t{15});
    QCOMPARE(gap->values()[14], 15 * 0.5 - 15 * 0.25);
    QCOMPARE(curvesNamed(window.chart(), "gap"), 2);
}

void TestMainWindow::scriptErrorsShowTheirPosition()
{
    MainWindow window;
    openSamples(window);
    addThroughEditor(window, script::SourceKind::DerivedScript, "broken",
                     "function derive(series, steps) {\n  return mul(series['scene/xent'], undefinedThing);\n}");
    settle(window);
    // in the warnings panel, once per run, with the position
    QCOMPARE(window.warnings().count(), kRuns);
    const QString warning = window.warnings().item(0)->text();
    QVERIFY2(warning.contains("derived series 'broken'") && warning.contains("line 2, column 36"), qPrintable(warning));
    // in the editor: the status line and a wavy underline on line 2
    QVERIFY2(window.scriptEditor().statusText().contains("line 2, column 36"), qPrintable(window.scriptEditor().statusText()));
    const auto marks = window.scriptEditor().textEdit()->extraSelections();
    QCOMPARE(marks.size(), 1);
    QCOMPARE(marks.front().cursor.block().blockNumber(), 1);
    QCOMPARE(marks.front().cursor.selectedText(), QString("undefinedThing"));
    QVERIFY(!window.session().store().findRun("mtl-seed0")->find("broken"));
    QVERIFY(!window.tags().tags().contains("broken"));

    // the window keeps working: fixed, the same name computes
    addThroughEditor(window, script::SourceKind::DerivedScript, "broken",
                     "function derive(series, steps) {\n  return mul(series['scene/xent'], 2);\n}");
    settle(window);
    QCOMPARE(valueAt(window, "mtl-seed0", "broken", 10), 2 * valueAt(window, "mtl-seed0", "scene/xent", 10));
    QCOMPARE(window.warnings().count(), kRuns);
}

void TestMainWindow::neverEndingScriptIsStopped()
{
    MainWindow window;
    window.show();
    openSamples(window);
    // the event loop's longest pause while the script runs: the GUI never waits for it
    QElapsedTimer clock;
    qint64 last = 0, longest = 0;
    QTimer probe;
    connect(&probe, &QTimer::timeout, [&] {
        longest = std::max(longest, clock.elapsed() - last);
        last = clock.elapsed();
    });
    clock.start();
    probe.start(10);
    addThroughEditor(window, script::SourceKind::DerivedScript, "forever",
                     "function derive(series, steps) {\n  while (true) {}\n  return series['scene/xent'];\n}");
    QTRY_VERIFY_WITH_TIMEOUT(window.warnings().count() > 0, 10000); // the 2 s limit
    probe.stop();
    QVERIFY2(longest < 500 * kSanitizerSlowdown, qPrintable(QString("the event loop paused %1 ms").arg(longest)));
    QCOMPARE(window.warnings().count(), 1); // stopped after the first run, not tried on the others
    const QString warning = window.warnings().item(0)->text();
    QVERIFY2(warning.contains("longer than the limit") && warning.contains("stopped"), qPrintable(warning));
    QVERIFY(window.scriptEditor().statusText().contains("forever"));
    QVERIFY(!window.derivedSeries().busy());
    // a redraw and a new derived series still work
    addThroughEditor(window, script::SourceKind::DerivedExpression, "unexplained", kRemainder);
    settle(window);
    QCOMPARE(curvesNamed(window.chart(), "unexplained"), 2 * kRuns);
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
