#!/usr/bin/python3
"""The PyTorch baseline of bench/compare: the BVLC GoogLeNet built in PyTorch from the same ONNX
file neuroscope reads, running the same reference feature-visualization step.

The network is the ONNX graph itself: its nodes are run in order with torch.nn.functional, its
weights are torch tensors that never require gradients, and it stops at the requested tensor.
One reference step, per image of the batch: a random wrap-around shift of up to 8 pixels, the
model's preprocessing (RGB in [0,1] -> BGR * 255 - mean, from the file's metadata_props),
forward to the tensor, objective = sum of squares of the image's channel, backward to the image,
gradient scaled to largest |g| = 1/8, added (the shift is undone by autograd), clamped to [0,1].

  bench/torch_googlenet.py bench --mode tuned --case inception_4d/output:1:224 --case ...
      -> JSON: ms per image-step of every case, the median over the timed steps (tuned: both
         memory formats, the faster kept)
  bench/torch_googlenet.py grad --input X.npy --tensor T --channel C --grad G.npy
      -> JSON: the objective on the raw network input X; writes d(objective)/dX to G.npy

Modes: "untuned" is PyTorch as most users run it (defaults, the system's BLAS); "tuned" sets
OMP_PROC_BIND=true, OPENBLAS_NUM_THREADS=1 and torch threads = cores, flushes denormals, uses
in-place ReLU, picks channels_last where it measures faster, and runs on OpenBLAS: PyTorch sends
convolutions its oneDNN heuristic turns down (3x3 on small maps at batch 1) and the classifier's
matrix product to BLAS, and Debian's default libblas.so.3 is the slow reference BLAS. The
OpenBLAS used is --blas, else $NEUROSCOPE_TORCH_BLAS, else Debian's libopenblas0-pthread or
-openmp when installed (a libblas.so.3 path; an unpacked .deb will do, see BENCHMARKS.md).
Run with Debian's /usr/bin/python3 (python3-torch, python3-onnx).
"""
import argparse
import json
import os
import statistics
import sys
import time

MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                     "../../shared/models/googlenet/googlenet-bvlc.onnx")
# Counted before torch loads: with OMP_PROC_BIND=true the OpenMP runtime pins this thread to
# one core, after which the affinity mask shows one core only.
CORES = len(os.sched_getaffinity(0))
JITTER = 8
STEP_SIZE = 1.0 / 8
# The channels the batch's images maximize: the reference channels of the shared README for the
# two inception layers, a few classes for the logits; bench/reference_render.cpp has the same
# lists. PyTorch's cost does not depend on them; neuroscope's does (it skips the inception
# branches no image reads), so batch 1 takes a channel of the costliest branch (3x3).
CHANNELS = {
    "inception_3b/output": [130, 5, 41, 77, 199, 233, 268, 301],
    "inception_4d/output": [140, 3, 60, 97, 181, 222, 265, 318],
    "loss3/classifier": [1, 76, 130, 291, 309, 417, 817, 967],
}


def channels_for(tensor, batch):
    base = CHANNELS.get(tensor, [0])
    return [base[i % len(base)] for i in range(batch)]


OPENBLAS_CANDIDATES = [
    "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3",
    "/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3",
]


def find_openblas(requested):
    """The OpenBLAS libblas.so.3 for tuned mode, or None (the system's BLAS then)."""
    for path in [requested, os.environ.get("NEUROSCOPE_TORCH_BLAS")] + OPENBLAS_CANDIDATES:
        if path and os.path.exists(path):
            return os.path.abspath(path)
    if requested:
        sys.exit(f"torch_googlenet: --blas {requested} does not exist")
    return None


def preload_blas(libblas):
    """Loads an OpenBLAS libblas.so.3 (and liblapack.so.3 beside it) before torch, so that
    torch's dependencies on those sonames resolve to it; the system's BLAS stays as it is."""
    import ctypes

    folder = os.path.dirname(libblas)
    for name in ("libopenblas.so.0", os.path.basename(libblas), "liblapack.so.3"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)


def loaded_blas():
    """The libblas.so.3 this process actually mapped."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if os.path.basename(path).startswith("libblas.so"):
                return os.path.realpath(path)
    return "none"


def set_tuned_environment():
    """What a careful user sets before torch (and its OpenMP runtime) is loaded."""
    os.environ["OMP_PROC_BIND"] = "true"
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    os.environ["OMP_NUM_THREADS"] = str(CORES)


class OnnxGoogLeNet:
    """The ONNX graph run node by node with torch.nn.functional, truncated at one tensor."""

    def __init__(self, path, tensor, channels_last=False, inplace_relu=False):
        import onnx
        from onnx import numpy_helper
        import torch

        self.torch = torch
        model = onnx.load(path)
        graph = model.graph
        self.metadata = {p.key: p.value for p in model.metadata_props}
        self.input_name = graph.input[0].name
        self.tensor = tensor
        self.inplace_relu = inplace_relu
        self.nodes = self._nodes_needed(graph, tensor)
        needed = {name for node in self.nodes for name in node.input}
        self.weights = {}
        for init in graph.initializer:
            if init.name not in needed:
                continue
            w = torch.from_numpy(numpy_helper.to_array(init).copy())
            w.requires_grad_(False)
            if channels_last and w.dim() == 4:
                w = w.contiguous(memory_format=torch.channels_last)
            self.weights[init.name] = w
        self.channels_last = channels_last

    @staticmethod
    def _nodes_needed(graph, tensor):
        producer = {out: i for i, node in enumerate(graph.node) for out in node.output}
        if tensor not in producer:
            sys.exit(f"torch_googlenet: no tensor '{tensor}' in the model")
        keep, todo = set(), [producer[tensor]]
        while todo:
            i = todo.pop()
            if i in keep:
                continue
            keep.add(i)
            todo.extend(producer[name] for name in graph.node[i].input if name in producer)
        return [graph.node[i] for i in sorted(keep)]

    def preprocess(self, images):
        """[N,3,H,W] RGB in [0,1] -> the network input, from the model's metadata_props."""
        torch = self.torch
        order = self.metadata.get("input_color_order", "RGB").upper()
        scale = float(self.metadata.get("input_scale", "1"))
        mean = [float(v) for v in self.metadata.get("input_mean", "0,0,0").split(",")]
        std = [float(v) for v in self.metadata.get("input_std", "1,1,1").split(",")]
        x = images.flip(1) if order == "BGR" else images
        mean_t = torch.tensor(mean).view(1, 3, 1, 1)
        std_t = torch.tensor(std).view(1, 3, 1, 1)
        return (x * scale - mean_t) / std_t

    def __call__(self, x):
        if self.channels_last:
            x = x.contiguous(memory_format=self.torch.channels_last)
        values = {self.input_name: x}
        values.update(self.weights)
        for node in self.nodes:
            args = [values[name] if name else None for name in node.input]
            values[node.output[0]] = self._run(node, args)
        return values[self.tensor]

    def _run(self, node, args):
        import onnx
        import torch.nn.functional as F

        torch = self.torch
        attr = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        op = node.op_type
        if op == "Conv":
            x, padding = self._padding(args[0], attr.get("pads"), 0.0)
            return F.conv2d(x, args[1], args[2] if len(args) > 2 else None,
                            stride=attr.get("strides", 1), padding=padding,
                            dilation=attr.get("dilations", 1), groups=attr.get("group", 1))
        if op == "Relu":
            return F.relu(args[0], inplace=self.inplace_relu)
        if op == "MaxPool":
            x, padding = self._padding(args[0], attr.get("pads"), float("-inf"))
            return F.max_pool2d(x, attr["kernel_shape"], attr.get("strides", 1), padding=padding,
                                ceil_mode=bool(attr.get("ceil_mode", 0)))
        if op == "AveragePool":
            pads = attr.get("pads", [0, 0, 0, 0])
            if pads[:2] != pads[2:]:
                sys.exit(f"torch_googlenet: asymmetric average-pool pads in {node.name}")
            return F.avg_pool2d(args[0], attr["kernel_shape"], attr.get("strides", 1),
                                padding=pads[:2], ceil_mode=bool(attr.get("ceil_mode", 0)),
                                count_include_pad=bool(attr.get("count_include_pad", 0)))
        if op == "LRN":
            # PyTorch, ONNX and Caffe all divide by (k + alpha/size * sum of squares)^beta.
            return F.local_response_norm(args[0], attr["size"], attr.get("alpha", 1e-4),
                                         attr.get("beta", 0.75), attr.get("bias", 1.0))
        if op == "Concat":
            return torch.cat(args, dim=attr["axis"])
        if op == "Dropout":
            return args[0]
        if op == "Flatten":
            axis = attr.get("axis", 1)
            outer = 1
            for d in args[0].shape[:axis]:
                outer *= d
            return args[0].reshape(outer, -1)
        if op == "Gemm":
            a = args[0].t() if attr.get("transA", 0) else args[0]
            b = args[1].t() if attr.get("transB", 0) else args[1]
            y = attr.get("alpha", 1.0) * (a @ b)
            return y + attr.get("beta", 1.0) * args[2] if len(args) > 2 else y
        if op == "Softmax":
            return F.softmax(args[0], dim=attr.get("axis", -1))
        sys.exit(f"torch_googlenet: operator {op} ({node.name}) is not supported")

    @staticmethod
    def _padding(x, pads, value):
        """ONNX pads [top, left, bottom, right] -> (input, the op's symmetric padding): passed to
        the op when symmetric (as in this model), else padded explicitly with `value`."""
        import torch.nn.functional as F

        if not pads:
            return x, 0
        top, left, bottom, right = pads
        if (top, left) == (bottom, right):
            return x, (top, left)
        return F.pad(x, (left, right, top, bottom), value=value), 0


def objective(out, channels):
    """Per image b: the sum of squares of channel channels[b] of `out` ([N,C,...])."""
    picked = out[range(out.shape[0]), channels]
    return picked.reshape(out.shape[0], -1).square().sum(dim=1)


def reference_step(net, images, channels, generator):
    """One step of the reference recipe on a batch of images; returns the new images."""
    torch = net.torch
    images.requires_grad_(True)
    shifts = torch.randint(-JITTER, JITTER + 1, (images.shape[0], 2), generator=generator)
    seen = torch.stack([torch.roll(images[b], (int(shifts[b, 0]), int(shifts[b, 1])), dims=(1, 2))
                        for b in range(images.shape[0])])
    values = objective(net(net.preprocess(seen)), channels)
    (grad,) = torch.autograd.grad(values.sum(), images)
    with torch.no_grad():
        largest = grad.abs().amax(dim=(1, 2, 3), keepdim=True).clamp_min(1e-30)
        return (images + grad * (STEP_SIZE / largest)).clamp_(0.0, 1.0).detach()


def time_steps(net, tensor, batch, size, min_seconds, warmup=2, min_steps=5):
    """Seconds of each step after `warmup` steps, over at least min_seconds and min_steps."""
    torch = net.torch
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(batch, 3, size, size, generator=generator)
    channels = channels_for(tensor, batch)
    for _ in range(warmup):
        images = reference_step(net, images, channels, generator)
    seconds, start = [], time.perf_counter()
    while len(seconds) < min_steps or time.perf_counter() - start < min_seconds:
        step_start = time.perf_counter()
        images = reference_step(net, images, channels, generator)
        seconds.append(time.perf_counter() - step_start)
    return seconds


def parse_case(text):
    tensor, batch, size = text.rsplit(":", 2)
    return tensor, int(batch), int(size)


def run_bench(args):
    if args.mode == "tuned":
        set_tuned_environment()
        openblas = find_openblas(args.blas)
        if openblas:
            preload_blas(openblas)
    import torch

    if args.mode == "tuned":
        torch.set_num_threads(CORES)
        torch.set_flush_denormal(True)
    results = []
    for text in args.case:
        tensor, batch, size = parse_case(text)
        formats = ["contiguous", "channels_last"] if args.mode == "tuned" else ["contiguous"]
        per_format = {}
        for fmt in formats:
            net = OnnxGoogLeNet(args.model, tensor, channels_last=fmt == "channels_last",
                                inplace_relu=args.mode == "tuned")
            seconds = time_steps(net, tensor, batch, size, args.min_seconds)
            # The median, as bench_step reports: robust to a step that lost its core.
            per_format[fmt] = {"ms_per_step": 1e3 * statistics.median(seconds),
                               "ms_per_step_mean": 1e3 * statistics.fmean(seconds),
                               "steps": len(seconds)}
        best = min(per_format, key=lambda f: per_format[f]["ms_per_step"])
        results.append({
            "tensor": tensor, "batch": batch, "size": size, "format": best,
            "ms_per_step": per_format[best]["ms_per_step"],
            "ms_per_image": per_format[best]["ms_per_step"] / batch,
            "formats": per_format,
        })
    json.dump({"mode": args.mode, "torch": torch.__version__, "threads": torch.get_num_threads(),
               "blas": loaded_blas(),
               "environment": {k: os.environ.get(k) for k in
                               ("OMP_PROC_BIND", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")},
               "cases": results}, sys.stdout, indent=1)
    print()


def run_grad(args):
    import numpy as np
    import torch

    torch.set_num_threads(CORES)
    net = OnnxGoogLeNet(args.model, args.tensor)
    x = torch.from_numpy(np.load(args.input).astype(np.float32)).requires_grad_(True)
    value = objective(net(x), [args.channel] * x.shape[0]).sum()
    value.backward()
    np.save(args.grad, x.grad.numpy())
    json.dump({"tensor": args.tensor, "channel": args.channel, "value": value.item()}, sys.stdout)
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=MODEL, help="the BVLC GoogLeNet ONNX file")
    sub = parser.add_subparsers(dest="command", required=True)
    bench = sub.add_parser("bench", help="time the reference step")
    bench.add_argument("--mode", choices=["tuned", "untuned"], required=True)
    bench.add_argument("--case", action="append", required=True, metavar="TENSOR:BATCH:SIZE")
    bench.add_argument("--blas", help="tuned mode: the OpenBLAS libblas.so.3 to run on")
    bench.add_argument("--min-seconds", type=float, default=1.5,
                       help="time each case (and memory format) for at least this long")
    grad = sub.add_parser("grad", help="objective and input gradient for a fixed input")
    grad.add_argument("--input", required=True, help="raw network input .npy [N,3,H,W]")
    grad.add_argument("--tensor", required=True)
    grad.add_argument("--channel", type=int, required=True)
    grad.add_argument("--grad", required=True, help="where to write d(objective)/d(input)")
    args = parser.parse_args()
    if not os.path.exists(args.model):
        sys.exit(f"torch_googlenet: model {args.model} not found (see ../shared/models/googlenet)")
    if args.command == "bench":
        run_bench(args)
    else:
        run_grad(args)


if __name__ == "__main__":
    main()
