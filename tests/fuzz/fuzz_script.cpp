// Fuzzes script source given to the sandbox — compile, run under a short watchdog, convert the
// result — through the entry point its text names: `derive` → evaluateDerivedSeries, `total` →
// evaluateRecipe, anything else → ScriptedLoss (`function loss(inputs, args)`).
//
// Invariants: every failure is a ScriptError (or std::invalid_argument for weights that do not
// fit the returned shape) and nothing else; a loss reduces to one number without a gradient;
// derived and recipe series keep their steps in order. The watchdog and the memory cap keep
// every input short.

#include "core/script/derived_series.h"
#include "core/script/scripted_loss.h"
#include "tests/fuzz/fuzz_series.h"
#include "tests/fuzz/fuzz_support.h"

#include <QCoreApplication>

#include <algorithm>

namespace {

using namespace losslens;
using namespace std::chrono_literals;

const script::ScriptLimits kLimits{.timeout = 200ms, .memoryBytes = std::size_t{64} << 20};

void runLoss(const std::string& source)
{
    static const Tensor<double> logits({4, 3}, {0.5, -1, 2, 0, 3, -2, 1, 1, 1, -0.5, 0.25, 4});
    static const Tensor<double> targets({4, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0});
    static const Tensor<double> weights({4, 1}, {1, 0, 2, 0.5});
    const script::ScriptedLossOptions options{
        .weights = weights,
        .args = {{"gamma", 2.0}, {"alpha", 0.25}, {"name", std::string("focal")}, {"flag", true}}};

    script::ScriptedLoss loss(source, kLimits);
    const LossResult<double> result = loss.evaluate({{"logits", logits}, {"targets", targets}}, options);
    FUZZ_CHECK(result.value.rank() == 0 && result.value.size() == 1);
    FUZZ_CHECK(!result.gradient.present());
}

void runDerive(const std::string& source)
{
    static const fuzz::FuzzRun run;
    const script::DerivedSeriesSpec spec{.name = "derived", .source = source, .language = script::DerivedLanguage::Script};
    script::ScriptEngine engine(kLimits);
    const Series result = script::evaluateDerivedSeries(spec, run.all(), &engine);
    FUZZ_CHECK(std::is_sorted(result.steps().begin(), result.steps().end()));
    FUZZ_CHECK(result.values().size() == result.steps().size());
}

void runRecipe(const std::string& source)
{
    static const fuzz::FuzzRun run;
    const script::RecipeSpec recipe{.source = source, .args = {{"temperature", 2.0}, {"s_loss_cls", 0.5}}};
    script::ScriptEngine engine(kLimits);
    const Series result = script::evaluateRecipe(recipe, run.all(), &engine);
    FUZZ_CHECK(result.role() == Role::Total);
    FUZZ_CHECK(std::is_sorted(result.steps().begin(), result.steps().end()));
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv)
{
    static QCoreApplication app(*argc, *argv); // QJSEngine requires one
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string source(fuzz::asText(data, size));
    try {
        if (source.find("derive") != std::string::npos)
            runDerive(source);
        else if (source.find("total") != std::string::npos)
            runRecipe(source);
        else
            runLoss(source);
    } catch (const std::invalid_argument&) {
        // ScriptError and shape mismatches: reported to the user, as designed
    }
    return 0;
}
