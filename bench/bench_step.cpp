// One step of the reference feature-visualization loop on the real GoogLeNet: forward to the
// layer, the reference objective (total square activity of one channel), backward to the input.
// Reports ms per step, ms per image and GFLOP/s (convolution and matrix-product FLOPs of the
// forward and backward-to-input passes).
//
//   build/bench/bench_step                       # all cases
//   build/bench/bench_step --benchmark_filter=4d  # one layer
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>

#include "neuroscope/model.h"
#include "neuroscope/network.h"
#include "neuroscope/objective.h"

namespace {

const std::filesystem::path kModel =
    std::filesystem::path(NEUROSCOPE_SHARED_DIR) / "models/googlenet/googlenet-bvlc.onnx";

void reference_step(benchmark::State& state, const std::string& layer) {
  if (!std::filesystem::exists(kModel)) {
    state.SkipWithError(("MISSING shared model " + kModel.string()).c_str());
    return;
  }
  const int64_t batch = state.range(0), size = state.range(1);
  neuroscope::Model model = neuroscope::Model::load(kModel);
  neuroscope::Network net(model, {.input_shapes = {{"data", {batch, 3, size, size}}},
                                  .outputs = {layer}});
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> pixel(-100.0f, 130.0f);
  for (float& v : net.input().values()) v = pixel(rng);
  neuroscope::BoundObjective objective(
      neuroscope::Objective::channel(layer, 97),
      [&](const std::string& name) -> const neuroscope::Tensor& { return net.output(name); },
      [&](const std::string& name) -> neuroscope::Tensor& { return net.output_gradient(name); });
  auto step = [&] {
    net.forward();
    objective.evaluate();
    net.backward();
    benchmark::DoNotOptimize(net.input_gradient().data());
  };
  step();  // first touch of every buffer; not part of the steady state
  double seconds = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    step();
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const double steps = static_cast<double>(state.iterations());
  const double flops = net.forward_flops() + net.backward_flops();
  state.counters["ms_per_image"] = 1e3 * seconds / (steps * static_cast<double>(batch));
  state.counters["GFLOP/s"] = flops * steps / seconds * 1e-9;
  state.counters["MB"] = static_cast<double>(net.memory_bytes()) / 1e6;
}

}  // namespace

BENCHMARK_CAPTURE(reference_step, inception_4d, std::string("inception_4d/output"))
    ->ArgNames({"batch", "size"})
    ->Args({1, 224})
    ->Args({8, 224})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
