#!/usr/bin/python3
"""Exports torchvision classifiers to ONNX with PyTorch's own outputs and input gradients.

    /usr/bin/python3 tools/torch_crosscheck/export.py OUT_DIR [--models resnet18,alexnet] [--force]

For each model (random weights from a fixed seed, eval mode) this writes to OUT_DIR:
  <name>.onnx             torch.onnx.export with the exporter's defaults (opset 13)
  <name>.input.npy        a standard-normal float32 NCHW input (the first of a few seeded ones
                          at which the gradients do not hinge on rounding: choose_stable_input)
  <name>.logits.npy       the model's output for it
  <name>.internal.npy     one internal tensor (a mid-network block output)
  <name>.grad_internal.npy / <name>.grad_logits.npy
                          d objective / d input for two "total square activity" objectives:
                          sum over batch and positions of the squared activations of one channel
                          of the internal tensor, and of one logit
and manifest.json describing every file, tensor name, channel and objective value. The C++ test
tests/test_torch_crosscheck.cpp compares neuroscope against these.

The export is skipped when OUT_DIR/manifest.json was written by this same script with the same
torch/torchvision versions and models (pass --force to redo it).
"""

import argparse
import hashlib
import json
import os
import sys
import time

try:
    import numpy as np
    import onnx
    import torch
    import torchvision
except ImportError as missing:
    sys.exit(
        f"torch_crosscheck/export.py: ERROR: {missing}. The PyTorch cross-checks need Debian's "
        "python3-torch, python3-torchvision, python3-onnx and python3-numpy (run the setup "
        "script, or: apt-get install python3-torch python3-torchvision python3-onnx); "
        f"this is {sys.executable}, use /usr/bin/python3.")

OPSET = 13
# The logit whose square is the second objective.
LOGIT_CHANNEL = 3
# Input selection (choose_stable_input): the rounding-like noise level (add_rounding_noise), how
# many +/- pairs of noisy runs, the largest gradient change they may cause, how many inputs to try.
NOISE_LEVEL = 3e-7
NOISE_PAIRS = 2
STABLE_DRIFT = 3e-5
MAX_ATTEMPTS = 8


class Spec:
    """One model: how to build it, its input size and which internal tensor to probe.

    `module` is the dotted path of a submodule whose output is the probed tensor; `channel` is
    the channel of it (and of nothing else) the internal objective squares. Input sizes are the
    smallest reasonable ones: AlexNet and VGG end in AdaptiveAvgPool2d((6|7, ...)), which the
    exporter turns into an AveragePool only when the feature map size divides evenly, so they
    need 224; the others pool globally and take smaller inputs.

    `reinit`: with BatchNorm's default running statistics, the model's own init makes
    activations vanish (GoogLeNet, truncated normal: 1e-7 by inception4c; MobileNets and
    EfficientNet, Kaiming fan-out: logits 1e-9 to 1e-14) or explode (Inception v3: 1e11 at the
    logits), so convolutions are re-drawn with Kaiming's fan-in init. (Setting BatchNorm
    statistics from a random batch instead keeps the scale but makes the input gradients
    chaotic: they move by 1e-5..1e-2 under float32 rounding.) `batch` and `size` are smaller
    where choose_stable_input otherwise finds no stable input.
    """

    def __init__(self, name, build, size, module, channel, reinit=False, batch=2):
        self.name, self.build, self.size, self.batch = name, build, size, batch
        self.module, self.channel = module, channel
        self.reinit = reinit


def tv(name, **kwargs):
    return lambda: getattr(torchvision.models, name)(weights=None, **kwargs)


NO_AUX = dict(aux_logits=False, init_weights=True, transform_input=False)

SPECS = [
    Spec("alexnet", tv("alexnet"), 224, "features.9", 11),
    Spec("vgg11", tv("vgg11"), 224, "features.12", 5, batch=1),
    Spec("resnet18", tv("resnet18"), 112, "layer3", 17),
    Spec("squeezenet1_0", tv("squeezenet1_0"), 96, "features.7", 9),
    Spec("googlenet", tv("googlenet", **NO_AUX), 96, "inception4c", 97, reinit=True, batch=1),
    Spec("inception_v3", tv("inception_v3", **NO_AUX), 107, "Mixed_6b", 41, reinit=True,
         batch=1),
    Spec("densenet121", tv("densenet121"), 96, "features.denseblock2", 300),
    Spec("mobilenet_v2", tv("mobilenet_v2"), 64, "features.9", 21, reinit=True, batch=1),
    Spec("mobilenet_v3_small", tv("mobilenet_v3_small"), 96, "features.6", 13, reinit=True),
    Spec("shufflenet_v2_x0_5", tv("shufflenet_v2_x0_5"), 96, "stage3", 33),
    Spec("efficientnet_b0", tv("efficientnet_b0"), 96, "features.5", 27, reinit=True),
]


def fail(message):
    raise RuntimeError(message)


def scope_prefix(module_path):
    """The ONNX node-name prefix torch 1.13 gives nodes inside a submodule.

    Node names are the chain of enclosing modules' names, where a numbered child (of a
    Sequential) is named by its full dotted path: "/features/denseblock2/...",
    "/features/features.5/features.5.2/...".
    """
    parts = module_path.split(".")
    scopes = [".".join(parts[: i + 1]) if part.isdigit() else part for i, part in enumerate(parts)]
    return "/" + "/".join(scopes) + "/"


def onnx_shapes(model_proto):
    inferred = onnx.shape_inference.infer_shapes(model_proto)
    shapes = {}
    for value in list(inferred.graph.value_info) + list(inferred.graph.output):
        dims = value.type.tensor_type.shape.dim
        shapes[value.name] = [d.dim_value if d.HasField("dim_value") else None for d in dims]
    return shapes


def find_block_output(model_proto, module_path, expected_shape):
    """The ONNX name of the tensor a submodule returns: the output of its last node.

    Checked against the shape PyTorch produced, so a wrong guess fails here, not in C++.
    """
    prefix = scope_prefix(module_path)
    last = None
    for node in model_proto.graph.node:
        if node.name.startswith(prefix) and node.op_type != "Constant":
            last = node
    if last is None:
        fail(f"no ONNX node in scope {prefix} (module {module_path})")
    name = last.output[0]
    shape = onnx_shapes(model_proto).get(name)
    if shape != list(expected_shape):
        fail(f"ONNX tensor {name} (last node of {prefix}) has shape {shape}, but {module_path} "
             f"returns {list(expected_shape)}")
    return name


def check_usable(what, array, smallest_peak):
    """Random-weight networks can blow up or die; a cross-check on zeros or inf proves nothing."""
    if not np.all(np.isfinite(array)):
        fail(f"{what} has non-finite values")
    peak = float(np.max(np.abs(array)))
    if not smallest_peak <= peak <= 1e6:
        fail(f"{what} has max |value| {peak}, outside [{smallest_peak}, 1e6]; pick another "
             "tensor, channel or init")
    if np.count_nonzero(array) < array.size // 100:
        fail(f"{what} is almost all zeros ({np.count_nonzero(array)} of {array.size} nonzero)")


def kaiming_init(model):
    """Re-draws every convolution's weights from Kaiming's normal (fan-in, ReLU gain)."""
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")


def square_activity(tensor, channel):
    """Sum over batch and positions of tensor[:, channel, ...] squared."""
    return (tensor[:, channel] ** 2).sum()


def save(out_dir, file_name, tensor):
    array = tensor.detach().numpy().astype(np.float32)
    np.save(os.path.join(out_dir, file_name), np.ascontiguousarray(array))
    return array


class Run:
    """One forward and two backward passes: the outputs, objective values and input gradients."""

    def __init__(self, model, spec, x, noise=None):
        """`noise`: None, or (seed, sign) for add_rounding_noise."""
        captured = {}
        hooks = [model.get_submodule(spec.module).register_forward_hook(
            lambda _m, _i, out: captured.__setitem__("t", out))]
        if noise is not None:
            hooks += add_rounding_noise(model, *noise)
        x = x.detach().clone().requires_grad_(True)
        try:
            self.logits = model(x)
        finally:
            for hook in hooks:
                hook.remove()
        self.internal = captured["t"]
        self.values, self.gradients = [], []
        for tensor, channel in ((self.internal, spec.channel), (self.logits, LOGIT_CHANNEL)):
            value = square_activity(tensor, channel)
            (gradient,) = torch.autograd.grad(value, x, retain_graph=True)
            self.values.append(float(value))
            self.gradients.append(gradient)


def rounding_scale(module, x):
    """Per output element, sqrt(sum of squared products) of the dot product a layer computes.

    Float32 accumulation error is a few ulps of this: large where big terms cancel, zero where
    every term is zero (those outputs are exact in any order of summation).
    """
    squared = module.weight.detach() ** 2
    if isinstance(module, torch.nn.Linear):
        return torch.nn.functional.linear(x.detach() ** 2, squared).sqrt()
    return torch.nn.functional.conv2d(x.detach() ** 2, squared, None, module.stride,
                                      module.padding, module.dilation, module.groups).sqrt()


def add_rounding_noise(model, seed, sign):
    """Adds sign * Gaussian noise of NOISE_LEVEL * rounding_scale to every Conv/Linear output.

    At 1e-7 (about two float32 ulps) the gradients move as much as PyTorch's own float32 results
    differ from float64. A gradient that stays put under a few times that does not hinge on
    rounding: no ReLU input, max-pool runner-up or clip bound lies within rounding distance of
    its kink. The same seed with both signs pushes every such value across in one of the two
    runs. Returns the hooks to remove.
    """
    generator = torch.Generator().manual_seed(seed)

    def perturb(module, inputs, out):
        noise = torch.randn(out.shape, generator=generator)
        return out + (sign * NOISE_LEVEL) * rounding_scale(module, inputs[0]) * noise

    return [m.register_forward_hook(perturb) for m in model.modules()
            if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]


def relative_error(actual, expected):
    """max |a - b| / max |b|, as the C++ test measures; inf when `expected` is all zeros."""
    peak = float(expected.abs().max())
    return float((actual - expected).abs().max()) / peak if peak > 0 else float("inf")


def choose_stable_input(model, spec, seed):
    """The first of a few seeded random inputs at which the gradients are numerically stable.

    Random ReLU networks have so many units that some pre-activation often lies within float32
    rounding of zero; rounding then flips it, changing the input gradient locally by up to 1e-2
    (max-normalized) in PyTorch itself (float32 vs float64). Such a point cannot check anything
    at 1e-4, so inputs whose gradients move under `add_rounding_noise` are skipped.
    """
    tried = []
    for attempt in range(MAX_ATTEMPTS):
        x = torch.randn(spec.batch, 3, spec.size, spec.size, dtype=torch.float32)
        clean = Run(model, spec, x)
        if any(float(g.abs().max()) == 0.0 for g in clean.gradients):
            fail(f"an objective's input gradient is all zeros (is channel {spec.channel} of "
                 f"{spec.module} or logit {LOGIT_CHANNEL} dead?)")
        drift = 0.0
        for pair in range(NOISE_PAIRS):
            for sign in (1, -1):
                noisy = Run(model, spec, x, (1000 * seed + NOISE_PAIRS * attempt + pair, sign))
                drift = max([drift] + [relative_error(a, b)
                                       for a, b in zip(noisy.gradients, clean.gradients)])
                if drift > STABLE_DRIFT:
                    break  # no need to look further
            if drift > STABLE_DRIFT:
                break
        tried.append(f"{drift:.1e}")
        if drift <= STABLE_DRIFT:
            return x, clean, attempt + 1, drift
    fail(f"no numerically stable input in {MAX_ATTEMPTS} tries (gradient drift under rounding "
         f"noise: {', '.join(tried)}; need <= {STABLE_DRIFT}); use a smaller input or batch")


def export_one(spec, out_dir, seed):
    torch.manual_seed(seed)
    model = spec.build().eval()
    if spec.reinit:
        kaiming_init(model)
    for p in model.parameters():
        p.requires_grad_(False)
    x, run, attempts, drift = choose_stable_input(model, spec, seed)

    onnx_path = os.path.join(out_dir, f"{spec.name}.onnx")
    with torch.no_grad():
        torch.onnx.export(model, x, onnx_path, opset_version=OPSET)
    proto = onnx.load(onnx_path, load_external_data=False)
    if len(proto.graph.input) != 1 or len(proto.graph.output) != 1:
        fail(f"expected one input and one output, got {len(proto.graph.input)} and "
             f"{len(proto.graph.output)}")
    if run.internal.dim() != 4 or spec.channel >= run.internal.shape[1]:
        fail(f"{spec.module} returns shape {list(run.internal.shape)}; channel {spec.channel} "
             "is not a channel of an NCHW tensor")
    names = {"internal": find_block_output(proto, spec.module, run.internal.shape),
             "logits": proto.graph.output[0].name}
    tensors = {"internal": run.internal, "logits": run.logits}
    channels = {"internal": spec.channel, "logits": LOGIT_CHANNEL}

    outputs, objectives = [], []
    for key in ("logits", "internal"):
        file_name = f"{spec.name}.{key}.npy"
        check_usable(f"{spec.name}: {key} ({names[key]})", save(out_dir, file_name, tensors[key]),
                     smallest_peak=1e-4)
        outputs.append({"tensor": names[key], "file": file_name, "shape": list(tensors[key].shape)})
    for key, value, gradient in zip(("internal", "logits"), run.values, run.gradients):
        grad_file = f"{spec.name}.grad_{key}.npy"
        check_usable(f"{spec.name}: gradient of {key} objective",
                     save(out_dir, grad_file, gradient), smallest_peak=1e-12)
        objectives.append({"tensor": names[key], "channel": channels[key], "value": value,
                           "gradient": grad_file})

    input_file = f"{spec.name}.input.npy"
    save(out_dir, input_file, x)
    return {
        "name": spec.name,
        "onnx": os.path.basename(onnx_path),
        "input": {"tensor": proto.graph.input[0].name, "file": input_file,
                  "shape": list(x.shape)},
        "outputs": outputs,
        "internal_module": spec.module,
        "objectives": objectives,
        "input_attempts": attempts,
        "gradient_drift_under_noise": drift,
    }


def fingerprint(names):
    with open(__file__, "rb") as f:
        script = hashlib.sha256(f.read()).hexdigest()
    return {"script_sha256": script, "torch": torch.__version__,
            "torchvision": torchvision.__version__, "onnx": onnx.__version__, "models": names}


def up_to_date(manifest_path, stamp, out_dir):
    try:
        with open(manifest_path) as f:
            manifest = json.load(f)
    except (OSError, ValueError):
        return False
    if manifest.get("fingerprint") != stamp:
        return False
    for entry in manifest["models"]:
        files = [entry["onnx"], entry["input"]["file"]]
        files += [o["file"] for o in entry["outputs"]]
        files += [o["gradient"] for o in entry["objectives"]]
        if not all(os.path.exists(os.path.join(out_dir, f)) for f in files):
            return False
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--models", help="comma-separated subset of: " +
                        ",".join(s.name for s in SPECS))
    parser.add_argument("--force", action="store_true", help="export even if up to date")
    args = parser.parse_args()

    specs = SPECS
    if args.models:
        wanted = args.models.split(",")
        unknown = sorted(set(wanted) - {s.name for s in SPECS})
        if unknown:
            parser.error(f"unknown models {unknown}")
        specs = [s for s in SPECS if s.name in wanted]

    os.makedirs(args.out_dir, exist_ok=True)
    manifest_path = os.path.join(args.out_dir, "manifest.json")
    stamp = fingerprint([s.name for s in specs])
    if not args.force and up_to_date(manifest_path, stamp, args.out_dir):
        print(f"{manifest_path} is up to date (same script, torch {torch.__version__}, "
              "same models); use --force to export again")
        return 0

    # The manifest goes last, so an interrupted run never looks complete.
    if os.path.exists(manifest_path):
        os.remove(manifest_path)
    started = time.time()
    entries, errors = [], []
    for spec in specs:
        seed = SPECS.index(spec)  # the same data whichever subset is exported
        t0 = time.time()
        try:
            entries.append(export_one(spec, args.out_dir, seed))
            entry = entries[-1]
            print(f"{spec.name:20s} {time.time() - t0:5.1f} s  input {entry['input']['shape']} "
                  f"(try {entry['input_attempts']}, "
                  f"drift {entry['gradient_drift_under_noise']:.0e})  "
                  f"internal {entry['objectives'][0]['tensor']}", flush=True)
        except Exception as e:  # report every model, then fail
            errors.append(f"{spec.name}: {type(e).__name__}: {e}")
            print(f"{spec.name:20s} FAILED: {errors[-1]}", flush=True)
    if errors:
        print("torch_crosscheck/export.py: ERROR: " + "; ".join(errors), file=sys.stderr)
        return 1
    manifest = {"fingerprint": stamp, "opset": OPSET, "models": entries}
    with open(manifest_path + ".tmp", "w") as f:
        json.dump(manifest, f, indent=1)
    os.replace(manifest_path + ".tmp", manifest_path)
    print(f"wrote {len(entries)} models to {args.out_dir} in {time.time() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
