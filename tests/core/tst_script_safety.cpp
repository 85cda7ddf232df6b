// Scripts cannot escape or hang: no file, network or process access, a watchdog for time, a cap
// for memory, and every failure a clean ScriptError with a position and a message saying what
// was expected.

#include "core/script/scripted_loss.h"

#include <QtTest>

#include <thread>

using namespace losslens;
using namespace losslens::script;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(losslens::script::ScriptErrorKind)

namespace {
/// The ScriptError evaluating `body` as loss()'s body throws (or a failure when none is thrown).
std::optional<ScriptError> failure(const std::string& source, ScriptLimits limits = {})
{
    try {
        ScriptedLoss loss(source, limits);
        const Tensor<double> x({2}, {1, 2});
        loss.evaluate({{"x", x}}, {.reduction = Reduction::Sum});
    } catch (const ScriptError& e) {
        return e;
    }
    return std::nullopt;
}
} // namespace

class TestScriptSafety : public QObject {
    Q_OBJECT

private slots:
    void noWayOut_data();
    void noWayOut();
    void helpersExposeNoQtObject();
    void defaultTimeLimitIsTwoSeconds();
    void endlessLoopsAreInterrupted_data();
    void endlessLoopsAreInterrupted();
    void engineIsUsableAfterATimeout();
    void cancelFromAnotherThread();
    void memoryIsCapped();
    void keptInputsAreDetected();
    void syntaxErrorHasLineAndColumn();
    void runtimeErrorsHaveLineAndColumn_data();
    void runtimeErrorsHaveLineAndColumn();
    void wrongResultsSayWhatWasExpected_data();
    void wrongResultsSayWhatWasExpected();
};

void TestScriptSafety::noWayOut_data()
{
    QTest::addColumn<QString>("attempt");
    QTest::addColumn<ScriptErrorKind>("kind");
    QTest::addColumn<QString>("message");
    const auto runtime = ScriptErrorKind::Runtime;
    QTest::newRow("XMLHttpRequest") << "new XMLHttpRequest()" << runtime << "XMLHttpRequest is not defined";
    QTest::newRow("fetch") << "fetch('http://example.com/')" << runtime << "fetch is not defined";
    QTest::newRow("WebSocket") << "new WebSocket('ws://localhost:1')" << runtime << "WebSocket is not defined";
    QTest::newRow("Qt.openUrlExternally") << "Qt.openUrlExternally('file:///etc/passwd')" << runtime << "Qt is not defined";
    QTest::newRow("Qt.include") << "Qt.include('/etc/passwd')" << runtime << "Qt is not defined";
    QTest::newRow("require") << "require('fs').readFileSync('/etc/passwd')" << runtime << "require is not defined";
    QTest::newRow("process") << "process.exit(1)" << runtime << "process is not defined";
    QTest::newRow("load") << "load('/etc/passwd')" << runtime << "load is not defined";
    QTest::newRow("importScripts") << "importScripts('/etc/passwd')" << runtime << "importScripts is not defined";
    QTest::newRow("console") << "console.log('x')" << runtime << "console is not defined";
    QTest::newRow("print") << "print('x')" << runtime << "print is not defined";
    QTest::newRow("gc") << "gc()" << runtime << "gc is not defined";
    QTest::newRow("Worker") << "new Worker('x.js')" << runtime << "Worker is not defined";
    QTest::newRow("dynamic import") << "import('/etc/passwd')" << ScriptErrorKind::Syntax << "SyntaxError";
    QTest::newRow("eval cannot import") << "eval(\"import('/etc/passwd')\")" << runtime << "SyntaxError";
    QTest::newRow("Function cannot reach Qt") << "Function('return Qt')()" << runtime << "Qt is not defined";
    QTest::newRow("global this has no Qt") << "Object.getOwnPropertyNames((function () { return this; })()).filter(n => /^(Qt|console|XMLHttpRequest|print|require)$/.test(n)).length === 0 ? undefinedMarker : 0"
                                          << runtime << "undefinedMarker is not defined";
}

void TestScriptSafety::noWayOut()
{
    QFETCH(QString, attempt);
    QFETCH(ScriptErrorKind, kind);
    QFETCH(QString, message);
    const auto error = failure("function loss(inputs) {\n  return " + attempt.toStdString() + ";\n}");
    QVERIFY2(error.has_value(), "the attempt must fail");
    QCOMPARE(error->kind(), kind);
    QVERIFY2(QString::fromStdString(error->message()).contains(message), error->what());
    QCOMPARE(error->line(), 2);
}

void TestScriptSafety::helpersExposeNoQtObject()
{
    // A helper is a bare function: no QObject members (deleteLater, objectName, destroyed) hang off it.
    ScriptedLoss loss(R"(function loss() {
      const global = (function () { return this; })();
      const names = ['deleteLater', 'objectName', 'destroyed', 'input', 'arg', 'setParent'];
      return names.filter(n => typeof log[n] !== 'undefined' || typeof global[n] !== 'undefined').length;
    })");
    QCOMPARE(loss.evaluate({}).value.item(), 0.0);
}

void TestScriptSafety::defaultTimeLimitIsTwoSeconds()
{
    QCOMPARE(ScriptLimits{}.timeout, 2000ms);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ScriptLimits{.timeout = 0ms}.validate());
}

void TestScriptSafety::endlessLoopsAreInterrupted_data()
{
    QTest::addColumn<QString>("source");
    QTest::newRow("in loss()") << "function loss() { while (true) {} }";
    QTest::newRow("at the top level") << "for (;;) {}\nfunction loss() { return 1; }";
    QTest::newRow("catching the interrupt") << "function loss() { for (;;) { try { for (;;) {} } catch (e) {} } }";
    QTest::newRow("endless recursion") << "function f(n) { return f(n + 1) + 1; }\nfunction loss() { return f(0); }";
}

void TestScriptSafety::endlessLoopsAreInterrupted()
{
    QFETCH(QString, source);
    QElapsedTimer timer;
    timer.start();
    const auto error = failure(source.toStdString(), {.timeout = 200ms});
    QVERIFY(error.has_value());
    QVERIFY2(timer.elapsed() < 1500, qPrintable(QString::number(timer.elapsed())));
    if (QByteArray(QTest::currentDataTag()).contains("recursion")) // the engine's own stack guard may come first
        QVERIFY(error->kind() == ScriptErrorKind::Timeout || error->kind() == ScriptErrorKind::Runtime);
    else {
        QCOMPARE(error->kind(), ScriptErrorKind::Timeout);
        QVERIFY2(error->message().find("longer than the limit of 200 ms") != std::string::npos, error->what());
    }
}

void TestScriptSafety::engineIsUsableAfterATimeout()
{
    ScriptedLoss loss("var n = 0;\nfunction loss(i) { if (n++ == 0) for (;;) {} return sum(i.x); }", {.timeout = 100ms});
    const Tensor<double> x({2}, {1, 2});
    QVERIFY_THROWS_EXCEPTION(ScriptError, loss.evaluate({{"x", x}}));
    QCOMPARE(loss.evaluate({{"x", x}}).value.item(), 3.0);
}

void TestScriptSafety::cancelFromAnotherThread()
{
    ScriptedLoss loss("function loss() { for (;;) {} }", {.timeout = 60000ms});
    std::thread canceller([&] {
        std::this_thread::sleep_for(100ms);
        loss.cancel();
    });
    try {
        loss.evaluate({});
        QFAIL("must be cancelled");
    } catch (const ScriptError& e) {
        QCOMPARE(e.kind(), ScriptErrorKind::Cancelled);
    }
    canceller.join();
}

void TestScriptSafety::memoryIsCapped()
{
    const auto error = failure("function loss() { const keep = []; for (;;) keep.push(zeros([1000000])); }",
                               {.memoryBytes = std::size_t{64} << 20});
    QVERIFY(error.has_value());
    QCOMPARE(error->kind(), ScriptErrorKind::Runtime);
    QVERIFY2(error->message().find("more than 64 MiB") != std::string::npos, error->what());
}

void TestScriptSafety::keptInputsAreDetected()
{
    // Large inputs are the caller's memory: a script storing one for later must not get to use it.
    ScriptedLoss loss("var kept = null;\nfunction loss(i) { const had = kept !== null; kept = i.x; return had ? -1 : sum(i.x); }");
    Tensor<double> x(Shape{100000});
    x.storage().setOnes();
    try {
        loss.evaluate({{"x", x}});
        QFAIL("keeping an input must fail");
    } catch (const ScriptError& e) {
        QVERIFY2(e.message().find("kept a reference to an input") != std::string::npos, e.what());
    }
    // The engine was rebuilt from the source: `kept` is null again, the old memory unreachable.
    QVERIFY_THROWS_EXCEPTION(ScriptError, loss.evaluate({{"x", x}}));
    ScriptedLoss fine("function loss(i) { return sum(i.x); }");
    QCOMPARE(fine.evaluate({{"x", x}}).value.item(), 100000.0);
    QCOMPARE(fine.evaluate({{"x", x}}).value.item(), 100000.0);
}

void TestScriptSafety::syntaxErrorHasLineAndColumn()
{
    const auto error = failure("function loss(inputs) {\n  const a = sub(inputs.x, ;\n  return a;\n}");
    QVERIFY(error.has_value());
    QVERIFY2(error->kind() == ScriptErrorKind::Syntax, error->what());
    QCOMPARE(error->line(), 2);
    QVERIFY2(error->column() > 0, error->what());
    QVERIFY(std::string(error->what()).rfind("line 2, column", 0) == 0);
}

void TestScriptSafety::runtimeErrorsHaveLineAndColumn_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");
    QTest::newRow("undefined name") << "function loss(inputs) {\n\n  return mul(2, lossWeight);\n}" << 3 << 17 << "lossWeight is not defined";
    QTest::newRow("helper rejects a string") << "function loss(inputs) {\n  const y = 1;\n  return log('abc');\n}" << 3 << 10
                                             << "log: argument 1 must be an array or a number";
    QTest::newRow("shapes do not broadcast") << "function loss(inputs) {\n  return add(inputs.x, [1, 2, 3]);\n}" << 2 << 10
                                             << "shapes [2] and [3] do not broadcast";
    QTest::newRow("missing input") << "function loss(inputs) {\n  return inputs.nope;\n}" << 2 << 0 << "missing input 'nope'";
    QTest::newRow("too few arguments") << "function loss(inputs) {\n  return sub(inputs.x);\n}" << 2 << 0
                                       << "a helper was called with too few arguments";
    QTest::newRow("thrown by the script") << "function loss() {\n  throw new RangeError('custom');\n}" << 2 << 0 << "RangeError: custom";
}

void TestScriptSafety::runtimeErrorsHaveLineAndColumn()
{
    QFETCH(QString, source);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, message);
    const auto error = failure(source.toStdString());
    QVERIFY(error.has_value());
    QCOMPARE(error->kind(), ScriptErrorKind::Runtime);
    QVERIFY2(QString::fromStdString(error->message()).contains(message), error->what());
    QCOMPARE(error->line(), line);
    QCOMPARE(error->column(), column);
}

void TestScriptSafety::wrongResultsSayWhatWasExpected_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<ScriptErrorKind>("kind");
    QTest::addColumn<QString>("message");
    const auto result = ScriptErrorKind::Result;
    QTest::newRow("nothing") << "" << result << "must return a number (the reduced loss) or an array";
    QTest::newRow("a string") << "return 'low';" << result << "it returned the string \"low\"";
    QTest::newRow("an object") << "return {value: 1};" << result << "it returned an object";
    QTest::newRow("a function") << "return loss;" << result << "it returned a function";
    QTest::newRow("non-numbers in an array") << "return [1, 'a'];" << result << "[1] is not a number";
    QTest::newRow("a bad shape property") << "const a = [1, 2, 3]; a.shape = [2, 2]; return a;" << result
                                          << "its shape [2, 2] does not match its 3 elements";
    QTest::newRow("no entry function") << "NOLOSS" << ScriptErrorKind::Missing << "the script must define function loss(inputs, args)";
}

void TestScriptSafety::wrongResultsSayWhatWasExpected()
{
    QFETCH(QString, body);
    QFETCH(ScriptErrorKind, kind);
    QFETCH(QString, message);
    const std::string source = body == "NOLOSS" ? "function los() { return 1; }" : "function loss(inputs) { " + body.toStdString() + " }";
    const auto error = failure(source);
    QVERIFY(error.has_value());
    QCOMPARE(error->kind(), kind);
    QVERIFY2(QString::fromStdString(error->message()).contains(message), error->what());

    // Element-wise losses whose shape the weights cannot broadcast to.
    ScriptedLoss loss("function loss(i) { return i.x; }");
    const Tensor<double> x({3}, {1, 2, 3}), w({2}, {1, 1});
    try {
        loss.evaluate({{"x", x}}, {.weights = w});
        QFAIL("mismatched weights must fail");
    } catch (const ScriptError& e) {
        QCOMPARE(e.kind(), ScriptErrorKind::Result);
        QVERIFY2(e.message().find("loss() returned element-wise losses of shape [3]") != std::string::npos, e.what());
    }
}

QTEST_GUILESS_MAIN(TestScriptSafety)
#include "tst_script_safety.moc"
