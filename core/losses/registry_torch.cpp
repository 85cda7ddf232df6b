// The torch family in the registry, by torch.nn.functional's names and keyword arguments:
// inputs input, target, weight, pos_weight; args reduction, label_smoothing, ignore_index, beta,
// delta, log_target. Class-index targets arrive as float64 tensors holding integers.

#include "core/losses/loss_registry.h"
#include "core/losses/torch_losses.h"

#include <stdexcept>
#include <string>

namespace losslens {

namespace {

// torch's own spellings, case-sensitive as torch is. 'mean' is the loss's own mean: weighted by the
// targets' class weights for cross_entropy and nll_loss, over every element elsewhere.
Reduction torchReduction(const std::string& fn, const LossArgs& args, Reduction mean)
{
    const std::string name = args.text("reduction", "mean");
    if (name == "none")
        return Reduction::None;
    if (name == "sum")
        return Reduction::Sum;
    if (name == "mean")
        return mean;
    if (name == "batchmean")
        return Reduction::BatchMean; // the losses themselves reject it, except kl_div
    throw std::invalid_argument(fn + ": reduction '" + name +
                                "' is not valid; expected 'none', 'mean', 'sum' or (kl_div only) 'batchmean'");
}

using Inputs = LossInputs;
using Args = LossArgs;

LossResult<double> crossEntropy(const Inputs& in, const Args& args, Gradient gradient)
{
    return torch::crossEntropy<double>(in.required("input"), in.required("target"),
                                       {.weight = in.optional("weight"),
                                        .ignoreIndex = args.integer("ignore_index", -100),
                                        .labelSmoothing = args.number("label_smoothing", 0.0),
                                        .reduction = torchReduction("cross_entropy", args, Reduction::Mean),
                                        .gradient = gradient});
}

LossResult<double> nllLoss(const Inputs& in, const Args& args, Gradient gradient)
{
    return torch::nllLoss<double>(in.required("input"), in.required("target"),
                                  {.weight = in.optional("weight"),
                                   .ignoreIndex = args.integer("ignore_index", -100),
                                   .reduction = torchReduction("nll_loss", args, Reduction::Mean),
                                   .gradient = gradient});
}

LossResult<double> bceWithLogits(const Inputs& in, const Args& args, Gradient gradient)
{
    return torch::binaryCrossEntropyWithLogits<double>(
        in.required("input"), in.required("target"),
        {.weight = in.optional("weight"),
         .posWeight = in.optional("pos_weight"),
         .reduction = torchReduction("binary_cross_entropy_with_logits", args, Reduction::SumOverBatchSize),
         .gradient = gradient});
}

LossResult<double> mseLoss(const Inputs& in, const Args& args, Gradient gradient)
{
    return torch::mseLoss<double>(
        in.required("input"), in.required("target"),
        {.reduction = torchReduction("mse_loss", args, Reduction::SumOverBatchSize), .gradient = gradient});
}

LossResult<double> l1Loss(const Inputs& in, const Args& args, Gradient gradient)
{
    return torch::l1Loss<double>(
        in.required("input"), in.required("target"),
        {.reduction = torchReduction("l1_loss", args, Reduction::SumOverBatchSize), .gradient = gradient});
}

LossResult<double> smoothL1Loss(const Inputs& in, const Args& args, Gradient gradient)
{
    return torch::smoothL1Loss<double>(in.required("input"), in.required("target"),
                                       {.beta = args.number("beta", 1.0),
                                        .reduction = torchReduction("smooth_l1_loss", args, Reduction::SumOverBatchSize),
                                        .gradient = gradient});
}

LossResult<double> huberLoss(const Inputs& in, const Args& args, Gradient gradient)
{
    return torch::huberLoss<double>(in.required("input"), in.required("target"),
                                    {.delta = args.number("delta", 1.0),
                                     .reduction = torchReduction("huber_loss", args, Reduction::SumOverBatchSize),
                                     .gradient = gradient});
}

LossResult<double> klDiv(const Inputs& in, const Args& args, Gradient gradient)
{
    return torch::klDiv<double>(
        in.required("input"), in.required("target"),
        {.logTarget = args.flag("log_target", false) ? torch::LogTarget::Yes : torch::LogTarget::No,
         .reduction = torchReduction("kl_div", args, Reduction::SumOverBatchSize),
         .gradient = gradient});
}

} // namespace

void registerTorchLosses(LossRegistry& registry)
{
    registry.add("torch.cross_entropy", "input", crossEntropy);
    registry.add("torch.nll_loss", "input", nllLoss);
    registry.add("torch.binary_cross_entropy_with_logits", "input", bceWithLogits);
    registry.add("torch.mse_loss", "input", mseLoss);
    registry.add("torch.l1_loss", "input", l1Loss);
    registry.add("torch.smooth_l1_loss", "input", smoothL1Loss);
    registry.add("torch.huber_loss", "input", huberLoss);
    registry.add("torch.kl_div", "input", klDiv);
}

} // namespace losslens
