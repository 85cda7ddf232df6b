#pragma once
// The asynchronous face of the script engine, for the GUI: every script runs on one worker
// thread owned by this object, so a bad script can never freeze the window. Results come back as
// signals in the thread that owns the ScriptWorker (typed, queued — connect with member pointers).

#include "core/script/derived_series.h"

#include <QObject>
#include <QString>

#include <memory>
#include <mutex>

class QThread;

namespace losslens::script {

/// What the editor checks a source as.
enum class SourceKind {
    Loss,              ///< defines function loss(inputs, args)
    DerivedExpression, ///< an expression over series names
    DerivedScript,     ///< defines function derive(series, steps)
    Recipe,            ///< defines function total(components, regularization, args)
};

/// A problem found in a source, at a 1-based line and column (0 when unknown).
struct ScriptDiagnostic {
    ScriptErrorKind kind = ScriptErrorKind::Runtime;
    QString message;
    int line = 0;
    int column = 0;

    static ScriptDiagnostic from(const ScriptError& error);
};

class ScriptWorker : public QObject {
    Q_OBJECT
public:
    explicit ScriptWorker(ScriptLimits limits = {}, QObject* parent = nullptr);
    /// Cancels what runs and joins the worker thread.
    ~ScriptWorker() override;

    /// Compiles `source` as `kind` on the worker (the top level runs, no entry function is called)
    /// and emits checked(). A check still running is cancelled: the newest edit wins.
    quint64 check(SourceKind kind, const QString& source);
    /// Evaluates `spec` over `series` (copies: the store may change meanwhile) and emits
    /// derivedReady() or failed().
    quint64 evaluateDerived(const DerivedSeriesSpec& spec, std::vector<Series> series);
    /// Evaluates `recipe` over `series` and emits derivedReady() or failed().
    quint64 evaluateRecipe(const RecipeSpec& recipe, std::vector<Series> series);
    /// Stops whatever script runs now (it then reports ScriptErrorKind::Cancelled).
    void cancelRunning();

signals:
    /// `problems` is empty when the source is fine.
    void checked(quint64 request, const QList<losslens::script::ScriptDiagnostic>& problems);
    void derivedReady(quint64 request, std::shared_ptr<const losslens::Series> series);
    void failed(quint64 request, const losslens::script::ScriptDiagnostic& problem);

private:
    /// Runs `job` on the worker thread with a fresh engine it may use.
    void post(const std::function<void(ScriptEngine&)>& job, bool isCheck);
    void checkOnWorker(quint64 request, SourceKind kind, const std::string& source, ScriptEngine& engine);

    ScriptLimits m_limits;
    QThread* m_thread = nullptr;
    QObject* m_context = nullptr; // lives in m_thread; jobs run in its event loop
    quint64 m_nextRequest = 1;
    std::mutex m_runningMutex;
    ScriptEngine* m_running = nullptr; // the engine of the running job, for cancelRunning()
    bool m_runningCheck = false;
};

} // namespace losslens::script
