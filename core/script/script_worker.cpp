#include "core/script/script_worker.h"

#include "core/script/expression.h"
#include "core/script/scripted_loss.h"

#include <QThread>

namespace losslens::script {

ScriptDiagnostic ScriptDiagnostic::from(const ScriptError& error)
{
    return {error.kind(), QString::fromStdString(error.message()), error.line(), error.column()};
}

ScriptWorker::ScriptWorker(ScriptLimits limits, QObject* parent) : QObject(parent), m_limits(limits)
{
    m_limits.validate();
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("losslens-scripts"));
    m_context = new QObject;
    m_context->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread->start();
}

ScriptWorker::~ScriptWorker()
{
    cancelRunning();
    m_thread->quit();
    m_thread->wait();
}

void ScriptWorker::cancelRunning()
{
    const std::lock_guard lock(m_runningMutex);
    if (m_running)
        m_running->cancel();
}

void ScriptWorker::post(const std::function<void(ScriptEngine&)>& job, bool isCheck)
{
    if (isCheck) {
        const std::lock_guard lock(m_runningMutex);
        if (m_running && m_runningCheck)
            m_running->cancel();
    }
    QMetaObject::invokeMethod(m_context, [this, job, isCheck] {
        // A fresh engine per job: one source's definitions never leak into the next check.
        ScriptEngine engine(m_limits);
        {
            const std::lock_guard lock(m_runningMutex);
            m_running = &engine;
            m_runningCheck = isCheck;
        }
        job(engine);
        const std::lock_guard lock(m_runningMutex);
        m_running = nullptr;
    });
}

void ScriptWorker::checkOnWorker(quint64 request, SourceKind kind, const std::string& source, ScriptEngine& engine)
{
    QList<ScriptDiagnostic> problems;
    try {
        switch (kind) {
        case SourceKind::DerivedExpression: Expression{source}; break;
        case SourceKind::Loss: engine.load(source); engine.function("loss", "function loss(inputs, args)"); break;
        case SourceKind::DerivedScript: engine.load(source); engine.function("derive", "function derive(series, steps)"); break;
        case SourceKind::Recipe:
            engine.load(source);
            engine.function("total", "function total(components, regularization, args)");
            break;
        }
    } catch (const ScriptError& e) {
        problems.append(ScriptDiagnostic::from(e));
    }
    QMetaObject::invokeMethod(this, [this, request, problems] { emit checked(request, problems); });
}

quint64 ScriptWorker::check(SourceKind kind, const QString& source)
{
    const quint64 request = m_nextRequest++;
    post([this, request, kind, text = source.toStdString()](ScriptEngine& engine) { checkOnWorker(request, kind, text, engine); },
         true);
    return request;
}

namespace {
/// Runs `evaluate` and reports its series or its error back on `target`'s thread.
template <typename Evaluate>
void deliver(ScriptWorker* target, quint64 request, Evaluate evaluate,
             void (ScriptWorker::*ready)(quint64, std::shared_ptr<const Series>),
             void (ScriptWorker::*failed)(quint64, const ScriptDiagnostic&))
{
    try {
        auto series = std::make_shared<const Series>(evaluate());
        QMetaObject::invokeMethod(target, [=] { emit(target->*ready)(request, series); });
    } catch (const ScriptError& e) {
        QMetaObject::invokeMethod(target, [=, d = ScriptDiagnostic::from(e)] { emit(target->*failed)(request, d); });
    } catch (const std::exception& e) {
        const ScriptDiagnostic d{ScriptErrorKind::Runtime, QString::fromUtf8(e.what()), 0, 0};
        QMetaObject::invokeMethod(target, [=] { emit(target->*failed)(request, d); });
    }
}
} // namespace

quint64 ScriptWorker::evaluateDerived(const DerivedSeriesSpec& spec, std::vector<Series> series)
{
    const quint64 request = m_nextRequest++;
    auto owned = std::make_shared<std::vector<Series>>(std::move(series));
    post([this, request, spec, owned](ScriptEngine& engine) {
        deliver(this, request, [&] {
            std::vector<const Series*> available;
            for (const Series& s : *owned)
                available.push_back(&s);
            return evaluateDerivedSeries(spec, available, &engine);
        }, &ScriptWorker::derivedReady, &ScriptWorker::failed);
    }, false);
    return request;
}

quint64 ScriptWorker::evaluateRecipe(const RecipeSpec& recipe, std::vector<Series> series)
{
    const quint64 request = m_nextRequest++;
    auto owned = std::make_shared<std::vector<Series>>(std::move(series));
    post([this, request, recipe, owned](ScriptEngine& engine) {
        deliver(this, request, [&] {
            std::vector<const Series*> available;
            for (const Series& s : *owned)
                available.push_back(&s);
            return script::evaluateRecipe(recipe, available, &engine);
        }, &ScriptWorker::derivedReady, &ScriptWorker::failed);
    }, false);
    return request;
}

} // namespace losslens::script
