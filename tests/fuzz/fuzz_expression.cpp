// Fuzzes derived-series expressions (`total_loss - (loss_cls + \`loss/box\`)`): the native parser
// and evaluator behind evaluateDerivedSeries, over a small run.
//
// Invariants: a bad expression is a ScriptError and nothing else; the result has one point per
// step the series it reads share, in increasing step order, each with a wall time of the first
// series; the names an expression reads are the series evaluateDerivedSeries picks.

#include "core/script/derived_series.h"
#include "core/script/expression.h"
#include "tests/fuzz/fuzz_series.h"
#include "tests/fuzz/fuzz_support.h"

#include <algorithm>
#include <optional>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace losslens;
    static const fuzz::FuzzRun run;
    const script::DerivedSeriesSpec spec{.name = "derived", .source = std::string(fuzz::asText(data, size))};

    std::vector<const Series*> used;
    std::optional<Series> derived;
    try {
        used = script::seriesUsedBy(spec, run.all());
        derived = script::evaluateDerivedSeries(spec, run.all());
    } catch (const script::ScriptError&) {
        return 0;
    } catch (const std::invalid_argument&) {
        FUZZ_CHECK(spec.source.empty()); // validate(): an empty source is the only other refusal
        return 0;
    }
    const Series& result = *derived;
    FUZZ_CHECK(result.tag() == "derived");
    FUZZ_CHECK(std::is_sorted(result.steps().begin(), result.steps().end()));
    FUZZ_CHECK(std::adjacent_find(result.steps().begin(), result.steps().end()) == result.steps().end());
    std::size_t shortest = SIZE_MAX;
    for (const Series* s : used) {
        shortest = std::min(shortest, s->size());
        for (std::int64_t step : result.steps())
            FUZZ_CHECK(std::binary_search(s->steps().begin(), s->steps().end(), step));
    }
    if (!used.empty())
        FUZZ_CHECK(result.size() <= shortest);
    return 0;
}
