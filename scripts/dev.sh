#!/usr/bin/env bash
# LossLens in one command on Debian 12: installs what is missing (apt), builds, then
#   scripts/dev.sh run [PATH…]   opens the viewer (no PATH: the sample runs and a demo training live)
#   scripts/dev.sh test          runs every test (CTest) and prints CTest's summary
#   scripts/dev.sh build         only installs and builds
# Environment: BUILD_DIR (default build), JOBS (default: number of cores).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}

# Debian 12 package names; one per line so a diff shows what a change adds.
PACKAGES=(
  cmake ninja-build g++ pkg-config
  qt6-base-dev qt6-charts-dev qt6-svg-dev qt6-declarative-dev
  libeigen3-dev libsimdjson-dev libbenchmark-dev
  fonts-dejavu-core
)

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

build() {
  install_missing_packages
  if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
  fi
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

case "${1:-}" in
  run)
    shift
    build
    [ $# -gt 0 ] || set -- --demo resources/samples   # the sample runs, plus a model training live
    exec "$BUILD_DIR/app/gui/losslens" "$@"
    ;;
  test)
    build
    exec ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"
    ;;
  build)
    build
    ;;
  *)
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
