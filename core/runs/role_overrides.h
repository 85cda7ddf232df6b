#pragma once
// The roles a user chose, persisted as a small JSON file in the logdir.

#include "core/runs/role.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace losslens {

/// User role choices, for a tag in every run or for a tag in one run (which wins). Stored as
///   {"version": 1, "tags": {"<tag>": "<role>"}, "runs": {"<run>": {"<tag>": "<role>"}}}
/// in `<logdir>/.losslens-roles.json`.
class RoleOverrides {
public:
    static constexpr std::string_view kFileName = ".losslens-roles.json";

    std::optional<Role> lookup(std::string_view run, std::string_view tag) const;
    /// An empty `run` sets the role of `tag` in every run.
    void set(std::string_view run, std::string_view tag, Role role);
    void clear(std::string_view run, std::string_view tag);
    bool empty() const { return m_tags.empty() && m_runTags.empty(); }

    /// Reads `path`; a missing file gives no overrides. Returns false (with `error` set) for an
    /// unreadable or malformed file, leaving the overrides unchanged.
    bool load(const std::string& path, std::string* error = nullptr);
    /// Writes `path` (atomically: a temporary file renamed over it). False with `error` on failure.
    bool save(const std::string& path, std::string* error = nullptr) const;

    std::string toJson() const;
    bool fromJson(std::string_view json, std::string* error = nullptr);

private:
    std::map<std::string, Role, std::less<>> m_tags;
    std::map<std::pair<std::string, std::string>, Role, std::less<>> m_runTags;
};

} // namespace losslens
