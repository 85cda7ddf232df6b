// The TF family by its tf.compat.v1.losses names, over float64 tensors. Inputs and arguments use
// TF's parameter names (logits, onehot_labels, multi_class_labels, labels, predictions, weights,
// losses, tensor; reduction, label_smoothing, delta, epsilon, axis, scale, scale_l1, scale_l2).

#include "core/losses/classification.h"
#include "core/losses/loss_registry.h"
#include "core/losses/regression.h"
#include "core/losses/regularizers.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace losslens {

namespace {

constexpr Reduction kDefault = Reduction::SumByNonzeroWeights; // TF1's default reduction

LossOptions<double> plainOptions(const LossInputs& in, const LossArgs& args, Gradient gradient)
{
    return {.weights = in.optional("weights"), .reduction = args.reduction(kDefault), .gradient = gradient};
}

/// Class ids arrive as float64; TF casts them to int64, here a fractional or non-finite id is an error.
Tensor<Index> classIds(const Tensor<double>& labels)
{
    FlatArray<Index> ids(labels.size());
    for (Index i = 0; i < labels.size(); ++i) {
        const double v = labels[i];
        if (!std::isfinite(v) || v != std::floor(v) || std::abs(v) > 9.0e15)
            throw std::invalid_argument("sparse_softmax_cross_entropy: labels[" + std::to_string(i) + "] = " +
                                        detail::formatNumber(v) + " is not an integer class id");
        ids[i] = static_cast<Index>(v);
    }
    return Tensor<Index>(labels.shape(), std::move(ids));
}

/// A loss of (predictions-like input, labels-like input) with the shared LossOptions.
template <auto Loss>
void addPlain(LossRegistry& registry, const std::string& name, const std::string& x, const std::string& y)
{
    registry.add(name, x, [x, y](const LossInputs& in, const LossArgs& args, Gradient gradient) {
        return Loss(in.required(x), in.required(y), plainOptions(in, args, gradient));
    });
}

/// slim's l1_regularizer and l2_regularizer have no default scale.
double requiredScale(const LossArgs& args, const char* fn)
{
    const double scale = args.number("scale", std::numeric_limits<double>::quiet_NaN());
    if (std::isnan(scale))
        throw std::invalid_argument(std::string(fn) + " needs the argument 'scale' (a number >= 0)");
    return scale;
}

void addRegularizer(LossRegistry& registry, const std::string& name,
                    Regularizer<double> (*make)(const LossArgs&))
{
    registry.add(name, "tensor", [make](const LossInputs& in, const LossArgs& args, Gradient gradient) {
        return make(args).evaluate(in.required("tensor"), gradient);
    });
}

} // namespace

void registerTfLosses(LossRegistry& registry)
{
    addPlain<&absoluteDifference<double>>(registry, "absolute_difference", "predictions", "labels");
    addPlain<&meanSquaredError<double>>(registry, "mean_squared_error", "predictions", "labels");
    addPlain<&sumOfSquares<double>>(registry, "sum_of_squares", "predictions", "labels");
    addPlain<&hingeLoss<double>>(registry, "hinge_loss", "logits", "labels");

    registry.add("huber_loss", "predictions", [](const LossInputs& in, const LossArgs& args, Gradient gradient) {
        return huberLoss<double>(in.required("predictions"), in.required("labels"),
                                 {.weights = in.optional("weights"),
                                  .delta = args.number("delta", 1.0),
                                  .reduction = args.reduction(kDefault),
                                  .gradient = gradient});
    });
    registry.add("log_loss", "predictions", [](const LossInputs& in, const LossArgs& args, Gradient gradient) {
        return logLoss<double>(in.required("predictions"), in.required("labels"),
                               {.weights = in.optional("weights"),
                                .epsilon = args.number("epsilon", 1e-7),
                                .reduction = args.reduction(kDefault),
                                .gradient = gradient});
    });
    registry.add("cosine_distance", "predictions", [](const LossInputs& in, const LossArgs& args, Gradient gradient) {
        constexpr Index missing = std::numeric_limits<Index>::min();
        const Index axis = args.integer("axis", missing);
        if (axis == missing)
            throw std::invalid_argument("cosine_distance needs the argument 'axis' (TF1 has no default)");
        return cosineDistance<double>(in.required("predictions"), in.required("labels"), axis,
                                      plainOptions(in, args, gradient));
    });
    registry.add("sigmoid_cross_entropy", "logits", [](const LossInputs& in, const LossArgs& args, Gradient gradient) {
        return sigmoidCrossEntropy<double>(in.required("logits"), in.required("multi_class_labels"),
                                           {.weights = in.optional("weights"),
                                            .labelSmoothing = args.number("label_smoothing", 0.0),
                                            .reduction = args.reduction(kDefault),
                                            .gradient = gradient});
    });
    registry.add("softmax_cross_entropy", "logits", [](const LossInputs& in, const LossArgs& args, Gradient gradient) {
        return softmaxCrossEntropy<double>(in.required("logits"), in.required("onehot_labels"),
                                           {.weights = in.optional("weights"),
                                            .labelSmoothing = args.number("label_smoothing", 0.0),
                                            .reduction = args.reduction(kDefault),
                                            .gradient = gradient});
    });
    registry.add("sparse_softmax_cross_entropy", "logits",
                 [](const LossInputs& in, const LossArgs& args, Gradient gradient) {
                     const Tensor<Index> labels = classIds(in.required("labels"));
                     return sparseSoftmaxCrossEntropy<double>(in.required("logits"), labels,
                                                              plainOptions(in, args, gradient));
                 });
    registry.add("mean_pairwise_squared_error", "predictions",
                 [](const LossInputs& in, const LossArgs&, Gradient gradient) {
                     return meanPairwiseSquaredError<double>(in.required("predictions"), in.required("labels"),
                                                             {.weights = in.optional("weights"), .gradient = gradient});
                 });
    registry.add("compute_weighted_loss", "losses", [](const LossInputs& in, const LossArgs& args, Gradient gradient) {
        return computeWeightedLoss<double>(in.required("losses"), plainOptions(in, args, gradient));
    });

    addRegularizer(registry, "l1_regularizer",
                   [](const LossArgs& args) { return l1Regularizer<double>(requiredScale(args, "l1_regularizer")); });
    addRegularizer(registry, "l2_regularizer",
                   [](const LossArgs& args) { return l2Regularizer<double>(requiredScale(args, "l2_regularizer")); });
    addRegularizer(registry, "l1_l2_regularizer", [](const LossArgs& args) {
        return l1L2Regularizer<double>(args.number("scale_l1", 1.0), args.number("scale_l2", 1.0));
    });
}

} // namespace losslens
