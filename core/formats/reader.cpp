#include "core/formats/reader.h"

#include "core/formats/csv_reader.h"
#include "core/formats/json_lines_reader.h"
#include "core/formats/json_scalars_reader.h"
#include "core/formats/tfevents_reader.h"

#include <algorithm>
#include <cstring>

namespace losslens::formats {

std::string_view toString(Format format)
{
    switch (format) {
    case Format::TfEvents: return "tfevents";
    case Format::Csv: return "csv";
    case Format::JsonLines: return "jsonl";
    case Format::JsonScalars: return "json-scalars";
    case Format::Unknown: break;
    }
    return "unknown";
}

namespace {

bool endsWith(std::string_view s, std::string_view suffix)
{
    return s.size() >= suffix.size() &&
           std::equal(suffix.begin(), suffix.end(), s.end() - static_cast<std::ptrdiff_t>(suffix.size()),
                      [](char a, char b) { return a == (b | (b >= 'A' && b <= 'Z' ? 0x20 : 0)); });
}

std::string_view fileName(std::string_view path)
{
    const auto slash = path.find_last_of('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// tensorboardX's export is one object whose first value is an array of arrays.
bool looksLikeJsonScalars(std::string_view head)
{
    const auto brace = head.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
    if (brace == std::string_view::npos || head[brace] != '{')
        return false;
    const auto colon = head.find("\":", brace);
    if (colon == std::string_view::npos)
        return false;
    const auto value = head.find_first_not_of(" \t\r\n", colon + 2);
    return value != std::string_view::npos && head.compare(value, 1, "[") == 0;
}

bool looksLikeText(std::string_view head)
{
    return std::none_of(head.begin(), head.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 && c != '\n' && c != '\r' && c != '\t';
    });
}

} // namespace

Format detectFormat(std::string_view path, std::string_view head)
{
    const std::string_view name = fileName(path);
    if (name.find("tfevents") != std::string_view::npos)
        return Format::TfEvents;
    if (endsWith(name, ".csv") || endsWith(name, ".tsv"))
        return Format::Csv;
    const bool json = endsWith(name, ".json") || endsWith(name, ".jsonl") || endsWith(name, ".ndjson");
    const auto first = head.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
    if (json || (first != std::string_view::npos && head[first] == '{'))
        return looksLikeJsonScalars(head) ? Format::JsonScalars : Format::JsonLines;
    if (!head.empty() && looksLikeText(head))
        return Format::Csv;
    return Format::Unknown;
}

std::size_t Reader::feed(std::string_view data, bool atEnd)
{
    const std::size_t used = parse(data, atEnd);
    m_position += used;
    return used;
}

void Reader::restart()
{
    m_position = 0;
    m_tags.resetSteps();
    m_warnings = 0;
    resetState();
}

void Reader::warn(Warning::Where where, std::uint64_t position, std::string message)
{
    if (++m_warnings > kMaxWarnings)
        return;
    if (m_warnings == kMaxWarnings)
        message += " (further warnings for this file suppressed)";
    m_sink.onWarning(Warning{m_file, where, position, std::move(message)});
}

std::size_t LineReader::parse(std::string_view data, bool atEnd)
{
    std::size_t pos = 0;
    while (pos < data.size()) {
        const void* nl = std::memchr(data.data() + pos, '\n', data.size() - pos);
        if (!nl && !atEnd)
            break; // a line still being written
        const std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data.data()) : data.size();
        std::string_view line = data.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        const std::size_t next = nl ? end + 1 : end;
        parseLine(line, ++m_line, next < data.size());
        pos = next;
    }
    return pos;
}

void LineReader::resetState()
{
    m_line = 0;
}

std::unique_ptr<Reader> createReader(Format format, RecordSink& sink, std::string file)
{
    switch (format) {
    case Format::TfEvents: return std::make_unique<TfEventsReader>(sink, std::move(file));
    case Format::Csv: return std::make_unique<CsvReader>(sink, std::move(file));
    case Format::JsonLines: return std::make_unique<JsonLinesReader>(sink, std::move(file));
    case Format::JsonScalars: return std::make_unique<JsonScalarsReader>(sink, std::move(file));
    case Format::Unknown: break;
    }
    return nullptr;
}

} // namespace losslens::formats
