#include "core/runs/record_batch.h"

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
                                   std::vector<formats::Warning>& warnings)
{
    std::size_t merged = 0;
    for (Column& c : m_columns) {
        if (c.steps.empty())
            continue;
        Run& run = store.run(c.run.empty() ? defaultRun : std::string_view(c.run), source);
        Series& series = store.series(run, c.tag, c.hint);
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

} // namespace losslens
