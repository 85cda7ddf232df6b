// Fuzzes what a live client sends: the byte stream is framed into lines (LineFramer) and each
// line parsed (LineParser) as the server does, a hello setting the run of later records.
//
// Invariants: the framer agrees with a plain split on '\n' whatever the chunking; an accepted
// record's canonical line is one line that parses back to itself (a fixed point), and
// parseRecord/appendRecord round-trip its values; a rejected line leaves the output untouched;
// the server's replies (synced, error) read back as they were meant.

#include "core/live/protocol.h"
#include "tests/fuzz/fuzz_support.h"

#include <algorithm>
#include <cmath>

namespace {

using namespace losslens;
using live::ParsedLine;

struct FramedLine {
    std::string text;
    std::uint64_t number;
    bool overLong;
    bool operator==(const FramedLine&) const = default;
};

std::vector<FramedLine> frame(std::string_view stream, std::size_t maxLine, std::size_t chunk)
{
    live::LineFramer framer(maxLine);
    std::vector<FramedLine> lines;
    for (std::size_t at = 0; at < stream.size(); at += chunk)
        framer.feed(stream.substr(at, chunk), [&](std::string_view line, std::uint64_t number, bool overLong) {
            FUZZ_CHECK(line.size() <= maxLine);
            FUZZ_CHECK(line.find('\n') == std::string_view::npos);
            FUZZ_CHECK(!overLong || line.empty());
            lines.push_back({std::string(line), number, overLong});
        });
    FUZZ_CHECK(framer.hasPartialLine() == (!stream.empty() && stream.back() != '\n'));
    return lines;
}

/// The framer's contract written out: complete lines, one trailing '\r' dropped, longer than
/// maxLine → flagged; an unterminated last line is not delivered.
std::vector<FramedLine> splitLines(std::string_view stream, std::size_t maxLine)
{
    std::vector<FramedLine> lines;
    std::size_t start = 0;
    for (std::size_t nl; (nl = stream.find('\n', start)) != std::string_view::npos; start = nl + 1) {
        std::string_view line = stream.substr(start, nl - start);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        const bool overLong = line.size() > maxLine;
        lines.push_back({overLong ? std::string() : std::string(line), lines.size() + 1, overLong});
    }
    return lines;
}

bool sameRecord(const live::Record& a, const live::Record& b)
{
    return a.run == b.run && a.step == b.step && fuzz::sameBits(a.wallTime, b.wallTime) &&
           std::equal(a.scalars.begin(), a.scalars.end(), b.scalars.begin(), b.scalars.end(),
                      [](const live::Scalar& x, const live::Scalar& y) {
                          return x.tag == y.tag && fuzz::sameBits(x.value, y.value) && x.role == y.role;
                      });
}

void checkCanonicalRecord(live::LineParser& parser, const ParsedLine& parsed, std::string_view canonical)
{
    FUZZ_CHECK(parsed.scalars > 0);
    FUZZ_CHECK(!parsed.run.empty() && parsed.run.size() <= live::kMaxRunBytes);
    FUZZ_CHECK(canonical.size() > 1 && canonical.back() == '\n');
    FUZZ_CHECK(canonical.find('\n') == canonical.size() - 1);
    const std::string run = parsed.run;
    const std::size_t scalars = parsed.scalars;

    // What is recorded on disk must read back as itself.
    const std::string_view line = canonical.substr(0, canonical.size() - 1);
    std::string again;
    const ParsedLine& reparsed = parser.parse(line, {}, std::nan(""), again);
    FUZZ_CHECK(reparsed.kind == ParsedLine::Kind::Record);
    FUZZ_CHECK(reparsed.run == run && reparsed.scalars == scalars);
    FUZZ_CHECK(again == canonical);

    // The structured API sees the same record, and writes the same line.
    live::Record record;
    FUZZ_CHECK(parser.parseRecord(line, record).empty());
    FUZZ_CHECK(record.run == run && record.scalars.size() == scalars);
    FUZZ_CHECK(std::isfinite(record.wallTime));
    // appendRecord drops roles of absent tags, so compare records, not lines.
    std::string written;
    live::appendRecord(written, record);
    FUZZ_CHECK(written.find('\n') == written.size() - 1);
    written.pop_back();
    live::Record readBack;
    FUZZ_CHECK(parser.parseRecord(written, readBack).empty());
    FUZZ_CHECK(sameRecord(readBack, record));
}

void checkReplies(const ParsedLine& parsed, std::uint64_t number)
{
    if (parsed.kind == ParsedLine::Kind::Sync) {
        FUZZ_CHECK(!parsed.syncId.empty());
        const live::Reply reply = live::parseReply(live::syncedLine(parsed.syncId, number));
        FUZZ_CHECK(reply.kind == live::Reply::Kind::Synced && reply.records == number);
    } else if (parsed.kind == ParsedLine::Kind::Error) {
        FUZZ_CHECK(!parsed.error.empty());
        const live::Reply reply = live::parseReply(live::errorLine(parsed.error, number));
        FUZZ_CHECK(reply.kind == live::Reply::Kind::Error && reply.message == parsed.error && reply.line == number);
    }
}

/// One connection as the server sees it.
void serve(std::string_view stream)
{
    live::LineParser parser;
    std::string defaultRun;
    const std::string marker = "earlier output\n";
    for (const FramedLine& line : frame(stream, live::kMaxLineBytes, 4096)) {
        if (line.overLong)
            continue;
        std::string out = marker;
        const ParsedLine& parsed = parser.parse(line.text, defaultRun, 1.7e9, out);
        FUZZ_CHECK(out.compare(0, marker.size(), marker) == 0);
        if (parsed.kind == ParsedLine::Kind::Record) {
            const ParsedLine copy = parsed; // the checks reuse the parser
            checkCanonicalRecord(parser, copy, std::string_view(out).substr(marker.size()));
        } else {
            FUZZ_CHECK(out == marker);
            if (parsed.kind == ParsedLine::Kind::Hello && !parsed.run.empty())
                defaultRun = parsed.run;
            checkReplies(parsed, line.number);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view stream = fuzz::asText(data, size);
    // Small line limits and odd chunks (from the length, so reproducers replay the same way)
    // reach the over-long and split-line paths that real traffic rarely does.
    const std::size_t maxLine = 1 + size % 13;
    const std::vector<FramedLine> expected = splitLines(stream, maxLine);
    FUZZ_CHECK(frame(stream, maxLine, 1 + size % 7) == expected);
    FUZZ_CHECK(frame(stream, maxLine, stream.size() + 1) == expected);

    // The whole input is one stream; a last line without '\n' counts as complete here.
    serve(stream.empty() || stream.back() == '\n' ? std::string(stream) : std::string(stream) + '\n');
    return 0;
}
