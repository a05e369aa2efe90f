// Where the time of one reference step goes: the render of bench_step (render_step), with the
// network's per-operator profile (Network::set_profiling) summed by op type, the 15 most
// expensive nodes, and what is spent outside the network (jitter, preprocessing, objective,
// update). The first step of each render is not counted.
//
//   build/bench/profile_step                                   # inception_4d/output, batch 1 and 8
//   build/bench/profile_step --layer loss3/classifier --batch 8 --steps 4
//   build/bench/profile_step --whole-layer 1    # every branch of the layer, as before skipping
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "neuroscope/error.h"
#include "reference_render.h"

namespace {

using neuroscope::ProfileRow;

struct Options {
  std::string layer = "inception_4d/output";
  std::vector<int64_t> batches;
  int64_t size = 224;
  int steps = 0;  // 0: 16 at batch 1, fewer for larger batches
  size_t top = 15;
  bool whole_layer = false;
};

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: profile_step [--layer TENSOR] [--batch B]... [--size S] [--steps N] "
               "[--top K] [--whole-layer 0|1]\n");
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage();
    const char* value = argv[++i];
    if (flag == "--layer")
      o.layer = value;
    else if (flag == "--batch")
      o.batches.push_back(std::atoll(value));
    else if (flag == "--size")
      o.size = std::atoll(value);
    else if (flag == "--steps")
      o.steps = std::atoi(value);
    else if (flag == "--top")
      o.top = static_cast<size_t>(std::atoll(value));
    else if (flag == "--whole-layer")
      o.whole_layer = std::atoi(value) != 0;
    else
      usage();
  }
  if (o.batches.empty()) o.batches = {1, 8};
  return o;
}

struct OpTotal {
  double forward = 0, backward = 0;
  int nodes = 0;
  double total() const { return forward + backward; }
};

void print_by_op(const std::vector<ProfileRow>& rows, double step_ms) {
  std::map<std::string, OpTotal> by_op;
  for (const ProfileRow& r : rows) {
    OpTotal& t = by_op[r.op];
    (r.pass == "forward" ? t.forward : t.backward) += r.milliseconds_per_run;
    ++t.nodes;
  }
  std::vector<std::pair<std::string, OpTotal>> sorted(by_op.begin(), by_op.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second.total() > b.second.total(); });
  std::printf("  %-22s %6s %11s %12s %9s %6s\n", "op type", "parts", "forward ms", "backward ms",
              "total ms", "share");
  double network = 0;
  for (const auto& [op, t] : sorted) {
    std::printf("  %-22s %6d %11.2f %12.2f %9.2f %5.1f%%\n", op.c_str(), t.nodes, t.forward,
                t.backward, t.total(), 100 * t.total() / step_ms);
    network += t.total();
  }
  std::printf("  %-22s %6s %11s %12s %9.2f %5.1f%%\n", "(outside the network)", "", "", "",
              step_ms - network, 100 * (step_ms - network) / step_ms);
}

void print_top(std::vector<ProfileRow> rows, double step_ms, size_t top) {
  std::sort(rows.begin(), rows.end(), [](const ProfileRow& a, const ProfileRow& b) {
    return a.milliseconds_per_run > b.milliseconds_per_run;
  });
  std::printf("  top %zu nodes:\n  %-9s %-18s %-40s %8s %6s\n", top, "pass", "op", "node", "ms",
              "share");
  for (size_t i = 0; i < std::min(top, rows.size()); ++i)
    std::printf("  %-9s %-18s %-40s %8.2f %5.1f%%\n", rows[i].pass.c_str(), rows[i].op.c_str(),
                rows[i].label.c_str(), rows[i].milliseconds_per_run,
                100 * rows[i].milliseconds_per_run / step_ms);
}

void profile(const neuroscope::Model& model, const Options& o, int64_t batch) {
  const int steps = o.steps > 0 ? o.steps : static_cast<int>(std::max<int64_t>(4, 16 / batch));
  neuroscope::bench::ReferenceRender render(model, {.tensor = o.layer,
                                                    .batch = batch,
                                                    .size = o.size,
                                                    .steps = std::max(steps, 2),
                                                    .whole_layer = o.whole_layer});
  neuroscope::Network& net = render.network();
  net.set_profiling(true);
  const std::vector<double> seconds = render.run([&](int step) {
    if (step == 1) net.reset_profile();  // the first step is not counted
  });
  const double step_ms = 1e3 * std::accumulate(seconds.begin() + 1, seconds.end(), 0.0) /
                         static_cast<double>(seconds.size() - 1);
  const double flops = net.forward_flops() + net.backward_flops();
  std::printf(
      "%s, batch %lld, %lldx%lld: %.2f ms per step, %.2f ms per image, %.1f GFLOP/s "
      "(mean of %zu profiled steps after the first)\n",
      o.layer.c_str(), static_cast<long long>(batch), static_cast<long long>(o.size),
      static_cast<long long>(o.size), step_ms, step_ms / static_cast<double>(batch),
      flops / step_ms * 1e-6, seconds.size() - 1);
  const std::vector<ProfileRow> rows = net.profile();
  print_by_op(rows, step_ms);
  print_top(rows, step_ms, o.top);
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  try {
    const neuroscope::Model model = neuroscope::Model::load(neuroscope::bench::googlenet_path());
    for (int64_t batch : o.batches) profile(model, o, batch);
  } catch (const neuroscope::Error& e) {
    std::fprintf(stderr, "profile_step: %s\n", e.what());
    return 1;
  }
  return 0;
}
