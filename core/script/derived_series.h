#pragma once
// Derived series: new series computed from a run's series aligned by step — an expression
// (`total_loss - (loss_cls + loss_box_reg + loss_mask)`) or a script — and the recipe, a script
// computing the total from the components.

#include "core/runs/run.h"
#include "core/script/script_engine.h"

#include <map>
#include <string>
#include <vector>

namespace losslens::script {

/// How a derived series is written.
enum class DerivedLanguage {
    Expression, ///< see expression.h; evaluated natively, no script engine
    Script,     ///< `function derive(series, steps)` returning one value per aligned step
};

/// A derived series as the user defines it (and the session saves it).
struct DerivedSeriesSpec {
    std::string name;                   ///< the new tag, e.g. "unexplained"
    std::string source;                 ///< the expression or the script
    Role role = Role::Other;            ///< how the viewer treats the result
    DerivedLanguage language = DerivedLanguage::Expression;

    /// Throws std::invalid_argument for an empty name or source.
    void validate() const;
};

/// The series of `available` that `spec` reads: an expression's names (throws ScriptError naming
/// an unknown one, with its position); for a script, every tag its text mentions as a word or in
/// quotes (series["scene/xent"]).
std::vector<const Series*> seriesUsedBy(const DerivedSeriesSpec& spec, const std::vector<const Series*>& available);

/// Evaluates `spec` over `available` aligned by step (alignByStep): the result has one point per
/// step common to the series it reads, the wall times of the first of them, and spec.role
/// (marked as the user's). A script's `derive(series, steps)` gets `series.<tag>` (or
/// series["a/b"]) as Float64Arrays and the steps, and returns an array of that length or a number.
/// Scripts run in `engine` when given (its thread), else in a fresh one. Throws ScriptError.
Series evaluateDerivedSeries(const DerivedSeriesSpec& spec, const std::vector<const Series*>& available,
                             ScriptEngine* engine = nullptr);
/// The same over every series of `run`.
Series evaluateDerivedSeries(const DerivedSeriesSpec& spec, const Run& run, ScriptEngine* engine = nullptr);

/// A recipe: how the total is made from the components.
struct RecipeSpec {
    /// Defines `function total(components, regularization, args)`: the first two are objects of
    /// aligned Float64Arrays by tag (the Component and the Regularization series); returns the
    /// total per aligned step (an array) or a number.
    std::string source;
    std::string name = "total (recipe)";
    std::map<std::string, ScriptArg> args{};
};

/// Evaluates `recipe` over the Component and Regularization series of `available`, aligned by
/// step; the result has Role::Total. Throws ScriptError, or std::invalid_argument without components.
Series evaluateRecipe(const RecipeSpec& recipe, const std::vector<const Series*>& available, ScriptEngine* engine = nullptr);

} // namespace losslens::script
