#pragma once
// TensorBoard event files: TFRecord framing around Event protos, decoded without a protobuf library.

#include "core/formats/reader.h"

#include <string>
#include <unordered_map>

namespace losslens::formats {

/// Reads `*tfevents*` files. Each record is
///   uint64 length | uint32 masked_crc32c(length) | data[length] | uint32 masked_crc32c(data)
/// (little-endian); both checksums are verified. `data` is a tensorflow.Event:
///   1 wall_time double, 2 step int64, 5 summary { repeated 1 value {
///     1 tag, 7 node_name, 9 metadata { 1 plugin_data { 1 plugin_name }, 3 summary_description },
///     2 simple_value float (TF1, PyTorch, tensorboardX), 8 tensor TensorProto (TF2) } }.
/// A tensor is a scalar when its tag's plugin is "scalars" (or its data_class is SCALAR) and it
/// holds one element of DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16, DT_BOOL or an integer type, in
/// tensor_content or the typed repeated field. A tag's plugin is remembered from the first value
/// that carries metadata, since TF1 writers strip it afterwards. Images, histograms, audio, graphs
/// and other plugins are skipped without being decoded. A LossLens role is read from a
/// summary_description of the form "losslens:role=<role>".
/// A bad length checksum or an impossible length makes the reader scan forward for the next
/// offset whose length checksum validates; a bad data checksum or malformed Event skips the
/// record. Every problem is a warning at the record's byte offset.
class TfEventsReader : public Reader {
public:
    using Reader::Reader;

    /// Records larger than this are treated as corrupt (TensorBoard graphs stay far below it).
    static constexpr std::uint64_t kMaxRecordBytes = std::uint64_t{1} << 30;

protected:
    std::size_t parse(std::string_view data, bool atEnd) override;
    void resetState() override
    {
        m_resyncing = false;
        m_plugins.clear(); // plugins come from the file being read, not from the one it replaced
    }

private:
    enum class Plugin : unsigned char { Unknown, Scalars, Other };
    struct ValueFields;

    std::size_t resync(std::string_view data, std::size_t from, bool atEnd);
    void parseEvent(std::string_view event, std::uint64_t offset);
    bool parseCommonEvent(std::string_view event, std::uint64_t offset);
    bool parseSummary(std::string_view summary, std::int64_t step, double wallTime, std::uint64_t offset);
    bool parseValue(std::string_view value, std::int64_t step, double wallTime, std::uint64_t offset);
    Plugin pluginOf(std::string_view tag, const ValueFields& v);

    std::unordered_map<std::string, Plugin> m_plugins; // tensor tags only
    bool m_resyncing = false;
};

/// Decodes a rank-0 (one element) TensorProto to a double; false when it is not one.
bool decodeScalarTensor(std::string_view tensorProto, double& value);

} // namespace losslens::formats
