#include "core/script/script_engine.h"

#include "core/script/watchdog.h"

#include <QCoreApplication>
#include <QJSEngine>
#include <QStringList>

#include <algorithm>
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

// Built-ins that allocate in one uninterruptible call — the watchdog cannot stop them and the
// helpers' memory cap does not see them: new Array(1e9).fill(0) ran for minutes, 'x'.padStart(1e9)
// for 10 s. Each is wrapped to refuse, up front, a call that would allocate more than the script
// memory limit. The originals stay in this closure (and prototypes' `constructor` points at the
// wrappers), so a script cannot get them back.
const char* const kAllocationGuards = R"JS(
(function (limit, global) {
  'use strict';
  const apply = Reflect.apply, construct = Reflect.construct, define = Object.defineProperty;
  const floor = Math.floor, toNumber = Number, toText = String, Fail = RangeError, P = Proxy, Buffer = ArrayBuffer;
  function count(v) { v = toNumber(v); return v > 0 ? floor(v) : 0; }
  function check(what, bytes) {
    if (bytes > limit)
      throw new Fail(what + ' would allocate ' + floor(bytes / 1048576) + ' MiB in one call, more than the script ' +
                     'memory limit of ' + floor(limit / 1048576) + ' MiB');
  }
  function method(owner, name, bytes) {
    const original = owner[name];
    define(owner, name, { value: function () { check(name, bytes(this, arguments)); return apply(original, this, arguments); },
                          writable: true, configurable: true });
  }
  function constructor(name, bytes) {
    const original = global[name];
    const guarded = new P(original, {
      apply: function (target, self, args) { check(name, bytes(args)); return apply(target, self, args); },
      construct: function (target, args, newTarget) { check(name, bytes(args)); return construct(target, args, newTarget); }
    });
    define(original.prototype, 'constructor', { value: guarded, writable: true, configurable: true });
    define(global, name, { value: guarded, writable: true, configurable: true });
  }
  const elements = function (args, size) {
    const a = args[0];
    return typeof a === 'number' ? size * count(a) : (a !== null && typeof a === 'object' ? size * count(a.length) : 0);
  };
  method(Array.prototype, 'fill', function (self) { return 8 * count(self.length); });
  method(Array.prototype, 'join', function (self, a) {
    return count(self.length) * (8 + 2 * (a[0] === undefined ? 1 : toText(a[0]).length));
  });
  method(Array, 'from', function (self, a) { return a[0] !== null && typeof a[0] === 'object' ? 8 * count(a[0].length) : 0; });
  method(String.prototype, 'repeat', function (self, a) { return 2 * toText(self).length * count(a[0]); });
  method(String.prototype, 'padStart', function (self, a) { return 2 * count(a[0]); });
  method(String.prototype, 'padEnd', function (self, a) { return 2 * count(a[0]); });
  constructor('Array', function (args) { return args.length === 1 && typeof args[0] === 'number' ? 8 * count(args[0]) : 0; });
  constructor('ArrayBuffer', function (args) { return count(args[0]); });
  const typed = [['Float64Array', 8], ['Float32Array', 4], ['Int32Array', 4], ['Uint32Array', 4], ['Int16Array', 2],
                 ['Uint16Array', 2], ['Int8Array', 1], ['Uint8Array', 1], ['Uint8ClampedArray', 1]];
  for (let i = 0; i < typed.length; ++i) {
    const size = typed[i][1];
    constructor(typed[i][0], function (args) { return args[0] instanceof Buffer ? 0 : elements(args, size); });
  }
})
)JS";

// Qt 6.4's engine copies a spread call's arguments onto its JavaScript stack without checking the
// stack's end: f(...new Array(1e6)) writes past it and kills the process. The only guard
// available outside the engine is to refuse the token. It is allowed on a line that starts with
// "//" (a comment whatever came before: a line of a string or a template is not code either);
// anywhere else a scan for strings and comments could be fooled by a regular expression literal
// holding a quote, so "..." in a string or a trailing comment is refused too.
void rejectSpread(const std::string& source)
{
    for (std::size_t at = source.find("..."); at != std::string::npos; at = source.find("...", at + 3)) {
        const std::size_t newline = source.rfind('\n', at);
        const std::size_t lineStart = newline == std::string::npos ? 0 : newline + 1;
        const std::size_t code = source.find_first_not_of(" \t", lineStart);
        if (source.compare(code, 2, "//") == 0)
            continue;
        const int line = 1 + static_cast<int>(std::count(source.begin(), source.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
        throw ScriptError(ScriptErrorKind::Syntax,
                          "'...' (spread or rest) is not allowed in scripts outside a // comment line: the engine "
                          "crashes on a large spread; pass arrays whole or use apply()",
                          line, static_cast<int>(at - lineStart) + 1);
    }
}

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
    m_js->evaluate(QString::fromUtf8(kAllocationGuards), QStringLiteral("guards.js"))
        .call({static_cast<double>(m_limits.memoryBytes), m_js->globalObject()});
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
    rejectSpread(source);
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
