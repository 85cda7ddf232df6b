#!/usr/bin/env bash
# LossLens in one command on Debian 12: installs what is missing (apt), builds, then
#   scripts/dev.sh run [PATH…]      opens the viewer (no PATH: the sample runs and a demo training live)
#   scripts/dev.sh test [--quick]   every test (CTest) on the release build; then, unless --quick,
#                                   the same tests under ASan+UBSan+LSan, a short run of every fuzz
#                                   target and clang-tidy over core/ (what CI runs: .ci/run)
#   scripts/dev.sh build            only installs and builds
#   scripts/dev.sh fuzz [TARGET…]   a long fuzzing campaign (every target, or those named): each
#                                   runs FUZZ_RUNS times or FUZZ_MAX_SECONDS, then its corpus is
#                                   replayed under ASan; prints a Markdown table
# Environment: BUILD_DIR (default build), ASAN_BUILD_DIR (build-asan), JOBS (number of cores),
# FUZZ_SECONDS (20 per fuzz target), FUZZ_TIMEOUT (10 s of wall time per input, after which
# libFuzzer reports a hang: raise it for a nice-19 campaign beside other work), CI (set: the
# project's own warnings are errors); for fuzz: FUZZ_BUILD_DIR (build-fuzz), FUZZ_RUNS (10000000),
# FUZZ_MAX_SECONDS (3600), FUZZ_MERGE (set: what the campaign found that the seeds miss goes into
# tests/fuzz/corpus).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR=${BUILD_DIR:-build}
ASAN_BUILD_DIR=${ASAN_BUILD_DIR:-build-asan}
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-10}
WERROR=$([ -n "${CI:-}" ] && echo ON || echo OFF)

# Debian 12 package names; one per line so a diff shows what a change adds.
PACKAGES=(
  cmake ninja-build g++ pkg-config
  qt6-base-dev qt6-charts-dev qt6-svg-dev qt6-declarative-dev
  libeigen3-dev libsimdjson-dev libbenchmark-dev
  fonts-dejavu-core
  clang
  libclang-rt-14-dev
  clang-tidy
)
# ^ clang for the sanitizer build; libclang-rt-14-dev holds its ASan/UBSan runtimes and libFuzzer
#   (clang-14 only recommends it); clang-tidy for the static checks. `run` needs none of the three.

install_missing_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  echo "==> installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# configure <preset> <dir>: (re)configures when the directory is new or the warning mode changed.
configure() {
  local preset=$1 dir=$2
  if [ ! -f "$dir/CMakeCache.txt" ] || ! grep -q "^LOSSLENS_WERROR:BOOL=$WERROR$" "$dir/CMakeCache.txt"; then
    cmake --preset "$preset" -B "$dir" -DLOSSLENS_WERROR="$WERROR"
  fi
}

build() {
  install_missing_packages
  configure release "$BUILD_DIR"
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

# ---- the test command's stages ----

STAGE_TIMES=()
stage() {
  finish_stage
  STAGE_NAME=$1
  STAGE_START=$SECONDS
  printf '\n==> [%s] %s\n' "$(date +%H:%M:%S)" "$STAGE_NAME"
}
finish_stage() {
  [ -n "${STAGE_NAME:-}" ] && STAGE_TIMES+=("$(printf '%4ds  %s' $((SECONDS - STAGE_START)) "$STAGE_NAME")")
  STAGE_NAME=
}
print_stage_times() {
  finish_stage
  printf '\n==> all stages passed\n'
  printf '    %s\n' "${STAGE_TIMES[@]}"
}

# The sanitizers' settings, the same as CMakePresets.json's asan test preset. The suppressions
# cover leaks inside Qt and system libraries only (see the file).
export_sanitizer_env() {
  export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0
}

# fuzz_smoke <binary>: FUZZ_SECONDS of fuzzing from the seed corpus into a scratch corpus; any
# crash, leak, timeout or broken invariant fails with the reproducer's path.
fuzz_smoke() {
  local bin=$1 name work
  name=$(basename "$bin")
  work=$(mktemp -d "${TMPDIR:-/tmp}/losslens-$name.XXXXXX")
  mkdir "$work/corpus" # new inputs go here, never into the seed corpus in the source tree
  local options=(-max_total_time="$FUZZ_SECONDS" -timeout="$FUZZ_TIMEOUT" -rss_limit_mb=2048 -print_final_stats=1
                 -artifact_prefix="$work/")
  [ -f "tests/fuzz/dict/$name.dict" ] && options+=(-dict="tests/fuzz/dict/$name.dict")
  if ! "$bin" "${options[@]}" "$work/corpus" "tests/fuzz/corpus/$name" >"$work/log" 2>&1; then
    tail -n 60 "$work/log"
    echo "FAIL $name: reproducer in $work/ (add it to tests/fuzz/regressions/$name/ once fixed)"
    return 1
  fi
  local runs cov
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
  cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -n 1)
  printf 'ok   %-20s %9s runs  %s  corpus %s\n' "$name" "$runs" "$cov" "$(ls "$work/corpus" | wc -l)"
  rm -rf "$work"
}

run_fuzz_smoke() {
  mkdir -p "$ASAN_BUILD_DIR/fuzz-scratch"
  export TMPDIR=$PWD/$ASAN_BUILD_DIR/fuzz-scratch
  local failed=0 bin bins=() pids=()
  for bin in "$ASAN_BUILD_DIR"/tests/fuzz/fuzz_*; do
    [ -f "$bin" ] && [ -x "$bin" ] && bins+=("$bin")
  done
  # JOBS targets at a time: each is one process on one core.
  for ((i = 0; i < ${#bins[@]}; i += JOBS)); do
    pids=()
    for bin in "${bins[@]:i:JOBS}"; do
      fuzz_smoke "$bin" &
      pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  done
  return $failed
}

run_clang_tidy() {
  # Every core/ translation unit of the asan build (the same flags clang compiled it with).
  run-clang-tidy -p "$ASAN_BUILD_DIR" -j "$JOBS" -quiet "^$PWD/core/.*\.cpp$" 2>&1 |
    sed 's/\x1b\[[0-9;]*m//g' >"$ASAN_BUILD_DIR/clang-tidy.log" || true
  if grep -E '(warning|error): ' "$ASAN_BUILD_DIR/clang-tidy.log"; then
    echo "FAIL clang-tidy: findings above (.clang-tidy says which checks and why)"
    return 1
  fi
  echo "clang-tidy: no findings in core/"
}

# ---- the long fuzzing campaign ----

# The campaign fuzzes a build with UBSan but without ASan (the fuzz preset), several times faster,
# then replays everything it kept under the asan build, so every input that reached new code has
# also been checked for memory errors. Corpora are kept in $FUZZ_BUILD_DIR/campaign/<target>, so a
# second campaign continues where the first stopped.
campaign_target() {
  local name=$1 dir="$FUZZ_BUILD_DIR/campaign/$1" log
  mkdir -p "$dir/corpus"
  log="$dir/log"
  local options=(-runs="$FUZZ_RUNS" -max_total_time="$FUZZ_MAX_SECONDS" -timeout="$FUZZ_TIMEOUT" -rss_limit_mb=2048
                 -print_final_stats=1 -artifact_prefix="$dir/")
  [ -f "tests/fuzz/dict/$name.dict" ] && options+=(-dict="tests/fuzz/dict/$name.dict")
  local start=$SECONDS status=ok
  nice -n 19 "$FUZZ_BUILD_DIR/tests/fuzz/$name" "${options[@]}" "$dir/corpus" "tests/fuzz/corpus/$name" >"$log" 2>&1 ||
    status="**FAILED**: reproducer in $dir/"
  local seconds=$((SECONDS - start)) runs cov
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)
  local replay
  if (export_sanitizer_env; "$ASAN_BUILD_DIR/tests/fuzz/$name" -runs=0 "$dir/corpus" >"$dir/replay.log" 2>&1); then
    replay="ok"
  else
    replay="**FAILED** ($dir/replay.log)"
    status=failed
  fi
  # FUZZ_MERGE: the inputs that reach code the seeds do not are added to the seed corpus, so CI's
  # replay and smoke runs start from what the campaign found
  if [ -n "${FUZZ_MERGE:-}" ] && [ "$status" = ok ]; then
    "$FUZZ_BUILD_DIR/tests/fuzz/$name" -merge=1 "tests/fuzz/corpus/$name" "$dir/corpus" >"$dir/merge.log" 2>&1 ||
      status="**merge failed** ($dir/merge.log)"
  fi
  printf '| `%s` | %s | %d s | %s/s | %s | %s | %s | %s |\n' "$name" "${runs:-?}" "$seconds" \
    "$(( ${runs:-0} / (seconds > 0 ? seconds : 1) ))" "${cov:-?}" "$(ls "$dir/corpus" | wc -l)" "$replay" "$status"
  [ "$status" = ok ]
}

fuzz_campaign() {
  install_missing_packages
  FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
  FUZZ_RUNS=${FUZZ_RUNS:-10000000}
  FUZZ_MAX_SECONDS=${FUZZ_MAX_SECONDS:-3600}
  configure fuzz "$FUZZ_BUILD_DIR"
  configure asan "$ASAN_BUILD_DIR"
  local targets=("$@")
  if [ ${#targets[@]} -eq 0 ]; then
    for f in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$f" .cpp)"); done
  fi
  cmake --build "$FUZZ_BUILD_DIR" -j "$JOBS" --target "${targets[@]}"
  cmake --build "$ASAN_BUILD_DIR" -j "$JOBS" --target "${targets[@]}"
  export QT_QPA_PLATFORM=offscreen
  echo "| target | executions | time | rate | coverage (edges, features) | corpus | ASan replay of the corpus | result |"
  echo "|---|---|---|---|---|---|---|---|"
  local failed=0 name
  for name in "${targets[@]}"; do
    campaign_target "$name" || failed=1
  done
  return $failed
}

test_all() {
  local quick=0
  [ "${1:-}" = --quick ] && quick=1
  stage "release build (warnings as errors: $WERROR)"
  build
  stage "CTest: release"
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"
  if [ $quick -eq 1 ]; then
    print_stage_times
    return
  fi
  stage "sanitizer build: clang, ASan + UBSan, fuzz targets ($ASAN_BUILD_DIR)"
  configure asan "$ASAN_BUILD_DIR"
  cmake --build "$ASAN_BUILD_DIR" -j "$JOBS"
  export_sanitizer_env
  stage "CTest: ASan + UBSan + LSan"
  ctest --test-dir "$ASAN_BUILD_DIR" --output-on-failure -j "$JOBS"
  stage "fuzz targets, ${FUZZ_SECONDS}s each"
  run_fuzz_smoke
  stage "clang-tidy over core/"
  run_clang_tidy
  print_stage_times
}

case "${1:-}" in
  run)
    shift
    build
    [ $# -gt 0 ] || set -- --demo resources/samples   # the sample runs, plus a model training live
    exec "$BUILD_DIR/app/gui/losslens" "$@"
    ;;
  test)
    shift
    test_all "$@"
    ;;
  build)
    build
    ;;
  fuzz)
    shift
    fuzz_campaign "$@"
    ;;
  *)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
