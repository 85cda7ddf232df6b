#include "core/formats/json_util.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace losslens::formats {

void appendJsonString(std::string& out, std::string_view s)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (u < 0x20) {
            out += "\\u00";
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 0xFu]);
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}

void appendDouble(std::string& out, double v)
{
    if (std::isnan(v)) {
        out += "nan";
        return;
    }
    if (std::isinf(v)) {
        out += v > 0 ? "inf" : "-inf";
        return;
    }
    appendFiniteDouble(out, v);
}

void appendFiniteDouble(std::string& out, double v)
{
    char buffer[32];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    if (std::string_view(buffer, result.ptr).find_first_of(".e") == std::string_view::npos) { // reads as an integer
        if (v == 0 && std::signbit(v))
            result = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed, 1);
        else if (std::fabs(v) >= 0x1p63)
            result = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::scientific);
    }
    out.append(buffer, result.ptr);
}

void appendCsvField(std::string& out, std::string_view s)
{
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
        out += s;
        return;
    }
    out.push_back('"');
    for (const char c : s) {
        if (c == '"')
            out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

} // namespace losslens::formats

namespace losslens::formats {

bool rewriteNonFinite(std::string_view json, std::string& out)
{
    out.clear();
    bool changed = false;
    bool inString = false;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (inString) {
            out.push_back(c);
            if (c == '\\' && i + 1 < json.size())
                out.push_back(json[++i]);
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == 'N' || c == 'I' || c == '-') { // only these start a token: no prefix compares on other bytes
            const std::string_view rest = json.substr(i);
            if (rest.starts_with("NaN")) {
                out += "\"\\u0001nan\"";
                i += 2;
                changed = true;
                continue;
            }
            if (rest.starts_with("Infinity") || rest.starts_with("-Infinity")) {
                const bool negative = c == '-';
                out += negative ? "\"\\u0001-inf\"" : "\"\\u0001inf\"";
                i += negative ? 8 : 7;
                changed = true;
                continue;
            }
        }
        out.push_back(c);
    }
    return changed;
}

bool nonFiniteFromMarked(std::string_view s, double& value)
{
    if (s.empty() || s[0] != kNonFiniteMark)
        return false;
    s.remove_prefix(1);
    if (s == "nan")
        value = std::numeric_limits<double>::quiet_NaN();
    else if (s == "inf")
        value = std::numeric_limits<double>::infinity();
    else if (s == "-inf")
        value = -std::numeric_limits<double>::infinity();
    else
        return false;
    return true;
}

} // namespace losslens::formats
