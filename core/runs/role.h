#pragma once
// What a logged tag is to the loss: the vocabulary shared by the engine, the readers and the viewer.

#include <optional>
#include <string_view>

namespace losslens {

enum class Role { Component, Regularization, Total, Other };

std::string_view roleName(Role role);
/// "component", "regularization", "total", "other" (case-insensitive); nullopt otherwise.
std::optional<Role> parseRole(std::string_view name);
/// The role a tag's name suggests (DESIGN.md): `total_loss`/`loss` → total;
/// `regularization*`, `reg_loss`, `*l2*` (anywhere in the tag), `weight_decay` → regularization;
/// `loss_*`, `*_loss`, `loss/*`, `losses/*` → component; anything else → other.
/// Only the last path segment is matched, plus the leading scope for `loss/` and `losses/`,
/// after dropping one phase prefix (`epoch_`, `train_`, `val_`, `test_`, …) and one aggregation
/// suffix (`_step`, `_epoch`): Keras' `epoch_loss` and Lightning's `train_loss_step` are totals.
Role inferRole(std::string_view tag);

} // namespace losslens
