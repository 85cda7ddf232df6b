#pragma once
// Small text helpers shared by the writers, the CLI and the readers' tests.

#include <string>
#include <string_view>

namespace losslens::formats {

/// Appends `s` as a JSON string literal (quotes, escapes for ", \ and control characters).
void appendJsonString(std::string& out, std::string_view s);
/// Appends finite `v` as the shortest decimal (std::to_chars) that every JSON reader (simdjson,
/// Python's json) reads back as exactly `v`: in exponent form where the shortest is an integer
/// past int64 (simdjson refuses 92233720368547758080), and negative zero as -0.0 (-0 is the integer 0).
void appendFiniteDouble(std::string& out, double v);
/// Appends `v` as appendFiniteDouble() does, or "nan", "inf", "-inf".
void appendDouble(std::string& out, double v);
/// Appends `s` as a CSV field (RFC 4180): quoted only when it holds a comma, quote, CR or LF.
void appendCsvField(std::string& out, std::string_view s);

} // namespace losslens::formats

namespace losslens::formats {

/// Python's json module writes bare NaN, Infinity and -Infinity, which JSON (and simdjson) reject.
/// Copies `json` to `out` with each such token outside strings replaced by a string holding
/// kNonFiniteMark followed by "nan", "inf" or "-inf"; returns false when there was none.
bool rewriteNonFinite(std::string_view json, std::string& out);
inline constexpr char kNonFiniteMark = '\x01';
/// The value of a string made by rewriteNonFinite(), if `s` is one.
bool nonFiniteFromMarked(std::string_view s, double& value);

} // namespace losslens::formats
