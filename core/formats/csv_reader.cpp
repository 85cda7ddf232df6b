#include "core/formats/csv_reader.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

namespace losslens::formats {

namespace {

constexpr std::array<std::string_view, 5> kStepNames{"step", "global_step", "iteration", "iter", "epoch"};

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return (x | (x >= 'A' && x <= 'Z' ? 0x20 : 0)) == y;
           });
}

bool hasControlCharacters(std::string_view line)
{
    return std::any_of(line.begin(), line.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 && c != '\t';
    });
}

char detectDelimiter(std::string_view header)
{
    std::array<std::size_t, 4> counts{};
    constexpr std::array<char, 4> kCandidates{',', '\t', ';', '|'};
    bool quoted = false;
    for (const char c : header) {
        if (c == '"')
            quoted = !quoted;
        for (std::size_t i = 0; !quoted && i < kCandidates.size(); ++i)
            counts[i] += c == kCandidates[i];
    }
    const auto best = std::max_element(counts.begin(), counts.end()); // first maximum: comma wins ties
    return kCandidates[static_cast<std::size_t>(best - counts.begin())];
}

enum class Cell { Missing, Number, Text };

Cell parseNumber(std::string_view s, double& value)
{
    if (s.empty() || s == "NA" || s == "N/A")
        return Cell::Missing;
    const char* begin = s.data() + (s.front() == '+');
    const auto result = std::from_chars(begin, s.data() + s.size(), value);
    return result.ec == std::errc() && result.ptr == s.data() + s.size() ? Cell::Number : Cell::Text;
}

bool parseStep(std::string_view s, std::int64_t& step)
{
    if (std::from_chars(s.data(), s.data() + s.size(), step).ptr == s.data() + s.size() && !s.empty())
        return true;
    double d;
    if (parseNumber(s, d) != Cell::Number || !std::isfinite(d) || std::abs(d) > 9.0e18)
        return false;
    step = static_cast<std::int64_t>(std::llround(d)); // "3.0": steps written by pandas as floats
    return true;
}

} // namespace

void CsvReader::resetState()
{
    LineReader::resetState();
    m_columns.clear();
    m_haveHeader = false;
    m_rows = 0;
    m_stepColumn = m_wallColumn = SIZE_MAX;
}

void CsvReader::parseLine(std::string_view line, std::uint64_t number, bool /*hasMoreAfter*/)
{
    if (number == 1 && line.starts_with("\xEF\xBB\xBF"))
        line.remove_prefix(3);
    if (hasControlCharacters(line)) {
        warnAtLine(number, "binary data, not CSV text; line skipped");
        return;
    }
    if (trim(line).empty())
        return;
    if (!m_haveHeader)
        readHeader(line, number);
    else
        readRow(line, number);
}

bool CsvReader::split(std::string_view line)
{
    m_fields.clear();
    m_unquoted.clear();
    if (line.find('"') == std::string_view::npos) {
        std::size_t start = 0;
        while (true) {
            const std::size_t end = line.find(m_delimiter, start);
            m_fields.push_back(trim(line.substr(start, end - start)));
            if (end == std::string_view::npos)
                return true;
            start = end + 1;
        }
    }
    // Quoted fields: unescape into m_unquoted, remembering offsets (it must not reallocate meanwhile).
    m_unquoted.reserve(line.size());
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    std::size_t i = 0;
    bool closed = true;
    while (i <= line.size()) {
        const std::size_t begin = m_unquoted.size();
        std::string_view rest = trim(line.substr(i));
        i = line.size() - rest.size();
        if (!rest.empty() && rest.front() == '"') {
            closed = false;
            for (++i; i < line.size(); ++i) {
                if (line[i] == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                    m_unquoted.push_back('"');
                    ++i;
                } else if (line[i] == '"') {
                    closed = true;
                    ++i;
                    break;
                } else {
                    m_unquoted.push_back(line[i]);
                }
            }
            const std::size_t next = line.find(m_delimiter, i);
            i = next == std::string_view::npos ? line.size() + 1 : next + 1;
        } else {
            const std::size_t next = line.find(m_delimiter, i);
            const std::size_t end = next == std::string_view::npos ? line.size() : next;
            m_unquoted.append(trim(line.substr(i, end - i)));
            i = end + 1;
        }
        spans.emplace_back(begin, m_unquoted.size() - begin);
    }
    for (const auto& [b, n] : spans)
        m_fields.push_back(std::string_view(m_unquoted).substr(b, n));
    return closed;
}

void CsvReader::readHeader(std::string_view line, std::uint64_t number)
{
    m_delimiter = detectDelimiter(line);
    if (!split(line))
        warnAtLine(number, "unterminated quote in the header");
    m_columns.clear();
    for (std::string_view f : m_fields)
        m_columns.push_back(Column{std::string(f)});
    for (std::string_view stepName : kStepNames) {
        const auto it = std::find_if(m_columns.begin(), m_columns.end(), [&](const Column& c) { return equalsIgnoringCase(c.name, stepName); });
        if (it != m_columns.end()) {
            m_stepColumn = static_cast<std::size_t>(it - m_columns.begin());
            break;
        }
    }
    for (std::size_t i = 0; i < m_columns.size(); ++i)
        if (equalsIgnoringCase(m_columns[i].name, "wall_time") || equalsIgnoringCase(m_columns[i].name, "wall time"))
            m_wallColumn = i;
    m_haveHeader = true;
}

void CsvReader::readRow(std::string_view line, std::uint64_t number)
{
    if (!split(line))
        warnAtLine(number, "unterminated quote; the line is read up to its end");
    if (m_fields.size() > m_columns.size())
        warnAtLine(number, std::to_string(m_fields.size()) + " fields where the header has " + std::to_string(m_columns.size()) +
                               "; the extra fields are ignored");
    std::int64_t step = m_rows++;
    if (m_stepColumn < m_fields.size() && !m_fields[m_stepColumn].empty() && !parseStep(m_fields[m_stepColumn], step)) {
        warnAtLine(number, "step '" + std::string(m_fields[m_stepColumn]) + "' is not a number; row skipped");
        return;
    }
    double wall = std::numeric_limits<double>::quiet_NaN();
    if (m_wallColumn < m_fields.size())
        parseNumber(m_fields[m_wallColumn], wall);
    const std::size_t n = std::min(m_fields.size(), m_columns.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (i == m_stepColumn || i == m_wallColumn)
            continue;
        double value;
        const Cell cell = parseNumber(m_fields[i], value);
        Column& c = m_columns[i];
        if (cell == Cell::Text) {
            if (!c.warnedText)
                warnAtLine(number, "column '" + c.name + "' holds text ('" + std::string(m_fields[i]) + "'); such cells are skipped");
            c.warnedText = true;
            continue;
        }
        if (cell == Cell::Missing)
            continue;
        if (c.tag == UINT32_MAX)
            c.tag = m_tags.intern(c.name);
        if (!m_tags.add(c.tag, step, wall, value))
            warnAtLine(number, m_tags.stepBackMessage(c.tag));
    }
}

} // namespace losslens::formats
