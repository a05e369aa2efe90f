#!/usr/bin/env bash
# Runs the whole test suite: every test of the Release build through ctest, then the
# bad-input and loader tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
# Exits non-zero if any test fails. Needs scripts/setup.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

if [ ! -x build/neuroscope ]; then
  echo "test: build/ is missing; run ./scripts/setup.sh first" >&2
  exit 1
fi
cmake --build build -j"$jobs"
echo "== Release build: all tests =="
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== AddressSanitizer + UBSan build: bad-input, loader and operator tests =="
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNEUROSCOPE_SANITIZE=ON \
  -DNEUROSCOPE_BUILD_BENCH=OFF >/dev/null
sanitized_targets=(neuroscope test_cli op_tests)
cmake --build build-sanitize -j"$jobs" --target "${sanitized_targets[@]}"
# oneDNN's JIT code and OpenMP runtime are not instrumented; leaks inside them are not ours.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-sanitize --output-on-failure -j"$jobs" -L 'test_cli|op_tests'
echo "test: all passed"
