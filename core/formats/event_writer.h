#pragma once
// Writes TensorBoard event files: how the engine's LossCollection snapshots reach disk.

#include "core/losses/loss_collection.h"

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace losslens::formats {

/// How a scalar is stored in its Summary.Value.
enum class ScalarEncoding {
    SimpleValue,  ///< field 2, float32 (TF1, PyTorch, tensorboardX)
    DoubleTensor, ///< field 8, rank-0 DT_DOUBLE tensor, plugin "scalars" (TF2 style, no rounding)
};

/// Event proto builders (tensorflow/core/util/event.proto, summary.proto).
namespace events {
/// Summary.Value with simple_value.
std::string simpleValue(std::string_view tag, float value);
/// Summary.Value with a rank-0 DT_DOUBLE tensor; with `withMetadata`, plugin "scalars" and, if
/// `role` is set, summary_description "losslens:role=<role>".
std::string doubleTensorValue(std::string_view tag, double value, bool withMetadata, std::optional<Role> role = {});
/// An Event holding a Summary made of the given serialized Summary.Values.
std::string summaryEvent(double wallTime, std::int64_t step, std::initializer_list<std::string_view> values);
/// An Event holding an already serialized Summary. A name of its own: as an overload of the one
/// above, `summaryEvent(w, s, {simpleValue(…)})` meant this one to clang and the list to GCC.
std::string summaryEventOf(double wallTime, std::int64_t step, const std::string& serializedSummary);
/// The first event of every file: file_version "brain.Event:2".
std::string fileVersionEvent(double wallTime);
/// `data` in TFRecord framing: length, masked CRC32C of the length, data, masked CRC32C of the data.
std::string frameRecord(std::string_view data);
} // namespace events

/// Appends framed Event records to a file. Not thread-safe; flush() makes records visible to tailing readers.
class EventFileWriter {
public:
    /// Creates (truncates) `path` and writes the file_version event. Throws std::runtime_error
    /// with the path and reason when it cannot be opened.
    explicit EventFileWriter(const std::string& path, double wallTime = 0.0);
    ~EventFileWriter();
    EventFileWriter(const EventFileWriter&) = delete;
    EventFileWriter& operator=(const EventFileWriter&) = delete;

    /// "events.out.tfevents.<seconds>.<host>.<pid>.losslens", TensorBoard's naming.
    static std::string defaultFileName(double wallTime);

    void writeScalar(std::string_view tag, std::int64_t step, double value, double wallTime,
                     ScalarEncoding encoding = ScalarEncoding::SimpleValue);
    /// One Event holding every entry of `snapshot` at its step, as DT_DOUBLE tensors (exact);
    /// a tag's first value carries plugin "scalars" metadata and its role.
    void writeSnapshot(const LossSnapshot& snapshot, double wallTime);
    /// A serialized Event, framed.
    void writeEvent(std::string_view event);
    void flush();

private:
    std::FILE* m_file = nullptr;
    std::unordered_set<std::string> m_described;
};

} // namespace losslens::formats
