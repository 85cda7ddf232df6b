#include "core/live/protocol.h"

#include "core/formats/json_util.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace losslens::live {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;
using formats::appendJsonString;

constexpr double kMaxExactStep = 9.0e18;

bool numberOf(element e, double& out)
{
    switch (e.type()) {
    case element_type::DOUBLE: out = e.get_double().value_unsafe(); return true;
    case element_type::INT64: out = static_cast<double>(e.get_int64().value_unsafe()); return true;
    case element_type::UINT64: out = static_cast<double>(e.get_uint64().value_unsafe()); return true;
    case element_type::STRING: return formats::nonFiniteFromMarked(e.get_string().value_unsafe(), out);
    default: return false;
    }
}

bool stepOf(element e, std::int64_t& out)
{
    if (e.type() == element_type::INT64) {
        out = e.get_int64().value_unsafe();
        return true;
    }
    if (e.type() != element_type::DOUBLE)
        return false;
    const double d = e.get_double().value_unsafe();
    if (!std::isfinite(d) || std::abs(d) > kMaxExactStep || d != std::floor(d))
        return false;
    out = static_cast<std::int64_t>(d);
    return true;
}

bool validRun(std::string_view run)
{
    if (run.empty() || run.size() > kMaxRunBytes)
        return false;
    for (const char c : run)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            return false;
    return true;
}

void appendInteger(std::string& out, std::int64_t v)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    out.append(buffer, result.ptr);
}

bool isBlank(std::string_view line)
{
    return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

} // namespace

void appendNumber(std::string& out, double v)
{
    if (std::isnan(v)) {
        out += "NaN";
        return;
    }
    if (std::isinf(v)) {
        out += v > 0 ? "Infinity" : "-Infinity";
        return;
    }
    formats::appendFiniteDouble(out, v);
}

namespace {

// The shared head of a record line: everything before the scalars' contents.
void appendHead(std::string& out, std::string_view run, std::int64_t step, double wallTime)
{
    out += "{\"run\":";
    appendJsonString(out, run);
    out += ",\"step\":";
    appendInteger(out, step);
    out += ",\"wall_time\":";
    appendNumber(out, wallTime);
    out += ",\"scalars\":{";
}

template <typename Entries>
void appendScalarsAndRoles(std::string& out, const Entries& entries)
{
    bool first = true;
    bool anyRole = false;
    for (const auto& e : entries) {
        if (!first)
            out.push_back(',');
        first = false;
        appendJsonString(out, e.tag);
        out.push_back(':');
        appendNumber(out, e.value);
        anyRole = anyRole || e.role;
    }
    out.push_back('}');
    if (anyRole) {
        out += ",\"roles\":{";
        first = true;
        for (const auto& e : entries) {
            if (!e.role)
                continue;
            if (!first)
                out.push_back(',');
            first = false;
            appendJsonString(out, e.tag);
            out.push_back(':');
            appendJsonString(out, roleName(*e.role));
        }
        out.push_back('}');
    }
    out += "}\n";
}

// LossSnapshot entries always carry a role; adapt them to the optional-role shape.
struct SnapshotEntry {
    const std::string& tag;
    double value;
    std::optional<Role> role;
};

} // namespace

void appendRecord(std::string& out, const Record& record)
{
    appendHead(out, record.run, record.step, record.wallTime);
    appendScalarsAndRoles(out, record.scalars);
}

void appendSnapshot(std::string& out, std::string_view run, const LossSnapshot& snapshot, double wallTime)
{
    std::vector<SnapshotEntry> entries;
    entries.reserve(snapshot.entries.size());
    for (const auto& e : snapshot.entries)
        entries.push_back({e.tag, e.value, e.role});
    appendHead(out, run, snapshot.step, wallTime);
    appendScalarsAndRoles(out, entries);
}

std::string helloLine(std::string_view run, std::string_view token, std::string_view metaJson)
{
    std::string out = "{\"hello\":{";
    if (!run.empty()) {
        out += "\"run\":";
        appendJsonString(out, run);
        out.push_back(',');
    }
    if (!token.empty()) {
        out += "\"token\":";
        appendJsonString(out, token);
        out.push_back(',');
    }
    if (!metaJson.empty()) {
        out += "\"meta\":";
        out += metaJson;
        out.push_back(',');
    }
    out += "\"version\":1}}\n";
    return out;
}

std::string syncLine(std::string_view id)
{
    std::string out = "{\"sync\":";
    appendJsonString(out, id);
    out += "}\n";
    return out;
}

std::string syncedLine(std::string_view idJson, std::uint64_t records)
{
    std::string out = "{\"synced\":";
    out += idJson;
    out += ",\"records\":";
    out += std::to_string(records);
    out += "}\n";
    return out;
}

std::string errorLine(std::string_view message, std::uint64_t line)
{
    std::string out = "{\"error\":";
    appendJsonString(out, message);
    out += ",\"line\":";
    out += std::to_string(line);
    out += "}\n";
    return out;
}

std::string refusedLine(std::string_view message)
{
    std::string out = "{\"error\":";
    appendJsonString(out, message);
    out += ",\"refused\":true}\n";
    return out;
}

// ---- parsing ------------------------------------------------------------------------------

struct LineParser::Impl {
    simdjson::dom::parser parser;
    std::string scratch;
    ParsedLine result;

    // Parses `line` as a JSON object, accepting Python's bare NaN/Infinity.
    std::string_view parseObject(std::string_view line, object& out)
    {
        element root;
        auto error = parser.parse(line.data(), line.size(), true).get(root);
        if (error && formats::rewriteNonFinite(line, scratch))
            error = parser.parse(scratch).get(root);
        if (error)
            return error == simdjson::UTF8_ERROR ? "not valid UTF-8" : "malformed JSON";
        if (root.get_object().get(out) != simdjson::SUCCESS)
            return "not a JSON object";
        return {};
    }

    std::string_view readScalars(object scalars, std::string& out)
    {
        bool first = true;
        for (auto field : scalars) {
            if (field.key.empty())
                return "a tag in \"scalars\" is empty";
            double v;
            if (!numberOf(field.value, v))
                return "a value in \"scalars\" is not a number (NaN, Infinity and -Infinity are allowed)";
            if (!first)
                out.push_back(',');
            first = false;
            appendJsonString(out, field.key);
            out.push_back(':');
            appendNumber(out, v);
            ++result.scalars;
        }
        return first ? "\"scalars\" is empty" : std::string_view{};
    }

    std::string_view readRoles(object roles, std::string& out)
    {
        out += ",\"roles\":{";
        bool first = true;
        for (auto field : roles) {
            std::string_view name;
            if (field.value.get_string().get(name) != simdjson::SUCCESS)
                return "a role in \"roles\" is not a string";
            const auto role = parseRole(name);
            if (!role)
                return "a role must be \"component\", \"regularization\", \"total\" or \"other\"";
            if (!first)
                out.push_back(',');
            first = false;
            appendJsonString(out, field.key);
            out.push_back(':');
            appendJsonString(out, roleName(*role));
        }
        out.push_back('}');
        return {};
    }

    std::string_view readRecord(object record, std::string_view defaultRun, double receiveTime, std::string& out)
    {
        element e;
        if (record["run"].get(e) == simdjson::SUCCESS) {
            std::string_view run;
            if (e.get_string().get(run) != simdjson::SUCCESS || !validRun(run))
                return "\"run\" must be a non-empty string (at most 200 bytes, no control characters)";
            result.run.assign(run);
        } else if (!defaultRun.empty()) {
            result.run.assign(defaultRun);
        } else {
            return "missing \"run\" (and no hello named one)";
        }
        std::int64_t step = 0;
        if (record["step"].get(e) != simdjson::SUCCESS)
            return "missing \"step\"";
        if (!stepOf(e, step))
            return "\"step\" must be an integer";
        double wall = receiveTime;
        if (record["wall_time"].get(e) == simdjson::SUCCESS && !e.is_null())
            if (!numberOf(e, wall) || !std::isfinite(wall))
                return "\"wall_time\" must be a finite number";
        object scalars;
        if (record["scalars"].get(e) != simdjson::SUCCESS)
            return "missing \"scalars\"";
        if (e.get_object().get(scalars) != simdjson::SUCCESS)
            return "\"scalars\" must be an object of tag: number";
        appendHead(out, result.run, step, wall);
        if (auto why = readScalars(scalars, out); !why.empty())
            return why;
        out.push_back('}');
        if (record["roles"].get(e) == simdjson::SUCCESS && !e.is_null()) {
            object roles;
            if (e.get_object().get(roles) != simdjson::SUCCESS)
                return "\"roles\" must be an object of tag: role";
            if (auto why = readRoles(roles, out); !why.empty())
                return why;
        }
        out += "}\n";
        return {};
    }

    std::string_view readHello(element hello)
    {
        object o;
        if (hello.get_object().get(o) != simdjson::SUCCESS)
            return "\"hello\" must be an object";
        element e;
        if (o["run"].get(e) == simdjson::SUCCESS) {
            std::string_view run;
            if (e.get_string().get(run) != simdjson::SUCCESS || !validRun(run))
                return "hello \"run\" must be a non-empty string (at most 200 bytes, no control characters)";
            result.run.assign(run);
        }
        if (o["token"].get(e) == simdjson::SUCCESS) {
            std::string_view token;
            if (e.get_string().get(token) != simdjson::SUCCESS)
                return "hello \"token\" must be a string";
            result.token.assign(token);
        }
        if (o["version"].get(e) == simdjson::SUCCESS && !(e.is_int64() && e.get_int64().value_unsafe() == kProtocolVersion))
            return "unsupported protocol version (this server speaks version 1)";
        return {};
    }

    std::string_view readSync(element id)
    {
        if (id.type() == element_type::STRING) {
            appendJsonString(result.syncId, id.get_string().value_unsafe());
            return {};
        }
        if (id.type() == element_type::INT64) {
            appendInteger(result.syncId, id.get_int64().value_unsafe());
            return {};
        }
        return "\"sync\" must be a string or an integer";
    }
};

LineParser::LineParser() : m(std::make_unique<Impl>()) {}
LineParser::~LineParser() = default;

const ParsedLine& LineParser::parse(std::string_view line, std::string_view defaultRun, double receiveTime, std::string& out)
{
    ParsedLine& r = m->result;
    r.kind = ParsedLine::Kind::Blank;
    r.run.clear();
    r.token.clear();
    r.syncId.clear();
    r.error.clear();
    r.scalars = 0;
    if (isBlank(line))
        return r;
    object o;
    std::string_view why = m->parseObject(line, o);
    element e;
    if (!why.empty()) {
        r.kind = ParsedLine::Kind::Error;
    } else if (o["hello"].get(e) == simdjson::SUCCESS) {
        r.kind = ParsedLine::Kind::Hello;
        why = m->readHello(e);
    } else if (o["sync"].get(e) == simdjson::SUCCESS) {
        r.kind = ParsedLine::Kind::Sync;
        why = m->readSync(e);
    } else {
        const std::size_t mark = out.size();
        r.kind = ParsedLine::Kind::Record;
        why = m->readRecord(o, defaultRun, receiveTime, out);
        if (!why.empty())
            out.resize(mark);
    }
    if (!why.empty()) {
        r.kind = ParsedLine::Kind::Error;
        r.error.assign(why);
    }
    return r;
}

std::string LineParser::parseRecord(std::string_view line, Record& record)
{
    std::string canonical;
    const ParsedLine& p = parse(line, {}, std::numeric_limits<double>::quiet_NaN(), canonical);
    if (p.kind == ParsedLine::Kind::Error)
        return p.error;
    if (p.kind != ParsedLine::Kind::Record)
        return "not a record";
    // The canonical line is well-formed by construction: read it back without re-validating.
    object o;
    canonical.pop_back();
    if (auto why = m->parseObject(canonical, o); !why.empty())
        return std::string(why);
    record = Record{};
    record.run.assign(o["run"].get_string().value_unsafe());
    record.step = o["step"].get_int64().value_unsafe();
    numberOf(o["wall_time"].value_unsafe(), record.wallTime);
    object roles;
    const bool haveRoles = o["roles"].get_object().get(roles) == simdjson::SUCCESS;
    object scalars;
    if (o["scalars"].get_object().get(scalars) != simdjson::SUCCESS)
        return "not a record";
    for (auto field : scalars) {
        Scalar s{std::string(field.key), 0.0, std::nullopt};
        numberOf(field.value, s.value);
        std::string_view name;
        if (haveRoles && roles[field.key].get_string().get(name) == simdjson::SUCCESS)
            s.role = parseRole(name);
        record.scalars.push_back(std::move(s));
    }
    return {};
}

Reply parseReply(std::string_view line)
{
    Reply reply;
    simdjson::dom::parser parser;
    object o;
    if (parser.parse(line.data(), line.size(), true).get_object().get(o) != simdjson::SUCCESS)
        return reply;
    element e;
    if (o["synced"].get(e) == simdjson::SUCCESS) {
        reply.kind = Reply::Kind::Synced;
        if (e.is_string())
            reply.syncId.assign(e.get_string().value_unsafe());
        else if (e.is_int64())
            reply.syncId = std::to_string(e.get_int64().value_unsafe());
        std::uint64_t n = 0;
        if (o["records"].get_uint64().get(n) == simdjson::SUCCESS)
            reply.records = n;
        return reply;
    }
    std::string_view message;
    if (o["error"].get_string().get(message) != simdjson::SUCCESS)
        return reply;
    reply.message.assign(message);
    bool refused = false;
    if (o["refused"].get_bool().get(refused) == simdjson::SUCCESS && refused) {
        reply.kind = Reply::Kind::Refused;
        return reply;
    }
    reply.kind = Reply::Kind::Error;
    std::uint64_t n = 0;
    if (o["line"].get_uint64().get(n) == simdjson::SUCCESS)
        reply.line = n;
    return reply;
}

} // namespace losslens::live
