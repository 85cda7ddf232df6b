// Scripts cannot escape or hang: no file, network or process access, a watchdog for time, a cap
// for memory, and every failure a clean ScriptError with a position and a message saying what
// was expected.

#include "core/script/derived_series.h"
#include "core/script/scripted_loss.h"
#include "tests/core/test_timing.h"

#include <QtTest>

#include <fstream>
#include <sstream>
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

// ---- the hostile corpus (tests/data/hostile_scripts) ----

constexpr auto kHostileLimit = 300ms * kSanitizerSlowdown;
constexpr std::size_t kHostileMemory = std::size_t{64} << 20;
// The watchdog fires between instructions; the slack covers the one that was running (a large
// string copy, a collection) and a loaded CI machine.
constexpr qint64 kHostileSlackMs = 1500;

std::string readFile(const QString& path)
{
    std::ifstream in(path.toStdString(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The values of a corpus file's "// key: value" header line.
QString header(const std::string& source, const QString& key)
{
    std::istringstream in(source);
    for (std::string line; std::getline(in, line) && line.rfind("//", 0) == 0;) {
        const QString text = QString::fromStdString(line).mid(2).trimmed();
        if (text.startsWith(key + ":"))
            return text.mid(key.size() + 1).trimmed();
    }
    return {};
}

QString kindName(ScriptErrorKind kind)
{
    switch (kind) {
    case ScriptErrorKind::Syntax: return "Syntax";
    case ScriptErrorKind::Runtime: return "Runtime";
    case ScriptErrorKind::Timeout: return "Timeout";
    case ScriptErrorKind::Cancelled: return "Cancelled";
    case ScriptErrorKind::Result: return "Result";
    case ScriptErrorKind::Missing: return "Missing";
    }
    return {};
}

Series rampSeries(const std::string& tag)
{
    Series s(tag, Role::Component);
    for (int i = 0; i < 4; ++i)
        s.append(i, 1.7e9 + i, 1.0 + i);
    return s;
}

// Runs `source` as a loss (`asDerived` false) or a derived series in `engine`; the ScriptError.
std::optional<ScriptError> hostileFailure(const std::string& source, bool asDerived, ScriptEngine& engine)
{
    try {
        if (asDerived) {
            const Series a = rampSeries("a");
            // The evaluator runs only scripts that name a series of the run.
            const std::string named = source + "\n// reads series a\n";
            script::evaluateDerivedSeries({.name = "d", .source = named, .language = DerivedLanguage::Script}, {&a}, &engine);
        } else {
            ScriptedLoss loss(source, {.timeout = kHostileLimit, .memoryBytes = kHostileMemory});
            const Tensor<double> x({2}, {1, 2});
            loss.evaluate({{"x", x}}, {.reduction = Reduction::Sum});
        }
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
    void hostileScripts_data();
    void hostileScripts();
    void shapesThatOverflowAreRefused_data();
    void shapesThatOverflowAreRefused();
    void oneCallAllocationsAreCapped_data();
    void oneCallAllocationsAreCapped();
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

void TestScriptSafety::hostileScripts_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("asDerived");
    const QDir dir(LOSSLENS_TEST_DATA "/hostile_scripts");
    const QStringList files = dir.entryList({"*.js"}, QDir::Files, QDir::Name);
    QVERIFY2(files.size() >= 20, "the hostile corpus is missing");
    for (const QString& name : files) {
        QTest::addRow("%s as loss", qPrintable(name)) << dir.filePath(name) << false;
        QTest::addRow("%s as derived series", qPrintable(name)) << dir.filePath(name) << true;
    }
}

// Every hostile script ends with a clear error of an expected kind within its time limit, and a
// normal script works right after, in a fresh engine as ScriptWorker gives every job. (An engine
// reused for another source keeps the first one's globals: that is why the worker does not.)
void TestScriptSafety::hostileScripts()
{
    QFETCH(QString, file);
    QFETCH(bool, asDerived);
    const std::string source = readFile(file);
    const QStringList expected = header(source, "expect").split(' ', Qt::SkipEmptyParts);
    const QString message = header(source, "message");
    QVERIFY2(!expected.isEmpty(), "the file must say which errors it expects (// expect: KIND…)");

    ScriptEngine engine({.timeout = kHostileLimit, .memoryBytes = kHostileMemory});
    QElapsedTimer timer;
    timer.start();
    const auto error = hostileFailure(source, asDerived, engine);
    const qint64 elapsed = timer.elapsed();
    QVERIFY2(error.has_value(), "the hostile script must fail");
    QVERIFY2(expected.contains(kindName(error->kind())), qPrintable(kindName(error->kind()) + ": " + error->what()));
    QVERIFY2(message.isEmpty() || QString::fromStdString(error->message()).contains(message), error->what());
    QVERIFY2(elapsed < kHostileLimit.count() + kHostileSlackMs, qPrintable(QString("took %1 ms: %2").arg(elapsed).arg(error->what())));

    if (asDerived) {
        const Series a = rampSeries("a");
        ScriptEngine fresh({.timeout = kHostileLimit});
        const Series d = script::evaluateDerivedSeries(
            {.name = "d", .source = "function derive(series, steps) { return series.a.map(v => 2 * v); }",
             .language = DerivedLanguage::Script},
            {&a}, &fresh);
        QCOMPARE(std::vector<double>(d.values().begin(), d.values().end()), (std::vector<double>{2, 4, 6, 8}));
    }
    ScriptedLoss normal("function loss(i) { return sum(mul(i.x, [1, 2])); }", {.timeout = kHostileLimit});
    const Tensor<double> x({2}, {1, 2});
    QCOMPARE(normal.evaluate({{"x", x}}).value.item(), 5.0);
}

void TestScriptSafety::shapesThatOverflowAreRefused_data()
{
    QTest::addColumn<QString>("call");
    // Regression: the element count wrapped around 2^64 to a small allocation, then the helper
    // filled 2^61 elements into it (SIGSEGV).
    QTest::newRow("count × 8 wraps") << "zeros([2 ** 50, 2 ** 11])";
    QTest::newRow("count wraps to 0") << "zeros([4294967296, 4294967296])";
    QTest::newRow("reshape") << "reshape(zeros([0]), [4294967296, 4294967296, 0, 4294967296, 4294967296])";
    QTest::newRow("beyond 2^53") << "full([1e300], 1)";
    QTest::newRow("negative") << "zeros([-8])";
    QTest::newRow("oneHot") << "oneHot([1, 2], 2 ** 62)";
}

void TestScriptSafety::shapesThatOverflowAreRefused()
{
    QFETCH(QString, call);
    const auto error = failure("function loss() {\n  return sum(" + call.toStdString() + ");\n}");
    QVERIFY2(error.has_value(), "must be refused");
    QCOMPARE(error->kind(), ScriptErrorKind::Runtime);
}

void TestScriptSafety::oneCallAllocationsAreCapped_data()
{
    QTest::addColumn<QString>("call");
    QTest::addColumn<QString>("message");
    // Regression: these run inside one built-in call, where the watchdog cannot stop them:
    // new Array(1e9).fill(0) ran for minutes and 'x'.padStart(1e9) for 10 s past a 2 s limit.
    QTest::newRow("Array(n).fill") << "new Array(1e9).fill(0)" << "Array would allocate";
    QTest::newRow("fill after length") << "(() => { const a = []; a.length = 1e9; return a.fill(0); })()" << "fill would allocate";
    QTest::newRow("join") << "Object.assign([], {length: 1e9}).join('ab')" << "join would allocate";
    QTest::newRow("repeat") << "'abcdefgh'.repeat(1 << 27)" << "repeat would allocate";
    QTest::newRow("padStart") << "'x'.padStart(1e9)" << "padStart would allocate";
    QTest::newRow("padEnd") << "'x'.padEnd(1e9)" << "padEnd would allocate";
    QTest::newRow("Array.from") << "Array.from({length: 1e9})" << "from would allocate";
    QTest::newRow("Float64Array") << "new Float64Array(1e9)" << "Float64Array would allocate";
    QTest::newRow("Uint8Array from array-like") << "new Uint8Array({length: 1e9})" << "Uint8Array would allocate";
    QTest::newRow("ArrayBuffer") << "new ArrayBuffer(1e9)" << "ArrayBuffer would allocate";
    QTest::newRow("constructor of an instance") << "new (new Float64Array(1).constructor)(1e9)" << "Float64Array would allocate";
    QTest::newRow("constructor of an array") << "new ([].constructor)(1e9)" << "Array would allocate";
    QTest::newRow("spread") << "Math.max(...new Array(1e6))" << "spread or rest";
    QTest::newRow("spread behind a string") << "'//' + Math.max(...new Array(1e6))" << "spread or rest";
    QTest::newRow("spread in a trailing comment") << "1; // [a, ...]" << "spread or rest";
}

void TestScriptSafety::oneCallAllocationsAreCapped()
{
    QFETCH(QString, call);
    QFETCH(QString, message);
    QElapsedTimer timer;
    timer.start();
    const auto error = failure("function loss() {\n  return " + call.toStdString() + ";\n}", {.memoryBytes = std::size_t{64} << 20});
    QVERIFY2(error.has_value(), "must be refused");
    QVERIFY2(QString::fromStdString(error->message()).contains(message), error->what());
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));
    // Within the limit, the same built-ins still work.
    ScriptedLoss commented("// inputs of shape [batch, ...]\n  // and so on...\nfunction loss() { return 1; }");
    QCOMPARE(commented.evaluate({}).value.item(), 1.0);
    ScriptedLoss fine("function loss() { return new Float64Array(1000).fill(1).length + [1, 2].join('').length + 'ab'.repeat(3).length + Array.from({length: 3}).length + new Array(4).fill(0).length; }");
    QCOMPARE(fine.evaluate({}).value.item(), 1000.0 + 2 + 6 + 3 + 4);
}

QTEST_GUILESS_MAIN(TestScriptSafety)
#include "tst_script_safety.moc"
