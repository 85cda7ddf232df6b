#!/usr/bin/env python3
"""Live protocol benchmark: prints the figures the live issue asks for.

1. Recorder: `losslens-cli serve` on 127.0.0.1, 8 concurrent `live-load` clients (the real C++
   client) sending 16-scalar records for SECONDS; values per second counted until the last sync
   was answered (every value on disk), then the files are checked to hold every record.
2. Viewer: `losslens --listen 127.0.0.1:PORT --measure-latency FILE` offscreen under the same load;
   the viewer's event loop serves a probe posted every 10 ms from another thread, and the delay
   of each probe answered during the load gives the p50/p99/max latency.

Loopback only; every wait is bounded. Usage:
    python3 tests/bench/live_throughput.py [--build build] [--seconds 5] [--clients 8]
"""

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_connectable(port, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def count_lines(folder):
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            if name == "live.jsonl":
                with open(os.path.join(root, name), "rb") as f:
                    total += sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    return total


def run_load(build, port, args):
    out = subprocess.run([os.path.join(build, "tests", "live-load"), "--port", str(port), "--clients", str(args.clients),
                          "--seconds", str(args.seconds), "--tags", str(args.tags)],
                         capture_output=True, text=True, timeout=args.seconds + 120)
    if out.returncode != 0:
        sys.exit("live-load failed: " + out.stderr)
    return json.loads(out.stdout)


def recorder(build, args, tmp):
    out_dir = os.path.join(tmp, "recorded")
    serve = subprocess.Popen([os.path.join(build, "app", "cli", "losslens-cli"), "serve", "--listen", "127.0.0.1:0",
                              "--out", out_dir], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r":(\d+),", serve.stdout.readline()).group(1))
        load = run_load(build, port, args)
    finally:
        serve.send_signal(signal.SIGTERM)
        _, err = serve.communicate(timeout=60)
    on_disk = count_lines(out_dir)
    print("recorder (losslens-cli serve, persistence on):")
    print("  %d clients x %d scalars/record: %d records, %d values in %.2f s" %
          (load["clients"], load["tags"], load["records"], load["values"], load["seconds"]))
    print("  sustained: %.0f values/s (%.0f records/s), all synced: %s" %
          (load["values_per_second"], load["values_per_second"] / load["tags"], load["synced_clients"] == load["clients"]))
    print("  records on disk: %d (%s)" % (on_disk, "exact" if on_disk == load["records"] else "MISMATCH"))
    print("  serve exit code %d; %s" % (serve.returncode, err.strip().splitlines()[-1] if err.strip() else ""))
    return load["values_per_second"] >= 1e6 and on_disk == load["records"] and serve.returncode == 0


def answered_after(path, stamp):
    try:
        with open(path) as f:
            lines = f.read().split("\n")
        return any(float(l.split()[0]) > stamp for l in lines[-20:] if l.strip())
    except (OSError, ValueError, IndexError):
        return False


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


def viewer(build, args, tmp):
    latency_file = os.path.join(tmp, "latency.txt")
    port = free_port()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=os.path.join(tmp, "data"))
    gui = subprocess.Popen([os.path.join(build, "app", "gui", "losslens"), "--listen", "127.0.0.1:%d" % port,
                            "--measure-latency", latency_file], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
    try:
        if not wait_connectable(port):
            sys.exit("the viewer did not start listening")
        time.sleep(1.0)
        start = time.time()
        load = run_load(build, port, args)
        time.sleep(1.5)  # the viewer catches up with what was written; its probes keep counting
        end = time.time()
        # Wait (bounded) until the viewer has answered a probe posted after the window, so every
        # probe posted inside it is in the file however late it was served.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not answered_after(latency_file, end):
            time.sleep(0.2)
    finally:
        gui.send_signal(signal.SIGTERM)
        gui.wait(timeout=30)
    samples = []
    with open(latency_file) as f:
        for line in f:
            stamp, delay = line.split()  # when the probe was posted, how late it was served
            if start <= float(stamp) <= end:
                samples.append(float(delay))
    if not samples:
        sys.exit("no latency samples were recorded")
    p99 = percentile(samples, 99)
    print("viewer (losslens --listen, offscreen) under the same load:")
    print("  %.0f values/s into the viewer's recorder (%d clients)" % (load["values_per_second"], load["clients"]))
    print("  event-loop latency over %d probes (10 ms apart): p50 %.2f ms, p99 %.2f ms, max %.2f ms" %
          (len(samples), percentile(samples, 50), p99, max(samples)))
    return p99 <= 50.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build", help="CMake build folder (default: build)")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--tags", type=int, default=16)
    parser.add_argument("--skip-gui", action="store_true")
    args = parser.parse_args()
    print("machine: %d CPUs, load average %.2f" % (os.cpu_count(), os.getloadavg()[0]))
    with tempfile.TemporaryDirectory(prefix="losslens-live-bench-") as tmp:
        ok = recorder(args.build, args, tmp)
        if not args.skip_gui:
            ok = viewer(args.build, args, tmp) and ok
    print("PASS" if ok else "FAIL: below the targets (>= 1,000,000 values/s, p99 <= 50 ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
