#!/usr/bin/python3
"""Reference values for LossLens's torch family, computed by PyTorch itself.

Every case calls torch.nn.functional on float64 tensors and records the value and, through
autograd, the gradient with respect to `input` (of the sum of the values for reduction='none').
Inputs that torch rejects are recorded with "expected_error", a substring of *LossLens's* message;
the script checks that torch rejects them too.

Regenerate with Debian's interpreter (python3-torch 1.13 and numpy live there):

    /usr/bin/python3 tests/reference/make_torch_references.py

It writes tests/data/references/torch_losses.json (cases format of core/losses/loss_cases.h).
The output is deterministic: fixed seed, fixed case order, shortest round-trip float repr.
"""

import itertools
import json
import math
import os
import sys
import warnings

import torch
import torch.nn.functional as F

SEED = 20240607
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "references", "torch_losses.json")

torch.set_default_dtype(torch.float64)
warnings.filterwarnings("ignore")  # kl_div's 'mean' warning, broadcasting warnings
gen = torch.Generator().manual_seed(SEED)

NAN, INF = float("nan"), float("inf")


def randn(*shape):
    return torch.randn(tuple(shape), generator=gen)


def uniform(lo, hi, *shape):
    return lo + (hi - lo) * torch.rand(tuple(shape), generator=gen)


def randint(lo, hi, *shape):
    return torch.randint(lo, hi, shape, generator=gen)


# ---- JSON encoding ----------------------------------------------------------------------------

def number(x):
    if isinstance(x, bool):
        return x
    if isinstance(x, int):
        return x
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return float(x)


def tensor_json(t):
    t = t.detach()
    integral = not t.is_floating_point()
    data = [int(v) for v in t.flatten().tolist()] if integral else [number(v) for v in t.flatten().tolist()]
    return {"shape": list(t.shape), "data": data}


# ---- calling torch the way the registry's arguments say -----------------------------------------

def class_target(x, t):
    """torch's rule: a target shaped like the input holds probabilities, otherwise class indices."""
    return t if t.shape == x.shape else t.long()


def call(fn, inputs, args):
    x, t = inputs["input"], inputs["target"]
    w, pw = inputs.get("weight"), inputs.get("pos_weight")
    red = args.get("reduction", "mean")
    if fn == "torch.cross_entropy":
        return F.cross_entropy(x, class_target(x, t), weight=w, ignore_index=int(args.get("ignore_index", -100)),
                               reduction=red, label_smoothing=args.get("label_smoothing", 0.0))
    if fn == "torch.nll_loss":
        return F.nll_loss(x, class_target(x, t), weight=w, ignore_index=int(args.get("ignore_index", -100)),
                          reduction=red)
    if fn == "torch.binary_cross_entropy_with_logits":
        return F.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw, reduction=red)
    if fn == "torch.mse_loss":
        return F.mse_loss(x, t, reduction=red)
    if fn == "torch.l1_loss":
        return F.l1_loss(x, t, reduction=red)
    if fn == "torch.smooth_l1_loss":
        return F.smooth_l1_loss(x, t, reduction=red, beta=args.get("beta", 1.0))
    if fn == "torch.huber_loss":
        return F.huber_loss(x, t, reduction=red, delta=args.get("delta", 1.0))
    if fn == "torch.kl_div":
        return F.kl_div(x, t, reduction=red, log_target=args.get("log_target", False))
    raise KeyError(fn)


CASES = []
IDS = set()


def add(case_id, fn, inputs, args, gradient=True):
    """A case with torch's value and (unless told otherwise) its gradient w.r.t. input."""
    assert case_id not in IDS, case_id
    IDS.add(case_id)
    inputs = {k: v for k, v in inputs.items() if v is not None}
    x = inputs["input"].detach().clone().requires_grad_(True)
    value = call(fn, dict(inputs, input=x), args)
    expected = {"value": tensor_json(value)}
    if gradient:
        (grad,) = torch.autograd.grad(value.sum(), x, allow_unused=True)
        expected["gradient"] = tensor_json(grad if grad is not None else torch.zeros_like(x))
    CASES.append({"id": case_id, "fn": fn, "inputs": {k: tensor_json(v) for k, v in inputs.items()},
                  "args": args, "expected": expected})


def add_error(case_id, fn, inputs, args, message):
    """A case torch rejects; `message` is a substring of LossLens's error."""
    assert case_id not in IDS, case_id
    IDS.add(case_id)
    inputs = {k: v for k, v in inputs.items() if v is not None}
    try:
        call(fn, inputs, args)
    except (RuntimeError, ValueError, IndexError) as e:
        del e  # torch rejects it too: that is all this checks
    else:
        sys.exit(f"{case_id}: torch accepts this input; it is not an error case")
    CASES.append({"id": case_id, "fn": fn, "inputs": {k: tensor_json(v) for k, v in inputs.items()},
                  "args": args, "expected_error": message})


REDUCTIONS = ["none", "mean", "sum"]


# ---- cross_entropy and nll_loss -----------------------------------------------------------------

# name → (input shape, sample shape)
CLASS_SHAPES = {
    "NC": ((4, 5), (4,)),
    "NCd": ((3, 4, 2), (3, 2)),
    "NCdd": ((2, 3, 2, 2), (2, 2, 2)),
    "C": ((5,), ()),
}


def class_weights(kind, c):
    if kind == "none":
        return None
    if kind == "class":
        return uniform(0.2, 2.0, c)
    if kind == "zeros":  # some classes weigh nothing
        w = uniform(0.2, 2.0, c)
        w[1::2] = 0.0
        return w
    if kind == "negative":
        return uniform(-1.5, 2.0, c)
    raise KeyError(kind)


def class_indices(sample_shape, c, ignore, ignore_index):
    """Integral float64 class indices with some, none or all equal to ignore_index."""
    t = randint(0, c, *sample_shape) if sample_shape else randint(0, c, 1)[0]
    flat = t.view(-1)
    if ignore == "some":
        flat[::3] = ignore_index
    elif ignore == "all":
        flat[:] = ignore_index
    elif ignore == "custom":  # ignore_index is a real class here
        flat[::2] = ignore_index
    return t.double()


def weighted_total(t, w, ignore_index):
    """Σ w_y over non-ignored targets, and whether any target is not ignored."""
    kept = [int(y) for y in t.view(-1).tolist() if int(y) != ignore_index]
    if w is None:
        return float(len(kept)), bool(kept)
    return float(sum(w[y] for y in kept)), bool(kept)


IGNORES = {"none": -100, "some": -100, "all": -100, "custom": 1}


def class_index_cases(fn, logits_to_input):
    smoothings = [0.0, 0.1, 1.0] if fn == "torch.cross_entropy" else [0.0]
    for shape_name, (shape, sample_shape) in CLASS_SHAPES.items():
        c = shape[0] if len(shape) == 1 else shape[1]
        full = shape_name in ("NC", "NCd")
        weight_kinds = ["none", "class", "zeros", "negative"] if full else ["none", "class"]
        ignores = ["none", "some", "all", "custom"] if full else (["none", "all"] if shape_name == "C" else ["none", "some"])
        smooths = smoothings if full else smoothings[:2]
        for wk, ign, ls in itertools.product(weight_kinds, ignores, smooths):
            x = logits_to_input(randn(*shape) * 2.0)
            w = class_weights(wk, c)
            ignore_index = IGNORES[ign]
            t = class_indices(sample_shape, c, ign, ignore_index)
            total, any_kept = weighted_total(t, w, ignore_index)
            for red in REDUCTIONS:
                args = {"reduction": red}
                if ls:
                    args["label_smoothing"] = ls
                if ign == "custom":
                    args["ignore_index"] = ignore_index
                # A mean whose target weights sum to 0 with targets left is 0/0 in torch's backward
                # too (NaN everywhere); its value is compared, its gradient is undefined.
                degenerate = red == "mean" and total == 0.0 and any_kept
                smoothing_tag = f"/ls={ls}" if fn == "torch.cross_entropy" else ""
                case_id = f"{fn[6:]}/{shape_name}/w={wk}/ignore={ign}{smoothing_tag}/{red}"
                add(case_id, fn, {"input": x, "target": t, "weight": w}, args, gradient=not degenerate)


def cross_entropy_cases():
    fn = "torch.cross_entropy"
    class_index_cases(fn, lambda z: z)

    # Probability targets (target shaped like the input), with and without smoothing and weights.
    for shape_name in ["NC", "NCd", "C"]:
        shape = CLASS_SHAPES[shape_name][0]
        dim = 0 if len(shape) == 1 else 1
        c = shape[dim]
        for wk, ls, red in itertools.product(["none", "class", "negative"], [0.0, 0.1, 1.0], REDUCTIONS):
            x = randn(*shape) * 2.0
            t = torch.softmax(randn(*shape), dim)
            args = {"reduction": red}
            if ls:
                args["label_smoothing"] = ls
            add(f"cross_entropy/probs/{shape_name}/w={wk}/ls={ls}/{red}", fn,
                {"input": x, "target": t, "weight": class_weights(wk, c)}, args)
    # Probabilities torch does not check: unnormalised, with zeros, negative.
    t = torch.tensor([[0.0, 2.0, 0.5], [1.0, 0.0, 0.0], [-0.5, 0.25, 1.25]])
    for red in REDUCTIONS:
        add(f"cross_entropy/probs/unnormalised/{red}", fn, {"input": randn(3, 3), "target": t},
            {"reduction": red, "ignore_index": -7})
    add("cross_entropy/probs/NCdd/mean", fn,
        {"input": randn(2, 3, 2, 2), "target": torch.softmax(randn(2, 3, 2, 2), 1)}, {})

    # Defaults (no args), and the designated spellings of optional arguments.
    add("cross_entropy/defaults", fn, {"input": randn(4, 5), "target": randint(0, 5, 4).double()}, {})
    # Every target weighs 0: value NaN (0/0), gradient undefined.
    add("cross_entropy/zero-target-weights/mean", fn,
        {"input": randn(3, 4), "target": torch.tensor([1.0, 3.0, 1.0]), "weight": torch.tensor([1.0, 0.0, 2.0, 0.0])},
        {"reduction": "mean"}, gradient=False)
    add("cross_entropy/zero-target-weights/mean/ls=0.2", fn,
        {"input": randn(3, 4), "target": torch.tensor([1.0, 3.0, 1.0]), "weight": torch.tensor([1.0, 0.0, 2.0, 0.0])},
        {"reduction": "mean", "label_smoothing": 0.2}, gradient=False)
    # Empty batch.
    for red in REDUCTIONS:
        add(f"cross_entropy/empty/{red}", fn, {"input": torch.zeros(0, 4), "target": torch.zeros(0)},
            {"reduction": red})

    # ±1e4 logits stay finite (log-sum-exp), with smoothing and class weights too.
    big = torch.tensor([[1e4, -1e4, 0.0, 5.0], [-1e4, -1e4, 1e4, 1e4], [1e4, 1e4 - 1, -1e4, 3.0]])
    tb = torch.tensor([1.0, 3.0, 0.0])
    wb = torch.tensor([0.5, 2.0, 1.0, 1.5])
    for red, ls, w in itertools.product(REDUCTIONS, [0.0, 0.3], [None, wb]):
        args = {"reduction": red}
        if ls:
            args["label_smoothing"] = ls
        add(f"cross_entropy/large-logits/ls={ls}/w={'class' if w is not None else 'none'}/{red}", fn,
            {"input": big, "target": tb, "weight": w}, args)
    add("cross_entropy/large-logits/probs/mean", fn,
        {"input": big, "target": torch.softmax(randn(3, 4), 1)}, {"label_smoothing": 0.1})
    # NaN in one sample's logits: that sample (and any reduction over it) is NaN.
    xn = randn(3, 4)
    xn[1, 2] = NAN
    for red in REDUCTIONS:
        add(f"cross_entropy/nan-logit/{red}", fn, {"input": xn, "target": torch.tensor([0.0, 1.0, 3.0])},
            {"reduction": red})
    # -inf logits: finite where the class is not the target, infinite through smoothing.
    xi = torch.tensor([[-INF, 0.5, 1.0], [0.0, -INF, 2.0]])
    for red, ls in itertools.product(REDUCTIONS, [0.0, 0.1]):
        args = {"reduction": red}
        if ls:
            args["label_smoothing"] = ls
        add(f"cross_entropy/minus-inf-logit/ls={ls}/{red}", fn,
            {"input": xi, "target": torch.tensor([1.0, 2.0])}, args)
    add("cross_entropy/plus-inf-logit/none", fn,
        {"input": torch.tensor([[INF, 0.5, 1.0], [0.0, 1.0, 2.0]]), "target": torch.tensor([1.0, 2.0])},
        {"reduction": "none"})

    # Errors torch raises too.
    x = randn(4, 5)
    add_error("cross_entropy/error/target-out-of-range", fn,
              {"input": x, "target": torch.tensor([0.0, 5.0, 1.0, 2.0])}, {}, "target[1] = 5 is not a class index")
    add_error("cross_entropy/error/negative-target", fn,
              {"input": x, "target": torch.tensor([0.0, 1.0, -1.0, 2.0])}, {}, "target[2] = -1 is not a class index")
    add_error("cross_entropy/error/target-out-of-range-NCd", fn,
              {"input": randn(2, 3, 2), "target": torch.tensor([[0.0, 1.0], [3.0, 2.0]])}, {},
              "target[1, 0] = 3 is not a class index")
    add_error("cross_entropy/error/custom-ignore-index-is-not-minus-100", fn,
              {"input": x, "target": torch.tensor([0.0, -100.0, 1.0, 2.0])}, {"ignore_index": 1},
              "target[1] = -100 is not a class index")
    add_error("cross_entropy/error/weight-shape", fn,
              {"input": x, "target": torch.tensor([0.0, 1.0, 2.0, 3.0]), "weight": torch.ones(4)}, {},
              "weight of shape [4] must hold one weight per class, [5]")
    add_error("cross_entropy/error/label-smoothing-above-1", fn,
              {"input": x, "target": torch.tensor([0.0, 1.0, 2.0, 3.0])}, {"label_smoothing": 1.5},
              "label_smoothing must be between 0 and 1")
    add_error("cross_entropy/error/probs-label-smoothing-above-1", fn,
              {"input": x, "target": torch.softmax(randn(4, 5), 1)}, {"label_smoothing": 1.01},
              "label_smoothing must be between 0 and 1")
    add_error("cross_entropy/error/probs-with-ignore-index", fn,
              {"input": x, "target": torch.softmax(randn(4, 5), 1)}, {"ignore_index": 0},
              "ignore_index is not supported for probability targets")
    add_error("cross_entropy/error/batch-mismatch", fn,
              {"input": x, "target": torch.tensor([0.0, 1.0, 2.0])}, {},
              "target of shape [3] must be [4] (class indices) or [4, 5] (class probabilities)")
    add_error("cross_entropy/error/batchmean", fn,
              {"input": x, "target": torch.tensor([0.0, 1.0, 2.0, 3.0])}, {"reduction": "batchmean"},
              "batchmean is not valid")
    add_error("cross_entropy/error/unknown-reduction", fn,
              {"input": x, "target": torch.tensor([0.0, 1.0, 2.0, 3.0])}, {"reduction": "avg"},
              "reduction 'avg' is not valid")
    add_error("cross_entropy/error/rank-0-input", fn,
              {"input": torch.tensor(1.5), "target": torch.tensor(0.0)}, {}, "has no class dimension")


def nll_loss_cases():
    fn = "torch.nll_loss"
    # Log-probabilities as nll_loss expects them (any values are accepted; see below).
    class_index_cases(fn, lambda z: torch.log_softmax(z, 0 if z.dim() == 1 else 1))
    for red in REDUCTIONS:
        add(f"nll_loss/arbitrary-input/{red}", fn,
            {"input": randn(3, 4) * 3, "target": torch.tensor([3.0, 0.0, 2.0]), "weight": uniform(-1, 2, 4)},
            {"reduction": red})
        xn = torch.log_softmax(randn(3, 4), 1)
        xn[0, 1] = NAN
        xn[2, 0] = -INF
        add(f"nll_loss/non-finite/{red}", fn, {"input": xn, "target": torch.tensor([1.0, 2.0, 3.0])},
            {"reduction": red})
    add("nll_loss/defaults", fn, {"input": torch.log_softmax(randn(4, 3), 1), "target": torch.tensor([0.0, 2.0, 1.0, 1.0])}, {})

    x = torch.log_softmax(randn(3, 4), 1)
    add_error("nll_loss/error/target-out-of-range", fn, {"input": x, "target": torch.tensor([0.0, 4.0, 1.0])}, {},
              "target[1] = 4 is not a class index")
    add_error("nll_loss/error/probability-target", fn, {"input": x, "target": torch.softmax(randn(3, 4), 1)}, {},
              "target of shape [3, 4] must be [3] (class indices)")
    add_error("nll_loss/error/weight-shape", fn,
              {"input": x, "target": torch.tensor([0.0, 1.0, 2.0]), "weight": torch.ones(3, 4)}, {},
              "weight of shape [3, 4] must hold one weight per class, [4]")
    add_error("nll_loss/error/batchmean", fn, {"input": x, "target": torch.tensor([0.0, 1.0, 2.0])},
              {"reduction": "batchmean"}, "batchmean is not valid")


# ---- binary_cross_entropy_with_logits ------------------------------------------------------------

def bce_cases():
    fn = "torch.binary_cross_entropy_with_logits"
    shapes = {"NC": (4, 3), "NCd": (2, 3, 2), "N": (5,), "scalar": ()}

    def weight(kind, shape):
        if kind == "none":
            return None
        if kind == "full":
            return uniform(0.0, 2.0, *shape)
        if kind == "last-dim":
            return uniform(0.2, 2.0, shape[-1])
        if kind == "column":  # [N, 1, …]: one weight per sample
            return uniform(0.2, 2.0, shape[0], *([1] * (len(shape) - 1)))
        if kind == "rank-0":
            return torch.tensor(1.7)
        if kind == "zeros":
            w = uniform(0.2, 2.0, *shape)
            w.view(-1)[::2] = 0.0
            return w
        if kind == "negative":
            return uniform(-1.0, 1.5, *shape)
        raise KeyError(kind)

    def pos_weight(kind, shape):
        if kind == "none":
            return None
        if kind == "last-dim":
            return uniform(0.5, 4.0, shape[-1])
        if kind == "rank-0":
            return torch.tensor(3.0)
        if kind == "zeros-negative":
            return torch.tensor([0.0, -1.5, 2.0])[: shape[-1]] if shape[-1] <= 3 else None
        raise KeyError(kind)

    for shape_name, shape in shapes.items():
        if shape_name == "NC":
            weight_kinds = ["none", "full", "last-dim", "column", "rank-0", "zeros", "negative"]
            pos_kinds = ["none", "last-dim", "rank-0", "zeros-negative"]
        elif shape_name == "scalar":
            weight_kinds, pos_kinds = ["none", "rank-0"], ["none", "rank-0"]
        else:
            weight_kinds, pos_kinds = ["none", "full", "last-dim"], ["none", "last-dim"]
        for wk, pk in itertools.product(weight_kinds, pos_kinds):
            x = uniform(-4.0, 4.0, *shape)
            soft = uniform(0.0, 1.0, *shape)
            hard = (uniform(0.0, 1.0, *shape) > 0.5).double()
            for target_kind, t in [("soft", soft), ("hard", hard)]:
                if target_kind == "hard" and (wk, pk) != ("none", "none") and shape_name != "NC":
                    continue
                for red in REDUCTIONS:
                    add(f"bce_with_logits/{shape_name}/w={wk}/pos_weight={pk}/{target_kind}/{red}", fn,
                        {"input": x, "target": t, "weight": weight(wk, shape), "pos_weight": pos_weight(pk, shape)},
                        {"reduction": red})
    add("bce_with_logits/defaults", fn, {"input": randn(3, 2), "target": uniform(0, 1, 3, 2)}, {})
    add("bce_with_logits/pos-weight-NCd-last-dim/mean", fn,
        {"input": randn(2, 3, 4), "target": uniform(0, 1, 2, 3, 4), "pos_weight": uniform(0.5, 3, 4)}, {})
    for red in REDUCTIONS:
        add(f"bce_with_logits/empty/{red}", fn, {"input": torch.zeros(0, 3), "target": torch.zeros(0, 3)},
            {"reduction": red})
    # ±1e4 logits: exact 0 and finite losses on both sides, hard and half targets.
    x = torch.tensor([1e4, -1e4, 1e4, -1e4, 1e4, -1e4, 0.0])
    t = torch.tensor([1.0, 0.0, 0.0, 1.0, 0.5, 0.5, 1.0])
    for red, pw in itertools.product(REDUCTIONS, [None, torch.tensor(3.0)]):
        add(f"bce_with_logits/large-logits/pos_weight={'none' if pw is None else 'rank-0'}/{red}", fn,
            {"input": x, "target": t, "pos_weight": pw}, {"reduction": red})
    xn = torch.tensor([0.5, NAN, -1.0, 2.0])
    for red in REDUCTIONS:
        add(f"bce_with_logits/nan-logit/{red}", fn, {"input": xn, "target": torch.tensor([1.0, 0.0, 0.3, 1.0])},
            {"reduction": red})

    x = randn(3, 4)
    add_error("bce_with_logits/error/target-shape", fn, {"input": x, "target": uniform(0, 1, 3, 5)}, {},
              "target of shape [3, 5] does not match input of shape [3, 4]")
    add_error("bce_with_logits/error/weight-not-broadcastable", fn,
              {"input": x, "target": uniform(0, 1, 3, 4), "weight": torch.ones(3)}, {},
              "weight of shape [3] cannot be broadcast to the input's shape [3, 4]")
    add_error("bce_with_logits/error/weight-larger-rank", fn,
              {"input": x, "target": uniform(0, 1, 3, 4), "weight": torch.ones(2, 3, 4)}, {},
              "weight of shape [2, 3, 4] cannot be broadcast")
    add_error("bce_with_logits/error/pos-weight-not-broadcastable", fn,
              {"input": x, "target": uniform(0, 1, 3, 4), "pos_weight": torch.ones(3)}, {},
              "pos_weight of shape [3] cannot be broadcast to the input's shape [3, 4]")
    add_error("bce_with_logits/error/batchmean", fn, {"input": x, "target": uniform(0, 1, 3, 4)},
              {"reduction": "batchmean"}, "batchmean is not valid")


# ---- regression losses ----------------------------------------------------------------------------

REGRESSION_SHAPES = {"NC": (4, 3), "NCd": (2, 3, 2), "N": (5,), "scalar": ()}


def regression_cases(fn, params):
    """`params`: list of extra-args dicts (beta or delta values)."""
    name = fn[6:]
    for (shape_name, shape), extra in itertools.product(REGRESSION_SHAPES.items(), params):
        x, y = randn(*shape) * 2, randn(*shape) * 2
        for red in REDUCTIONS:
            tag = "/".join(f"{k}={v}" for k, v in extra.items())
            add(f"{name}/{shape_name}/{tag + '/' if tag else ''}{red}", fn, {"input": x, "target": y},
                dict(extra, reduction=red))
    add(f"{name}/defaults", fn, {"input": randn(3, 2), "target": randn(3, 2)}, {})
    # Exact ties, points on the switches (±beta, ±delta), NaN and ±Inf.
    y = torch.zeros(9)
    for extra in params:
        knot = extra.get("beta", extra.get("delta", 1.0))
        x = torch.tensor([0.0, knot, -knot, 0.5 * knot, -3.0, 3.0, NAN, INF, -INF])
        for red in REDUCTIONS:
            tag = "/".join(f"{k}={v}" for k, v in extra.items())
            add(f"{name}/special-values/{tag + '/' if tag else ''}{red}", fn, {"input": x, "target": y},
                dict(extra, reduction=red))
    for red in REDUCTIONS:
        add(f"{name}/empty/{red}", fn, {"input": torch.zeros(0, 2), "target": torch.zeros(0, 2)}, {"reduction": red})
    add_error(f"{name}/error/shape", fn, {"input": randn(3, 4), "target": randn(3, 5)}, {},
              "target of shape [3, 5] does not match input of shape [3, 4]")
    add_error(f"{name}/error/batchmean", fn, {"input": randn(3, 4), "target": randn(3, 4)},
              {"reduction": "batchmean"}, "batchmean is not valid")


def regression_all():
    regression_cases("torch.mse_loss", [{}])
    regression_cases("torch.l1_loss", [{}])
    regression_cases("torch.smooth_l1_loss", [{"beta": 1.0}, {"beta": 0.5}, {"beta": 2.5}, {"beta": 0.0}])
    regression_cases("torch.huber_loss", [{"delta": 1.0}, {"delta": 0.5}, {"delta": 2.5}])
    add_error("smooth_l1_loss/error/negative-beta", "torch.smooth_l1_loss", {"input": randn(3), "target": randn(3)},
              {"beta": -0.5}, "beta must be non-negative")
    add_error("huber_loss/error/zero-delta", "torch.huber_loss", {"input": randn(3), "target": randn(3)},
              {"delta": 0.0}, "delta must be positive")
    add_error("huber_loss/error/negative-delta", "torch.huber_loss", {"input": randn(3), "target": randn(3)},
              {"delta": -1.0}, "delta must be positive")


# ---- kl_div -----------------------------------------------------------------------------------------

def kl_div_cases():
    fn = "torch.kl_div"
    shapes = {"NC": (4, 3), "NCd": (2, 3, 2), "N": (5,), "scalar": ()}
    for (shape_name, shape), log_target in itertools.product(shapes.items(), [False, True]):
        dim = -1 if shape else None
        x = torch.log_softmax(randn(*shape), dim) if shape else torch.tensor(-0.7)
        p = torch.softmax(randn(*shape), dim) if shape else torch.tensor(0.4)
        if shape and not log_target:
            p.view(-1)[::4] = 0.0  # 0·log 0 = 0
        t = torch.log(p) if log_target else p
        for red in REDUCTIONS + ["batchmean"]:
            add(f"kl_div/{shape_name}/log_target={str(log_target).lower()}/{red}", fn, {"input": x, "target": t},
                {"reduction": red, "log_target": log_target})
    add("kl_div/defaults", fn, {"input": torch.log_softmax(randn(3, 4), 1), "target": torch.softmax(randn(3, 4), 1)}, {})
    # Negative and NaN targets give NaN; an infinite target infinite values.
    x = torch.tensor([0.5, -1.0, 2.0, 0.3, NAN, 1.0])
    t = torch.tensor([0.2, 0.0, -0.5, NAN, 0.3, 0.7])
    for red, log_target in itertools.product(REDUCTIONS + ["batchmean"], [False, True]):
        add(f"kl_div/special-values/log_target={str(log_target).lower()}/{red}", fn, {"input": x, "target": t},
            {"reduction": red, "log_target": log_target})
    for red in REDUCTIONS + ["batchmean"]:
        add(f"kl_div/empty/{red}", fn, {"input": torch.zeros(0, 3), "target": torch.zeros(0, 3)}, {"reduction": red})
    add_error("kl_div/error/shape", fn, {"input": randn(3, 4), "target": randn(3, 5)}, {},
              "target of shape [3, 5] does not match input of shape [3, 4]")


def main():
    cross_entropy_cases()
    nll_loss_cases()
    bce_cases()
    regression_all()
    kl_div_cases()
    document = {
        "comment": "PyTorch " + torch.__version__.split("a")[0] + " reference values for the torch.* losses, "
                   "float64, gradients w.r.t. input by autograd. Generated by "
                   "tests/reference/make_torch_references.py; regenerate with "
                   "'/usr/bin/python3 tests/reference/make_torch_references.py'. Do not edit by hand.",
        "cases": CASES,
    }
    text = json.dumps(document, indent=None, separators=(",", ":"), allow_nan=False)
    # One case per line keeps diffs readable.
    text = text.replace(',{"id":', ',\n{"id":').replace('"cases":[{"id":', '"cases":[\n{"id":')
    with open(OUT, "w") as f:
        f.write(text + "\n")
    print(f"{len(CASES)} cases, {len(text) / 1e6:.2f} MB -> {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
