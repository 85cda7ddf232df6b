// Scripted losses: scripted softmax cross-entropy, MSE and Huber give the built-ins' values (the
// built-ins are themselves checked against TF and torch in tst_loss_references); the focal and
// dice examples match tests/data/script_references.json, written by
// tests/reference/make_script_references.py from torch 1.13 (torchvision's sigmoid_focal_loss
// formula) and numpy. Plus the helper library's semantics, the collection and the registry.

#include "core/losses/classification.h"
#include "core/losses/loss_collection.h"
#include "core/losses/regression.h"
#include "core/script/script_examples.h"
#include "core/script/scripted_loss.h"
#include "reference_cases.h"

#include <QtTest>

#include <random>

using namespace losslens;
using namespace losslens::script;

namespace {

const char* const kMse = "function loss(inputs) { return square(sub(inputs.predictions, inputs.labels)); }";
const char* const kHuber = R"(function loss(inputs, args) {
  const d = args.delta ?? 1;
  const e = abs(sub(inputs.predictions, inputs.labels)), q = minimum(e, d);
  return add(mul(0.5, square(q)), mul(d, sub(e, q)));
})";
const char* const kSoftmaxXent = R"(function loss(inputs) {
  const x = inputs.logits;
  return sum(mul(inputs.onehot_labels, sub(logSumExp(x, 1, true), x)), 1);
})";

Tensor<double> randomTensor(Shape shape, unsigned seed, double scale = 2.0)
{
    Tensor<double> t(std::move(shape));
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal(0.0, scale);
    for (Index i = 0; i < t.size(); ++i)
        t.mutableData()[i] = normal(rng);
    return t;
}

Tensor<double> oneHotRows(Index rows, Index classes, unsigned seed)
{
    Tensor<double> t({rows, classes});
    std::mt19937 rng(seed);
    for (Index r = 0; r < rows; ++r)
        t.mutableData()[r * classes + static_cast<Index>(rng() % static_cast<unsigned>(classes))] = 1.0;
    return t;
}

void compare(const TensorView<double>& actual, const TensorView<double>& expected, double rtol)
{
    QString why;
    QVERIFY2(test::compareTensors(actual, expected, rtol, 1e-12, &why), qPrintable(why));
}

} // namespace

class TestScriptedLoss : public QObject {
    Q_OBJECT

private slots:
    void matchesBuiltins_data();
    void matchesBuiltins();
    void matchesIndependentReferences_data();
    void matchesIndependentReferences();
    void helpers_data();
    void helpers();
    void numberResultIsAlreadyReduced();
    void addsToACollectionLikeABuiltin();
    void registryPassesInputsAndArgs();
    void registryReportsUnusedAndMissingNames();
    void registryRefusesGradients();
    void everyLossExampleCompiles();
    void cliEvaluatesScriptCases();
};

void TestScriptedLoss::matchesBuiltins_data()
{
    QTest::addColumn<QString>("loss");
    QTest::addColumn<Reduction>("reduction");
    QTest::addColumn<bool>("weighted");
    for (const char* loss : {"mse", "huber", "softmax_xent"})
        for (Reduction r : {Reduction::None, Reduction::Sum, Reduction::Mean, Reduction::SumOverBatchSize,
                            Reduction::SumByNonzeroWeights})
            for (bool weighted : {false, true})
                QTest::addRow("%s %s%s", loss, reductionName(r).data(), weighted ? " weighted" : "")
                    << QString(loss) << r << weighted;
}

void TestScriptedLoss::matchesBuiltins()
{
    QFETCH(QString, loss);
    QFETCH(Reduction, reduction);
    QFETCH(bool, weighted);
    const Index rows = 7, classes = 5;
    const auto x = randomTensor({rows, classes}, 1), y = randomTensor({rows, classes}, 2);
    const auto labels = oneHotRows(rows, classes, 3);
    // Per-row weights with a zero, broadcast over the classes for the element-wise losses.
    const Tensor<double> rowWeights({rows}, {1, 0, 2, 0.5, 1, 3, 1});
    const Tensor<double> cellWeights({rows, 1}, {1, 0, 2, 0.5, 1, 3, 1});

    LossResult<double> builtin, scripted;
    if (loss == "mse") {
        const TensorView<double> w = weighted ? TensorView<double>(cellWeights) : TensorView<double>{};
        builtin = meanSquaredError<double>(x, y, {.weights = w, .reduction = reduction});
        scripted = ScriptedLoss(kMse).evaluate({{"predictions", x}, {"labels", y}}, {.weights = w, .reduction = reduction});
    } else if (loss == "huber") {
        const TensorView<double> w = weighted ? TensorView<double>(cellWeights) : TensorView<double>{};
        builtin = huberLoss<double>(x, y, {.weights = w, .delta = 0.7, .reduction = reduction});
        scripted = ScriptedLoss(kHuber).evaluate({{"predictions", x}, {"labels", y}},
                                                 {.weights = w, .reduction = reduction, .args = {{"delta", 0.7}}});
    } else {
        const TensorView<double> w = weighted ? TensorView<double>(rowWeights) : TensorView<double>{};
        builtin = softmaxCrossEntropy<double>(x, labels, {.weights = w, .reduction = reduction});
        scripted = ScriptedLoss(kSoftmaxXent).evaluate({{"logits", x}, {"onehot_labels", labels}},
                                                       {.weights = w, .reduction = reduction});
    }
    compare(scripted.value, builtin.value, 1e-12);
    QVERIFY(!scripted.gradient.present());
}

void TestScriptedLoss::matchesIndependentReferences_data()
{
    QTest::addColumn<std::shared_ptr<const LossCase>>("reference");
    QFile file(QStringLiteral(LOSSLENS_TEST_DATA "/script_references.json"));
    QVERIFY2(file.open(QIODevice::ReadOnly), "run tests/reference/make_script_references.py");
    const QByteArray json = file.readAll();
    for (auto& c : parseLossCases(std::string_view(json.constData(), static_cast<std::size_t>(json.size()))))
        QTest::newRow(c.id.c_str()) << std::make_shared<const LossCase>(std::move(c));
}

void TestScriptedLoss::matchesIndependentReferences()
{
    QFETCH(std::shared_ptr<const LossCase>, reference);
    LossRegistry registry;
    registerScriptLoss(registry);
    LossArgs args = reference->args;
    const std::string example = reference->id.substr(0, reference->id.find('-'));
    args.set("source", scriptExample(example).source);
    QVERIFY2(reference->problem.empty(), reference->problem.c_str());
    const auto result = registry.evaluate("script", reference->inputs, args);
    compare(result.value, *reference->expectedValue, 1e-10);
}

void TestScriptedLoss::helpers_data()
{
    // Expected values written out by hand from each helper's definition.
    QTest::addColumn<QString>("expression");
    QTest::addColumn<double>("expected");
    QTest::newRow("broadcast row + column") << "sum(add(array([1, 2, 3], [1, 3]), array([10, 20], [2, 1])))" << 102.0;
    QTest::newRow("broadcast trailing axis") << "sum(mul(array([1, 2, 3, 4, 5, 6], [2, 3]), array([1, 0, -1])))" << -4.0;
    QTest::newRow("scalar on the left") << "sum(sub(1, array([0.25, 0.5])))" << 1.25;
    QTest::newRow("two numbers give a number") << "add(2, 3) + pow(2, 10)" << 1029.0;
    QTest::newRow("softmax along axis 0") << "softmax(array([0, 0, 0, 2], [2, 2]), 0)[3]" << 1.0 / (1.0 + std::exp(-2.0));
    QTest::newRow("logSoftmax default last axis") << "logSoftmax(array([1, 1]))[0]" << -std::log(2.0);
    QTest::newRow("logSumExp stays finite") << "logSumExp(array([1000, 1000]))" << 1000.0 + std::log(2.0);
    QTest::newRow("mean along axis keeps dims") << "mean(array([1, 2, 3, 4], [2, 2]), 1, true).shape[1] + 10 * mean(array([1, 2, 3, 4], [2, 2]), 1, true)[1]" << 36.0;
    QTest::newRow("max along axis") << "max(array([1, 5, 3, 4], [2, 2]), 0)[1]" << 5.0;
    QTest::newRow("where picks") << "sum(where(gt(array([1, -1, 2]), 0), 10, array([1, 2, 3])))" << 22.0;
    QTest::newRow("clip") << "sum(clip(array([-5, 0.5, 5]), 0, 1))" << 1.5;
    QTest::newRow("shift lags") << "shift(array([1, 2, 3]))[2] + (isNaN(shift(array([1, 2, 3]))[0]) ? 100 : 0)" << 102.0;
    QTest::newRow("oneHot") << "sum(mul(oneHot(array([2, 0]), 3), array([1, 2, 3])))" << 4.0;
    QTest::newRow("reshape -1") << "reshape(zeros([2, 6]), [3, -1]).shape[1]" << 4.0;
    QTest::newRow("logSigmoid stable") << "logSigmoid(-800)" << -800.0;
    QTest::newRow("softplus") << "softplus(0)" << std::log(2.0);
    QTest::newRow("plain JS arrays are read") << "sum(square([1, 2, 3]))" << 14.0;
    QTest::newRow("element loop on a helper result") << "(function(){ const a = full([4], 2); let s = 0; for (let i = 0; i < a.length; ++i) s += a[i]; return s; })()" << 8.0;
}

void TestScriptedLoss::helpers()
{
    QFETCH(QString, expression);
    QFETCH(double, expected);
    ScriptedLoss loss("function loss() { return " + expression.toStdString() + "; }");
    const double value = loss.evaluate({}).value.item();
    QVERIFY2(test::close(value, expected, 1e-14, 1e-14), qPrintable(QString::number(value, 'g', 17)));
}

void TestScriptedLoss::numberResultIsAlreadyReduced()
{
    const Tensor<double> p({3}, {1, 2, 3}), y({3}, {1, 1, 1});
    ScriptedLoss loss("function loss(i) { return mean(square(sub(i.p, i.y))); }");
    QCOMPARE(loss.evaluate({{"p", p}, {"y", y}}).value.item(), 5.0 / 3.0);
    QCOMPARE(loss.evaluate({{"p", p}, {"y", y}}, {.reduction = Reduction::None}).value.rank(), Index{0});
    const Tensor<double> w({3}, {1, 0, 1});
    QVERIFY_THROWS_EXCEPTION(ScriptError, loss.evaluate({{"p", p}, {"y", y}}, {.weights = w}));
}

void TestScriptedLoss::addsToACollectionLikeABuiltin()
{
    const auto p = randomTensor({16}, 5), y = randomTensor({16}, 6);
    LossCollection scripted, builtin;
    ScriptedLoss(kMse).evaluate({{"predictions", p}, {"labels", y}}).addTo(scripted, "depth/mse", 0.5);
    meanSquaredError<double>(p, y).addTo(builtin, "depth/mse", 0.5);
    QCOMPARE(scripted.losses("depth").size(), std::size_t{1});
    QCOMPARE(scripted.losses("depth").front().name, std::string("depth/mse"));
    QVERIFY(test::close(scripted.totalLoss(), builtin.totalLoss(), 1e-14, 0));
    const auto a = scripted.snapshot(7), b = builtin.snapshot(7);
    QCOMPARE(a.entries.size(), b.entries.size());
    for (std::size_t i = 0; i < a.entries.size(); ++i) {
        QCOMPARE(a.entries[i].tag, b.entries[i].tag);
        QCOMPARE(a.entries[i].role, b.entries[i].role);
        QVERIFY(test::close(a.entries[i].value, b.entries[i].value, 1e-14, 0));
    }
}

void TestScriptedLoss::registryPassesInputsAndArgs()
{
    LossRegistry registry;
    registerScriptLoss(registry);
    LossInputs inputs;
    inputs.set("anything", Tensor<double>({2}, {3, 4}));
    inputs.set("weights", Tensor<double>({2}, {1, 0}));
    LossArgs args;
    args.set("source", std::string("function loss(i, a) { return a.flag && a.word === 'x' ? mul(i.anything, a.k) : 0; }"));
    args.set("k", 2.0);
    args.set("flag", true);
    args.set("word", std::string("x"));
    args.set("reduction", std::string("SUM"));
    QCOMPARE(registry.evaluate("script", inputs, args).value.item(), 6.0);
}

void TestScriptedLoss::registryReportsUnusedAndMissingNames()
{
    LossRegistry registry;
    registerScriptLoss(registry);
    LossInputs inputs;
    inputs.set("a", Tensor<double>::scalar(1.0));
    inputs.set("typo", Tensor<double>::scalar(1.0));
    LossArgs args;
    args.set("source", std::string("function loss(i) { return i.a; }"));
    try {
        registry.evaluate("script", inputs, args);
        QFAIL("an unused input must be reported");
    } catch (const std::invalid_argument& e) {
        QVERIFY2(std::string(e.what()).find("'typo'") != std::string::npos, e.what());
    }
    LossInputs none;
    try {
        registry.evaluate("script", none, args);
        QFAIL("a missing input must be reported");
    } catch (const ScriptError& e) {
        QVERIFY2(e.message().find("missing input 'a'") != std::string::npos, e.what());
        QCOMPARE(e.line(), 1);
    }
}

void TestScriptedLoss::registryRefusesGradients()
{
    LossRegistry registry;
    registerScriptLoss(registry);
    LossInputs inputs;
    LossArgs args;
    args.set("source", std::string("function loss() { return 1; }"));
    try {
        registry.evaluate("script", inputs, args, Gradient::Compute);
        QFAIL("scripts have no gradient");
    } catch (const std::invalid_argument& e) {
        QVERIFY2(std::string(e.what()).find("no gradient") != std::string::npos, e.what());
    }
    const auto builtinNames = LossRegistry::builtin().names();
    QVERIFY(std::find(builtinNames.begin(), builtinNames.end(), "script") == builtinNames.end());
}

void TestScriptedLoss::everyLossExampleCompiles()
{
    for (const ScriptExample& example : scriptExamples())
        if (example.kind == SourceKind::Loss)
            ScriptedLoss{example.source};
}

void TestScriptedLoss::cliEvaluatesScriptCases()
{
    // losslens-cli loss --cases: "fn":"script" with the source in args, other names passed through.
    const QByteArray cases = R"json({"cases":[
      {"id":"ok","fn":"script","inputs":{"a":{"shape":[2],"data":[1,2]}},
       "args":{"source":"function loss(i, a) { return mul(i.a, a.k); }","k":3,"reduction":"SUM"}},
      {"id":"bad","fn":"script","inputs":{},"args":{"source":"function loss() {\n  return (;\n}"}},
      {"id":"builtin","fn":"mean_squared_error","inputs":{"predictions":{"shape":[1],"data":[2]},"labels":{"shape":[1],"data":[0]}}}]})json";
    QProcess cli;
    cli.start(QStringLiteral(LOSSLENS_CLI), {"loss", "--cases", "-"});
    QVERIFY(cli.waitForStarted());
    cli.write(cases);
    cli.closeWriteChannel();
    QVERIFY(cli.waitForFinished(30000));
    QCOMPARE(cli.exitCode(), 0);
    const QString out = QString::fromUtf8(cli.readAllStandardOutput());
    const QString ok = "{\"id\":\"ok\",\"value\":{\"shape\":[],\"data\":[9]}}";
    const QString bad = "{\"id\":\"bad\",\"error\":\"line 2, column";
    const QString builtin = "{\"id\":\"builtin\",\"value\":{\"shape\":[],\"data\":[4]}}";
    QVERIFY2(out.contains(ok) && out.contains(bad) && out.contains(builtin), qPrintable(out));
}

QTEST_GUILESS_MAIN(TestScriptedLoss)
#include "tst_scripted_loss.moc"
