#include "core/formats/json_lines_reader.h"

#include "core/formats/json_number.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace losslens::formats {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

constexpr std::array<std::string_view, 5> kStepKeys{"step", "global_step", "iteration", "iter", "epoch"};
constexpr double kNoWallTime = std::numeric_limits<double>::quiet_NaN();

bool stepOf(element e, std::int64_t& out)
{
    if (e.type() == element_type::INT64) {
        out = e.get_int64().value_unsafe();
        return true;
    }
    double d;
    if (!numberOf(e, d) || !std::isfinite(d) || std::abs(d) > 9.0e18)
        return false;
    out = static_cast<std::int64_t>(std::llround(d));
    return true;
}

// mmdetection's step: (epoch − 1)·itersPerEpoch + iter for training lines, epoch·itersPerEpoch for
// validation lines; false when it does not fit an int64 (a corrupt or hostile line).
bool mmdetStep(bool train, std::int64_t epoch, std::int64_t perEpoch, std::int64_t iter, std::int64_t& step)
{
    std::int64_t epochs = epoch;
    std::int64_t base = 0;
    return !(train && __builtin_sub_overflow(epoch, 1, &epochs)) && !__builtin_mul_overflow(epochs, perEpoch, &base) &&
           !(train && __builtin_add_overflow(base, iter, &base)) && (step = base, true);
}

} // namespace

struct JsonLinesReader::Impl {
    explicit Impl(JsonLinesReader& r) : reader(r) {}

    void report(std::string_view tagName, std::string_view run, std::optional<Role> hint, std::int64_t step, double wall,
              double value, std::uint64_t line)
    {
        const std::uint32_t id = reader.m_tags.intern(tagName, run, hint);
        if (!reader.m_tags.add(id, step, wall, value))
            reader.warnAtLine(line, reader.m_tags.stepBackMessage(id));
    }

    // Every number under `o`, named prefix/key, except `skip`-listed keys at the top level.
    void flatten(object o, std::size_t prefixLength, std::string_view skipA, std::string_view skipB, std::int64_t step,
                 double wall, std::uint64_t line)
    {
        for (auto field : o) {
            if (prefixLength == 0 && (field.key == skipA || field.key == skipB))
                continue;
            tag.resize(prefixLength);
            tag += field.key;
            double v;
            if (numberOf(field.value, v)) {
                report(tag, {}, std::nullopt, step, wall, v, line);
            } else if (field.value.is_object()) {
                tag.push_back('/');
                const object nested = field.value.get_object().value_unsafe();
                flatten(nested, tag.size(), skipA, skipB, step, wall, line);
            }
        }
    }

    void readLive(object record, element scalars, std::uint64_t line)
    {
        std::int64_t step = records - 1;
        element e;
        if (record["step"].get(e) == simdjson::SUCCESS && !stepOf(e, step))
            reader.warnAtLine(line, "\"step\" is not an integer; using the record's index");
        double wall = kNoWallTime;
        if (record["wall_time"].get(e) == simdjson::SUCCESS)
            numberOf(e, wall);
        std::string_view run;
        if (record["run"].get(e) == simdjson::SUCCESS && e.is_string())
            run = e.get_string().value_unsafe();
        object roles;
        const bool haveRoles = record["roles"].get_object().get(roles) == simdjson::SUCCESS;
        const object values = scalars.get_object().value_unsafe();
        for (auto field : values) {
            double v;
            if (!numberOf(field.value, v))
                continue;
            std::optional<Role> hint;
            std::string_view roleName;
            if (haveRoles && roles[field.key].get_string().get(roleName) == simdjson::SUCCESS)
                hint = parseRole(roleName);
            report(field.key, run, hint, step, wall, v, line);
        }
    }

    void readMmdet(object record, std::string_view mode, std::uint64_t line)
    {
        std::int64_t e = 0;
        std::int64_t iter = 0;
        element el;
        if (record["epoch"].get(el) == simdjson::SUCCESS)
            stepOf(el, e);
        if (record["iter"].get(el) == simdjson::SUCCESS)
            stepOf(el, iter);
        if (e != epoch) {
            itersPerEpoch = std::max(itersPerEpoch, maxIterInEpoch);
            maxIterInEpoch = 0;
            epoch = e;
        }
        const bool train = mode == "train";
        if (train)
            maxIterInEpoch = std::max(maxIterInEpoch, iter);
        const std::int64_t perEpoch = std::max(itersPerEpoch, maxIterInEpoch);
        std::int64_t step = 0;
        if (!mmdetStep(train, e, perEpoch, iter, step)) {
            reader.warnAtLine(line, "epoch and iter give a step beyond the 64-bit range; line skipped");
            return;
        }
        tag.assign(train ? "" : std::string(mode) + "/");
        for (auto field : record) {
            if (field.key == "mode" || field.key == "epoch" || field.key == "iter")
                continue;
            double v;
            if (numberOf(field.value, v)) {
                tag.resize(train ? 0 : mode.size() + 1);
                tag += field.key;
                report(tag, {}, std::nullopt, step, kNoWallTime, v, line);
            }
        }
    }

    void readGeneric(object record, std::int64_t index, std::uint64_t line)
    {
        std::string_view stepKey;
        std::int64_t step = index;
        for (std::string_view key : kStepKeys) {
            element e;
            if (record[key].get(e) == simdjson::SUCCESS) {
                if (stepOf(e, step)) {
                    stepKey = key;
                    break;
                }
                step = index;
            }
        }
        double wall = kNoWallTime;
        element e;
        if (record["wall_time"].get(e) == simdjson::SUCCESS)
            numberOf(e, wall);
        tag.clear();
        flatten(record, 0, stepKey, "wall_time", step, wall, line);
    }

    JsonLinesReader& reader;
    simdjson::dom::parser parser;
    std::string scratch;  // a padded copy or a NaN-rewritten line
    std::string tag;      // the flattened key being built
    std::string runName;
    std::int64_t records = 0;
    // mmdetection 2.x step reconstruction
    std::int64_t epoch = 0;
    std::int64_t itersPerEpoch = 0;
    std::int64_t maxIterInEpoch = 0;
};

JsonLinesReader::JsonLinesReader(RecordSink& sink, std::string file)
    : LineReader(sink, std::move(file)), m_impl(std::make_unique<Impl>(*this))
{}

JsonLinesReader::~JsonLinesReader() = default;

void JsonLinesReader::resetState()
{
    LineReader::resetState();
    Impl& d = *m_impl;
    d.records = d.epoch = d.itersPerEpoch = d.maxIterInEpoch = 0;
}

void JsonLinesReader::parseLine(std::string_view line, std::uint64_t number, bool hasMoreAfter)
{
    if (line.find_first_not_of(" \t") == std::string_view::npos)
        return;
    Impl& d = *m_impl;
    element root;
    (void)hasMoreAfter;
    auto error = d.parser.parse(line.data(), line.size(), true).get(root);
    if (error && rewriteNonFinite(line, d.scratch))
        error = d.parser.parse(d.scratch).get(root);
    if (error) {
        warnAtLine(number, std::string("malformed JSON line: ") + simdjson::error_message(error) + "; skipped");
        return;
    }
    object record;
    if (root.get_object().get(record) != simdjson::SUCCESS) {
        warnAtLine(number, "not a JSON object; skipped");
        return;
    }
    const std::int64_t index = d.records++;
    element scalars;
    if (record["scalars"].get(scalars) == simdjson::SUCCESS && scalars.is_object())
        return d.readLive(record, scalars, number);
    element mode;
    if (record["mode"].get(mode) == simdjson::SUCCESS && mode.is_string() && record["epoch"].error() == simdjson::SUCCESS)
        return d.readMmdet(record, mode.get_string().value_unsafe(), number);
    if (record["env_info"].error() == simdjson::SUCCESS || record["config"].error() == simdjson::SUCCESS)
        return; // mmdetection's meta line
    d.readGeneric(record, index, number);
}

} // namespace losslens::formats
