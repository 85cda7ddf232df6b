#pragma once
// The editor's Examples menu, kept in the engine so that tests run every example.

#include "core/script/script_worker.h"

#include <string>
#include <vector>

namespace losslens::script {

struct ScriptExample {
    std::string id;    ///< "focal", "dice", "uncertainty", "dwa", "remainder"
    std::string title; ///< for the menu
    SourceKind kind;
    std::string source;
};

/// Focal loss, dice loss, uncertainty weighting, Dynamic Weight Average, unexplained remainder.
const std::vector<ScriptExample>& scriptExamples();
/// The example with `id`; throws std::invalid_argument for an unknown id.
const ScriptExample& scriptExample(const std::string& id);

} // namespace losslens::script
