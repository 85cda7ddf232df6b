#pragma once
// LossLens live protocol v1: the pure, Qt-free part — line framing, parsing and serialization.
// The server, the recorder and the C++ client (target losslens_live) are built on it; a C++
// training loop that only needs the wire format can use it from losslens_core alone.

#include "core/losses/loss_collection.h"
#include "core/runs/role.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace losslens::live {

/// Protocol v1, newline-delimited JSON over TCP, UTF-8. One JSON object per line ('\n', an
/// optional '\r' before it is ignored; blank lines are ignored). Client → server lines:
///
/// - record: `{"run":"mtl-seed0","step":120,"wall_time":1700000000.25,
///             "scalars":{"loss/scene":0.53,"total_loss":0.753},"roles":{"total_loss":"total"}}`
///   `run`: non-empty string of at most kMaxRunBytes bytes without control characters; optional
///   after a hello that named the run. `step`: integer (a number with an integral value is
///   accepted). `wall_time`: optional number, seconds since the epoch (the receive time when
///   absent). `scalars`: non-empty object tag → number, where a number may also be the bare
///   tokens NaN, Infinity, -Infinity (what Python's json.dumps writes). `roles`: optional object
///   tag → "component" | "regularization" | "total" | "other". Other keys are ignored.
/// - hello (optional, first line): `{"hello":{"run":"…","token":"…","meta":{…}}}`, every key
///   optional. A server started with a token refuses a connection whose first line is not a
///   hello carrying that token.
/// - sync: `{"sync":ID}` with ID a string or an integer.
///
/// Server → client lines, only these:
/// - `{"synced":ID,"records":N}`: every record sent before the sync on this connection is on
///   disk (written and fsync'ed); N counts the records accepted on this connection so far.
/// - `{"error":"…","line":N}`: line N (1-based, per connection) was rejected and counted; the
///   connection stays open.
/// - `{"error":"…","refused":true}`: the connection is refused (connection limit, missing or
///   wrong token) and the server closes it.
///
/// A line longer than kMaxLineBytes (without its '\n') is skipped and reported as an error; a
/// partial line left when a client disconnects is dropped and counted.
inline constexpr int kProtocolVersion = 1;
inline constexpr std::uint16_t kDefaultPort = 6464;
inline constexpr const char* kDefaultHost = "127.0.0.1";
inline constexpr std::size_t kMaxLineBytes = std::size_t{1} << 20;
inline constexpr std::size_t kMaxRunBytes = 200;

/// One value of a record, as the structured API sees it.
struct Scalar {
    std::string tag;
    double value = 0.0;
    std::optional<Role> role = {};
};

/// A record, as the structured API sees it. A NaN wall time means "receive time".
struct Record {
    std::string run;
    std::int64_t step = 0;
    double wallTime = 0.0;
    std::vector<Scalar> scalars;
};

/// Appends `v` as the protocol writes numbers: the shortest decimal that reads back exactly
/// (formats::appendFiniteDouble), or the bare tokens NaN, Infinity, -Infinity.
void appendNumber(std::string& out, double v);
/// Appends the canonical record line (with its '\n'): keys in the order run, step, wall_time,
/// scalars, roles; roles only when some scalar has one. This is also the shape recorded on disk.
void appendRecord(std::string& out, const Record& record);
/// Appends `snapshot` as a record line of `run`, each entry with its role.
void appendSnapshot(std::string& out, std::string_view run, const LossSnapshot& snapshot, double wallTime);
/// `{"hello":{"run":…,"token":…,"meta":META,"version":1}}\n`; `metaJson` must be a JSON object
/// (or empty for none); empty run and token are left out.
std::string helloLine(std::string_view run, std::string_view token, std::string_view metaJson = {});
/// `{"sync":"id"}\n`.
std::string syncLine(std::string_view id);
/// `{"synced":ID,"records":N}\n`; `idJson` is the id as it came (a JSON string or integer).
std::string syncedLine(std::string_view idJson, std::uint64_t records);
/// `{"error":"…","line":N}\n`.
std::string errorLine(std::string_view message, std::uint64_t line);
/// `{"error":"…","refused":true}\n`.
std::string refusedLine(std::string_view message);

/// What one client line turned out to be.
struct ParsedLine {
    enum class Kind { Blank, Record, Hello, Sync, Error };
    Kind kind = Kind::Blank;
    std::string run;       ///< Record: the record's run; Hello: the announced run (may be empty)
    std::string token;     ///< Hello
    std::string syncId;    ///< Sync: the id as a JSON literal, echoed verbatim in the answer
    std::string error;     ///< Error: why the line was rejected
    std::size_t scalars = 0; ///< Record: number of values
};

/// Parses client lines. Keeps its buffers between calls (one per connection or per thread).
class LineParser {
public:
    LineParser();
    ~LineParser();
    LineParser(const LineParser&) = delete;
    LineParser& operator=(const LineParser&) = delete;

    /// Parses one line (without its '\n'). For a record, appends its canonical form to `out`
    /// (see appendRecord), with `defaultRun` (from the hello) when it has no run and
    /// `receiveTime` when it has no wall_time. `out` is left as it was otherwise.
    const ParsedLine& parse(std::string_view line, std::string_view defaultRun, double receiveTime, std::string& out);

    /// Parses a record line into `record` (tests and tools); returns the error, empty on success.
    std::string parseRecord(std::string_view line, Record& record);

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

/// A server reply, as a client reads it.
struct Reply {
    enum class Kind { Synced, Error, Refused, Unknown };
    Kind kind = Kind::Unknown;
    std::string syncId;      ///< Synced: the id (a string id unquoted, an integer id in decimal)
    std::uint64_t records = 0; ///< Synced
    std::string message;     ///< Error, Refused
    std::uint64_t line = 0;  ///< Error
};
Reply parseReply(std::string_view line);

/// Splits a byte stream into lines of at most `maxLine` bytes. Lines are handed out without
/// their '\n' (and without a '\r' before it). A longer line is skipped up to its '\n' and
/// reported once, flagged as over-long, with an empty view. Line numbers start at 1.
class LineFramer {
public:
    using Handler = std::function<void(std::string_view line, std::uint64_t number, bool overLong)>;
    explicit LineFramer(std::size_t maxLine = kMaxLineBytes) : m_maxLine(maxLine) {}

    void feed(std::string_view data, const Handler& handler);
    /// Bytes of an unfinished line are waiting (they are dropped if the stream ends now).
    bool hasPartialLine() const { return !m_pending.empty() || m_skipping; }
    /// Lines started so far, including an unfinished one.
    std::uint64_t linesSeen() const { return m_lines + (hasPartialLine() ? 1 : 0); }

private:
    void deliver(std::string_view line, const Handler& handler);

    std::size_t m_maxLine;
    std::string m_pending;
    bool m_skipping = false;
    std::uint64_t m_lines = 0;
};

} // namespace losslens::live
