#pragma once
// Tag interning shared by the readers: one id per (run, tag), found without hashing in the usual case.

#include "core/formats/record_sink.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace losslens::formats {

/// Maps tag names to the dense ids a RecordSink sees, announcing each new tag once.
/// Loggers write tags in the same order every step, so the table first tries the tag that
/// followed the previous one last time (a memcmp) before falling back to a hash lookup.
class TagTable {
public:
    explicit TagTable(RecordSink& sink) : m_sink(sink) {}

    /// The id of `name` in `run` (empty: the file's run), announcing it with `roleHint` if new.
    std::uint32_t intern(std::string_view name, std::string_view run = {}, std::optional<Role> roleHint = {});
    /// The interning key: the name, or run + '\\0' + name for records that name their run.
    std::string_view key(std::uint32_t id) const { return m_names[id]; }
    std::size_t size() const { return m_names.size(); }

    /// Forwards a record to the sink. Returns false when the tag's step went backwards (the
    /// caller warns, it knows where); the record is forwarded either way.
    bool add(std::uint32_t id, std::int64_t step, double wallTime, double value)
    {
        std::int64_t& last = m_lastStep[id];
        const bool forward = step >= last;
        if (!forward) [[unlikely]]
            m_backFrom = last;
        last = step;
        m_sink.onScalar(id, step, wallTime, value);
        return forward;
    }
    /// The message for the last add() that returned false.
    std::string stepBackMessage(std::uint32_t id) const;

    /// Forgets the last steps (the file is being read again from its start).
    void resetSteps();

private:
    std::uint32_t lookup(std::string_view key, std::string_view name, std::string_view run, std::optional<Role> hint);

    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    RecordSink& m_sink;
    std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> m_ids;
    std::vector<std::string> m_names; // the interning key: run + '\0' + name, or name
    std::vector<std::uint32_t> m_next; // the id that followed each id last time
    std::vector<std::int64_t> m_lastStep;
    std::int64_t m_backFrom = 0;
    std::uint32_t m_previous = UINT32_MAX;
    std::string m_key;
};

} // namespace losslens::formats
