#pragma once
// Test helpers for the log readers: a sink that keeps everything, and ways to feed a reader.

#include "core/formats/reader.h"

#include <QByteArray>
#include <QFile>
#include <QString>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace losslens::test {

struct Record {
    std::string run;
    std::string tag;
    std::int64_t step = 0;
    double wallTime = 0.0;
    double value = 0.0;
};

/// Keeps every tag, record and warning a reader produces.
class CollectingSink : public formats::RecordSink {
public:
    void onTag(std::uint32_t id, const formats::TagInfo& info) override
    {
        if (tags.size() <= id) {
            tags.resize(id + 1);
            hints.resize(id + 1);
        }
        tags[id] = {std::string(info.run), std::string(info.name)};
        hints[id] = info.roleHint;
    }
    void onScalar(std::uint32_t tag, std::int64_t step, double wallTime, double value) override
    {
        records.push_back({tags[tag].first, tags[tag].second, step, wallTime, value});
    }
    void onWarning(formats::Warning warning) override { warnings.push_back(std::move(warning)); }

    std::vector<Record> of(std::string_view tag) const
    {
        std::vector<Record> out;
        std::copy_if(records.begin(), records.end(), std::back_inserter(out), [&](const Record& r) { return r.tag == tag; });
        return out;
    }
    std::optional<Role> hint(std::string_view tag) const
    {
        for (std::size_t i = 0; i < tags.size(); ++i)
            if (tags[i].second == tag)
                return hints[i];
        return std::nullopt;
    }
    QString warningText() const
    {
        QString all;
        for (const auto& w : warnings)
            all += QString::fromStdString(w.toString()) + '\n';
        return all;
    }

    std::vector<std::pair<std::string, std::string>> tags;
    std::vector<std::optional<Role>> hints;
    std::vector<Record> records;
    std::vector<formats::Warning> warnings;
};

/// Reads `bytes` in one piece, as a finished file.
inline CollectingSink readAll(formats::Format format, std::string_view bytes, const std::string& file = "test.log")
{
    CollectingSink sink;
    const auto reader = formats::createReader(format, sink, file);
    reader->feed(bytes, true);
    return sink;
}

/// Reads `bytes` as a growing file seen `chunk` bytes at a time, then finished.
inline CollectingSink readGrowing(formats::Format format, std::string_view bytes, std::size_t chunk, const std::string& file = "test.log")
{
    CollectingSink sink;
    const auto reader = formats::createReader(format, sink, file);
    for (std::size_t visible = chunk; visible < bytes.size(); visible += chunk) {
        const auto from = static_cast<std::size_t>(reader->position());
        reader->feed(bytes.substr(from, visible - from), false);
    }
    const auto from = static_cast<std::size_t>(reader->position());
    reader->feed(bytes.substr(from), true);
    return sink;
}

inline std::string fileBytes(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray b = f.readAll();
    return std::string(b.constData(), static_cast<std::size_t>(b.size()));
}

inline QString realData(const QString& relative)
{
    return QStringLiteral(LOSSLENS_REAL_DATA "/") + relative;
}

} // namespace losslens::test
