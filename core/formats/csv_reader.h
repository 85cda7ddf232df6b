#pragma once
// CSV logs: Keras CSVLogger, Lightning metrics.csv, YOLOv5 results.csv, and any other table.

#include "core/formats/reader.h"

#include <string>
#include <vector>

namespace losslens::formats {

/// The first line is the header (a UTF-8 BOM is dropped). The delimiter is whichever of
/// `,` `\t` `;` `|` occurs most in it outside quotes (comma on a tie). Fields are trimmed of
/// spaces (YOLOv5 pads them); "…" quotes with "" escapes are understood within a line; LF and CRLF
/// both end lines. The step is the first column named `step`, `global_step`, `iteration`, `iter`
/// or `epoch` (case-insensitive), else the data row's index; a `wall_time` column gives wall
/// times (else NaN). Every other column is a tag; a cell is a value when it parses as a number
/// (`nan`, `inf` included). Empty and `NA` cells are missing values, as Keras and Lightning
/// write them (sparse rows); other text is skipped with one warning per column.
/// A line with control characters (binary junk) or more fields than the header is a warning.
class CsvReader : public LineReader {
public:
    using LineReader::LineReader;

protected:
    void parseLine(std::string_view line, std::uint64_t number, bool hasMoreAfter) override;
    void resetState() override;

private:
    struct Column {
        std::string name;
        std::uint32_t tag = UINT32_MAX; ///< interned on its first value
        bool warnedText = false;
    };

    void readHeader(std::string_view line, std::uint64_t number);
    void readRow(std::string_view line, std::uint64_t number);
    /// Splits `line` into m_fields; false when a quote is left open.
    bool split(std::string_view line);

    std::vector<Column> m_columns;
    std::vector<std::string_view> m_fields;
    std::string m_unquoted; // backing store for fields with "" escapes
    std::size_t m_stepColumn = SIZE_MAX;
    std::size_t m_wallColumn = SIZE_MAX;
    std::int64_t m_rows = 0;
    char m_delimiter = ',';
    bool m_haveHeader = false;
};

} // namespace losslens::formats
