// Fuzzes `losslens-cli loss --cases`: parseLossCases, then every case through the built-in
// registry, as the CLI does.
//
// Invariants: a bad document is a std::runtime_error and nothing else; running never throws; the
// results document is valid JSON with one result per case, in order, each a value or an error;
// running twice gives the same bytes; a gradient, when a loss computes one, has the shape of the
// input it is taken with respect to.

#include "core/losses/loss_cases.h"
#include "tests/fuzz/fuzz_support.h"

#include <simdjson.h>

#include <stdexcept>

namespace {

using namespace losslens;

void checkResultsDocument(const std::string& results, const std::vector<LossCase>& cases)
{
    simdjson::dom::parser parser;
    simdjson::dom::array array;
    FUZZ_CHECK(parser.parse(results)["results"].get_array().get(array) == simdjson::SUCCESS);
    FUZZ_CHECK(array.size() == cases.size());
    std::size_t i = 0;
    for (simdjson::dom::element result : array) {
        std::string_view id;
        FUZZ_CHECK(result["id"].get_string().get(id) == simdjson::SUCCESS);
        FUZZ_CHECK(id == cases[i].id);
        const bool value = result["value"].error() == simdjson::SUCCESS;
        const bool error = result["error"].error() == simdjson::SUCCESS;
        FUZZ_CHECK(value != error);
        FUZZ_CHECK(!cases[i].problem.empty() ? error : true);
        ++i;
    }
}

void checkGradient(const LossCase& c)
{
    const LossRegistry& registry = LossRegistry::builtin();
    LossResult<double> result;
    std::string input;
    try {
        input = registry.gradientInput(c.fn);
        result = registry.evaluate(c.fn, c.inputs, c.args, Gradient::Compute);
    } catch (const std::invalid_argument&) {
        return; // rejected arguments; the results document said so
    }
    if (result.gradient.present())
        FUZZ_CHECK(result.gradient.shape() == c.inputs.required(input).shape());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::vector<LossCase> cases;
    try {
        cases = parseLossCases(fuzz::asText(data, size));
    } catch (const std::runtime_error&) {
        return 0; // not a cases document: the CLI reports it and exits
    }
    const std::string results = runLossCases(cases);
    checkResultsDocument(results, cases);
    FUZZ_CHECK(runLossCases(cases) == results);
    for (const LossCase& c : cases)
        if (c.problem.empty())
            checkGradient(c);
    return 0;
}
