#include "core/script/derived_series_model.h"

#include "core/runs/run_store.h"

#include <algorithm>
#include <bit>

namespace losslens::script {

namespace {

/// Changes when any logged series of `run` grows, restarts or changes role: when derived series
/// of the run are out of date. Derived series are left out, so results never trigger themselves.
std::uint64_t fingerprint(const Run& run)
{
    std::uint64_t h = 1469598103934665603ull; // FNV-1a over a few facts per series
    const auto mix = [&h](std::uint64_t v) { h = (h ^ v) * 1099511628211ull; };
    for (const auto& s : run.allSeries()) {
        if (s->derived())
            continue;
        mix(std::hash<std::string>{}(s->tag()));
        mix(static_cast<std::uint64_t>(s->role()));
        mix(s->size());
        if (!s->empty()) {
            mix(static_cast<std::uint64_t>(s->steps().back()));
            mix(std::bit_cast<std::uint64_t>(s->values().back()));
        }
    }
    return h;
}

std::vector<const Series*> loggedSeries(const Run& run)
{
    std::vector<const Series*> out;
    for (const auto& s : run.allSeries())
        if (!s->derived())
            out.push_back(s.get());
    return out;
}

/// What a recipe reads: the components and the regularization.
std::vector<const Series*> recipeInputs(const std::vector<const Series*>& logged)
{
    std::vector<const Series*> out;
    std::copy_if(logged.begin(), logged.end(), std::back_inserter(out),
                 [](const Series* s) { return s->role() == Role::Component || s->role() == Role::Regularization; });
    return out;
}

QString qs(const std::string& s) { return QString::fromStdString(s); }

} // namespace

DerivedDefinition DerivedDefinition::makeRecipe(std::string name, std::string source)
{
    return {{std::move(name), std::move(source), Role::Total, DerivedLanguage::Script}, true};
}

bool DerivedDefinition::operator==(const DerivedDefinition& other) const
{
    return recipe == other.recipe && spec.name == other.spec.name && spec.source == other.spec.source && spec.role == other.spec.role &&
           spec.language == other.spec.language;
}

DerivedSeriesModel::DerivedSeriesModel(RunStore& store, std::function<bool()> storeReadable, ScriptLimits limits, QObject* parent)
    : QObject(parent), m_store(store), m_storeReadable(std::move(storeReadable)), m_worker(new ScriptWorker(limits, this))
{
    connect(m_worker, &ScriptWorker::derivedReady, this, &DerivedSeriesModel::onReady);
    connect(m_worker, &ScriptWorker::failed, this, &DerivedSeriesModel::onFailed);
}

// The worker first: it joins its thread before the state its answers would touch goes away.
DerivedSeriesModel::~DerivedSeriesModel() { delete m_worker; }

DerivedSeriesModel::Entry* DerivedSeriesModel::entry(const std::string& name)
{
    const auto it = std::find_if(m_entries.begin(), m_entries.end(), [&](const Entry& e) { return e.definition.spec.name == name; });
    return it == m_entries.end() ? nullptr : &*it;
}

const DerivedDefinition* DerivedSeriesModel::find(const std::string& name) const
{
    const Entry* e = const_cast<DerivedSeriesModel*>(this)->entry(name);
    return e ? &e->definition : nullptr;
}

std::vector<DerivedDefinition> DerivedSeriesModel::definitions() const
{
    std::vector<DerivedDefinition> out;
    for (const Entry& e : m_entries)
        out.push_back(e.definition);
    return out;
}

bool DerivedSeriesModel::current(const Job& job)
{
    const Entry* e = entry(job.name);
    return e && e->version == job.version && !e->stopped;
}

bool DerivedSeriesModel::busy() const { return m_running || !m_queue.empty() || !m_landings.empty() || m_refreshWaiting; }

void DerivedSeriesModel::define(DerivedDefinition definition)
{
    definition.spec.validate();
    if (definition.recipe) {
        definition.spec.role = Role::Total, definition.spec.language = DerivedLanguage::Script;
        std::vector<std::string> others; // one recipe at a time
        for (const Entry& e : m_entries)
            if (e.definition.recipe && e.definition.spec.name != definition.spec.name)
                others.push_back(e.definition.spec.name);
        for (const std::string& name : others)
            remove(name);
    }
    Entry* e = entry(definition.spec.name);
    if (!e)
        e = &m_entries.emplace_back();
    e->definition = std::move(definition);
    e->version = m_nextVersion++;
    e->stopped = false;
    if (m_running && !current(m_running->first))
        m_worker->cancelRunning();
    refresh();
}

bool DerivedSeriesModel::remove(const std::string& name)
{
    const auto it = std::find_if(m_entries.begin(), m_entries.end(), [&](const Entry& e) { return e.definition.spec.name == name; });
    if (it == m_entries.end())
        return false;
    m_entries.erase(it);
    std::erase_if(m_outcomes, [&](const auto& outcome) { return outcome.first.first == name; });
    if (m_running && !current(m_running->first))
        m_worker->cancelRunning();
    dropSeries(name);
    return true;
}

void DerivedSeriesModel::dropSeries(const std::string& name)
{
    if (!m_storeReadable()) {
        m_removals.push_back(name);
        return;
    }
    if (m_store.removeDerived(name) > 0)
        emit seriesChanged();
}

void DerivedSeriesModel::setDefinitions(const std::vector<DerivedDefinition>& definitions)
{
    std::vector<std::string> gone;
    for (const Entry& e : m_entries)
        if (std::none_of(definitions.begin(), definitions.end(), [&](const auto& d) { return d.spec.name == e.definition.spec.name; }))
            gone.push_back(e.definition.spec.name);
    for (const std::string& name : gone)
        remove(name);
    for (const DerivedDefinition& d : definitions)
        if (const DerivedDefinition* existing = find(d.spec.name); !existing || !(*existing == d))
            define(d);
}

void DerivedSeriesModel::refresh()
{
    m_refreshWaiting = !m_storeReadable(); // the owner calls again once the store is free
    if (m_refreshWaiting)
        return;
    bool removed = false;
    for (const std::string& name : std::exchange(m_removals, {}))
        removed |= m_store.removeDerived(name) > 0;
    if (removed)
        emit seriesChanged();
    for (const Landing& landing : std::exchange(m_landings, {}))
        if (current(landing.job))
            land(landing);
    for (const auto& run : m_store.runs()) {
        const std::uint64_t now = fingerprint(*run);
        for (const Entry& e : m_entries) {
            const auto done = m_outcomes.find({e.definition.spec.name, run->name()});
            const bool upToDate = done != m_outcomes.end() && done->second.version == e.version && done->second.fingerprint == now;
            if (!e.stopped && !upToDate)
                enqueue(e, run->name());
        }
    }
    startNext();
}

void DerivedSeriesModel::enqueue(const Entry& e, const std::string& run)
{
    const std::string& name = e.definition.spec.name;
    if (m_running && m_running->first.name == name && m_running->first.run == run && m_running->first.version == e.version)
        return; // when it lands, refresh() checks its inputs again
    for (Job& queued : m_queue)
        if (queued.name == name && queued.run == run) {
            queued.version = e.version;
            return;
        }
    m_queue.push_back({name, run, e.version, 0});
    m_settled = false;
}

void DerivedSeriesModel::startNext()
{
    while (!m_running && !m_queue.empty() && m_storeReadable()) {
        Job job = m_queue.front();
        m_queue.pop_front();
        if (current(job) && m_store.findRun(job.run))
            post(job);
    }
    if (!busy() && !std::exchange(m_settled, true))
        emit settled();
}

bool DerivedSeriesModel::post(Job& job)
{
    const Entry& e = *entry(job.name);
    const Run& run = *m_store.findRun(job.run);
    job.fingerprint = fingerprint(run);
    std::vector<const Series*> inputs;
    try {
        if (const Series* same = run.find(job.name); same && !same->derived())
            throw ScriptError(ScriptErrorKind::Runtime, "run '" + job.run + "' logs a series called '" + job.name +
                                                            "'; give the derived series another name");
        inputs = e.definition.recipe ? recipeInputs(loggedSeries(run)) : seriesUsedBy(e.definition.spec, loggedSeries(run));
    } catch (const ScriptError& error) {
        fail(job, ScriptDiagnostic::from(error));
        return false;
    }
    // Copies: a load may write the store while the worker reads them.
    std::vector<Series> copies;
    copies.reserve(inputs.size());
    for (const Series* s : inputs)
        copies.push_back(*s);
    const quint64 request = e.definition.recipe
                                ? m_worker->evaluateRecipe({.source = e.definition.spec.source, .name = job.name}, std::move(copies))
                                : m_worker->evaluateDerived(e.definition.spec, std::move(copies));
    m_running = std::pair{job, request};
    return true;
}

void DerivedSeriesModel::onReady(quint64 request, const std::shared_ptr<const Series>& series)
{
    if (!m_running || m_running->second != request)
        return;
    const Job job = std::exchange(m_running, std::nullopt)->first;
    finish({job, series, {}});
}

void DerivedSeriesModel::onFailed(quint64 request, const ScriptDiagnostic& problem)
{
    if (!m_running || m_running->second != request)
        return;
    const Job job = std::exchange(m_running, std::nullopt)->first;
    finish({job, nullptr, problem});
}

void DerivedSeriesModel::finish(Landing landing)
{
    if (!current(landing.job)) { // edited or removed meanwhile (a cancelled run ends here too)
        startNext();
        return;
    }
    if (!m_storeReadable()) { // a load writes the store: refresh() lands it afterwards
        m_landings.push_back(std::move(landing));
        return;
    }
    land(landing);
    refresh(); // the inputs may have grown meanwhile; starts the next job
}

void DerivedSeriesModel::land(const Landing& landing)
{
    const Job& job = landing.job;
    Run* run = m_store.findRun(job.run);
    if (!run)
        return;
    if (!landing.series) {
        fail(job, landing.problem);
        return;
    }
    if (!m_store.putDerived(*run, Series(*landing.series))) { // the log gained that tag meanwhile
        fail(job, {ScriptErrorKind::Runtime, QObject::tr("run '%1' logs a series called '%2'; give the derived series another name")
                                                 .arg(qs(job.run), qs(job.name)), 0, 0});
        return;
    }
    m_outcomes[{job.name, job.run}] = {job.version, job.fingerprint, {}};
    emit seriesChanged();
}

void DerivedSeriesModel::fail(const Job& job, const ScriptDiagnostic& problem)
{
    ScriptDiagnostic shown = problem;
    if (problem.kind == ScriptErrorKind::Timeout) {
        entry(job.name)->stopped = true; // a hanging script would hang again on every run and every reload
        shown.message += QObject::tr(" (stopped on every run; add it again to retry)");
    }
    Outcome& outcome = m_outcomes[{job.name, job.run}];
    const bool repeated = outcome.version == job.version && outcome.problem == shown.message;
    outcome = {job.version, job.fingerprint, shown.message};
    if (Run* run = m_store.findRun(job.run); run && m_store.removeDerived(job.name, run) > 0)
        emit seriesChanged(); // no stale result of an older definition stays on screen
    if (!repeated)
        emit failed(qs(job.name), qs(job.run), shown);
}

} // namespace losslens::script
