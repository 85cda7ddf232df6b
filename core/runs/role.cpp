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

// "epoch_loss" (Keras), "train_loss_step" (Lightning), "val_loss": the loss itself, seen
// through a phase prefix or an aggregation suffix.
static std::string_view stripPhase(std::string_view leaf)
{
    for (std::string_view prefix : {"epoch_", "train_", "training_", "val_", "validation_", "test_", "eval_"})
        if (startsWith(leaf, prefix) && leaf.size() > prefix.size()) {
            leaf.remove_prefix(prefix.size());
            break;
        }
    for (std::string_view suffix : {"_step", "_epoch"})
        if (endsWith(leaf, suffix) && leaf.size() > suffix.size()) {
            leaf.remove_suffix(suffix.size());
            break;
        }
    return leaf;
}

Role inferRole(std::string_view tag)
{
    const std::string full = lowered(tag);
    const auto slash = full.rfind('/');
    const std::string_view leaf = slash == std::string::npos ? std::string_view(full)
                                                             : std::string_view(full).substr(slash + 1);
    const std::string_view base = stripPhase(leaf);
    if (base == "total_loss" || base == "loss" || base == "total" || base == "losses")
        return Role::Total;
    if (startsWith(base, "regularization") || base == "reg_loss" || full.find("l2") != std::string::npos ||
        base == "weight_decay" || startsWith(full, "regularization"))
        return Role::Regularization;
    if (startsWith(base, "loss_") || endsWith(base, "_loss") || startsWith(full, "loss/") || startsWith(full, "losses/") ||
        full.find("/loss/") != std::string::npos || full.find("/losses/") != std::string::npos)
        return Role::Component;
    return Role::Other;
}

} // namespace losslens
