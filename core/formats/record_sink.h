#pragma once
// What every log reader produces: plain scalar records and warnings, through a small interface.

#include "core/runs/role.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace losslens::formats {

/// A problem found in the input. Readers keep going after every warning.
struct Warning {
    enum class Where { Offset, Line };
    std::string file;
    Where where = Where::Offset;
    std::uint64_t position = 0; ///< byte offset (0-based) or line number (1-based)
    std::string message;

    /// "FILE: offset N: message" or "FILE:LINE: message".
    std::string toString() const;
};

/// A tag as a reader first meets it. `run` is empty for the file's own run; the LossLens live
/// record shape names its run in every record and fills it.
struct TagInfo {
    std::string_view run;
    std::string_view name;
    std::optional<Role> roleHint; ///< a role written by the logger itself (live records, LossLens event files)
};

/// Receives a reader's output. Tags are announced once with a dense id (0, 1, …, per reader);
/// records then refer to the id, so the hot path never hashes or copies a string.
class RecordSink {
public:
    virtual ~RecordSink() = default;
    virtual void onTag(std::uint32_t id, const TagInfo& info) = 0;
    /// One scalar, in file order. `wallTime` is seconds since the epoch, NaN when the format has none.
    virtual void onScalar(std::uint32_t tag, std::int64_t step, double wallTime, double value) = 0;
    virtual void onWarning(Warning warning) = 0;
};

} // namespace losslens::formats
