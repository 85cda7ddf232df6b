#pragma once
// JSON lines logs: detectron2, mmengine, mmdetection 2.x, LossLens live records, and any other.

#include "core/formats/reader.h"

#include <memory>
#include <string>

namespace losslens::formats {

/// One JSON object per line. The shape of each line decides how it is read:
/// - LossLens live record `{"run":…,"step":…,"wall_time":…,"scalars":{tag:value},"roles":{tag:role}}`:
///   the tags are the keys of `scalars`; `run` (optional) names the record's run; roles are hints.
/// - mmdetection 2.x `*.log.json`: a meta line (`env_info`/`config`) is skipped; lines with
///   `mode`, `epoch`, `iter` give step = (epoch−1)·itersPerEpoch + iter, where itersPerEpoch is the
///   largest `iter` logged in an earlier epoch (mmdet's analyze_logs does the same); `val` lines
///   are tagged `val/<key>` at the end of their epoch.
/// - anything else (detectron2 metrics.json, mmengine scalars.json, generic): the step is the
///   first of `step`, `global_step`, `iteration`, `iter`, `epoch` present (else the record's index
///   in the file), the wall time is `wall_time` (else NaN); every other number is a scalar, nested
///   objects are flattened to `a/b`, strings, booleans, nulls and arrays are skipped.
/// Bare NaN, Infinity and -Infinity (Python's json) are read as values. A malformed line is a
/// warning with its line number; the lines around it are kept.
class JsonLinesReader : public LineReader {
public:
    JsonLinesReader(RecordSink& sink, std::string file);
    ~JsonLinesReader() override;

protected:
    void parseLine(std::string_view line, std::uint64_t number, bool hasMoreAfter) override;
    void resetState() override;

private:
    struct Impl;
    friend struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace losslens::formats
