#pragma once
// One sandboxed QJSEngine with the helper library, a watchdog and errors with positions: what
// ScriptedLoss, DerivedSeries and the editor's checker run scripts in.
//
// Sandbox: the engine starts with ECMAScript's built-ins only. No extension is installed (no
// console, no Qt object, no XMLHttpRequest, no require/import/load, no translation functions) and
// no QObject is reachable from a script except the helper functions; a script has no way to
// touch files, the network or processes. Arrays it creates are capped (ScriptLimits::memoryBytes)
// and every call is interrupted after ScriptLimits::timeout.
//
// A QCoreApplication (or QApplication) must exist first: QJSEngine requires one.
//
// Threading: like the QJSEngine inside, a ScriptEngine belongs to the thread that created it and
// is used from that thread only — never the GUI thread (see ScriptWorker). cancel() is the one
// member safe to call from any thread.

#include "core/script/helper_library.h"
#include "core/script/script_error.h"

#include <QJSValue>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

class QJSEngine;

namespace losslens::script {

class Watchdog;

/// How long and how large a script may run.
struct ScriptLimits {
    std::chrono::milliseconds timeout{2000}; ///< per call (and for loading); > 0
    std::size_t memoryBytes = std::size_t{1} << 30; ///< arrays made by helpers, alive at once; > 0

    /// Throws std::invalid_argument for a non-positive timeout or memory limit.
    void validate() const;
};

class ScriptEngine {
public:
    /// Throws std::invalid_argument for bad limits, std::logic_error without a QCoreApplication.
    explicit ScriptEngine(ScriptLimits limits = {});
    ~ScriptEngine();
    ScriptEngine(const ScriptEngine&) = delete;
    ScriptEngine& operator=(const ScriptEngine&) = delete;

    /// Runs the top level of `source` (declarations and statements) under the watchdog.
    /// Throws ScriptError (Syntax with line and column, Runtime, Timeout).
    void load(const std::string& source);
    /// The global function `name` defined by the loaded source; throws ScriptError(Missing) with
    /// `signature` ("function loss(inputs, args)") in the message when there is none.
    QJSValue function(const std::string& name, const std::string& signature) const;
    /// Calls `fn(args…)` (at most three arguments) under the watchdog and returns its result;
    /// throws ScriptError for an exception, a timeout or a cancellation.
    QJSValue call(const QJSValue& fn, const QJSValueList& args);

    /// Objects whose properties resolve through `values` on first read (`inputs.logits`,
    /// `'weights' in inputs`, `args.gamma`); assignment to them fails.
    QJSValue lazyInputs();
    QJSValue lazyArgs();
    /// What lazyInputs()/lazyArgs() resolve during the next calls (null: nothing).
    void setValues(const ScriptValues* values) { m_helpers->setValues(values); }

    ArrayStore& arrays() { return *m_store; }
    QJSEngine& js() { return *m_js; }
    /// Returns the arrays of the last call to the pool; call once its result is converted. When a
    /// script value still refers to borrowed input memory (the script stored an input in a global
    /// or a closure), the engine is rebuilt from the source — so nothing can reach that memory
    /// later — and ScriptError is thrown unless `quiet` (use quiet on an error path).
    void finishCall(bool quiet = false);
    /// Increases each time the engine is rebuilt: QJSValues from an older generation are invalid.
    std::uint64_t generation() const { return m_generation; }

    /// Thread-safe: stops the running (or next) call with ScriptErrorKind::Cancelled.
    void cancel();
    const ScriptLimits& limits() const { return m_limits; }

private:
    void build();
    QJSValue guardedRun(const std::function<QJSValue()>& run);
    ScriptError errorFrom(const QJSValue& error, ScriptErrorKind kind, int column = 0) const;

    ScriptLimits m_limits;
    std::unique_ptr<QJSEngine> m_js;
    std::unique_ptr<ArrayStore> m_store;
    std::unique_ptr<HelperLibrary> m_helpers;
    QJSValue m_prelude; // {inputs(), args(), invoke(fn, a, b, c)}
    std::string m_source;
    std::atomic<bool> m_cancelled{false};
    std::uint64_t m_generation = 0;
    std::mutex m_jsMutex; // cancel() from another thread vs. a rebuild replacing m_js
    std::unique_ptr<Watchdog> m_watchdog; // last: its thread may touch m_js until destroyed
};

} // namespace losslens::script
