#include "core/runs/run_store.h"

#include <algorithm>

namespace losslens {

Run& RunStore::run(std::string_view name, std::string_view source)
{
    if (Run* r = findRun(name))
        return *r;
    Run& r = *m_runs.emplace_back(std::make_unique<Run>(std::string(name), std::string(source)));
    for (auto* o : m_observers)
        o->runAdded(r);
    return r;
}

Run* RunStore::findRun(std::string_view name)
{
    for (auto& r : m_runs)
        if (r->name() == name)
            return r.get();
    return nullptr;
}

const Run* RunStore::findRun(std::string_view name) const
{
    return const_cast<RunStore*>(this)->findRun(name);
}

Series& RunStore::series(Run& run, std::string_view tag, std::optional<Role> hint)
{
    if (Series* s = run.find(tag); s && !s->derived())
        return *s;
    run.removeSeries(tag);
    const auto user = m_overrides.lookup(run.name(), tag);
    Series& s = run.series(tag, user ? *user : hint ? *hint : inferRole(tag));
    if (user)
        s.setRole(*user, true);
    return s;
}

bool RunStore::putDerived(Run& run, Series series)
{
    Series* target = run.find(series.tag());
    if (target && !target->derived())
        return false;
    if (!target) {
        target = &run.series(series.tag(), series.role());
        target->setDerived(true);
    }
    target->setRole(series.role(), series.roleOverridden());
    target->replacePoints(std::move(series));
    notifyAppended(run, *target, 0);
    return true;
}

std::size_t RunStore::removeDerived(std::string_view tag, Run* run)
{
    std::size_t removed = 0;
    for (auto& r : m_runs)
        if (!run || r.get() == run)
            if (const Series* s = r->find(tag); s && s->derived())
                removed += r->removeSeries(tag);
    return removed;
}

void RunStore::append(Run& run, Series& series, std::int64_t step, double wallTime, double value)
{
    notifyAppended(run, series, series.append(step, wallTime, value));
}

void RunStore::notifyAppended(const Run& run, const Series& series, std::size_t firstChanged)
{
    for (auto* o : m_observers)
        o->pointsAppended(run, series, firstChanged);
}

void RunStore::setRole(std::string_view runName, std::string_view tag, Role role)
{
    m_overrides.set(runName, tag, role);
    for (auto& r : m_runs) {
        if (!runName.empty() && r->name() != runName)
            continue;
        if (Series* s = r->find(tag)) {
            s->setRole(role, true);
            for (auto* o : m_observers)
                o->roleChanged(*r, *s);
        }
    }
}

void RunStore::applyRoleOverrides()
{
    for (auto& r : m_runs)
        for (auto& s : r->allSeries())
            if (const auto role = m_overrides.lookup(r->name(), s->tag()); role && (*role != s->role() || !s->roleOverridden())) {
                s->setRole(*role, true);
                for (auto* o : m_observers)
                    o->roleChanged(*r, *s);
            }
}

void RunStore::addObserver(RunStoreObserver* observer)
{
    if (std::find(m_observers.begin(), m_observers.end(), observer) == m_observers.end())
        m_observers.push_back(observer);
}

void RunStore::removeObserver(RunStoreObserver* observer)
{
    std::erase(m_observers, observer);
}

std::size_t RunStore::pointCount() const
{
    std::size_t n = 0;
    for (const auto& r : m_runs)
        n += r->pointCount();
    return n;
}

std::size_t RunStore::memoryBytes() const
{
    std::size_t n = 0;
    for (const auto& r : m_runs)
        n += r->memoryBytes();
    return n;
}

void RunStore::shrinkToFit()
{
    for (auto& r : m_runs)
        for (auto& s : r->allSeries())
            s->shrinkToFit();
}

void RunStore::clear()
{
    m_runs.clear();
}

} // namespace losslens
