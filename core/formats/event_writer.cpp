#include "core/formats/event_writer.h"

#include "core/formats/crc32c.h"
#include "core/formats/proto_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace losslens::formats {

namespace events {

std::string simpleValue(std::string_view tag, float value)
{
    return ProtoWriter().bytes(1, tag).floatValue(2, value).take();
}

std::string doubleTensorValue(std::string_view tag, double value, bool withMetadata, std::optional<Role> role)
{
    constexpr std::uint64_t kDtDouble = 2;
    std::string packed(8, '\0'); // double_val (field 6) is a packed repeated double
    std::memcpy(packed.data(), &value, 8);
    ProtoWriter tensor;
    tensor.varint(1, kDtDouble).bytes(2, {}).bytes(6, packed); // empty tensor_shape: rank 0
    ProtoWriter v;
    v.bytes(1, tag);
    if (withMetadata) {
        ProtoWriter metadata;
        metadata.message(1, ProtoWriter().bytes(1, "scalars"));
        if (role)
            metadata.bytes(3, "losslens:role=" + std::string(roleName(*role)));
        v.message(9, metadata);
    }
    v.message(8, tensor);
    return v.take();
}

std::string summaryEventOf(double wallTime, std::int64_t step, const std::string& serializedSummary)
{
    ProtoWriter e;
    e.doubleValue(1, wallTime).varint(2, static_cast<std::uint64_t>(step)).bytes(5, serializedSummary);
    return e.take();
}

std::string summaryEvent(double wallTime, std::int64_t step, std::initializer_list<std::string_view> values)
{
    ProtoWriter summary;
    for (std::string_view v : values)
        summary.bytes(1, v);
    return summaryEventOf(wallTime, step, summary.data());
}

std::string fileVersionEvent(double wallTime)
{
    return ProtoWriter().doubleValue(1, wallTime).bytes(3, "brain.Event:2").take();
}

std::string frameRecord(std::string_view data)
{
    std::string out(12 + data.size() + 4, '\0');
    const std::uint64_t length = data.size();
    std::memcpy(out.data(), &length, 8);
    const std::uint32_t lengthCrc = maskedCrc32c(out.data(), 8);
    std::memcpy(out.data() + 8, &lengthCrc, 4);
    std::memcpy(out.data() + 12, data.data(), data.size());
    const std::uint32_t dataCrc = maskedCrc32c(data.data(), data.size());
    std::memcpy(out.data() + 12 + data.size(), &dataCrc, 4);
    return out;
}

} // namespace events

EventFileWriter::EventFileWriter(const std::string& path, double wallTime)
    : m_file(std::fopen(path.c_str(), "wb"))
{
    if (!m_file)
        throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
    writeEvent(events::fileVersionEvent(wallTime));
}

EventFileWriter::~EventFileWriter()
{
    if (m_file)
        std::fclose(m_file);
}

std::string EventFileWriter::defaultFileName(double wallTime)
{
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    return "events.out.tfevents." + std::to_string(static_cast<long long>(std::floor(wallTime))) + "." + host + "." +
           std::to_string(getpid()) + ".losslens";
}

void EventFileWriter::writeScalar(std::string_view tag, std::int64_t step, double value, double wallTime, ScalarEncoding encoding)
{
    if (encoding == ScalarEncoding::SimpleValue) {
        writeEvent(events::summaryEvent(wallTime, step, {events::simpleValue(tag, static_cast<float>(value))}));
        return;
    }
    const bool first = m_described.emplace(tag).second;
    writeEvent(events::summaryEvent(wallTime, step, {events::doubleTensorValue(tag, value, first)}));
}

void EventFileWriter::writeSnapshot(const LossSnapshot& snapshot, double wallTime)
{
    ProtoWriter summary;
    for (const auto& e : snapshot.entries) {
        const bool first = m_described.emplace(e.tag).second;
        summary.bytes(1, events::doubleTensorValue(e.tag, e.value, first, e.role));
    }
    writeEvent(events::summaryEventOf(wallTime, snapshot.step, summary.data()));
}

void EventFileWriter::writeEvent(std::string_view event)
{
    const std::string record = events::frameRecord(event);
    if (std::fwrite(record.data(), 1, record.size(), m_file) != record.size())
        throw std::runtime_error(std::string("cannot write event record: ") + std::strerror(errno));
}

void EventFileWriter::flush()
{
    std::fflush(m_file);
}

} // namespace losslens::formats
