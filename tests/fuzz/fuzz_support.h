#pragma once
// Shared by the fuzz targets: the invariant check, and a sink that keeps what a reader produced so
// a target can compare two readings of the same bytes.

#include "core/formats/reader.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

/// An invariant of the code under test. Unlike assert() it stays on in release builds, and it
/// aborts so that libFuzzer (or the replaying CTest test) reports the input that broke it.
#define FUZZ_CHECK(condition) \
    ((condition) ? void(0) : ::losslens::fuzz::fail(#condition, __FILE__, __LINE__))

namespace losslens::fuzz {

[[noreturn]] inline void fail(const char* condition, const char* file, int line)
{
    std::fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, condition);
    std::abort();
}

inline std::string_view asText(const std::uint8_t* data, std::size_t size)
{
    return {reinterpret_cast<const char*>(data), size};
}

/// Doubles compared bit for bit, so NaN equals the same NaN.
inline bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

struct Point {
    std::uint32_t tag;
    std::int64_t step;
    double wallTime;
    double value;

    bool operator==(const Point& o) const
    {
        return tag == o.tag && step == o.step && sameBits(wallTime, o.wallTime) && sameBits(value, o.value);
    }
};

/// Records a reader's output and checks the RecordSink contract as it arrives: tag ids are dense
/// and announced before use, every warning names the reader's file.
class CollectingSink : public formats::RecordSink {
public:
    explicit CollectingSink(std::string file) : m_file(std::move(file)) {}

    void onTag(std::uint32_t id, const formats::TagInfo& info) override
    {
        FUZZ_CHECK(id == tags.size());
        tags.push_back(std::string(info.run) + '\0' + std::string(info.name));
    }
    void onScalar(std::uint32_t tag, std::int64_t step, double wallTime, double value) override
    {
        FUZZ_CHECK(tag < tags.size());
        points.push_back({tag, step, wallTime, value});
    }
    void onWarning(formats::Warning warning) override
    {
        FUZZ_CHECK(warning.file == m_file);
        FUZZ_CHECK(!warning.message.empty());
        warnings.push_back(std::move(warning));
    }

    std::vector<std::string> tags;
    std::vector<Point> points;
    std::vector<formats::Warning> warnings;

private:
    std::string m_file;
};

/// Reads `bytes` with one feed, as a loader reads a finished file; then reads them again after
/// restart() (a replaced file), which must give the same records under the same tag ids.
inline CollectingSink readWhole(formats::Format format, std::string_view bytes)
{
    const std::string file = "fuzz-input";
    CollectingSink sink(file);
    auto reader = formats::createReader(format, sink, file);
    FUZZ_CHECK(reader != nullptr);
    FUZZ_CHECK(reader->feed(bytes, true) == bytes.size());
    FUZZ_CHECK(reader->position() == bytes.size());

    const std::size_t tags = sink.tags.size();
    const std::size_t warnings = sink.warnings.size();
    const std::vector<Point> first = sink.points;
    reader->restart();
    FUZZ_CHECK(reader->feed(bytes, true) == bytes.size());
    FUZZ_CHECK(sink.tags.size() == tags);
    FUZZ_CHECK(std::equal(first.begin(), first.end(), sink.points.begin() + static_cast<std::ptrdiff_t>(first.size()),
                          sink.points.end()));
    sink.points.resize(first.size());
    sink.warnings.resize(warnings);
    return sink;
}

/// Reads `bytes` as a tailer reads a growing file: `chunk` bytes appear at a time, unconsumed
/// bytes are fed again with the next ones, and the last feed says the file is complete.
inline CollectingSink readInChunks(formats::Format format, std::string_view bytes, std::size_t chunk)
{
    const std::string file = "fuzz-input";
    CollectingSink sink(file);
    auto reader = formats::createReader(format, sink, file);
    std::size_t available = 0;
    while (available < bytes.size()) {
        available = std::min(bytes.size(), available + chunk);
        const std::size_t from = reader->position();
        FUZZ_CHECK(from <= available);
        const std::size_t used = reader->feed(bytes.substr(from, available - from), false);
        FUZZ_CHECK(used <= available - from);
    }
    const std::size_t from = reader->position();
    FUZZ_CHECK(reader->feed(bytes.substr(from), true) == bytes.size() - from);
    return sink;
}

/// Whether a chunked read must match a whole-file read even for a malformed file.
enum class Chunking { AlwaysSame, SameWhenWellFormed };

/// What every reader promises for any input: warnings point inside the input and are capped, a
/// whole-file read, a re-read after restart() and a chunked read agree on every record.
inline void checkReader(formats::Format format, std::string_view bytes, Chunking chunking = Chunking::AlwaysSame)
{
    const CollectingSink whole = readWhole(format, bytes);
    const auto lines = static_cast<std::uint64_t>(std::count(bytes.begin(), bytes.end(), '\n')) + 1;
    FUZZ_CHECK(whole.warnings.size() <= 100); // Reader::kMaxWarnings
    for (const formats::Warning& w : whole.warnings) {
        if (w.where == formats::Warning::Where::Offset)
            FUZZ_CHECK(w.position <= bytes.size());
        else
            FUZZ_CHECK(w.position >= 1 && w.position <= lines);
    }

    // Chunk sizes from the input's length, so a reproducer replays with the same split.
    const std::size_t chunk = 1 + bytes.size() % 97;
    if (chunking == Chunking::SameWhenWellFormed && !whole.warnings.empty())
        return;
    const CollectingSink chunked = readInChunks(format, bytes, chunk);
    FUZZ_CHECK(chunked.tags == whole.tags);
    FUZZ_CHECK(chunked.points == whole.points);
}

} // namespace losslens::fuzz
