#include "core/losses/loss_cases.h"

#include "core/formats/json_util.h"

#include <simdjson.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace losslens {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

double toNumber(element value, const std::string& where)
{
    switch (value.type()) {
    case element_type::DOUBLE: return value.get_double().value_unsafe();
    case element_type::INT64: return static_cast<double>(value.get_int64().value_unsafe());
    case element_type::UINT64: return static_cast<double>(value.get_uint64().value_unsafe());
    case element_type::STRING: {
        const std::string_view s = value.get_string().value_unsafe();
        if (s == "NaN")
            return std::numeric_limits<double>::quiet_NaN();
        if (s == "Infinity")
            return std::numeric_limits<double>::infinity();
        if (s == "-Infinity")
            return -std::numeric_limits<double>::infinity();
        throw std::invalid_argument(where + ": \"" + std::string(s) + "\" is not a number");
    }
    default: throw std::invalid_argument(where + " must be a number");
    }
}

Tensor<double> toTensor(element value, const std::string& where)
{
    simdjson::dom::object object;
    if (value.get_object().get(object))
        throw std::invalid_argument(where + " must be an object {\"shape\":[…],\"data\":[…]}");
    simdjson::dom::array shapeArray, dataArray;
    if (object["shape"].get_array().get(shapeArray))
        throw std::invalid_argument(where + " needs a \"shape\" array");
    if (object["data"].get_array().get(dataArray))
        throw std::invalid_argument(where + " needs a \"data\" array");
    Shape shape;
    Index elements = 1; // checked here: elementCount() would overflow on a hostile shape
    for (element d : shapeArray) {
        int64_t n = 0;
        if (d.get_int64().get(n) || n < 0)
            throw std::invalid_argument(where + ": shape entries must be non-negative integers");
        if (__builtin_mul_overflow(elements, n, &elements))
            throw std::invalid_argument(where + ": shape has more elements than fit in 64 bits");
        shape.push_back(n);
    }
    std::vector<double> data;
    data.reserve(dataArray.size());
    for (element x : dataArray)
        data.push_back(toNumber(x, where + ".data[" + std::to_string(data.size()) + "]"));
    if (elementCount(shape) != static_cast<Index>(data.size()))
        throw std::invalid_argument(where + ": shape " + toString(shape) + " needs " +
                                    std::to_string(elementCount(shape)) + " values, data has " +
                                    std::to_string(data.size()));
    return Tensor<double>(std::move(shape), data);
}

LossArgs::Value toArg(element value, const std::string& where)
{
    switch (value.type()) {
    case element_type::BOOL: return value.get_bool().value_unsafe();
    case element_type::STRING: {
        const std::string_view s = value.get_string().value_unsafe();
        if (s == "NaN" || s == "Infinity" || s == "-Infinity")
            return toNumber(value, where);
        return std::string(s);
    }
    default: return toNumber(value, where);
    }
}

void readCase(element item, LossCase& c)
{
    simdjson::dom::object object;
    if (item.get_object().get(object))
        throw std::invalid_argument("a case must be a JSON object");
    if (std::string_view id; !object["id"].get_string().get(id))
        c.id = id;
    else if (int64_t n = 0; !object["id"].get_int64().get(n))
        c.id = std::to_string(n);
    std::string_view fn;
    if (object["fn"].get_string().get(fn))
        throw std::invalid_argument("case needs a string \"fn\"");
    c.fn = fn;

    simdjson::dom::object inputs;
    if (!object["inputs"].get_object().get(inputs))
        for (auto [key, value] : inputs)
            if (!value.is_null())
                c.inputs.set(std::string(key), toTensor(value, "input '" + std::string(key) + "'"));
    simdjson::dom::object args;
    if (!object["args"].get_object().get(args))
        for (auto [key, value] : args)
            if (!value.is_null())
                c.args.set(std::string(key), toArg(value, "argument '" + std::string(key) + "'"));

    simdjson::dom::object expected;
    if (!object["expected"].get_object().get(expected)) {
        if (element v; !expected["value"].get(v))
            c.expectedValue = toTensor(v, "expected value");
        if (element g; !expected["gradient"].get(g) && !g.is_null())
            c.expectedGradient = toTensor(g, "expected gradient");
    }
    if (std::string_view error; !object["expected_error"].get_string().get(error))
        c.expectedError = std::string(error);
}

void appendNumber(std::string& out, double x)
{
    if (std::isnan(x)) {
        out += "\"NaN\"";
    } else if (std::isinf(x)) {
        out += x > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    } else {
        formats::appendFiniteDouble(out, x);
    }
}

void appendString(std::string& out, std::string_view s)
{
    out += '"';
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20) {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
            out += buffer;
        } else {
            out += ch;
        }
    }
    out += '"';
}

} // namespace

std::vector<LossCase> parseLossCases(std::string_view json)
{
    simdjson::dom::parser parser;
    const simdjson::padded_string padded(json);
    element document;
    if (const auto error = parser.parse(padded).get(document))
        throw std::runtime_error(std::string("not valid JSON: ") + simdjson::error_message(error));
    simdjson::dom::array cases;
    if (document["cases"].get_array().get(cases))
        throw std::runtime_error("the document needs a top-level \"cases\" array");

    std::vector<LossCase> out;
    out.reserve(cases.size());
    for (element item : cases) {
        LossCase& c = out.emplace_back();
        c.id = std::to_string(out.size() - 1);
        try {
            readCase(item, c);
        } catch (const std::exception& e) {
            c.problem = e.what();
        }
    }
    return out;
}

std::string tensorToJson(const TensorView<double>& tensor)
{
    std::string out = "{\"shape\":[";
    for (std::size_t i = 0; i < tensor.shape().size(); ++i) {
        if (i)
            out += ',';
        out += std::to_string(tensor.shape()[i]);
    }
    out += "],\"data\":[";
    for (Index i = 0; i < tensor.size(); ++i) {
        if (i)
            out += ',';
        appendNumber(out, tensor[i]);
    }
    return out + "]}";
}

std::string runLossCases(const std::vector<LossCase>& cases, const LossRegistry& registry)
{
    std::string out = "{\"results\":[";
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const LossCase& c = cases[i];
        out += i ? ",\n{\"id\":" : "\n{\"id\":";
        appendString(out, c.id);
        try {
            if (!c.problem.empty())
                throw std::invalid_argument(c.problem);
            const auto result = registry.evaluate(c.fn, c.inputs, c.args);
            out += ",\"value\":" + tensorToJson(result.value);
        } catch (const std::exception& e) {
            out += ",\"error\":";
            appendString(out, e.what());
        }
        out += '}';
    }
    return out + "\n]}";
}

} // namespace losslens
