#pragma once
// The viewer's derived series and recipe (DESIGN.md's "LossModel: roles, recipe, scripts"):
// definitions that become series of every run, kept up to date as the runs grow.
//
//   RunStore (logged series) ──► DerivedSeriesModel ──► ScriptWorker thread ──► RunStore (derived series)
//
// Data flows one way: a definition reads a run's logged series only, never derived ones, so a
// result never feeds another evaluation. Results land in the store as ordinary series flagged
// Series::derived(), so the tags panel, every plot, the inspector and the exporters show them
// without knowing about scripts. Evaluations run one at a time on the model's own worker thread
// (the editor's checks have theirs), each over copies of the inputs it reads.

#include "core/script/script_worker.h"

#include <QObject>

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace losslens {
class RunStore;
}

namespace losslens::script {

/// A derived series or the recipe, as the user defines it and the session saves it.
struct DerivedDefinition {
    DerivedSeriesSpec spec; ///< the recipe: spec.role is Total, spec.language Script
    bool recipe = false;    ///< spec.source defines total(components, regularization, args)

    /// The recipe's definition (role Total; there is at most one recipe).
    static DerivedDefinition makeRecipe(std::string name, std::string source);
    bool operator==(const DerivedDefinition& other) const;
};

class DerivedSeriesModel : public QObject {
    Q_OBJECT
public:
    /// `storeReadable` tells whether this (the GUI) thread may read and write `store` now — false
    /// while a load writes it on another thread; evaluations start and results land only then.
    DerivedSeriesModel(RunStore& store, std::function<bool()> storeReadable, ScriptLimits limits = {}, QObject* parent = nullptr);
    ~DerivedSeriesModel() override;

    /// Adds `definition`, or replaces the one of the same name, and evaluates it for every run
    /// (again, even when unchanged: a timed-out definition is retried). A recipe replaces the
    /// previous recipe. Throws std::invalid_argument for an empty name or source.
    void define(DerivedDefinition definition);
    /// Removes the definition `name` and its series from every run; false when there is none.
    bool remove(const std::string& name);
    /// Replaces every definition (a loaded session); unchanged ones keep their results.
    void setDefinitions(const std::vector<DerivedDefinition>& definitions);
    std::vector<DerivedDefinition> definitions() const;
    const DerivedDefinition* find(const std::string& name) const;

    /// Evaluates what is out of date (new runs, grown or changed inputs, edited definitions) and
    /// lands results that waited for the store. Call after every load.
    void refresh();
    /// True while evaluations are queued, running or waiting for the store (and while a
    /// refresh() waits for it).
    bool busy() const;

signals:
    /// Derived series were added, recomputed or removed in the store.
    void seriesChanged();
    /// Evaluating `name` over `run` failed; reported once per distinct problem, not on every
    /// refresh. A timeout stops the definition on every run until it is defined again.
    void failed(const QString& name, const QString& run, const losslens::script::ScriptDiagnostic& problem);
    /// The queue ran empty: every definition is evaluated (or failed) over the current data.
    void settled();

private:
    struct Entry {
        DerivedDefinition definition;
        quint64 version = 0;
        bool stopped = false; // timed out: not retried until defined again
    };
    struct Job {
        std::string name, run;
        quint64 version = 0;
        std::uint64_t fingerprint = 0; // of the run's logged series when the inputs were copied
    };
    struct Outcome { // what the store shows for (name, run)
        quint64 version = 0;
        std::uint64_t fingerprint = 0;
        QString problem;
    };
    struct Landing { // a finished evaluation waiting for the store
        Job job;
        std::shared_ptr<const Series> series; // null: failed
        ScriptDiagnostic problem;
    };

    Entry* entry(const std::string& name);
    bool current(const Job& job);
    void enqueue(const Entry& e, const std::string& run);
    void startNext();
    bool post(Job& job);
    void onReady(quint64 request, const std::shared_ptr<const Series>& series);
    void onFailed(quint64 request, const ScriptDiagnostic& problem);
    void finish(Landing landing);
    void land(const Landing& landing);
    void fail(const Job& job, const ScriptDiagnostic& problem);
    void dropSeries(const std::string& name);

    RunStore& m_store;
    std::function<bool()> m_storeReadable;
    ScriptWorker* m_worker;
    std::vector<Entry> m_entries;
    quint64 m_nextVersion = 1;
    std::deque<Job> m_queue;
    std::optional<std::pair<Job, quint64>> m_running; // the job and its worker request
    std::vector<Landing> m_landings;
    std::vector<std::string> m_removals; // derived tags to drop once the store is readable
    bool m_refreshWaiting = false;       // refresh() was called while the store was not readable
    std::map<std::pair<std::string, std::string>, Outcome> m_outcomes;
    bool m_settled = true; // settled() was emitted since the last job was queued
};

} // namespace losslens::script
