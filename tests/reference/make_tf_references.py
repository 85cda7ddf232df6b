#!/usr/bin/python3
"""Reference cases for LossLens's TF family (tf.compat.v1.losses and slim's regularizers).

Regenerate (deterministic; needs Debian's python3-torch and python3-numpy):

    /usr/bin/python3 tests/reference/make_tf_references.py

which rewrites tests/data/references/tf_losses.json in the cases format of
core/losses/loss_cases.h: every case has an id, fn, inputs, args and either
"expected": {"value", "gradient"} or "expected_error" (a substring of the message).

The oracle is independent of the C++ code: TensorFlow is not installed here, so TF1's rules are
written out below in float64 torch, line by line after TF1's
tensorflow/python/ops/losses/losses_impl.py (TF 1.15, graph mode: tf.compat.v1.losses),
tf.nn.sigmoid_cross_entropy_with_logits (tensorflow/python/ops/nn_impl.py) and
tf.contrib.layers' l1/l2/l1_l2 regularizers (slim.l1_regularizer & co.). Gradients are
torch.autograd's, of the sum of the reported value, w.r.t. the registry's gradient input.

Where LossLens validates more than TF1 (label_smoothing outside [0, 1], negative delta or epsilon,
NaN weights, fractional class ids, rank-2 softmax logits) the error cases say so in their id.
"""
import json
import math
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
RNG = np.random.default_rng(20261129)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "references", "tf_losses.json")

REDUCTIONS = ["NONE", "SUM", "MEAN", "SUM_OVER_BATCH_SIZE", "SUM_BY_NONZERO_WEIGHTS"]


# ---- TF1 losses_impl.py, written out -------------------------------------------------------

def assert_broadcastable(weights, values):
    """weights_broadcast_ops.assert_broadcastable: rank 0, or same rank with dims 1 or equal."""
    if weights.dim() == 0:
        return
    if weights.dim() != values.dim() or any(w not in (1, v) for w, v in zip(weights.shape, values.shape)):
        raise ValueError("weights can not be broadcast to values")


def div_no_nan(x, y):
    """math_ops.div_no_nan: x / y, and 0 (with a zero gradient) where y == 0."""
    y = torch.as_tensor(y, dtype=torch.float64)
    zero = y == 0
    return torch.where(zero, torch.zeros_like(x), x / torch.where(zero, torch.ones_like(y), y))


def sum_nonbatch(x):
    """reduce_sum over axes range(1, rank), keepdims — an empty axis list reduces nothing in TF."""
    return x if x.dim() <= 1 else x.sum(dim=tuple(range(1, x.dim())), keepdim=True)


def num_present(losses, weights, per_batch=False):
    """_num_present (graph mode): non-zero weights broadcast to the losses."""
    present = torch.where(weights == 0, 0.0, 1.0).expand(losses.shape)
    return sum_nonbatch(present) if per_batch else present.sum()


def compute_weighted_loss(losses, weights=None, reduction="SUM_BY_NONZERO_WEIGHTS"):
    # Reduction.SUM is the string "weighted_sum", …: accept the attribute names and the values.
    reduction = reduction.upper().removeprefix("WEIGHTED_")
    weights = torch.tensor(1.0) if weights is None else weights
    assert_broadcastable(weights, losses)
    weighted = losses * weights
    if reduction == "NONE":
        return weighted
    loss = weighted.sum()
    if reduction == "MEAN":
        return div_no_nan(loss, (torch.ones_like(losses) * weights).sum())
    if reduction == "SUM_BY_NONZERO_WEIGHTS":
        return div_no_nan(loss, num_present(losses, weights))
    if reduction == "SUM_OVER_BATCH_SIZE":
        return div_no_nan(loss, float(losses.numel()))
    assert reduction == "SUM"
    return loss


def absolute_difference(labels, predictions):
    return (predictions - labels).abs()


def mean_squared_error(labels, predictions):
    return (predictions - labels) ** 2  # squared_difference


def huber_loss(labels, predictions, delta=1.0):
    error = predictions - labels
    abs_error = error.abs()
    quadratic = torch.minimum(abs_error, torch.tensor(delta))
    linear = abs_error - quadratic
    return 0.5 * quadratic * quadratic + delta * linear


def log_loss(labels, predictions, epsilon=1e-7):
    return -labels * torch.log(predictions + epsilon) - (1 - labels) * torch.log(1 - predictions + epsilon)


def hinge_loss(labels, logits):
    return torch.relu(1 - (2 * labels - 1) * logits)


def cosine_distance(labels, predictions, axis):
    return 1 - (predictions * labels).sum(dim=axis, keepdim=True)


def sigmoid_cross_entropy(multi_class_labels, logits, label_smoothing=0.0):
    if label_smoothing > 0:
        multi_class_labels = multi_class_labels * (1 - label_smoothing) + 0.5 * label_smoothing
    # nn_impl.sigmoid_cross_entropy_with_logits
    cond = logits >= 0
    relu_logits = torch.where(cond, logits, torch.zeros_like(logits))
    neg_abs_logits = torch.where(cond, -logits, logits)
    return relu_logits - logits * multi_class_labels + torch.log1p(torch.exp(neg_abs_logits))


def softmax_cross_entropy(onehot_labels, logits, label_smoothing=0.0):
    if label_smoothing > 0:
        num_classes = onehot_labels.shape[1]  # TF1 reads dimension 1
        onehot_labels = onehot_labels * (1.0 - label_smoothing) + label_smoothing / num_classes
    return -(onehot_labels * torch.log_softmax(logits, dim=-1)).sum(dim=-1)


def sparse_softmax_cross_entropy(labels, logits, weights):
    """With _remove_squeezable_dimensions(labels, logits, weights, expected_rank_diff=1)."""
    labels = labels.to(torch.int64)
    if labels.dim() == logits.dim() and labels.shape[-1] == 1:
        labels = labels.squeeze(-1)
    if weights is not None and weights.dim() == labels.dim() + 1:
        weights = weights.squeeze(-1)
    losses = -torch.log_softmax(logits, dim=-1).gather(-1, labels.unsqueeze(-1)).squeeze(-1)
    return losses, weights


def mean_pairwise_squared_error(labels, predictions, weights=None):
    """TF 1.15's version: per-sample counts, max(·, 0) divisors, always a weighted SUM."""
    weights = torch.tensor(1.0) if weights is None else weights
    assert_broadcastable(weights, labels)
    diffs = predictions - labels
    sum_squares_diff_per_batch = sum_nonbatch(diffs ** 2)
    num_present_per_batch = num_present(diffs, weights, per_batch=True)
    term1 = 2.0 * div_no_nan(sum_squares_diff_per_batch, torch.clamp(num_present_per_batch - 1, min=0))
    sum_diff = sum_nonbatch(diffs)
    term2 = 2.0 * div_no_nan(sum_diff ** 2,
                             torch.clamp(num_present_per_batch * (num_present_per_batch - 1), min=0))
    loss = ((term1 - term2) * weights).sum()
    return torch.where(num_present_per_batch.sum() > 0, loss, torch.zeros_like(loss))


def l1_regularizer(scale, w):
    return None if scale == 0 else scale * w.abs().sum()


def l2_regularizer(scale, w):
    return None if scale == 0 else scale * (w ** 2).sum() / 2  # scale * nn.l2_loss


def l1_l2_regularizer(scale_l1, scale_l2, w):
    if scale_l1 == 0:
        return l2_regularizer(scale_l2, w)
    if scale_l2 == 0:
        return l1_regularizer(scale_l1, w)
    return l1_regularizer(scale_l1, w) + l2_regularizer(scale_l2, w)  # sum_regularizer


# ---- the registry's view of each function ---------------------------------------------------
# fn name → (gradient input, evaluate(tensors, args) → value)

def _weighted(loss_fn):
    def evaluate(t, a):
        return compute_weighted_loss(loss_fn(t, a), t.get("weights"), a.get("reduction", "SUM_BY_NONZERO_WEIGHTS"))
    return evaluate


def _sparse(t, a):
    losses, weights = sparse_softmax_cross_entropy(t["labels"], t["logits"], t.get("weights"))
    return compute_weighted_loss(losses, weights, a.get("reduction", "SUM_BY_NONZERO_WEIGHTS"))


def _regularizer(make):
    def evaluate(t, a):
        value = make(a, t["tensor"])
        return torch.zeros(()) if value is None else value  # slim returns None: no loss
    return evaluate


FUNCTIONS = {
    "absolute_difference": ("predictions", _weighted(lambda t, a: absolute_difference(t["labels"], t["predictions"]))),
    "mean_squared_error": ("predictions", _weighted(lambda t, a: mean_squared_error(t["labels"], t["predictions"]))),
    "sum_of_squares": ("predictions", _weighted(lambda t, a: mean_squared_error(t["labels"], t["predictions"]))),
    "huber_loss": ("predictions", _weighted(lambda t, a: huber_loss(t["labels"], t["predictions"], a.get("delta", 1.0)))),
    "log_loss": ("predictions", _weighted(lambda t, a: log_loss(t["labels"], t["predictions"], a.get("epsilon", 1e-7)))),
    "hinge_loss": ("logits", _weighted(lambda t, a: hinge_loss(t["labels"], t["logits"]))),
    "cosine_distance": ("predictions", _weighted(lambda t, a: cosine_distance(t["labels"], t["predictions"], a["axis"]))),
    "sigmoid_cross_entropy": ("logits", _weighted(lambda t, a: sigmoid_cross_entropy(
        t["multi_class_labels"], t["logits"], a.get("label_smoothing", 0.0)))),
    "softmax_cross_entropy": ("logits", _weighted(lambda t, a: softmax_cross_entropy(
        t["onehot_labels"], t["logits"], a.get("label_smoothing", 0.0)))),
    "sparse_softmax_cross_entropy": ("logits", _sparse),
    "mean_pairwise_squared_error": ("predictions", lambda t, a: mean_pairwise_squared_error(
        t["labels"], t["predictions"], t.get("weights"))),
    "compute_weighted_loss": ("losses", _weighted(lambda t, a: t["losses"])),
    "l1_regularizer": ("tensor", _regularizer(lambda a, w: l1_regularizer(a["scale"], w))),
    "l2_regularizer": ("tensor", _regularizer(lambda a, w: l2_regularizer(a["scale"], w))),
    "l1_l2_regularizer": ("tensor", _regularizer(
        lambda a, w: l1_l2_regularizer(a.get("scale_l1", 1.0), a.get("scale_l2", 1.0), w))),
}


# ---- JSON ------------------------------------------------------------------------------------

def number(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def tensor_json(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": [number(x) for x in a.reshape(-1)]}


CASES = []
IDS = set()


def add_case(case_id, fn, inputs, args=None, gradient=True):
    """Evaluates fn with TF1's rules; records the value and (unless gradient=False) its gradient."""
    assert case_id not in IDS, case_id
    IDS.add(case_id)
    args = dict(args or {})
    wrt, evaluate = FUNCTIONS[fn]
    tensors = {k: torch.tensor(np.asarray(v, dtype=np.float64), requires_grad=(k == wrt))
               for k, v in inputs.items() if v is not None}
    value = evaluate(tensors, args)
    expected = {"value": tensor_json(value.detach().numpy())}
    if gradient:
        grad = None  # a disabled regularizer does not depend on its input at all
        if value.requires_grad:
            (grad,) = torch.autograd.grad(value.sum(), tensors[wrt], allow_unused=True)
        if grad is None:
            grad = torch.zeros_like(tensors[wrt])
        expected["gradient"] = tensor_json(grad.numpy())
    CASES.append({"id": case_id, "fn": fn,
                  "inputs": {k: tensor_json(v) for k, v in inputs.items() if v is not None},
                  "args": args, "expected": expected})


def add_error(case_id, fn, inputs, args, message):
    assert case_id not in IDS, case_id
    IDS.add(case_id)
    CASES.append({"id": case_id, "fn": fn,
                  "inputs": {k: tensor_json(v) for k, v in inputs.items() if v is not None},
                  "args": dict(args), "expected_error": message})


# ---- data ------------------------------------------------------------------------------------

def normal(shape, scale=1.0):
    return RNG.normal(0.0, scale, size=shape)


def uniform(shape, low, high):
    return RNG.uniform(low, high, size=shape)


def bits(shape):
    return RNG.integers(0, 2, size=shape).astype(np.float64)


def onehot(batch, classes):
    labels = RNG.integers(0, classes, size=batch)
    return np.eye(classes)[labels], labels.astype(np.float64)


def unit_rows(shape, axis):
    x = normal(shape)
    return x / np.linalg.norm(x, axis=axis, keepdims=True)


def weight_variants(loss_shape):
    """Absent, scalar, per sample, per element, all zeros, negative (with zeros), broadcast row."""
    shape = tuple(loss_shape)
    per_element = uniform(shape, 0.25, 2.0)
    per_element.reshape(-1)[::3] = 0.0
    while True:  # keep Σw away from 0 so that MEAN is well conditioned
        negative = normal(shape, 1.5)
        negative.reshape(-1)[1::4] = 0.0
        if abs(negative.sum()) > 1.0:
            break
    variants = [
        ("none", None),
        ("scalar", np.array(0.7)),
        ("per_sample", uniform((shape[0],) + (1,) * (len(shape) - 1), 0.25, 2.0)),
        ("per_element", per_element),
        ("zeros", np.zeros(shape)),
        ("negative", negative),
    ]
    if len(shape) >= 2:
        variants.append(("row", uniform((1,) + shape[1:], 0.25, 2.0)))
    else:
        variants.append(("one", np.array([1.5])))
    return variants


def matrix(fn, make_inputs, loss_shape, args=None, prefix=None):
    """Every reduction × every weight variant."""
    prefix = prefix or fn
    for weight_name, weights in weight_variants(loss_shape):
        inputs = make_inputs()
        inputs["weights"] = weights
        for reduction in REDUCTIONS:
            add_case(f"{prefix}/{weight_name}/{reduction.lower()}", fn, inputs,
                     dict(args or {}, reduction=reduction))


def hinge_inputs(shape):
    while True:  # no logit within 1e-3 of the kink, where the gradient is one-sided
        labels, logits = bits(shape), normal(shape, 1.5)
        if np.all(np.abs(1 - (2 * labels - 1) * logits) > 1e-3):
            return {"logits": logits, "labels": labels}


# ---- the cases -------------------------------------------------------------------------------

def regression_cases():
    for fn in ("absolute_difference", "mean_squared_error", "sum_of_squares", "huber_loss"):
        matrix(fn, lambda: {"predictions": normal((4, 5), 2.0), "labels": normal((4, 5), 2.0)}, (4, 5))
        add_case(f"{fn}/rank3/per_sample", fn, {"predictions": normal((3, 2, 4), 2.0), "labels": normal((3, 2, 4), 2.0),
                                               "weights": uniform((3, 1, 1), 0.5, 2.0)})
        add_case(f"{fn}/rank3/middle_axis", fn, {"predictions": normal((3, 2, 4), 2.0), "labels": normal((3, 2, 4), 2.0),
                                                "weights": np.array([[[0.5], [2.0]]])}, {"reduction": "MEAN"})
        add_case(f"{fn}/default_reduction", fn, {"predictions": normal((4, 5)), "labels": normal((4, 5)),
                                                 "weights": bits((4, 5))})
        add_case(f"{fn}/tf_reduction_string", fn, {"predictions": normal((4, 5)), "labels": normal((4, 5))},
                 {"reduction": "weighted_sum_over_batch_size"})
        add_case(f"{fn}/vector", fn, {"predictions": normal(7), "labels": normal(7)}, {"reduction": "SUM"})
        add_case(f"{fn}/scalar_input", fn, {"predictions": np.array(1.5), "labels": np.array(-0.25)},
                 {"reduction": "NONE"})
        add_case(f"{fn}/empty", fn, {"predictions": np.zeros((0, 3)), "labels": np.zeros((0, 3))})
        nan_p = normal((4, 5))
        nan_p[1, 2] = math.nan
        for reduction in ("NONE", "SUM_BY_NONZERO_WEIGHTS"):
            # The gradient at a NaN differs between TF (Eigen's sign(NaN) = NaN) and torch
            # (sign(NaN) = 0) for |x|; only the value is pinned for the piecewise losses.
            add_case(f"{fn}/nan_prediction/{reduction.lower()}", fn, {"predictions": nan_p, "labels": normal((4, 5))},
                     {"reduction": reduction}, gradient=fn in ("mean_squared_error", "sum_of_squares"))
        inf_p = normal((4, 5))
        inf_p[0, 0], inf_p[3, 4] = math.inf, -math.inf
        add_case(f"{fn}/inf_prediction", fn, {"predictions": inf_p, "labels": normal((4, 5))})
        add_case(f"{fn}/nan_prediction_zero_weight", fn,
                 {"predictions": nan_p, "labels": normal((4, 5)), "weights": np.zeros(())},
                 {"reduction": "MEAN"}, gradient=False)

    for delta in (0.0, 0.5, 2.5):
        for reduction in ("SUM_BY_NONZERO_WEIGHTS", "NONE", "SUM"):
            add_case(f"huber_loss/delta_{delta}/{reduction.lower()}", "huber_loss",
                     {"predictions": normal((4, 5), 2.0), "labels": normal((4, 5), 2.0),
                      "weights": uniform((4, 1), 0.5, 2.0)}, {"delta": delta, "reduction": reduction})

    # cosine_distance: unit vectors along the axis (TF1 assumes it); the loss keeps the axis.
    matrix("cosine_distance", lambda: {"predictions": unit_rows((4, 5), 1), "labels": unit_rows((4, 5), 1)},
           (4, 1), {"axis": 1})
    add_case("cosine_distance/axis0", "cosine_distance",
             {"predictions": unit_rows((4, 5), 0), "labels": unit_rows((4, 5), 0), "weights": uniform((1, 5), 0.5, 2)},
             {"axis": 0, "reduction": "SUM"})
    add_case("cosine_distance/axis_minus1", "cosine_distance",
             {"predictions": unit_rows((4, 5), 1), "labels": unit_rows((4, 5), 1)}, {"axis": -1})
    add_case("cosine_distance/rank3_axis1", "cosine_distance",
             {"predictions": unit_rows((3, 2, 4), 1), "labels": unit_rows((3, 2, 4), 1),
              "weights": uniform((3, 1, 4), 0.0, 2.0)}, {"axis": 1, "reduction": "NONE"})
    add_case("cosine_distance/rank3_axis2_mean", "cosine_distance",
             {"predictions": normal((3, 2, 4)), "labels": normal((3, 2, 4)), "weights": uniform((3, 2, 1), 0.5, 2.0)},
             {"axis": 2, "reduction": "MEAN"})
    nan_p = unit_rows((4, 5), 1)
    nan_p[2, 1] = math.nan
    add_case("cosine_distance/nan_prediction", "cosine_distance", {"predictions": nan_p, "labels": unit_rows((4, 5), 1)},
             {"axis": 1, "reduction": "NONE"})

    # mean_pairwise_squared_error: its own counting and an always-SUM reduction.
    pw = lambda shape: {"predictions": normal(shape, 2.0), "labels": normal(shape, 2.0)}
    add_case("mean_pairwise_squared_error/default", "mean_pairwise_squared_error", pw((4, 5)))
    add_case("mean_pairwise_squared_error/scalar", "mean_pairwise_squared_error", dict(pw((4, 5)), weights=np.array(2.5)))
    add_case("mean_pairwise_squared_error/negative_scalar", "mean_pairwise_squared_error",
             dict(pw((4, 5)), weights=np.array(-0.5)))
    add_case("mean_pairwise_squared_error/zero_scalar", "mean_pairwise_squared_error",
             dict(pw((4, 5)), weights=np.array(0.0)))
    add_case("mean_pairwise_squared_error/per_sample", "mean_pairwise_squared_error",
             dict(pw((4, 5)), weights=np.array([[1.0], [0.0], [2.5], [-0.5]])))
    per_element = uniform((4, 5), 0.5, 2.0)
    per_element[0, :4] = 0.0  # sample 0 keeps one present element: n = 1, both terms 0
    per_element[1, ::2] = 0.0
    per_element[2, :] = 0.0
    add_case("mean_pairwise_squared_error/per_element", "mean_pairwise_squared_error",
             dict(pw((4, 5)), weights=per_element))
    add_case("mean_pairwise_squared_error/row", "mean_pairwise_squared_error",
             dict(pw((4, 5)), weights=np.array([[1.0, 0.0, 2.0, 0.5, 1.5]])))
    add_case("mean_pairwise_squared_error/zeros", "mean_pairwise_squared_error", dict(pw((4, 5)), weights=np.zeros((4, 5))))
    add_case("mean_pairwise_squared_error/rank3", "mean_pairwise_squared_error",
             dict(pw((3, 2, 4)), weights=uniform((3, 1, 1), 0.5, 2.0)))
    add_case("mean_pairwise_squared_error/rank3_partial", "mean_pairwise_squared_error",
             dict(pw((3, 2, 4)), weights=np.array([[[1.0], [0.0]], [[2.0], [1.0]], [[0.0], [0.0]]])))
    add_case("mean_pairwise_squared_error/rank3_inner", "mean_pairwise_squared_error",
             dict(pw((3, 2, 4)), weights=np.array([[[1.0, 0.0, 2.0, 1.0]]])))
    add_case("mean_pairwise_squared_error/vector", "mean_pairwise_squared_error", pw(6))
    add_case("mean_pairwise_squared_error/one_column", "mean_pairwise_squared_error", pw((4, 1)))
    nan_p = normal((4, 5))
    nan_p[1, 3] = math.nan
    add_case("mean_pairwise_squared_error/nan_prediction", "mean_pairwise_squared_error",
             {"predictions": nan_p, "labels": normal((4, 5))})

    # compute_weighted_loss on given losses (negative losses too: it does not care).
    matrix("compute_weighted_loss", lambda: {"losses": normal((4, 5), 2.0)}, (4, 5))
    matrix("compute_weighted_loss", lambda: {"losses": uniform((3, 2, 4), 0.0, 3.0)}, (3, 2, 4),
           prefix="compute_weighted_loss/rank3")
    nan_l = uniform((4, 5), 0, 1)
    nan_l[0, 1] = math.nan
    add_case("compute_weighted_loss/nan_loss", "compute_weighted_loss", {"losses": nan_l})


def classification_cases():
    # log_loss: probabilities in (0, 1), hard and soft labels.
    matrix("log_loss", lambda: {"predictions": uniform((4, 5), 0.02, 0.98), "labels": bits((4, 5))}, (4, 5))
    for eps in (0.0, 1e-3):
        add_case(f"log_loss/epsilon_{eps}", "log_loss",
                 {"predictions": uniform((4, 5), 0.02, 0.98), "labels": uniform((4, 5), 0, 1)}, {"epsilon": eps})
    add_case("log_loss/rank3_soft", "log_loss",
             {"predictions": uniform((3, 2, 4), 0.05, 0.95), "labels": uniform((3, 2, 4), 0, 1),
              "weights": uniform((3, 1, 4), 0, 2)}, {"reduction": "MEAN"})
    edge = np.array([[0.0, 1.0, 1e-9, 1 - 1e-9, 0.5]])
    add_case("log_loss/edges", "log_loss", {"predictions": edge, "labels": np.array([[0.0, 1.0, 0.0, 1.0, 1.0]])},
             {"reduction": "NONE"})
    nan_p = uniform((4, 5), 0.1, 0.9)
    nan_p[3, 0] = math.nan
    add_case("log_loss/nan_prediction", "log_loss", {"predictions": nan_p, "labels": bits((4, 5))})

    # hinge_loss: labels in {0, 1}.
    matrix("hinge_loss", lambda: hinge_inputs((4, 5)), (4, 5))
    add_case("hinge_loss/rank3", "hinge_loss", dict(hinge_inputs((3, 2, 4)), weights=uniform((3, 2, 1), 0.5, 2)))
    add_case("hinge_loss/large_logits", "hinge_loss",
             {"logits": np.array([[1e4, -1e4, 1e4, -1e4]]), "labels": np.array([[1.0, 0.0, 0.0, 1.0]])},
             {"reduction": "NONE"})
    nan_x = hinge_inputs((4, 5))
    nan_x["logits"][2, 2] = math.nan
    add_case("hinge_loss/nan_logit", "hinge_loss", nan_x, {"reduction": "NONE"}, gradient=False)

    # sigmoid_cross_entropy.
    matrix("sigmoid_cross_entropy", lambda: {"logits": normal((4, 5), 2.0), "multi_class_labels": bits((4, 5))}, (4, 5))
    for ls in (0.1, 0.5, 1.0):
        for reduction in ("SUM_BY_NONZERO_WEIGHTS", "NONE", "MEAN"):
            add_case(f"sigmoid_cross_entropy/smoothing_{ls}/{reduction.lower()}", "sigmoid_cross_entropy",
                     {"logits": normal((4, 5), 2.0), "multi_class_labels": bits((4, 5)),
                      "weights": uniform((4, 5), 0.0, 2.0)}, {"label_smoothing": ls, "reduction": reduction})
    add_case("sigmoid_cross_entropy/soft_labels", "sigmoid_cross_entropy",
             {"logits": normal((3, 2, 4), 2.0), "multi_class_labels": uniform((3, 2, 4), 0, 1)}, {"label_smoothing": 0.2})
    big = np.array([[1e4, -1e4, 1e4, -1e4, 0.0], [5e3, -5e3, 30.0, -30.0, 1e-3]])
    for reduction in ("SUM_BY_NONZERO_WEIGHTS", "NONE"):
        add_case(f"sigmoid_cross_entropy/large_logits/{reduction.lower()}", "sigmoid_cross_entropy",
                 {"logits": big, "multi_class_labels": np.array([[1.0, 0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 1.0, 0.0, 0.0]])},
                 {"reduction": reduction})
    nan_x = normal((4, 5))
    nan_x[0, 3] = math.nan
    for reduction in ("SUM_BY_NONZERO_WEIGHTS", "NONE"):
        add_case(f"sigmoid_cross_entropy/nan_logit/{reduction.lower()}", "sigmoid_cross_entropy",
                 {"logits": nan_x, "multi_class_labels": bits((4, 5))}, {"reduction": reduction})
    inf_x = normal((2, 3))
    inf_x[0, 0], inf_x[1, 2] = math.inf, -math.inf
    add_case("sigmoid_cross_entropy/inf_logit", "sigmoid_cross_entropy",
             {"logits": inf_x, "multi_class_labels": np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])}, {"reduction": "NONE"})

    # softmax_cross_entropy: loss [batch], weights rank 0 or [batch].
    def softmax_inputs():
        return {"logits": normal((4, 5), 2.0), "onehot_labels": onehot(4, 5)[0]}
    matrix("softmax_cross_entropy", softmax_inputs, (4,))
    for ls in (0.1, 0.5, 1.0):
        for reduction in ("SUM_BY_NONZERO_WEIGHTS", "NONE", "MEAN"):
            add_case(f"softmax_cross_entropy/smoothing_{ls}/{reduction.lower()}", "softmax_cross_entropy",
                     dict(softmax_inputs(), weights=uniform(4, 0.0, 2.0)), {"label_smoothing": ls, "reduction": reduction})
    soft = uniform((3, 6), 0, 1)
    soft /= soft.sum(axis=1, keepdims=True)
    add_case("softmax_cross_entropy/soft_labels", "softmax_cross_entropy",
             {"logits": normal((3, 6), 2.0), "onehot_labels": soft}, {"label_smoothing": 0.2})
    # Rows that do not sum to 1: the gradient is the exact softmax·Σy − y (TF's kernel uses softmax − y).
    add_case("softmax_cross_entropy/unnormalised_labels", "softmax_cross_entropy",
             {"logits": normal((3, 4), 2.0), "onehot_labels": uniform((3, 4), 0, 1)}, {"reduction": "SUM"})
    big = np.array([[1e4, -1e4, 0.0, 5.0], [-1e4, -1e4, -1e4, -1e4], [1e4, 1e4, -3.0, 2.0]])
    for ls in (0.0, 0.3):
        add_case(f"softmax_cross_entropy/large_logits/smoothing_{ls}", "softmax_cross_entropy",
                 {"logits": big, "onehot_labels": np.eye(4)[[1, 2, 0]]}, {"label_smoothing": ls, "reduction": "NONE"})
    nan_x = normal((4, 5))
    nan_x[2, 4] = math.nan
    for reduction in ("SUM_BY_NONZERO_WEIGHTS", "NONE"):
        add_case(f"softmax_cross_entropy/nan_logit/{reduction.lower()}", "softmax_cross_entropy",
                 {"logits": nan_x, "onehot_labels": onehot(4, 5)[0]}, {"reduction": reduction})
    add_case("softmax_cross_entropy/one_class", "softmax_cross_entropy",
             {"logits": normal((3, 1)), "onehot_labels": np.ones((3, 1))}, {"reduction": "SUM"})

    # sparse_softmax_cross_entropy: integer class ids, TF1's squeezing of [batch, 1].
    def sparse_inputs():
        return {"logits": normal((4, 5), 2.0), "labels": onehot(4, 5)[1]}
    matrix("sparse_softmax_cross_entropy", sparse_inputs, (4,))
    add_case("sparse_softmax_cross_entropy/labels_batch_1", "sparse_softmax_cross_entropy",
             {"logits": normal((4, 5), 2.0), "labels": onehot(4, 5)[1].reshape(4, 1),
              "weights": uniform((4, 1), 0.5, 2.0)}, {"reduction": "NONE"})
    add_case("sparse_softmax_cross_entropy/weights_batch_1", "sparse_softmax_cross_entropy",
             {"logits": normal((4, 5), 2.0), "labels": onehot(4, 5)[1], "weights": np.array([[1.0], [0.0], [2.0], [0.5]])})
    add_case("sparse_softmax_cross_entropy/rank3", "sparse_softmax_cross_entropy",
             {"logits": normal((2, 3, 5), 2.0), "labels": RNG.integers(0, 5, size=(2, 3)).astype(np.float64),
              "weights": uniform((2, 1), 0.5, 2.0)}, {"reduction": "MEAN"})
    add_case("sparse_softmax_cross_entropy/single_row", "sparse_softmax_cross_entropy",
             {"logits": normal(6, 2.0), "labels": np.array(4.0)}, {"reduction": "NONE"})
    add_case("sparse_softmax_cross_entropy/large_logits", "sparse_softmax_cross_entropy",
             {"logits": big, "labels": np.array([1.0, 2.0, 0.0])}, {"reduction": "NONE"})
    add_case("sparse_softmax_cross_entropy/nan_logit", "sparse_softmax_cross_entropy",
             {"logits": nan_x, "labels": onehot(4, 5)[1]})


def regularizer_cases():
    w = normal((4, 5))
    w[0, 0] = 0.0  # |w| has no slope at 0: TF's gradient there is 0
    w3 = normal((3, 2, 4), 0.5)
    for scale in (0.01, 2.5, 0.0):
        add_case(f"l1_regularizer/scale_{scale}", "l1_regularizer", {"tensor": w}, {"scale": scale})
        add_case(f"l2_regularizer/scale_{scale}", "l2_regularizer", {"tensor": w3}, {"scale": scale})
    add_case("l2_regularizer/scale_1e-4", "l2_regularizer", {"tensor": w}, {"scale": 1e-4})
    add_case("l1_l2_regularizer/defaults", "l1_l2_regularizer", {"tensor": w})
    for s1, s2 in ((0.3, 0.02), (0.0, 0.5), (0.3, 0.0), (0.0, 0.0)):
        add_case(f"l1_l2_regularizer/{s1}_{s2}", "l1_l2_regularizer", {"tensor": w3}, {"scale_l1": s1, "scale_l2": s2})
    nan_w = normal((2, 3))
    nan_w[1, 1] = math.nan
    add_case("l2_regularizer/nan_weight", "l2_regularizer", {"tensor": nan_w}, {"scale": 0.1})
    add_case("l2_regularizer/nan_weight_disabled", "l2_regularizer", {"tensor": nan_w}, {"scale": 0.0})
    add_case("l1_regularizer/empty", "l1_regularizer", {"tensor": np.zeros((0,))}, {"scale": 1.0})


def error_cases():
    p, y = normal((4, 5)), normal((4, 5))
    short = normal((4, 3))
    for fn, x, z in (("absolute_difference", "predictions", "labels"), ("mean_squared_error", "predictions", "labels"),
                     ("sum_of_squares", "predictions", "labels"), ("huber_loss", "predictions", "labels"),
                     ("log_loss", "predictions", "labels"), ("hinge_loss", "logits", "labels"),
                     ("sigmoid_cross_entropy", "logits", "multi_class_labels"),
                     ("softmax_cross_entropy", "logits", "onehot_labels"),
                     ("mean_pairwise_squared_error", "predictions", "labels")):
        add_error(f"error/{fn}/shape_mismatch", fn, {x: p, z: short}, {},
                  f"{x} of shape [4, 5] and {z} of shape [4, 3] must match")
    add_error("error/cosine_distance/shape_mismatch", "cosine_distance", {"predictions": p, "labels": short},
              {"axis": 1}, "predictions of shape [4, 5] and labels of shape [4, 3] must match")
    add_error("error/cosine_distance/no_axis", "cosine_distance", {"predictions": p, "labels": y}, {},
              "needs the argument 'axis'")
    add_error("error/cosine_distance/axis_out_of_range", "cosine_distance", {"predictions": p, "labels": y},
              {"axis": 2}, "axis 2 is out of range")
    add_error("error/sparse_softmax_cross_entropy/label_too_large", "sparse_softmax_cross_entropy",
              {"logits": p, "labels": np.array([0.0, 5.0, 1.0, 2.0])}, {},
              "labels[1] = 5 is outside the valid range of classes [0, 5)")
    add_error("error/sparse_softmax_cross_entropy/label_negative", "sparse_softmax_cross_entropy",
              {"logits": p, "labels": np.array([0.0, 1.0, -1.0, 2.0])}, {}, "outside the valid range of classes")
    add_error("error/sparse_softmax_cross_entropy/losslens_fractional_label", "sparse_softmax_cross_entropy",
              {"logits": p, "labels": np.array([0.0, 1.5, 1.0, 2.0])}, {}, "not an integer class id")
    add_error("error/sparse_softmax_cross_entropy/label_shape", "sparse_softmax_cross_entropy",
              {"logits": p, "labels": np.array([0.0, 1.0, 2.0])}, {}, "labels of shape [3] do not match logits")
    nan_w = uniform((4, 5), 0, 1)
    nan_w[2, 3] = math.nan
    add_error("error/mean_squared_error/losslens_nan_weights", "mean_squared_error",
              {"predictions": p, "labels": y, "weights": nan_w}, {}, "weights contains NaN")
    add_error("error/mean_squared_error/losslens_nan_scalar_weight", "mean_squared_error",
              {"predictions": p, "labels": y, "weights": np.array(math.nan)}, {}, "weights contains NaN")
    add_error("error/softmax_cross_entropy/losslens_nan_weights", "softmax_cross_entropy",
              {"logits": p, "onehot_labels": onehot(4, 5)[0], "weights": np.array([1.0, math.nan, 1.0, 1.0])}, {},
              "weights contains NaN")
    add_error("error/mean_pairwise_squared_error/losslens_nan_weights", "mean_pairwise_squared_error",
              {"predictions": p, "labels": y, "weights": nan_w}, {}, "weights contains NaN")
    for fn, x, z in (("sigmoid_cross_entropy", "logits", "multi_class_labels"),
                     ("softmax_cross_entropy", "logits", "onehot_labels")):
        labels = onehot(4, 5)[0]
        for ls in (1.5, -0.1):
            add_error(f"error/{fn}/losslens_label_smoothing_{ls}", fn, {x: p, z: labels}, {"label_smoothing": ls},
                      "label_smoothing must be in [0, 1]")
    add_error("error/huber_loss/losslens_negative_delta", "huber_loss", {"predictions": p, "labels": y}, {"delta": -1.0},
              "delta must be >= 0")
    add_error("error/log_loss/losslens_negative_epsilon", "log_loss",
              {"predictions": uniform((4, 5), 0, 1), "labels": bits((4, 5))}, {"epsilon": -1e-7}, "epsilon must be >= 0")
    add_error("error/mean_squared_error/weights_rank", "mean_squared_error",
              {"predictions": p, "labels": y, "weights": uniform(5, 0, 1)}, {},
              "weights of shape [5] cannot be broadcast to the losses of shape [4, 5]")
    add_error("error/mean_squared_error/weights_dim", "mean_squared_error",
              {"predictions": p, "labels": y, "weights": uniform((4, 3), 0, 1)}, {}, "cannot be broadcast")
    add_error("error/softmax_cross_entropy/weights_batch_1", "softmax_cross_entropy",
              {"logits": p, "onehot_labels": onehot(4, 5)[0], "weights": uniform((4, 1), 0, 1)}, {},
              "weights of shape [4, 1] cannot be broadcast to the losses of shape [4]")
    add_error("error/cosine_distance/weights_unreduced", "cosine_distance",
              {"predictions": p, "labels": y, "weights": uniform((4, 5), 0, 1)}, {"axis": 1},
              "cannot be broadcast to the losses of shape [4, 1]")
    add_error("error/mean_pairwise_squared_error/weights_rank", "mean_pairwise_squared_error",
              {"predictions": p, "labels": y, "weights": uniform(4, 0, 1)}, {}, "cannot be broadcast")
    add_error("error/mean_pairwise_squared_error/no_reduction", "mean_pairwise_squared_error",
              {"predictions": p, "labels": y}, {"reduction": "SUM"}, "does not take argument 'reduction'")
    add_error("error/softmax_cross_entropy/losslens_rank3", "softmax_cross_entropy",
              {"logits": normal((2, 3, 4)), "onehot_labels": np.zeros((2, 3, 4))}, {}, "must be [batch, classes]")
    add_error("error/mean_squared_error/unknown_reduction", "mean_squared_error", {"predictions": p, "labels": y},
              {"reduction": "AVERAGE"}, "unknown reduction 'AVERAGE'")
    add_error("error/mean_squared_error/missing_labels", "mean_squared_error", {"predictions": p}, {},
              "missing input 'labels'")
    add_error("error/mean_squared_error/unexpected_input", "mean_squared_error",
              {"predictions": p, "labels": y, "logits": p}, {}, "does not take input 'logits'")
    add_error("error/mean_squared_error/unexpected_argument", "mean_squared_error", {"predictions": p, "labels": y},
              {"label_smoothing": 0.1}, "does not take argument 'label_smoothing'")
    for fn in ("l1_regularizer", "l2_regularizer"):
        add_error(f"error/{fn}/negative_scale", fn, {"tensor": p}, {"scale": -0.1}, "scale must be >= 0")
        add_error(f"error/{fn}/no_scale", fn, {"tensor": p}, {}, "needs the argument 'scale'")
    add_error("error/l1_l2_regularizer/negative_scale_l2", "l1_l2_regularizer", {"tensor": p},
              {"scale_l1": 0.1, "scale_l2": -1.0}, "scale_l2 must be >= 0")


def main():
    regression_cases()
    classification_cases()
    regularizer_cases()
    error_cases()
    assert set(FUNCTIONS) <= {c["fn"] for c in CASES if "expected" in c}
    with open(OUT, "w") as f:
        f.write('{"source": "TF1 tensorflow/python/ops/losses/losses_impl.py rules written out in float64 torch '
                '(tests/reference/make_tf_references.py)",\n "cases": [\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in CASES))
        f.write("\n]}\n")
    print(f"{len(CASES)} cases → {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
