#include "core/runs/role_overrides.h"

#include "core/formats/json_util.h"

#include <simdjson.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace losslens {

std::optional<Role> RoleOverrides::lookup(std::string_view run, std::string_view tag) const
{
    if (const auto it = m_runTags.find(std::pair<std::string, std::string>(run, tag)); it != m_runTags.end())
        return it->second;
    if (const auto it = m_tags.find(tag); it != m_tags.end())
        return it->second;
    return std::nullopt;
}

void RoleOverrides::set(std::string_view run, std::string_view tag, Role role)
{
    if (run.empty())
        m_tags[std::string(tag)] = role;
    else
        m_runTags[{std::string(run), std::string(tag)}] = role;
}

void RoleOverrides::clear(std::string_view run, std::string_view tag)
{
    if (run.empty()) {
        if (const auto it = m_tags.find(tag); it != m_tags.end())
            m_tags.erase(it);
    } else {
        m_runTags.erase({std::string(run), std::string(tag)});
    }
}

std::string RoleOverrides::toJson() const
{
    using formats::appendJsonString;
    std::string out = "{\n  \"version\": 1,\n  \"tags\": {";
    const char* sep = "\n    ";
    for (const auto& [tag, role] : m_tags) {
        out += sep;
        appendJsonString(out, tag);
        out += ": ";
        appendJsonString(out, roleName(role));
        sep = ",\n    ";
    }
    out += "},\n  \"runs\": {";
    std::string_view currentRun;
    bool open = false;
    for (const auto& [key, role] : m_runTags) {
        if (!open || key.first != currentRun) {
            out += open ? "},\n    " : "\n    ";
            appendJsonString(out, key.first);
            out += ": {";
            currentRun = key.first;
            open = true;
        } else {
            out += ", ";
        }
        appendJsonString(out, key.second);
        out += ": ";
        appendJsonString(out, roleName(role));
    }
    out += open ? "}}\n}\n" : "}\n}\n";
    return out;
}

bool RoleOverrides::fromJson(std::string_view json, std::string* error)
{
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    const simdjson::padded_string padded(json);
    RoleOverrides parsed;
    auto fail = [&](std::string message) {
        if (error)
            *error = std::move(message);
        return false;
    };
    if (parser.parse(padded).get(root) != simdjson::SUCCESS || !root.is_object())
        return fail("not a JSON object");
    auto readRoles = [&](simdjson::dom::object object, std::string_view run) {
        for (auto field : object) {
            std::string_view name;
            if (field.value.get_string().get(name) != simdjson::SUCCESS)
                return fail("role of '" + std::string(field.key) + "' is not a string");
            const auto role = parseRole(name);
            if (!role)
                return fail("unknown role '" + std::string(name) + "' (component, regularization, total, other)");
            parsed.set(run, field.key, *role);
        }
        return true;
    };
    simdjson::dom::object tags;
    if (root["tags"].get_object().get(tags) == simdjson::SUCCESS && !readRoles(tags, {}))
        return false;
    simdjson::dom::object runs;
    if (root["runs"].get_object().get(runs) == simdjson::SUCCESS) {
        for (auto run : runs) {
            simdjson::dom::object runTags;
            if (run.value.get_object().get(runTags) != simdjson::SUCCESS)
                return fail("roles of run '" + std::string(run.key) + "' are not an object");
            if (run.key.empty() || !readRoles(runTags, run.key))
                return run.key.empty() ? fail("empty run name") : false;
        }
    }
    *this = std::move(parsed);
    return true;
}

bool RoleOverrides::load(const std::string& path, std::string* error)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return true;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (error)
            *error = "cannot read " + path;
        return false;
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string message;
    if (!fromJson(text.str(), &message)) {
        if (error)
            *error = path + ": " + message;
        return false;
    }
    return true;
}

bool RoleOverrides::save(const std::string& path, std::string* error) const
{
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << toJson();
        if (!out) {
            if (error)
                *error = "cannot write " + temporary;
            return false;
        }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec && error)
        *error = "cannot replace " + path + ": " + ec.message();
    return !ec;
}

} // namespace losslens
