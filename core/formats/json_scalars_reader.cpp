#include "core/formats/json_scalars_reader.h"

#include "core/formats/json_number.h"

#include <simdjson.h>

#include <cmath>

namespace losslens::formats {

std::size_t JsonScalarsReader::parse(std::string_view data, bool atEnd)
{
    const auto last = data.find_last_not_of(" \t\r\n");
    if (last == std::string_view::npos)
        return atEnd ? data.size() : 0;
    if (!atEnd && data[last] != '}')
        return 0; // still being written
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    auto error = parser.parse(data.data(), data.size(), true).get(root);
    std::string rewritten;
    if (error && rewriteNonFinite(data, rewritten))
        error = parser.parse(rewritten).get(root);
    if (error) {
        if (!atEnd)
            return 0; // perhaps a '}' inside an unfinished object
        warnAtOffset(0, std::string("malformed JSON: ") + simdjson::error_message(error));
        return data.size();
    }
    simdjson::dom::object tags;
    if (root.get_object().get(tags) != simdjson::SUCCESS) {
        warnAtOffset(0, "not a JSON object of tag → [[wall_time, step, value], …]");
        return data.size();
    }
    for (auto field : tags) {
        simdjson::dom::array points;
        if (field.value.get_array().get(points) != simdjson::SUCCESS) {
            warnAtOffset(0, "tag '" + std::string(field.key) + "' does not hold an array; skipped");
            continue;
        }
        std::size_t index = 0;
        for (auto point : points) {
            simdjson::dom::array triple;
            double wall = 0.0;
            double step = 0.0;
            double value = 0.0;
            if (point.get_array().get(triple) != simdjson::SUCCESS || triple.size() != 3 || !numberOf(triple.at(0).value_unsafe(), wall) ||
                !numberOf(triple.at(1).value_unsafe(), step) || !numberOf(triple.at(2).value_unsafe(), value) || !std::isfinite(step) ||
                std::abs(step) > 9.0e18) { // beyond int64: the cast would be undefined
                warnAtOffset(0, "tag '" + std::string(field.key) + "', point " + std::to_string(index) +
                                    ": not [wall_time, step, value]; skipped");
            } else {
                const std::uint32_t id = m_tags.intern(field.key);
                if (!m_tags.add(id, static_cast<std::int64_t>(step), wall, value))
                    warnAtOffset(0, m_tags.stepBackMessage(id));
            }
            ++index;
        }
    }
    return data.size();
}

} // namespace losslens::formats
