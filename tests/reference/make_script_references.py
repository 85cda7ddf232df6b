#!/usr/bin/python3
"""Reference values for the scripted-loss examples (tests/core/tst_scripted_loss.cpp).

Independent sources, not LossLens:
  - focal loss: torchvision.ops.sigmoid_focal_loss, rewritten here in torch 1.13 (Debian's
    python3-torch) line for line from torchvision/ops/focal_loss.py;
  - dice loss: the soft dice of Milletari et al. (2016) written in numpy.

Writes tests/data/script_references.json in the loss-cases format ("fn": "script"); the test adds
the example's source as args.source (its "example" field names it).
Run with Debian's interpreter:  /usr/bin/python3 tests/reference/make_script_references.py
"""
import json
import os

import numpy as np
import torch


def tensor(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(x) for x in a.reshape(-1)]}


def torchvision_sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    # torchvision/ops/focal_loss.py (v0.14), verbatim apart from the logging call.
    p = torch.sigmoid(inputs)
    ce_loss = torch.nn.functional.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    if reduction == "mean":
        loss = loss.mean()
    elif reduction == "sum":
        loss = loss.sum()
    return loss


def numpy_dice(logits, targets, smooth=1.0):
    p = 1.0 / (1.0 + np.exp(-logits))
    n = p.shape[0]
    p, t = p.reshape(n, -1), targets.reshape(n, -1)
    return 1.0 - (2.0 * (p * t).sum(axis=1) + smooth) / (p.sum(axis=1) + t.sum(axis=1) + smooth)


def main():
    rng = np.random.default_rng(7)
    cases = []
    # torch's 'mean' is SUM_OVER_BATCH_SIZE (sum / number of elements).
    reductions = {"none": "NONE", "mean": "SUM_OVER_BATCH_SIZE", "sum": "SUM"}
    for i, (shape, alpha, gamma) in enumerate([((6, 4), 0.25, 2.0), ((3, 5, 2), 0.5, 1.0), ((8,), -1.0, 3.0)]):
        x = rng.normal(0.0, 3.0, shape)
        t = (rng.random(shape) < 0.3).astype(np.float64)
        for torch_reduction, reduction in reductions.items():
            value = torchvision_sigmoid_focal_loss(torch.tensor(x), torch.tensor(t), alpha, gamma, torch_reduction)
            cases.append({
                "id": f"focal-{i}-{torch_reduction}", "example": "focal", "fn": "script",
                "inputs": {"logits": tensor(x), "targets": tensor(t)},
                "args": {"alpha": alpha, "gamma": gamma, "reduction": reduction},
                "expected": {"value": tensor(value.numpy())},
            })
    for i, (shape, smooth) in enumerate([((4, 3, 5), 1.0), ((2, 16), 1e-6), ((5, 2, 2, 2), 0.5)]):
        x = rng.normal(0.0, 2.0, shape)
        t = (rng.random(shape) < 0.5).astype(np.float64)
        per_sample = numpy_dice(x, t, smooth)
        for reduction, value in [("NONE", per_sample), ("SUM_OVER_BATCH_SIZE", per_sample.mean())]:
            cases.append({
                "id": f"dice-{i}-{reduction.lower()}", "example": "dice", "fn": "script",
                "inputs": {"logits": tensor(x), "targets": tensor(t)},
                "args": {"smooth": smooth, "reduction": reduction},
                "expected": {"value": tensor(value)},
            })
    out = os.path.join(os.path.dirname(__file__), "..", "data", "script_references.json")
    with open(out, "w") as f:
        json.dump({"source": "torch " + torch.__version__ + " (torchvision focal loss formula), numpy " + np.__version__,
                   "cases": cases}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
