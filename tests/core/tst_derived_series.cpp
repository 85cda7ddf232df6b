// Derived series and recipes: expressions evaluated natively over series aligned by step, scripts
// over the same columns, the recipe examples against their papers' formulas written out, and the
// asynchronous ScriptWorker the viewer uses.

#include "core/runs/run_store.h"
#include "core/script/derived_series.h"
#include "core/script/derived_series_model.h"
#include "core/script/expression.h"
#include "core/script/script_examples.h"
#include "core/script/script_worker.h"
#include "core/script/step_alignment.h"
#include "tests/core/test_timing.h"
#include "printers.h"

#include <QtTest>

#include <cmath>

using namespace losslens;
using namespace losslens::script;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(losslens::script::ScriptDiagnostic)

namespace {

Series makeSeries(const std::string& tag, Role role, const std::vector<std::int64_t>& steps, const std::vector<double>& values)
{
    Series s(tag, role);
    for (std::size_t i = 0; i < steps.size(); ++i)
        s.append(steps[i], 100.0 + static_cast<double>(steps[i]), values[i]);
    return s;
}

std::vector<double> values(const Series& s) { return {s.values().begin(), s.values().end()}; }
std::vector<std::int64_t> steps(const Series& s) { return {s.steps().begin(), s.steps().end()}; }

/// A Mask R-CNN-like run: the logged total is the components plus 0.01 (the unexplained part).
Run maskRcnnRun()
{
    Run run("mrcnn", "test");
    const std::vector<std::int64_t> st{0, 20, 40, 60};
    run.series("loss_cls", Role::Component) = makeSeries("loss_cls", Role::Component, st, {1.0, 0.8, 0.6, 0.5});
    run.series("loss_box_reg", Role::Component) = makeSeries("loss_box_reg", Role::Component, st, {0.5, 0.4, 0.4, 0.3});
    run.series("loss_mask", Role::Component) = makeSeries("loss_mask", Role::Component, st, {0.7, 0.6, 0.5, 0.5});
    run.series("total_loss", Role::Total) = makeSeries("total_loss", Role::Total, st, {2.21, 1.81, 1.51, 1.31});
    run.series("lr", Role::Other) = makeSeries("lr", Role::Other, {0, 20}, {0.1, 0.1});
    return run;
}

/// Two Mask R-CNN-like runs in a store; the second logs its total 0.1 higher.
void fillStore(RunStore& store)
{
    for (const auto& [name, extra] : {std::pair{"r0", 0.0}, std::pair{"r1", 0.1}}) {
        Run& run = store.run(name);
        const Run source = maskRcnnRun();
        for (const auto& series : source.allSeries()) {
            Series& s = store.series(run, series->tag(), series->role());
            for (std::size_t i = 0; i < series->size(); ++i)
                s.append(series->steps()[i], series->wallTimes()[i], series->values()[i] + (series->tag() == "total_loss" ? extra : 0.0));
        }
    }
}

DerivedDefinition remainder()
{
    return {{"unexplained", scriptExample("remainder").source, Role::Other, DerivedLanguage::Expression}, false};
}

} // namespace

class TestDerivedSeries : public QObject {
    Q_OBJECT

private slots:
    void expressions_data();
    void expressions();
    void expressionErrorsHavePositions_data();
    void expressionErrorsHavePositions();
    void alignsByStep();
    void unexplainedRemainderExample();
    void ratioAndUnknownNames();
    void scriptedDerivedSeries();
    void uncertaintyWeightingRecipe();
    void dynamicWeightAverageRecipe();
    void workerEvaluatesOffTheCallingThread();
    void workerChecksAndNewestCheckWins();
    void millionPoints();
    void modelPutsResultsInTheStore();
    void modelFollowsGrowingInputs();
    void modelRecipeIsADerivedTotal();
    void modelReportsAProblemOnce();
    void modelStopsATimedOutDefinition();
    void modelWaitsWhileTheStoreIsBusy();
};

void TestDerivedSeries::expressions_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("expected"); // with a = 2, b = 8, `c/d` = 3
    QTest::newRow("precedence") << "a + b * 2 - 1" << 17.0;
    QTest::newRow("parentheses") << "(a + b) * 2" << 20.0;
    QTest::newRow("unary minus") << "-a - -b" << 6.0;
    QTest::newRow("power is right-associative") << "a ^ 3 ^ 2" << 512.0;
    QTest::newRow("minus binds looser than power") << "-a ^ 2" << -4.0;
    QTest::newRow("quoted tags") << "`c/d` * \"c/d\"" << 9.0;
    QTest::newRow("functions") << "log(exp(a)) + sqrt(b * 2) + max(a, b) + min(a, b) + pow(a, 2) + abs(-1)" << 2.0 + 4 + 8 + 2 + 4 + 1;
    QTest::newRow("numbers") << "1e-3 * 1000 + .5" << 1.5;
    QTest::newRow("constant") << "42" << 42.0;
}

void TestDerivedSeries::expressions()
{
    QFETCH(QString, text);
    QFETCH(double, expected);
    const Expression e(text.toStdString());
    static const double a = 2.0, b = 8.0, cd = 3.0;
    std::vector<std::span<const double>> columns;
    for (const auto& name : e.names())
        columns.emplace_back(name == "a" ? &a : name == "b" ? &b : &cd, 1);
    const auto out = e.evaluate(columns, 1);
    QCOMPARE(out.size(), std::size_t{1});
    QVERIFY2(std::abs(out[0] - expected) < 1e-12, qPrintable(QString::number(out[0])));
}

void TestDerivedSeries::expressionErrorsHavePositions_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");
    QTest::newRow("dangling operator") << "a +" << 4 << "unexpected end";
    QTest::newRow("unbalanced") << "(a + b" << 7 << "expected ')'";
    QTest::newRow("unknown function") << "a + foo(b)" << 5 << "unknown function 'foo'";
    QTest::newRow("wrong arity") << "max(a)" << 1 << "max() takes 2 arguments";
    QTest::newRow("stray character") << "a # b" << 3 << "unexpected '#'";
    QTest::newRow("unterminated quote") << "`a/b + c" << 1 << "closing ` is missing";
}

void TestDerivedSeries::expressionErrorsHavePositions()
{
    QFETCH(QString, text);
    QFETCH(int, column);
    QFETCH(QString, message);
    try {
        Expression{text.toStdString()};
        QFAIL("must not parse");
    } catch (const ScriptError& e) {
        QCOMPARE(e.kind(), ScriptErrorKind::Syntax);
        QCOMPARE(e.line(), 1);
        QCOMPARE(e.column(), column);
        QVERIFY2(QString::fromStdString(e.message()).contains(message), e.what());
    }
}

void TestDerivedSeries::alignsByStep()
{
    const Series a = makeSeries("a", Role::Component, {0, 10, 10, 20, 30, 50}, {1, 2, 3, 4, 5, 6});
    const Series b = makeSeries("b", Role::Component, {10, 20, 40, 50}, {10, 20, 40, 50});
    const AlignedColumns aligned = alignByStep({&a, &b});
    const auto vec = [](auto column) { return std::vector<std::remove_cvref_t<decltype(column[0])>>(column.begin(), column.end()); };
    QCOMPARE(vec(aligned.steps), (std::vector<std::int64_t>{10, 20, 50}));
    QCOMPARE(vec(aligned.values[0]), (std::vector<double>{3, 4, 6})); // the last of equal steps
    QCOMPARE(vec(aligned.values[1]), (std::vector<double>{10, 20, 50}));
    QCOMPARE(vec(aligned.wallTimes), (std::vector<double>{110, 120, 150}));
    // Identical steps: the columns are the series' own (no copy).
    const Series c = makeSeries("c", Role::Component, {10, 20, 40, 50}, {1, 2, 3, 4});
    const AlignedColumns same = alignByStep({&b, &c});
    QCOMPARE(same.values[1].data(), c.values().data());
    QCOMPARE(same.steps.size(), std::size_t{4});
}

void TestDerivedSeries::unexplainedRemainderExample()
{
    const Run run = maskRcnnRun();
    const DerivedSeriesSpec spec{"unexplained", scriptExample("remainder").source, Role::Other, DerivedLanguage::Expression};
    const Series out = evaluateDerivedSeries(spec, run);
    QCOMPARE(out.tag(), std::string("unexplained"));
    QCOMPARE(out.role(), Role::Other);
    QVERIFY(out.roleOverridden());
    QCOMPARE(steps(out), (std::vector<std::int64_t>{0, 20, 40, 60}));
    for (double v : values(out))
        QVERIFY(std::abs(v - 0.01) < 1e-12);
}

void TestDerivedSeries::ratioAndUnknownNames()
{
    const Run run = maskRcnnRun();
    const Series ratio = evaluateDerivedSeries({"cls/mask", "loss_cls / loss_mask", Role::Other, DerivedLanguage::Expression}, run);
    QCOMPARE(values(ratio)[3], 1.0);
    const Series withLr = evaluateDerivedSeries({"x", "loss_cls * lr", Role::Other, DerivedLanguage::Expression}, run);
    QCOMPARE(steps(withLr), (std::vector<std::int64_t>{0, 20})); // only the steps both have
    try {
        evaluateDerivedSeries({"x", "loss_cls + loss_kpt", Role::Other, DerivedLanguage::Expression}, run);
        QFAIL("unknown series must fail");
    } catch (const ScriptError& e) {
        QCOMPARE(e.column(), 12);
        QVERIFY2(e.message().find("unknown series 'loss_kpt'; this run has loss_cls") != std::string::npos, e.what());
    }
}

void TestDerivedSeries::scriptedDerivedSeries()
{
    const Run run = maskRcnnRun();
    const DerivedSeriesSpec spec{"share", R"(function derive(series, steps) {
      const parts = add(series.loss_cls, add(series["loss_box_reg"], series.loss_mask));
      return div(series.loss_cls, parts);
    })", Role::Other, DerivedLanguage::Script};
    const Series share = evaluateDerivedSeries(spec, run);
    QVERIFY(std::abs(values(share)[0] - 1.0 / 2.2) < 1e-12);
    const DerivedSeriesSpec wrong{"bad", "function derive(series) { return [1, 2]; } // loss_cls", Role::Other, DerivedLanguage::Script};
    try {
        evaluateDerivedSeries(wrong, run);
        QFAIL("a wrong length must fail");
    } catch (const ScriptError& e) {
        QCOMPARE(e.kind(), ScriptErrorKind::Result);
        QVERIFY2(e.message().find("must return an array of 4 values (one per aligned step) or a number") != std::string::npos, e.what());
    }
}

void TestDerivedSeries::uncertaintyWeightingRecipe()
{
    // Kendall et al. (2018) written out: Σ exp(−sᵢ)·Lᵢ + sᵢ.
    const Run run = maskRcnnRun();
    std::vector<const Series*> all;
    for (const auto& s : run.allSeries())
        all.push_back(s.get());
    RecipeSpec recipe{scriptExample("uncertainty").source, "total (uncertainty)", {{"s_loss_cls", 0.5}, {"s_loss_mask", -0.25}}};
    const Series total = evaluateRecipe(recipe, all);
    QCOMPARE(total.role(), Role::Total);
    const double expected = std::exp(-0.5) * 0.8 + 0.5 + 0.4 + std::exp(0.25) * 0.6 - 0.25;
    QVERIFY2(std::abs(values(total)[1] - expected) < 1e-12, qPrintable(QString::number(values(total)[1], 'g', 17)));
}

void TestDerivedSeries::dynamicWeightAverageRecipe()
{
    // Liu et al. (2019) written out for step index 2 (ratios of steps 1 and 0), T = 2, K = 3.
    const Run run = maskRcnnRun();
    std::vector<const Series*> all;
    for (const auto& s : run.allSeries())
        all.push_back(s.get());
    const Series total = evaluateRecipe({scriptExample("dwa").source, "total (DWA)", {}}, all);
    const double r[3] = {0.8 / 1.0, 0.4 / 0.5, 0.6 / 0.7}, l[3] = {0.6, 0.4, 0.5};
    double z = 0, expected = 0;
    for (double ri : r)
        z += std::exp(ri / 2);
    for (int k = 0; k < 3; ++k)
        expected += 3 * std::exp(r[k] / 2) / z * l[k];
    QVERIFY(std::abs(values(total)[2] - expected) < 1e-12);
    QVERIFY(std::abs(values(total)[0] - 2.2) < 1e-12); // w = 1 before two steps exist
}

void TestDerivedSeries::workerEvaluatesOffTheCallingThread()
{
    ScriptWorker worker({.timeout = 300ms});
    QSignalSpy ready(&worker, &ScriptWorker::derivedReady);
    QSignalSpy failed(&worker, &ScriptWorker::failed);
    const Run run = maskRcnnRun();
    std::vector<Series> copies;
    for (const auto& s : run.allSeries())
        copies.push_back(*s);

    // A hanging script returns control at once; the watchdog reports it later.
    QElapsedTimer timer;
    timer.start();
    const quint64 hanging = worker.evaluateDerived({"x", "function derive(s) { for (;;) {} } // loss_cls", Role::Other, DerivedLanguage::Script}, copies);
    QVERIFY(timer.elapsed() < 100);
    const quint64 good = worker.evaluateDerived({"unexplained", scriptExample("remainder").source, Role::Other, DerivedLanguage::Expression}, copies);
    QTRY_COMPARE(ready.count(), 1);
    QCOMPARE(failed.count(), 1);
    QCOMPARE(failed.first().at(0).value<quint64>(), hanging);
    QCOMPARE(failed.first().at(1).value<ScriptDiagnostic>().kind, ScriptErrorKind::Timeout);
    QCOMPARE(ready.first().at(0).value<quint64>(), good);
    QCOMPARE(ready.first().at(1).value<std::shared_ptr<const Series>>()->size(), std::size_t{4});
}

void TestDerivedSeries::workerChecksAndNewestCheckWins()
{
    ScriptWorker worker({.timeout = 5000ms});
    QSignalSpy checked(&worker, &ScriptWorker::checked);
    const quint64 slow = worker.check(SourceKind::Loss, "for (;;) {}");
    QTest::qWait(50);
    const quint64 bad = worker.check(SourceKind::Loss, "function loss(i) {\n  return (;\n}");
    QTRY_COMPARE_WITH_TIMEOUT(checked.count(), 2, 3000 * kSanitizerSlowdown); // before the 5 s limit: cancelled
    const auto first = checked.at(0).at(1).value<QList<ScriptDiagnostic>>();
    QCOMPARE(checked.at(0).at(0).value<quint64>(), slow);
    QCOMPARE(first.size(), 1);
    QCOMPARE(first.front().kind, ScriptErrorKind::Cancelled);
    const auto second = checked.at(1).at(1).value<QList<ScriptDiagnostic>>();
    QCOMPARE(checked.at(1).at(0).value<quint64>(), bad);
    QCOMPARE(second.size(), 1);
    QCOMPARE(second.front().kind, ScriptErrorKind::Syntax);
    QCOMPARE(second.front().line, 2);

    const quint64 fine = worker.check(SourceKind::Recipe, QString::fromStdString(scriptExample("dwa").source));
    QTRY_COMPARE(checked.count(), 3);
    QCOMPARE(checked.at(2).at(0).value<quint64>(), fine);
    QVERIFY(checked.at(2).at(1).value<QList<ScriptDiagnostic>>().isEmpty());
}

void TestDerivedSeries::millionPoints()
{
    // Correctness at scale (the timing is BM_DerivedSeries in losslens-bench).
    const std::size_t n = 1'000'000;
    Run run("big", "test");
    for (const char* tag : {"total_loss", "loss_cls", "loss_box_reg", "loss_mask"}) {
        Series& s = run.series(tag, Role::Component);
        s.reserve(n);
        for (std::size_t i = 0; i < n; ++i)
            s.append(static_cast<std::int64_t>(i), 0.0, std::string(tag) == "total_loss" ? 3.5 : 1.0);
    }
    const Series out = evaluateDerivedSeries({"u", scriptExample("remainder").source, Role::Other, DerivedLanguage::Expression}, run);
    QCOMPARE(out.size(), n);
    QCOMPARE(out.values()[n - 1], 0.5);
}

void TestDerivedSeries::modelPutsResultsInTheStore()
{
    RunStore store;
    fillStore(store);
    DerivedSeriesModel model(store, [] { return true; });
    QSignalSpy changed(&model, &DerivedSeriesModel::seriesChanged);
    model.define(remainder());
    QVERIFY(model.busy());
    QTRY_VERIFY(!model.busy());
    for (const char* name : {"r0", "r1"}) {
        const Series* u = store.findRun(name)->find("unexplained");
        QVERIFY(u && u->derived());
        QCOMPARE(u->role(), Role::Other);
        QCOMPARE(steps(*u), (std::vector<std::int64_t>{0, 20, 40, 60}));
        // total − (cls + box + mask) at step 20: 1.81 − (0.8 + 0.4 + 0.6), plus r1's 0.1
        QVERIFY(std::abs(u->values()[1] - (std::string(name) == "r0" ? 0.01 : 0.11)) < 1e-12);
    }
    QCOMPARE(changed.count(), 2);
    QCOMPARE(model.definitions().size(), std::size_t{1});

    QVERIFY(model.remove("unexplained"));
    QVERIFY(!store.findRun("r0")->find("unexplained") && !store.findRun("r1")->find("unexplained"));
    QVERIFY(!model.remove("unexplained"));
}

void TestDerivedSeries::modelFollowsGrowingInputs()
{
    RunStore store;
    fillStore(store);
    DerivedSeriesModel model(store, [] { return true; });
    model.define(remainder());
    QTRY_VERIFY(!model.busy());
    Run& run = *store.findRun("r0");
    const Series* u = run.find("unexplained");
    for (const char* tag : {"total_loss", "loss_cls", "loss_box_reg", "loss_mask"})
        store.append(run, *run.find(tag), 80, 180, std::string(tag) == "total_loss" ? 2.0 : 0.5);
    QSignalSpy changed(&model, &DerivedSeriesModel::seriesChanged);
    model.refresh();
    QTRY_VERIFY(!model.busy());
    QCOMPARE(changed.count(), 1); // r1 did not change: not recomputed
    QCOMPARE(run.find("unexplained"), u); // replaced in place
    QCOMPARE(u->size(), std::size_t{5});
    QCOMPARE(u->values()[4], 0.5);
    model.refresh(); // nothing new: nothing recomputed
    QVERIFY(!model.busy());

    DerivedDefinition ratio = remainder(); // an edit replaces the series' points and role
    ratio.spec.source = "loss_cls / loss_mask";
    ratio.spec.role = Role::Component;
    model.define(ratio);
    QTRY_VERIFY(!model.busy());
    QCOMPARE(u->role(), Role::Component);
    QCOMPARE(u->values()[0], 1.0 / 0.7);
}

void TestDerivedSeries::modelRecipeIsADerivedTotal()
{
    RunStore store;
    fillStore(store);
    DerivedSeriesModel model(store, [] { return true; });
    // What-if weighting written out: 2·cls + box + mask
    const char* source = "function total(c, r) { return add(mul(2, c.loss_cls), add(c.loss_box_reg, c.loss_mask)); }";
    model.define(DerivedDefinition::makeRecipe("total (recipe)", source));
    QTRY_VERIFY(!model.busy());
    const Series* t = store.findRun("r1")->find("total (recipe)");
    QVERIFY(t && t->derived());
    QCOMPARE(t->role(), Role::Total);
    QVERIFY(std::abs(t->values()[1] - (2 * 0.8 + 0.4 + 0.6)) < 1e-12);
    // a second recipe replaces the first
    model.define(DerivedDefinition::makeRecipe("total (dwa)", scriptExample("dwa").source));
    QTRY_VERIFY(!model.busy());
    QVERIFY(!store.findRun("r1")->find("total (recipe)"));
    QVERIFY(store.findRun("r1")->find("total (dwa)"));
    QCOMPARE(model.definitions().size(), std::size_t{1});
}

void TestDerivedSeries::modelReportsAProblemOnce()
{
    RunStore store;
    fillStore(store);
    DerivedSeriesModel model(store, [] { return true; });
    QSignalSpy failed(&model, &DerivedSeriesModel::failed);
    DerivedDefinition typo = remainder();
    typo.spec.source = "total_loss - loss_clss";
    model.define(typo);
    QTRY_VERIFY(!model.busy());
    QCOMPARE(failed.count(), 2); // once per run
    const auto problem = failed.first().at(2).value<ScriptDiagnostic>();
    QCOMPARE(failed.first().at(1).toString(), QString("r0"));
    QCOMPARE(problem.line, 1);
    QCOMPARE(problem.column, 14);
    QVERIFY(problem.message.contains("unknown series 'loss_clss'"));
    Run& run = *store.findRun("r0");
    store.append(run, *run.find("loss_cls"), 80, 0, 1.0); // new data, same problem: not reported again
    model.refresh();
    QTRY_VERIFY(!model.busy());
    QCOMPARE(failed.count(), 2);
    QVERIFY(!run.find("loss_clss"));

    DerivedDefinition clash = remainder(); // a name a run logs
    clash.spec.name = "loss_cls";
    model.define(clash);
    QTRY_VERIFY(!model.busy());
    QCOMPARE(failed.count(), 4);
    QVERIFY(failed.last().at(2).value<ScriptDiagnostic>().message.contains("logs a series called 'loss_cls'"));
    QVERIFY(!run.find("loss_cls")->derived());
}

void TestDerivedSeries::modelStopsATimedOutDefinition()
{
    RunStore store;
    fillStore(store);
    DerivedSeriesModel model(store, [] { return true; }, {.timeout = 200ms});
    QSignalSpy failed(&model, &DerivedSeriesModel::failed);
    QElapsedTimer timer;
    timer.start();
    model.define({{"hang", "function derive(series) { for (;;) {} } // loss_cls", Role::Other, DerivedLanguage::Script}, false});
    QVERIFY(timer.elapsed() < 100); // the caller never waits for a script
    QTRY_VERIFY(!model.busy());
    QCOMPARE(failed.count(), 1); // stopped: the other run is not tried
    const auto problem = failed.first().at(2).value<ScriptDiagnostic>();
    QCOMPARE(problem.kind, ScriptErrorKind::Timeout);
    QVERIFY2(problem.message.contains("add it again to retry"), qPrintable(problem.message));
    model.refresh();
    QVERIFY(!model.busy());

    model.define(remainder()); // the model keeps working
    QTRY_VERIFY(!model.busy());
    QVERIFY(store.findRun("r1")->find("unexplained"));
}

void TestDerivedSeries::modelWaitsWhileTheStoreIsBusy()
{
    RunStore store;
    fillStore(store);
    bool readable = false; // as while a load writes the store
    DerivedSeriesModel model(store, [&] { return readable; });
    model.define(remainder());
    QTest::qWait(50);
    QVERIFY(!store.findRun("r0")->find("unexplained"));
    QVERIFY(model.busy()); // a definition waiting for the store is work to do: the owner refreshes
    readable = true;
    model.refresh(); // what the window calls once the load is done
    QTRY_VERIFY(!model.busy());
    QVERIFY(store.findRun("r0")->find("unexplained"));

    // A result that arrives during a load waits for it to end.
    DerivedDefinition ratio = remainder();
    ratio.spec.source = "loss_cls / loss_mask";
    model.define(ratio); // the first run's job is on the worker now
    readable = false;
    QTest::qWait(100);
    QVERIFY(model.busy());
    QVERIFY(std::abs(store.findRun("r0")->find("unexplained")->values()[0] - 0.01) < 1e-12); // still the old result
    readable = true;
    model.refresh();
    QTRY_VERIFY(!model.busy());
    QCOMPARE(store.findRun("r0")->find("unexplained")->values()[0], 1.0 / 0.7);
    QCOMPARE(store.findRun("r1")->find("unexplained")->values()[0], 1.0 / 0.7);
}

QTEST_GUILESS_MAIN(TestDerivedSeries)
#include "tst_derived_series.moc"
