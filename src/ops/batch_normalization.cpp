// BatchNormalization, inference form: y = (x - mean) / sqrt(var + epsilon) * scale + B per
// channel (axis 1). Usually folded into the preceding Conv (graph/fold_batchnorm.cpp); this op
// runs the rest, e.g. DenseNet's BN on a Concat output. Forward is oneDNN's batch normalization
// with the given statistics; the backward is the per-channel factor scale / sqrt(var + eps).
#include "exec/plan.h"
#include "ops/op.h"

namespace neuroscope::ops {
namespace {

using namespace dnnl;

constexpr const char* kRoles[] = {"input", "scale", "B", "mean", "var"};

void check_inference_form(const graph::Node& node) {
  bool extra_outputs = false;
  for (size_t o = 1; o < node.outputs.size(); ++o) extra_outputs |= !node.outputs[o].empty();
  if (node.attr_int("training_mode", 0) != 0 || extra_outputs)
    throw error(node.describe(), ": training mode (batch statistics, running-mean outputs) is not",
                " supported; only the inference form with given mean and var");
}

// Each of scale, B, mean, var: a constant with one value per channel.
template <typename Context>
std::vector<float> channel_parameter(const Context& ctx, size_t i) {
  const graph::Node& node = ctx.node();
  const int64_t channels = ctx.input_shape(0)[1];
  const graph::Constant& c = ctx.require_constant(i, kRoles[i]);
  if (c.size() != channels) {
    const bool per_activation = node.attr_int("spatial", 1) == 0;
    throw error(node.describe(), ": ", kRoles[i], " '", node.inputs[i], "' has shape ",
                to_string(c.shape), "; expected [", channels, "]",
                per_activation ? " (spatial=0, per-activation statistics, is not supported)" : "");
  }
  return c.as_floats();
}

std::vector<Shape> infer(const ShapeContext& ctx) {
  check_inference_form(ctx.node());
  ctx.expect_rank(0, 2, 5);
  for (size_t i = 1; i < 5; ++i) channel_parameter(ctx, i);
  return {ctx.input_shape(0)};
}

batch_normalization_forward::primitive_desc inference_primitive(const exec::OpContext& ctx,
                                                                const exec::Desc& data,
                                                                float epsilon, bool shift) {
  return exec::dnnl_call(ctx.describe(), [&] {
    auto flags = normalization_flags::use_global_stats | normalization_flags::use_scale;
    if (shift) flags |= normalization_flags::use_shift;
    batch_normalization_forward::desc d(prop_kind::forward_inference, data, epsilon, flags);
    return batch_normalization_forward::primitive_desc(d, ctx.engine());
  });
}

void compile(exec::OpContext& ctx) {
  const float epsilon = ctx.node().attr_float("epsilon", 1e-5f);
  const Shape& x = ctx.input_shape(0);
  const exec::Desc channel_desc = exec::plain_desc({x[1]});
  auto channel_memory = [&](size_t i) {
    return ctx.constant_memory(channel_parameter(ctx, i), channel_desc, channel_desc);
  };
  const memory scale = channel_memory(1), var = channel_memory(4);
  const memory src = ctx.input(0);
  const auto pd = inference_primitive(ctx, src.get_desc(), epsilon, true);
  const memory dst = ctx.output(0, pd.dst_desc());
  ctx.forward(batch_normalization_forward(pd), {{DNNL_ARG_SRC, src},
                                                {DNNL_ARG_DST, dst},
                                                {DNNL_ARG_SCALE, scale},
                                                {DNNL_ARG_SHIFT, channel_memory(2)},
                                                {DNNL_ARG_MEAN, channel_memory(3)},
                                                {DNNL_ARG_VARIANCE, var}});
  if (!ctx.needs_grad(0)) return;

  // dx = dy * scale / sqrt(var + epsilon): the same normalization applied to dy with mean 0 and
  // no shift, so it runs on any layout at the speed of the forward.
  const memory diff_dst = ctx.diff_output(0);
  const auto bwd = inference_primitive(ctx, diff_dst.get_desc(), epsilon, false);
  const std::vector<float> zeros(static_cast<size_t>(x[1]), 0.0f);
  ctx.backward(batch_normalization_forward(bwd),
               {{DNNL_ARG_SRC, diff_dst},
                {DNNL_ARG_DST, ctx.diff_input(0, diff_dst.get_desc())},
                {DNNL_ARG_SCALE, scale},
                {DNNL_ARG_MEAN, ctx.constant_memory(zeros, channel_desc, channel_desc)},
                {DNNL_ARG_VARIANCE, var}});
}

}  // namespace
extern const OpSpec kBatchNormalizationOp{"BatchNormalization", infer, compile};
}  // namespace neuroscope::ops
