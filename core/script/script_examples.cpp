#include "core/script/script_examples.h"

#include <algorithm>
#include <stdexcept>

namespace losslens::script {

namespace {

const char* const kFocal = R"JS(// Focal loss (Lin et al. 2017), as torchvision.ops.sigmoid_focal_loss:
//   l = alpha_t * (1 - p_t)^gamma * BCE(x, t),  p = sigmoid(x),  p_t = p t + (1 - p)(1 - t)
// Inputs: logits, targets (same shape). Args: alpha (0.25; < 0 disables), gamma (2).
// Returns element-wise losses: the engine applies weights and the reduction.
function loss(inputs, args) {
  const x = inputs.logits, t = inputs.targets;
  const alpha = args.alpha ?? 0.25, gamma = args.gamma ?? 2;
  const p = sigmoid(x);
  // BCE with logits in its stable form: -(t log sigmoid(x) + (1 - t) log sigmoid(-x))
  const ce = neg(add(mul(t, logSigmoid(x)), mul(sub(1, t), logSigmoid(neg(x)))));
  const pt = add(mul(p, t), mul(sub(1, p), sub(1, t)));
  let l = mul(ce, pow(sub(1, pt), gamma));
  if (alpha >= 0)
    l = mul(l, add(mul(alpha, t), mul(1 - alpha, sub(1, t))));
  return l;
}
)JS";

const char* const kDice = R"JS(// Soft dice loss (Milletari et al. 2016, V-Net), per sample:
//   l_b = 1 - (2 sum(p t) + s) / (sum(p) + sum(t) + s),  p = sigmoid(logits)
// Inputs: logits, targets, the batch along the first axis. Args: smooth (1).
// Returns one loss per sample: the engine applies weights and the reduction.
function loss(inputs, args) {
  const s = args.smooth ?? 1;
  const t = inputs.targets, p = sigmoid(inputs.logits);
  const n = p.shape[0], m = p.length / n; // one row per sample
  const pf = reshape(p, [n, m]), tf = reshape(t, [n, m]);
  const intersection = sum(mul(pf, tf), 1);
  const cardinality = add(sum(pf, 1), sum(tf, 1));
  return sub(1, div(add(mul(2, intersection), s), add(cardinality, s)));
}
)JS";

const char* const kUncertainty = R"JS(// Uncertainty weighting (Kendall, Gal & Cipolla 2018), a recipe:
//   total = sum_i exp(-s_i) L_i + s_i  (+ regularization),  s_i = log sigma_i^2
// Args: "s_<component tag>" for each task (0 when absent).
function total(components, regularization, args) {
  let t = 0;
  for (const name of Object.keys(components)) {
    const s = args["s_" + name] ?? 0;
    t = add(t, add(mul(Math.exp(-s), components[name]), s));
  }
  for (const name of Object.keys(regularization))
    t = add(t, regularization[name]);
  return t;
}
)JS";

const char* const kDwa = R"JS(// Dynamic Weight Average (Liu, Johns & Davison 2019), a recipe:
//   w_k(t) = K exp(r_k(t-1) / T) / sum_i exp(r_i(t-1) / T),  r_k(t-1) = L_k(t-1) / L_k(t-2)
// The first two steps have no ratio yet and use w_k = 1. Args: temperature T (2).
function total(components, regularization, args) {
  const T = args.temperature ?? 2;
  const names = Object.keys(components), K = names.length;
  const e = names.map(n => exp(div(div(shift(components[n], 1), shift(components[n], 2)), T)));
  const z = e.reduce((a, b) => add(a, b));
  let t = 0;
  names.forEach((n, k) => {
    const w = where(eq(z, z), mul(K, div(e[k], z)), 1); // z is NaN (z != z) on the first two steps
    t = add(t, mul(w, components[n]));
  });
  for (const name of Object.keys(regularization))
    t = add(t, regularization[name]);
  return t;
}
)JS";

const char* const kRemainder = "total_loss - (loss_cls + loss_box_reg + loss_mask)";

} // namespace

const std::vector<ScriptExample>& scriptExamples()
{
    static const std::vector<ScriptExample> examples{
        {"focal", "Focal loss (Lin et al. 2017)", SourceKind::Loss, kFocal},
        {"dice", "Dice loss (Milletari et al. 2016)", SourceKind::Loss, kDice},
        {"uncertainty", "Uncertainty weighting (Kendall et al. 2018)", SourceKind::Recipe, kUncertainty},
        {"dwa", "Dynamic Weight Average (Liu et al. 2019)", SourceKind::Recipe, kDwa},
        {"remainder", "Unexplained remainder (logged total - components)", SourceKind::DerivedExpression, kRemainder},
    };
    return examples;
}

const ScriptExample& scriptExample(const std::string& id)
{
    const auto& all = scriptExamples();
    const auto it = std::find_if(all.begin(), all.end(), [&](const ScriptExample& e) { return e.id == id; });
    if (it == all.end())
        throw std::invalid_argument("no script example '" + id + "'");
    return *it;
}

} // namespace losslens::script
