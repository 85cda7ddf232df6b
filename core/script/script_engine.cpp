#include "core/script/script_engine.h"

#include "core/script/watchdog.h"

#include <QCoreApplication>
#include <QJSEngine>
#include <QStringList>

#include <regex>
#include <sstream>

namespace losslens::script {

namespace {

const QString kScriptFile = QStringLiteral("script.js");

// Private to the engine: `native` (the helper object, with input/arg) never reaches a script.
const char* const kPrelude = R"JS(
(function (native) {
  'use strict';
  function lazy(fetch, has) {
    return new Proxy(Object.create(null), {
      get: function (cache, key) {
        if (typeof key !== 'string') return undefined;
        if (!(key in cache)) cache[key] = fetch(key);
        return cache[key];
      },
      has: function (cache, key) { return typeof key === 'string' && has(key); },
      set: function () { return false; },
      defineProperty: function () { return false; },
      deleteProperty: function () { return false; }
    });
  }
  return {
    inputs: function () {
      return lazy(function (k) { return native.input(k); }, function (k) { return native.hasInput(k); });
    },
    args: function () {
      return lazy(function (k) { return native.arg(k); }, function (k) { return native.arg(k) !== undefined; });
    },
    invoke: function (fn, a, b, c) {
      try { return { ok: true, value: fn(a, b, c) }; } catch (e) { return { ok: false, error: e }; }
    }
  };
})
)JS";

/// The first stack frame in the user's script: "name@file:script.js:LINE".
int userLine(const QJSValue& error)
{
    static const std::regex frame(R"(script\.js:(\d+))");
    const std::string stack = error.property(QStringLiteral("stack")).toString().toStdString();
    std::smatch m;
    if (std::regex_search(stack, m, frame))
        return std::stoi(m[1]);
    if (error.property(QStringLiteral("fileName")).toString().endsWith(kScriptFile))
        return error.property(QStringLiteral("lineNumber")).toInt();
    return 0;
}

std::string lineOf(const std::string& source, int line)
{
    std::istringstream in(source);
    std::string text;
    for (int i = 0; i < line && std::getline(in, text); ++i) {
    }
    return text;
}

} // namespace

void ScriptLimits::validate() const
{
    if (timeout.count() <= 0)
        throw std::invalid_argument("script time limit must be positive (milliseconds), got " + std::to_string(timeout.count()));
    if (memoryBytes == 0)
        throw std::invalid_argument("script memory limit must be positive (bytes)");
}

/// QJSEngine aborts the process without an application object; say so as an exception instead.
static ScriptLimits checkedLimits(ScriptLimits limits)
{
    if (!QCoreApplication::instance())
        throw std::logic_error("scripts need a QCoreApplication (QJSEngine requires one): create it in main() first");
    limits.validate();
    return limits;
}

ScriptEngine::ScriptEngine(ScriptLimits limits) : m_limits(checkedLimits(limits))
{
    build();
    m_watchdog = std::make_unique<Watchdog>([this] { m_js->setInterrupted(true); });
}

void ScriptEngine::build()
{
    m_prelude = QJSValue();
    m_helpers.reset();
    m_store.reset();
    auto js = std::make_unique<QJSEngine>();
    {
        const std::lock_guard lock(m_jsMutex);
        m_js = std::move(js);
    }
    ++m_generation;
    m_store = std::make_unique<ArrayStore>(*m_js, m_limits.memoryBytes);
    m_helpers = std::make_unique<HelperLibrary>(*m_js, *m_store);
    m_helpers->install();
    QJSValue factory = m_js->evaluate(QString::fromUtf8(kPrelude), QStringLiteral("prelude.js"));
    QJSEngine::setObjectOwnership(m_helpers.get(), QJSEngine::CppOwnership);
    m_prelude = factory.call({m_js->newQObject(m_helpers.get())});
}

void ScriptEngine::finishCall(bool quiet)
{
    if (m_store->recycle())
        return;
    build();
    if (!m_source.empty())
        load(m_source);
    if (!quiet)
        throw ScriptError(ScriptErrorKind::Runtime,
                          "the script kept a reference to an input after returning (in a global or a closure); large "
                          "inputs are the caller's memory and must not outlive the call: keep a copy made with array(x)");
}

ScriptEngine::~ScriptEngine()
{
    m_watchdog.reset(); // stop the thread before the engine it interrupts goes away
}

void ScriptEngine::cancel()
{
    const std::lock_guard lock(m_jsMutex);
    m_cancelled = true;
    m_js->setInterrupted(true);
}

QJSValue ScriptEngine::guardedRun(const std::function<QJSValue()>& run)
{
    m_watchdog->arm(m_limits.timeout);
    QJSValue result = run();
    const bool expired = m_watchdog->disarm();
    m_js->setInterrupted(false);
    if (m_cancelled.exchange(false))
        throw ScriptError(ScriptErrorKind::Cancelled, "the script was cancelled");
    if (expired)
        throw ScriptError(ScriptErrorKind::Timeout,
                          "the script ran longer than the limit of " + std::to_string(m_limits.timeout.count()) +
                              " ms and was stopped; compose whole-array helpers (sum, mul, …) instead of element loops, "
                              "or raise the limit");
    return result;
}

ScriptError ScriptEngine::errorFrom(const QJSValue& error, ScriptErrorKind kind, int column) const
{
    std::string message = error.isError() || error.isObject() ? error.toString().toStdString()
                                                                    : "uncaught exception: " + error.toString().toStdString();
    if (message.find("Insufficient arguments") != std::string::npos) // Qt's words for a short helper call
        message += " (a helper was called with too few arguments; see the helper list)";
    const int line = error.isObject() ? userLine(error) : 0;
    if (column <= 0 && line > 0)
        column = locateColumn(lineOf(m_source, line), message);
    return ScriptError(kind, message, line, column);
}

void ScriptEngine::load(const std::string& source)
{
    m_source = source;
    QStringList trace;
    const QJSValue result = guardedRun([&] { return m_js->evaluate(QString::fromStdString(source), kScriptFile, 1, &trace); });
    if (!result.isError())
        return;
    const bool syntax = result.property(QStringLiteral("name")).toString() == QLatin1String("SyntaxError");
    // For a syntax error the trace's first entry is ":<line>:<column>:<file>" (Qt 6.4).
    int column = 0;
    if (syntax && !trace.isEmpty())
        column = trace.first().section(QLatin1Char(':'), 2, 2).toInt();
    ScriptError error = errorFrom(result, syntax ? ScriptErrorKind::Syntax : ScriptErrorKind::Runtime, column);
    if (syntax && error.line() == 0 && !trace.isEmpty())
        error = ScriptError(ScriptErrorKind::Syntax, error.message(), trace.first().section(QLatin1Char(':'), 1, 1).toInt(), column);
    throw error;
}

QJSValue ScriptEngine::function(const std::string& name, const std::string& signature) const
{
    QJSValue fn = m_js->globalObject().property(QString::fromStdString(name));
    if (!fn.isCallable())
        throw ScriptError(ScriptErrorKind::Missing, "the script must define " + signature);
    return fn;
}

QJSValue ScriptEngine::call(const QJSValue& fn, const QJSValueList& args)
{
    QJSValueList all{fn};
    all.append(args);
    const QJSValue invoke = m_prelude.property(QStringLiteral("invoke"));
    const QJSValue outcome = guardedRun([&] { return invoke.call(all); });
    if (outcome.isError()) // thrown past the wrapper: the interrupt
        throw errorFrom(outcome, ScriptErrorKind::Runtime);
    if (!outcome.property(QStringLiteral("ok")).toBool())
        throw errorFrom(outcome.property(QStringLiteral("error")), ScriptErrorKind::Runtime);
    return outcome.property(QStringLiteral("value"));
}

QJSValue ScriptEngine::lazyInputs() { return m_prelude.property(QStringLiteral("inputs")).call(); }

QJSValue ScriptEngine::lazyArgs() { return m_prelude.property(QStringLiteral("args")).call(); }

} // namespace losslens::script
