#!/usr/bin/env bash
# The scale check of issue 6: generate a logdir of RUNS runs × TAGS tags × POINTS steps plus one
# run with a single BIG-point series (TensorBoard event files written by the project's
# EventFileWriter), then measure loading, memory per point, chart redraws and GUI latency while
# loading (tests/bench/scale_tool.cpp), and `losslens-cli summary` on the same data. Prints a
# Markdown table and deletes the data.
#
#   tests/bench/scale.sh BUILD_DIR [RUNS TAGS POINTS BIG]      (defaults: 100 20 100000 50000000)
#   SCALE_DIR=/big/disk/scale tests/bench/scale.sh build       (where the data goes; default /tmp)
#
# Needs about 9 GB of disk and 8 GB of RAM at the default size.
set -euo pipefail

build=${1:?usage: scale.sh BUILD_DIR [RUNS TAGS POINTS BIG]}
runs=${2:-100} tags=${3:-20} points=${4:-100000} big=${5:-50000000}
tool="$build/tests/bench/losslens-scale"
gen="$build/tests/bench/losslens-scale-gen"
cli="$build/app/cli/losslens-cli"
data="${SCALE_DIR:-/tmp}/losslens-scale.$$"
trap 'rm -rf "$data"' EXIT

echo "generating $runs runs × $tags tags × $points points + 1 × $big points into $data" >&2
start=$(date +%s.%N)
"$gen" "$data" "$runs" "$tags" "$points" "$big"
gen_seconds=$(echo "$(date +%s.%N) - $start" | bc)
bytes=$(du -sb "$data" | cut -f1)

sync
echo "measuring (viewer path)" >&2
"$tool" measure "$data" > "$data.measure"
echo "measuring (losslens-cli summary)" >&2
/usr/bin/time -f "%e %M" -o "$data.time" "$cli" summary "$data" > /dev/null
read -r cli_seconds cli_kb < "$data.time"
rm -f "$data.time"

get() { awk -v k="$1" '$1 == k { print $2 }' "$data.measure"; }
points_total=$(get points)
fmt() { printf "%.${2:-1}f" "$1"; }

cat <<EOF

| what | measured | target |
|---|---|---|
| data | $runs runs × $tags tags × $points + 1 × $big points = $(fmt "$(echo "$points_total / 1000000" | bc -l)") M points, $(fmt "$(echo "$bytes / 1000000000" | bc -l)") GB of event files (generated in $(fmt "$gen_seconds") s) | — |
| load, viewer path (LogSession, Snapshot) | $(fmt "$(get load_seconds)") s, $(fmt "$(echo "$(get load_points_per_second) / 1000000" | bc -l)") M points/s, $(fmt "$(echo "$bytes / $(get load_seconds) / 1000000000" | bc -l)" 2) GB/s | — |
| load, \`losslens-cli summary\` | $(fmt "$cli_seconds") s, peak RSS $(fmt "$(echo "$cli_kb / 1048576" | bc -l)") GiB ($(fmt "$(echo "$cli_kb * 1024 / $points_total" | bc -l)") bytes/point) | — |
| store memory (Series columns) | $(fmt "$(get store_bytes_per_point)") bytes/point | ≤ 24 |
| resident memory after load (VmRSS delta) | $(fmt "$(get rss_bytes_per_point)") bytes/point; after shrinkToFit $(fmt "$(get rss_after_shrink_bytes_per_point)") | ≤ 24 |
| peak resident memory while loading (VmHWM delta) | $(fmt "$(get hwm_bytes_per_point)") bytes/point | — |
| redraw, 10 runs × $tags tags ($(fmt "$(get redraw_10runs_curves)" 0) curves), 1280×720 | first $(fmt "$(get redraw_10runs_first_ms)") ms, then median $(fmt "$(get redraw_10runs_median_ms)") ms | ≤ 50 ms |
| redraw, the $big-point series | first $(fmt "$(get redraw_big_first_ms)") ms, then median $(fmt "$(get redraw_big_median_ms)") ms | ≤ 50 ms |
| GUI event-loop latency while loading (5 ms timer, $(fmt "$(get gui_samples)" 0) samples) | p50 $(fmt "$(get gui_latency_p50_ms)") ms, p99 $(fmt "$(get gui_latency_p99_ms)") ms, max $(fmt "$(get gui_latency_max_ms)") ms; $(fmt "$(get progress_signals)" 0) progress updates | ≤ 50 ms |
| cancel 500 ms into a load | load returned after $(fmt "$(get cancel_done_seconds)" 2) s, reported cancelled: $(fmt "$(get cancel_reported)" 0); GUI max latency $(fmt "$(get cancel_gui_latency_max_ms)") ms | prompt |
EOF
rm -f "$data.measure"
