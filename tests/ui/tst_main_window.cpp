// The main window used as a person would: open the sample runs, see every run and loss curve,
// switch views, inspect a step, edit a weight, change a role, save and restore a session.

#include "ui/chart_view.h"
#include "ui/compare_view.h"
#include "ui/controls_bar.h"
#include "ui/inspector.h"
#include "ui/log_session.h"
#include "ui/main_window.h"
#include "ui/plot_area.h"
#include "ui/runs_panel.h"
#include "ui/tags_panel.h"

#include <QListWidget>
#include <QSignalSpy>
#include <QTableWidget>
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
    void smoothingOffDropsTheRawCurves();
    void decimationFollowsTheZoom();
    void inspectorShowsTheStep();
    void weightsChangeTheRecomputedTotal();
    void roleFromTheContextMenu();
    void redrawsAreCoalesced();
    void sessionRoundTrip();
    void reportsAPathThatDoesNotExist();
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
    QCOMPARE(window.inspector().summary()->rowCount(), kRuns * kLossTags);
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

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
