// HardSigmoid: y = clamp(alpha * x + beta, 0, 1). oneDNN 2.6 has no such algorithm, so it runs
// as plain-layout loops. The derivative, alpha where 0 < y < 1, is read off the output.
#include <algorithm>

#include "exec/plan.h"
#include "ops/eltwise.h"

namespace neuroscope::ops {
namespace {

void compile(exec::OpContext& ctx) {
  const float alpha = ctx.node().attr_float("alpha", 0.2f);
  const float beta = ctx.node().attr_float("beta", 0.5f);
  const int64_t n = element_count(ctx.output_shape(0));
  const float* x = exec::data_of(ctx.input_plain(0));
  float* y = exec::data_of(ctx.output_plain(0));
  ctx.forward([=] {
#pragma omp parallel for
    for (int64_t i = 0; i < n; ++i) y[i] = std::clamp(alpha * x[i] + beta, 0.0f, 1.0f);
  });
  if (!ctx.needs_grad(0)) return;
  const float* dy = exec::data_of(ctx.diff_output_plain(0));
  float* dx = exec::data_of(ctx.diff_input_plain(0));
  ctx.backward([=] {
#pragma omp parallel for
    for (int64_t i = 0; i < n; ++i) dx[i] = y[i] > 0.0f && y[i] < 1.0f ? alpha * dy[i] : 0.0f;
  });
}

}  // namespace
extern const OpSpec kHardSigmoidOp{"HardSigmoid", infer_same_shape, compile};
}  // namespace neuroscope::ops
