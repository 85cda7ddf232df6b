#pragma once
// The conformance interface: a JSON file of loss calls in, one JSON result per call out.
//
//   {"cases":[{"id":"c1","fn":"softmax_cross_entropy",
//              "inputs":{"logits":{"shape":[4,5],"data":[…]}, …},
//              "args":{"label_smoothing":0.1,"reduction":"SUM_BY_NONZERO_WEIGHTS"}}]}
//   → {"results":[{"id":"c1","value":{"shape":[],"data":[1.2345]}}, {"id":"c2","error":"…"}]}
//
// Numbers may be the strings "NaN", "Infinity", "-Infinity"; output writes them the same way and
// every value with 17 significant digits. A null input is the same as an absent one.
// Test files add "expected": {"value": tensor, "gradient": tensor} or "expected_error": "substring".

#include "core/losses/loss_registry.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace losslens {

struct LossCase {
    std::string id;
    std::string fn;
    LossInputs inputs;
    LossArgs args;
    /// Parse problems of this one case (bad tensor, wrong type): reported as its error.
    std::string problem;
    // Reference values, present only in test files.
    std::optional<Tensor<double>> expectedValue;
    std::optional<Tensor<double>> expectedGradient;
    std::optional<std::string> expectedError;
};

/// Parses a cases document; throws std::runtime_error (with the byte offset) when the document
/// itself is not valid JSON or has no "cases" array. A malformed single case only sets its `problem`.
std::vector<LossCase> parseLossCases(std::string_view json);

/// Runs every case through `registry`, returning the results document (one line of JSON).
std::string runLossCases(const std::vector<LossCase>& cases, const LossRegistry& registry = LossRegistry::builtin());

/// A tensor as {"shape":[…],"data":[…]} with 17 significant digits and "NaN"/"Infinity" strings.
std::string tensorToJson(const TensorView<double>& tensor);

} // namespace losslens
