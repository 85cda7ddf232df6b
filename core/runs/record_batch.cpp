#include "core/runs/record_batch.h"

#include <utility>

namespace losslens {

void RecordBatch::onTag(std::uint32_t id, const formats::TagInfo& info)
{
    if (m_columns.size() <= id)
        m_columns.resize(id + 1);
    Column& c = m_columns[id];
    c.run.assign(info.run);
    c.tag.assign(info.name);
    c.hint = info.roleHint;
}

std::size_t RecordBatch::mergeInto(RunStore& store, std::string_view defaultRun, std::string_view source,
                                   std::vector<formats::Warning>& warnings, double expectedMore)
{
    std::size_t merged = 0;
    for (Column& c : m_columns) {
        if (c.steps.empty())
            continue;
        Run& run = store.run(c.run.empty() ? defaultRun : std::string_view(c.run), source);
        Series& series = store.series(run, c.tag, c.hint);
        // Grown once per file rather than doubled block after block: the outgrown allocations
        // stayed behind as holes in malloc's heap, resident until the load ended (a 70 M-point
        // logdir peaked at 32 bytes per point, 26 this way). The spare room goes back when the
        // file is done, see shrinkSeries().
        if (const std::size_t needed = series.size() + c.steps.size(); needed > series.capacity() && expectedMore > 0)
            series.reserve(needed + static_cast<std::size_t>(static_cast<double>(c.steps.size()) * expectedMore));
        const std::size_t first = series.append(c.steps, c.wallTimes, c.values);
        merged += c.steps.size();
        // swap with empties: the batch's memory is returned, not kept as capacity
        std::vector<std::int64_t>().swap(c.steps);
        std::vector<double>().swap(c.wallTimes);
        std::vector<double>().swap(c.values);
        store.notifyAppended(run, series, first);
    }
    for (auto& w : m_warnings)
        warnings.push_back(std::move(w));
    m_warnings.clear();
    return merged;
}

RecordBatch RecordBatch::takeRecords()
{
    RecordBatch taken;
    for (Column& c : m_columns) {
        if (c.steps.empty())
            continue;
        Column& t = taken.m_columns.emplace_back();
        t.run = c.run;
        t.tag = c.tag;
        t.hint = c.hint;
        t.steps = std::exchange(c.steps, {});
        t.wallTimes = std::exchange(c.wallTimes, {});
        t.values = std::exchange(c.values, {});
    }
    taken.m_warnings = std::exchange(m_warnings, {});
    return taken;
}

void RecordBatch::shrinkSeries(RunStore& store, std::string_view defaultRun) const
{
    for (const Column& c : m_columns) {
        Run* run = store.findRun(c.run.empty() ? defaultRun : std::string_view(c.run));
        if (Series* series = run ? run->find(c.tag) : nullptr)
            series->shrinkToFit();
    }
}

void RecordBatch::clear()
{
    for (Column& c : m_columns) {
        std::vector<std::int64_t>().swap(c.steps);
        std::vector<double>().swap(c.wallTimes);
        std::vector<double>().swap(c.values);
    }
    m_warnings.clear();
}

std::size_t RecordBatch::pointCount() const
{
    std::size_t n = 0;
    for (const Column& c : m_columns)
        n += c.steps.size();
    return n;
}

std::size_t RecordBatch::memoryBytes() const
{
    std::size_t n = 0;
    for (const Column& c : m_columns)
        n += c.steps.capacity() * sizeof(std::int64_t) + (c.wallTimes.capacity() + c.values.capacity()) * sizeof(double);
    return n;
}

} // namespace losslens
