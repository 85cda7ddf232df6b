#pragma once
// The interface every log reader implements: bytes in (whole files or appended chunks), records out.

#include "core/formats/record_sink.h"
#include "core/formats/tag_table.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace losslens::formats {

enum class Format {
    Unknown,
    TfEvents,      ///< TensorBoard event files (TFRecord framing, Event protos)
    Csv,           ///< Keras CSVLogger, Lightning metrics.csv, YOLOv5 results.csv, generic CSV
    JsonLines,     ///< detectron2, mmengine, mmdetection 2.x, LossLens live records, generic
    JsonScalars,   ///< tensorboardX export_scalars_to_json: one object, tag → [[wall, step, value], …]
};

std::string_view toString(Format format);

/// The format a file's name and first bytes suggest: names containing "tfevents" are event
/// files; `.csv`/`.tsv` are CSV; `.json`/`.jsonl`/`.ndjson` are JSON (one object holding only
/// arrays of triples → JsonScalars, else JsonLines). Other names are sniffed: `{` first → JSON,
/// printable text → CSV, anything else Unknown.
Format detectFormat(std::string_view path, std::string_view head);

/// Incremental reader. Feed it the file's bytes from position() on; it parses every complete
/// record, reports each problem as a Warning (with the file and byte offset or line number)
/// and keeps going. State (headers, plugins, tags) carries over between feeds, so a growing file
/// is read by feeding what was appended.
class Reader {
public:
    Reader(RecordSink& sink, std::string file) : m_sink(sink), m_tags(sink), m_file(std::move(file)) {}
    virtual ~Reader() = default;
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    /// Parses `data`, which must start at position(). Returns the bytes consumed: whole records
    /// only, unless `atEnd` says no more bytes will come, in which case all of `data` is consumed
    /// and an incomplete last record is reported as truncated.
    std::size_t feed(std::string_view data, bool atEnd);
    /// File offset of the first byte not consumed yet.
    std::uint64_t position() const { return m_position; }
    /// Starts over at offset 0 (the file was truncated or replaced). Tag ids stay valid.
    void restart();
    const std::string& file() const { return m_file; }

protected:
    virtual std::size_t parse(std::string_view data, bool atEnd) = 0;
    virtual void resetState() {}

    void warnAtOffset(std::uint64_t offset, std::string message) { warn(Warning::Where::Offset, offset, std::move(message)); }
    void warnAtLine(std::uint64_t line, std::string message) { warn(Warning::Where::Line, line, std::move(message)); }
    /// At most kMaxWarnings per file reach the sink, so binary junk cannot flood it.
    static constexpr unsigned kMaxWarnings = 100;

    RecordSink& m_sink;
    TagTable m_tags;
    std::string m_file;
    std::uint64_t m_position = 0;

private:
    void warn(Warning::Where where, std::uint64_t position, std::string message);
    unsigned m_warnings = 0;
};

/// Splits its input into lines (LF or CRLF) and hands each complete one to parseLine().
class LineReader : public Reader {
public:
    using Reader::Reader;

protected:
    std::size_t parse(std::string_view data, bool atEnd) final;
    void resetState() override;
    /// `line` has no terminator; `number` is 1-based.
    virtual void parseLine(std::string_view line, std::uint64_t number, bool hasMoreAfter) = 0;
    std::uint64_t m_line = 0; ///< lines consumed so far
};

/// A reader for `format` reporting to `sink`, or nullptr for Format::Unknown.
std::unique_ptr<Reader> createReader(Format format, RecordSink& sink, std::string file);

} // namespace losslens::formats
