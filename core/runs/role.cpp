#include "core/runs/role.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace losslens {

namespace {
std::string lowered(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}
bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool endsWith(std::string_view s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
} // namespace

std::string_view roleName(Role role)
{
    switch (role) {
    case Role::Component: return "component";
    case Role::Regularization: return "regularization";
    case Role::Total: return "total";
    case Role::Other: return "other";
    }
    return "other";
}

std::optional<Role> parseRole(std::string_view name)
{
    const std::string n = lowered(name);
    for (Role r : {Role::Component, Role::Regularization, Role::Total, Role::Other})
        if (n == roleName(r))
            return r;
    return std::nullopt;
}

Role inferRole(std::string_view tag)
{
    const std::string full = lowered(tag);
    const auto slash = full.rfind('/');
    const std::string_view leaf = slash == std::string::npos ? std::string_view(full)
                                                             : std::string_view(full).substr(slash + 1);
    if (leaf == "total_loss" || leaf == "loss" || leaf == "total")
        return Role::Total;
    if (startsWith(leaf, "regularization") || leaf == "reg_loss" || leaf.find("l2") != std::string_view::npos ||
        leaf == "weight_decay" || startsWith(full, "regularization"))
        return Role::Regularization;
    if (startsWith(leaf, "loss_") || endsWith(leaf, "_loss") || startsWith(full, "loss/") ||
        startsWith(full, "losses/") || full.find("/loss/") != std::string::npos)
        return Role::Component;
    return Role::Other;
}

} // namespace losslens
