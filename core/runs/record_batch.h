#pragma once
// Records from one reader, buffered columnar until they are merged into the store.

#include "core/formats/record_sink.h"
#include "core/runs/run_store.h"

#include <string>
#include <vector>

namespace losslens {

/// A RecordSink that keeps records per tag, so a file can be parsed on a worker thread and its
/// records appended to the store later, on the store's thread, in bulk and in file order.
class RecordBatch : public formats::RecordSink {
public:
    void onTag(std::uint32_t id, const formats::TagInfo& info) override;
    void onScalar(std::uint32_t tag, std::int64_t step, double wallTime, double value) override
    {
        Column& c = m_columns[tag];
        c.steps.push_back(step);
        c.wallTimes.push_back(wallTime);
        c.values.push_back(value);
    }
    void onWarning(formats::Warning warning) override { m_warnings.push_back(std::move(warning)); }

    /// Appends every buffered record to `store` (records that name no run go to `defaultRun`,
    /// created with `source`), notifies its observers once per series, moves the warnings to
    /// `warnings` and empties the batch (tags stay known). Returns the number of points merged.
    /// `expectedMore`: how many more points are likely to follow per point of this batch (a part
    /// of a file: the bytes left over the bytes parsed); a series that must grow makes room for
    /// them at once (with 0 it doubles, as a vector does).
    std::size_t mergeInto(RunStore& store, std::string_view defaultRun, std::string_view source,
                          std::vector<formats::Warning>& warnings, double expectedMore = 0);
    /// Moves the buffered records and warnings into a batch of their own, to be merged while this
    /// one fills again (tags stay known here).
    RecordBatch takeRecords();
    /// Releases the spare capacity of the store's series this batch's tags went to (when a file
    /// was read in bulk: its series grew while its records came in).
    void shrinkSeries(RunStore& store, std::string_view defaultRun) const;
    /// Drops buffered records and warnings.
    void clear();
    std::size_t pointCount() const;
    /// Bytes held by the buffered records (the columns' capacity).
    std::size_t memoryBytes() const;

private:
    struct Column {
        std::string run;
        std::string tag;
        std::optional<Role> hint;
        std::vector<std::int64_t> steps;
        std::vector<double> wallTimes;
        std::vector<double> values;
    };
    std::vector<Column> m_columns;
    std::vector<formats::Warning> m_warnings;
};

} // namespace losslens
