#pragma once
// The one owner of loaded training data: runs, their series, and who wants to hear about changes.

#include "core/runs/role_overrides.h"
#include "core/runs/run.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace losslens {

/// Told about changes to a RunStore, on the thread that made them (the store has no thread of
/// its own and no Qt; a GUI forwards these to its own thread).
class RunStoreObserver {
public:
    virtual ~RunStoreObserver() = default;
    virtual void runAdded(const Run& run) { (void)run; }
    /// Points from index `firstChanged` on are new (a restart may have replaced earlier ones too).
    virtual void pointsAppended(const Run& run, const Series& series, std::size_t firstChanged)
    {
        (void)run, (void)series, (void)firstChanged;
    }
    virtual void roleChanged(const Run& run, const Series& series) { (void)run, (void)series; }
};

/// Runs by name, in the order they were added. Not thread-safe: one thread mutates it (the
/// loaders parse in parallel but merge on the caller's thread).
class RunStore {
public:
    /// The run called `name`, created (and announced) if new.
    Run& run(std::string_view name, std::string_view source = {});
    Run* findRun(std::string_view name);
    const Run* findRun(std::string_view name) const;
    const std::vector<std::unique_ptr<Run>>& runs() const { return m_runs; }

    /// The series of `tag` in `run`, created with its role if new: a user override wins, then
    /// the logger's hint, then inferRole(tag). A logged tag replaces a derived series of the same
    /// name (the log is the truth; the derived one reports the clash when it is next evaluated).
    Series& series(Run& run, std::string_view tag, std::optional<Role> hint = {});

    /// Puts `series` into `run` as a derived series (Series::derived()): added if new, else its
    /// points and role replace the derived series of that tag, which keeps its address. Returns
    /// false, changing nothing, when `run` has a logged series of that tag.
    bool putDerived(Run& run, Series series);
    /// Removes the derived series `tag` from `run`, or from every run when `run` is null; logged
    /// series of that tag stay. Returns how many were removed.
    std::size_t removeDerived(std::string_view tag, Run* run = nullptr);

    /// Appends a point (restart rule of Series) and notifies observers at once. Loaders use
    /// Series::append and notifyAppended() to batch notifications.
    void append(Run& run, Series& series, std::int64_t step, double wallTime, double value);
    void notifyAppended(const Run& run, const Series& series, std::size_t firstChanged);

    /// Sets a user role for `tag` (in `runName` only, or in every run when empty), applies it to
    /// the series already loaded, and records it in roleOverrides().
    void setRole(std::string_view runName, std::string_view tag, Role role);
    RoleOverrides& roleOverrides() { return m_overrides; }
    const RoleOverrides& roleOverrides() const { return m_overrides; }
    /// Re-applies roleOverrides() to every series (after loading an overrides file).
    void applyRoleOverrides();

    void addObserver(RunStoreObserver* observer);
    void removeObserver(RunStoreObserver* observer);

    std::size_t pointCount() const;
    /// Bytes held by the series' columns (capacity).
    std::size_t memoryBytes() const;
    /// Releases the spare capacity left by loading.
    void shrinkToFit();
    void clear();

private:
    std::vector<std::unique_ptr<Run>> m_runs;
    std::vector<RunStoreObserver*> m_observers;
    RoleOverrides m_overrides;
};

} // namespace losslens
