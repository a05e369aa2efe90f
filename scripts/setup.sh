#!/usr/bin/env bash
# Installs every dependency from Debian's archive (idempotent) and builds neuroscope (Release)
# into build/. Run as root on Debian 12, or as a user with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # toolchain and build
  g++ cmake make pkg-config git
  # engine and model format
  libdnnl-dev libonnx-dev libprotobuf-dev protobuf-compiler
  ocl-icd-opencl-dev  # Debian's dnnl-config.cmake requires OpenCL (only a Recommends of libdnnl-dev)
  # images, JSON, downloads, OpenMP
  libstb-dev nlohmann-json3-dev libcurl4-openssl-dev libgomp1
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev libonnx-testdata
  python3 python3-numpy python3-torch python3-torchvision python3-onnx
  libopenblas0-pthread  # the BLAS a careful PyTorch user runs (bench/compare)
  # data: the default model's training set, photos for DeepDream
  dataset-fashion-mnist darknet
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install packages" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi

jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$jobs"
echo "setup: built build/neuroscope"
