#pragma once
// One training run: its series, one per tag, in the order the tags first appeared.

#include "core/runs/series.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace losslens {

class Run {
public:
    /// `name` follows TensorBoard: the run folder's path relative to the logdir (the logdir's
    /// own name for the logdir itself; see LogFile::run). `source` is where it was read from (a folder, a file or a live address).
    Run(std::string name, std::string source) : m_name(std::move(name)), m_source(std::move(source)) {}

    const std::string& name() const { return m_name; }
    const std::string& source() const { return m_source; }
    /// Free-form facts about the run (format, writer, files); keys and values are the reader's.
    std::map<std::string, std::string>& metadata() { return m_metadata; }
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }

    /// The series of `tag`, or nullptr.
    Series* find(std::string_view tag);
    const Series* find(std::string_view tag) const;
    /// The series of `tag`, created with `role` if it does not exist yet.
    Series& series(std::string_view tag, Role role);
    const std::vector<std::unique_ptr<Series>>& allSeries() const { return m_series; }
    /// Removes the series of `tag`; false when there is none. Pointers to it become invalid.
    bool removeSeries(std::string_view tag);

    std::size_t pointCount() const;
    std::size_t memoryBytes() const;

private:
    std::string m_name;
    std::string m_source;
    std::map<std::string, std::string> m_metadata;
    std::vector<std::unique_ptr<Series>> m_series;
    std::unordered_map<std::string_view, Series*> m_byTag; // keys view the series' own tags
};

} // namespace losslens
