// The machine's practical f32 peak: large 3x3 convolutions, forward and backward-to-input,
// straight on oneDNN with the layouts it prefers (format_tag::any), nothing else in the way.
// Prints JSON: GFLOP/s (2 FLOPs per multiply-add) of every case and the best of them.
//
//   build/bench/peak_conv              # about 5 seconds
//   build/bench/peak_conv --seconds 2  # time each case for longer
#include <nlohmann/json.hpp>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using dnnl::memory;
using Tag = memory::format_tag;

struct ConvShape {
  memory::dim batch, channels, size;  // channels in = channels out; 3x3, stride 1, pad 1
  double flops() const {
    return 2.0 * static_cast<double>(batch * channels * channels * size * size * 9);
  }
  std::string name() const {
    return std::to_string(batch) + "x" + std::to_string(channels) + "x" + std::to_string(size) +
           "x" + std::to_string(size);
  }
};

memory filled(const memory::desc& desc, const dnnl::engine& engine, float value) {
  memory m(desc, engine);
  auto* data = static_cast<float*>(m.get_data_handle());
  std::fill(data, data + desc.get_size() / sizeof(float), value);
  return m;
}

// Best seconds per run of `run` over rounds of repeated runs, after a warm-up.
template <typename Run>
double best_seconds(Run run, double budget_seconds) {
  run();
  run();
  double best = 1e30, spent = 0;
  while (spent < budget_seconds) {
    const auto start = std::chrono::steady_clock::now();
    constexpr int kRunsPerRound = 3;
    for (int i = 0; i < kRunsPerRound; ++i) run();
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, s / kRunsPerRound);
    spent += s;
  }
  return best;
}

struct Result {
  std::string pass, shape, implementation;
  double milliseconds, gflops;
};

std::vector<Result> measure(const ConvShape& c, const dnnl::engine& engine, dnnl::stream& stream,
                            double budget_seconds) {
  const memory::dims act = {c.batch, c.channels, c.size, c.size};
  const memory::dims weights = {c.channels, c.channels, 3, 3};
  const memory::dims one = {1, 1}, pad = {1, 1};
  const memory::desc act_any(act, memory::data_type::f32, Tag::any);
  const memory::desc weights_any(weights, memory::data_type::f32, Tag::any);

  const dnnl::convolution_forward::primitive_desc forward_pd(
      dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training,
                                      dnnl::algorithm::convolution_direct, act_any, weights_any,
                                      act_any, one, pad, pad),
      engine);
  const dnnl::convolution_backward_data::primitive_desc backward_pd(
      dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, act_any,
                                            weights_any, act_any, one, pad, pad),
      engine, forward_pd);

  memory src = filled(forward_pd.src_desc(), engine, 0.5f);
  memory wei = filled(forward_pd.weights_desc(), engine, 0.01f);
  memory dst = filled(forward_pd.dst_desc(), engine, 0.0f);
  memory diff_dst = filled(backward_pd.diff_dst_desc(), engine, 0.25f);
  memory bwd_wei = filled(backward_pd.weights_desc(), engine, 0.01f);
  memory diff_src = filled(backward_pd.diff_src_desc(), engine, 0.0f);

  dnnl::convolution_forward forward(forward_pd);
  dnnl::convolution_backward_data backward(backward_pd);
  const std::unordered_map<int, memory> forward_args = {
      {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}};
  const std::unordered_map<int, memory> backward_args = {
      {DNNL_ARG_DIFF_DST, diff_dst}, {DNNL_ARG_WEIGHTS, bwd_wei}, {DNNL_ARG_DIFF_SRC, diff_src}};

  auto result = [&](const char* pass, const char* impl, double seconds) {
    return Result{pass, c.name(), impl, 1e3 * seconds, c.flops() / seconds * 1e-9};
  };
  const double forward_s = best_seconds(
      [&] {
        forward.execute(stream, forward_args);
        stream.wait();
      },
      budget_seconds);
  const double backward_s = best_seconds(
      [&] {
        backward.execute(stream, backward_args);
        stream.wait();
      },
      budget_seconds);
  return {result("forward", forward_pd.impl_info_str(), forward_s),
          result("backward_data", backward_pd.impl_info_str(), backward_s)};
}

double parse_seconds(int argc, char** argv) {
  double seconds = 0.6;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else {
      std::cerr << "usage: peak_conv [--seconds S]  (time per case and pass, default 0.6)\n";
      std::exit(2);
    }
  }
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  const double budget = parse_seconds(argc, argv);
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  const std::vector<ConvShape> shapes = {{8, 256, 28}, {8, 128, 56}, {1, 256, 56}};
  std::vector<Result> results;
  for (const ConvShape& s : shapes)
    for (Result& r : measure(s, engine, stream, budget)) results.push_back(std::move(r));
  double peak = 0;
  nlohmann::ordered_json cases = nlohmann::ordered_json::array();
  for (const Result& r : results) {
    peak = std::max(peak, r.gflops);
    cases.push_back({{"pass", r.pass},
                     {"shape", r.shape + " 3x3"},
                     {"implementation", r.implementation},
                     {"ms", r.milliseconds},
                     {"gflops", r.gflops}});
  }
  std::cout << nlohmann::ordered_json{{"cases", cases}, {"peak_gflops", peak}}.dump(1) << "\n";
  return 0;
}
