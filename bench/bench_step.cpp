// The reference feature-visualization step on the real GoogLeNet, timed.
//
// render_step: the whole step `neuroscope feature` runs (jitter, preprocessing, forward to the
//   layer, objective, backward to the image, normalized update), through the same Renderer, at
//   inception_3b/output, inception_4d/output and the full network (the logits,
//   loss3/classifier), batch 1 and 8, and 4d at 448x448, in float32 (bf16:0) and bfloat16
//   (bf16:1). The first step of a render is not counted (it touches every buffer for the first
//   time and draws the start images).
// reference_step: the network's part alone (forward, objective, backward to the input) at 4d.
//
// Counters: ms_per_step, ms_per_image, GFLOP/s (convolution and matrix-product FLOPs of the
// forward and backward-to-input passes, Network::forward_flops() + backward_flops()), MB (the
// compiled plan's buffers).
//
//   build/bench/bench_step                                  # all cases
//   build/bench/bench_step --benchmark_filter=render_step   # the whole steps only
//   build/bench/bench_step --benchmark_format=json          # for bench/compare
//   build/bench/bench_step --startup   # JSON: Model::load, compile, first step, in a fresh process
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>

#include "neuroscope/model.h"
#include "neuroscope/network.h"
#include "neuroscope/objective.h"
#include "reference_render.h"

namespace {

using Clock = std::chrono::steady_clock;
using neuroscope::bench::googlenet_path;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool model_missing(benchmark::State& state) {
  if (std::filesystem::exists(googlenet_path())) return false;
  state.SkipWithError(("MISSING shared model " + googlenet_path().string()).c_str());
  return true;
}

void report(benchmark::State& state, const neuroscope::Network& net, int64_t batch, double seconds,
            double steps) {
  const double flops = net.forward_flops() + net.backward_flops();
  state.counters["ms_per_step"] = 1e3 * seconds / steps;
  state.counters["ms_per_image"] = 1e3 * seconds / (steps * static_cast<double>(batch));
  state.counters["GFLOP/s"] = flops * steps / seconds * 1e-9;
  state.counters["MB"] = static_cast<double>(net.memory_bytes()) / 1e6;
}

void reference_step(benchmark::State& state, const std::string& layer) {
  if (model_missing(state)) return;
  const int64_t batch = state.range(0), size = state.range(1);
  neuroscope::Model model = neuroscope::Model::load(googlenet_path());
  neuroscope::Network net(model,
                          {.input_shapes = {{"data", {batch, 3, size, size}}}, .outputs = {layer}});
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
    const auto start = Clock::now();
    step();
    seconds += seconds_since(start);
  }
  report(state, net, batch, seconds, static_cast<double>(state.iterations()));
}

double median(std::vector<double> values) {
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  if (values.size() % 2 == 1) return *middle;
  return (*middle + *std::max_element(values.begin(), middle)) / 2;
}

// The last benchmark argument: 0 float32, 1 bfloat16, 2 float32 with Winograd convolutions.
neuroscope::Precision precision_of(int64_t code) {
  switch (code) {
    case 1:
      return neuroscope::Precision::kBFloat16;
    case 2:
      return neuroscope::Precision::kFloat32Winograd;
    default:
      return neuroscope::Precision::kFloat32;
  }
}

// One render of `steps` steps per iteration. The reported step time is the median over the
// steps after the first of each render (the median, not the mean: on a shared 2-core machine a
// step now and then loses its core to another process; bench/torch_googlenet.py reports the
// same statistic). ms_per_step_mean is there too.
void render_step(benchmark::State& state, const std::string& layer) {
  if (model_missing(state)) return;
  const neuroscope::bench::RenderCase c{.tensor = layer,
                                        .batch = state.range(0),
                                        .size = state.range(1),
                                        .steps = static_cast<int>(state.range(2)),
                                        .precision = precision_of(state.range(3)),
                                        .whole_layer = state.range(4) != 0};
  if (c.steps < 2) {
    state.SkipWithError("render_step needs at least 2 steps (the first is not counted)");
    return;
  }
  if (std::string why = neuroscope::precision_unavailable_reason(c.precision); !why.empty()) {
    state.SkipWithError(("UNAVAILABLE: " + why).c_str());
    return;
  }
  neuroscope::Model model = neuroscope::Model::load(googlenet_path());
  neuroscope::bench::ReferenceRender render(model, c);
  std::vector<double> steps;
  for (auto _ : state) {
    const std::vector<double> seconds = render.run();
    steps.insert(steps.end(), seconds.begin() + 1, seconds.end());
    state.SetIterationTime(median({seconds.begin() + 1, seconds.end()}));
  }
  const double typical = median(steps);
  report(state, render.network(), c.batch, typical, 1.0);
  state.counters["ms_per_step_mean"] =
      1e3 * std::accumulate(steps.begin(), steps.end(), 0.0) / static_cast<double>(steps.size());
  state.counters["steps_timed"] = static_cast<double>(steps.size());
}

// Model::load to the end of the first step of a 4d render at batch 1, 224x224, as `neuroscope
// feature` does it; meaningful only in a fresh process (oneDNN caches compiled kernels).
int startup() {
  const auto start = Clock::now();
  const neuroscope::Model model = neuroscope::Model::load(googlenet_path());
  const double loaded = seconds_since(start);
  neuroscope::bench::ReferenceRender render(
      model, {.tensor = "inception_4d/output", .batch = 1, .size = 224, .steps = 1});
  const double compiled = seconds_since(start);
  double first_step = 0;
  render.run([&](int) { first_step = seconds_since(start); });
  std::cout << nlohmann::ordered_json{{"case", "inception_4d/output batch 1 224x224"},
                                      {"load_ms", 1e3 * loaded},
                                      {"compile_ms", 1e3 * (compiled - loaded)},
                                      {"first_step_ms", 1e3 * (first_step - compiled)},
                                      {"total_ms", 1e3 * first_step}}
                   .dump()
            << "\n";
  return 0;
}

}  // namespace

BENCHMARK_CAPTURE(reference_step, inception_4d, std::string("inception_4d/output"))
    ->ArgNames({"batch", "size"})
    ->Args({1, 224})
    ->Args({8, 224})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Steps per render: enough for a stable median at today's speed, a few seconds per case. The
// fourth argument picks the precision (precision_of); the last, `whole`, computes the whole
// layer (RenderCase::whole_layer), for an inception module's output: the same work per image at
// batch 1 and 8, whatever the channels.
void render_cases(benchmark::internal::Benchmark* b, bool large, bool whole) {
  b->ArgNames({"batch", "size", "steps", "precision", "whole"});
  for (int64_t precision : {0, 1, 2}) {
    b->Args({1, 224, 25, precision, 0});
    b->Args({8, 224, 6, precision, 0});
    if (large) b->Args({1, 448, 10, precision, 0});
    if (whole) {
      b->Args({1, 224, 25, precision, 1});
      b->Args({8, 224, 6, precision, 1});
    }
  }
  b->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
}

BENCHMARK_CAPTURE(render_step, inception_3b, std::string("inception_3b/output"))
    ->Apply([](benchmark::internal::Benchmark* b) { render_cases(b, false, true); });
BENCHMARK_CAPTURE(render_step, inception_4d, std::string("inception_4d/output"))
    ->Apply([](benchmark::internal::Benchmark* b) { render_cases(b, true, true); });
BENCHMARK_CAPTURE(render_step, full, std::string("loss3/classifier"))
    ->Apply([](benchmark::internal::Benchmark* b) { render_cases(b, false, false); });

// For bench/compare: per precision code (precision_of), why this CPU cannot run it ("" when it
// can), as a JSON array.
int print_unavailable_reasons() {
  std::printf("[");
  for (int64_t code = 0; code < 3; ++code) {
    std::string why = neuroscope::precision_unavailable_reason(precision_of(code));
    std::printf("%s\"%s\"", code ? ", " : "", why.c_str());  // plain text: no quotes to escape
  }
  std::printf("]\n");
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--startup") == 0) return startup();
  if (argc == 2 && std::strcmp(argv[1], "--unavailable-precisions") == 0)
    return print_unavailable_reasons();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
