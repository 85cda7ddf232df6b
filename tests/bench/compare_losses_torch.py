#!/usr/bin/python3
"""LossLens loss kernels vs PyTorch on the CPU, and vs this machine's memory bandwidth.

Runs `losslens-bench` (Google Benchmark) and times the same calls in PyTorch — float32, one
thread, forward + backward — then prints, per kernel:
  speedup  = PyTorch time / LossLens time         (target >= 1)
  vs bound = LossLens time / (bytes touched / copy rate of BM_MemoryCopy)   (target <= 2)
and, for the two cross-entropies, their arithmetic cost per element on 64 x 1000 elements, which
stay in cache.

Usage: /usr/bin/python3 tests/bench/compare_losses_torch.py [path/to/losslens-bench]
Needs Debian's python3-torch (apt install python3-torch); CI does not run this script.
"""
import json
import statistics
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

BENCH = sys.argv[1] if len(sys.argv) > 1 else "build/tests/bench/losslens-bench"
torch.set_num_threads(1)
torch.manual_seed(0)


def torch_ms(make_loss, leaf, repeats=30):
    """Median wall time of forward + backward, in milliseconds."""
    times = []
    for _ in range(repeats + 3):
        leaf.grad = None
        start = time.perf_counter()
        make_loss().backward()
        times.append(time.perf_counter() - start)
    return statistics.median(times[3:]) * 1e3


def torch_side():
    n, c = 4096, 1000
    logits = (torch.randn(n, c) * 2).requires_grad_()
    onehot = F.one_hot(torch.randint(0, c, (n,)), c).float()
    bits = torch.randint(0, 2, (n, c)).float()
    m = 4194304
    pred, truth = (torch.randn(m) * 2).requires_grad_(), torch.randn(m) * 2
    return {
        "BM_SoftmaxCrossEntropy/4096/1000": torch_ms(lambda: F.cross_entropy(logits, onehot), logits),
        "BM_SigmoidCrossEntropy/4096/1000": torch_ms(
            lambda: F.binary_cross_entropy_with_logits(logits, bits), logits),
        "BM_MeanSquaredError/4194304": torch_ms(lambda: F.mse_loss(pred, truth), pred),
    }


def losslens_side():
    out = subprocess.run(
        [BENCH, "--benchmark_filter=BM_(SoftmaxCrossEntropy|SigmoidCrossEntropy|MeanSquaredError|MemoryCopy)",
         "--benchmark_format=json", "--benchmark_repetitions=5", "--benchmark_report_aggregates_only=true"],
        check=True, capture_output=True, text=True).stdout
    rows = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            rows[b["run_name"]] = b
    return rows


def main():
    ours = losslens_side()
    theirs = torch_side()
    copy_rate = max(b["bytes_per_second"] for name, b in ours.items() if name.startswith("BM_MemoryCopy"))
    print(f"copy rate of this machine (BM_MemoryCopy): {copy_rate / 1e9:.2f} GB/s")
    print(f"{'kernel':36} {'LossLens ms':>12} {'PyTorch ms':>11} {'speedup':>8} {'vs bound':>9}")
    for name, torch_time in theirs.items():
        b = ours[name]
        ms = b["real_time"]  # benchmarks report in milliseconds
        bytes_touched = b["bytes_per_second"] * ms / 1e3
        bound_ms = bytes_touched / copy_rate * 1e3
        print(f"{name:36} {ms:12.2f} {torch_time:11.2f} {torch_time / ms:7.2f}x {ms / bound_ms:8.2f}x")
    # The same kernels on 64 x 1000 elements, which stay in L2: their arithmetic cost alone.
    for name in ("BM_SoftmaxCrossEntropy/64/1000", "BM_SigmoidCrossEntropy/64/1000"):
        if name in ours:
            print(f"{name:36} {ours[name]['cpu_time'] * 1e6 / 64000:8.3f} ns/element in cache")


if __name__ == "__main__":
    main()
