#!/usr/bin/python3
"""Trains neuroscope's default model: a small Inception-style network on Fashion-MNIST.

Run from anywhere with Debian's interpreter (python3-torch, python3-onnx, dataset-fashion-mnist):

    /usr/bin/python3 tools/train_default_model/train.py

It writes models/fashion_inception.onnx (opset 13, input "image" [N,1,H,W], output "logits"
and "prob"), models/fashion_inception.labels.txt and models/fashion_inception.json. Everything
is seeded and the data order is fixed, so a rerun on the same machine gives the same model.
The network uses only operators the neuroscope engine runs; batch normalization, used while
training, is folded into the convolutions by the exporter (checked below).
"""

import argparse
from collections import OrderedDict
import gzip
import json
import os
import pathlib
import time

# OpenMP threads that spin while waiting stall each other when other processes share the
# cores (5x slower steps measured on the 2-core dev machine); must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402 (after the environment is set)
import onnx  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = pathlib.Path(__file__).resolve().relative_to(REPO).as_posix()
DATA_DIR = pathlib.Path("/usr/share/datasets/fashion-mnist")
MODEL_NAME = "fashion_inception"
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
ENGINE_OPS = {"Conv", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool", "LRN", "Concat",
              "Flatten", "Gemm", "Softmax"}
IDX_UNSIGNED_BYTE = 0x08


# ----------------------------------------------------------------------------------- data

def read_idx(path):
    """An IDX file (gzip-compressed) as a uint8 array: 2 zero bytes, the element type, the
    number of dimensions, one big-endian uint32 per dimension, then the elements."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != IDX_UNSIGNED_BYTE:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4).astype(np.int64)
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {data.size} elements, header says {tuple(dims)}")
    return data.reshape(tuple(dims))


def load_split(split):
    """Images as float32 [N,1,28,28] in [0,1] and labels as int64 [N]."""
    images = read_idx(DATA_DIR / f"{split}-images-idx3-ubyte.gz")
    labels = read_idx(DATA_DIR / f"{split}-labels-idx1-ubyte.gz")
    images = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return images, torch.from_numpy(labels.astype(np.int64))


class Augmenter:
    """Random crop with 2 pixels of black padding and random horizontal flips, drawn from a
    seeded generator so the whole run is repeatable."""

    def __init__(self, seed, pad=2):
        self.pad = pad
        self.rng = np.random.RandomState(seed)

    def __call__(self, batch):
        n, _, h, w = batch.shape
        padded = F.pad(batch, (self.pad,) * 4)
        dy = self.rng.randint(0, 2 * self.pad + 1, size=n)
        dx = self.rng.randint(0, 2 * self.pad + 1, size=n)
        flip = self.rng.rand(n) < 0.5
        out = torch.empty_like(batch)
        for i in range(n):
            crop = padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w]
            out[i] = crop.flip(-1) if flip[i] else crop
        return out


# ---------------------------------------------------------------------------------- model

class ConvBlock(nn.Module):
    """Conv -> BatchNorm -> ReLU. The exporter folds the BatchNorm into the Conv, leaving
    Conv ("<name>/pre_relu") and Relu ("<name>") as in GoogLeNet."""

    def __init__(self, cin, cout, kernel):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, padding=kernel // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class Inception(nn.Module):
    """GoogLeNet's inception module: 1x1, 1x1 -> 3x3, 1x1 -> 5x5 and 3x3 max pool -> 1x1
    branches, concatenated along channels. Module names become tensor names
    ("inception_a/3x3_reduce"), hence the dictionary."""

    def __init__(self, cin, c1x1, c3x3_reduce, c3x3, c5x5_reduce, c5x5, pool_proj):
        super().__init__()
        self.branch = nn.ModuleDict({
            "1x1": ConvBlock(cin, c1x1, 1),
            "3x3_reduce": ConvBlock(cin, c3x3_reduce, 1),
            "3x3": ConvBlock(c3x3_reduce, c3x3, 3),
            "5x5_reduce": ConvBlock(cin, c5x5_reduce, 1),
            "5x5": ConvBlock(c5x5_reduce, c5x5, 5),
            "pool": nn.MaxPool2d(3, stride=1, padding=1),
            "pool_proj": ConvBlock(cin, pool_proj, 1),
        })
        self.out_channels = c1x1 + c3x3 + c5x5 + pool_proj

    def forward(self, x):
        b = self.branch
        return torch.cat([b["1x1"](x),
                          b["3x3"](b["3x3_reduce"](x)),
                          b["5x5"](b["5x5_reduce"](x)),
                          b["pool_proj"](b["pool"](x))], dim=1)


class OnnxLrn(torch.autograd.Function):
    """Exports as one ONNX LRN node; torch would otherwise trace F.local_response_norm into
    the pooling arithmetic it is built from. Used only while exporting."""

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        return F.local_response_norm(x, size, alpha, beta, k)

    @staticmethod
    def symbolic(g, x, size, alpha, beta, k):
        return g.op("LRN", x, size_i=size, alpha_f=alpha, beta_f=beta, bias_f=k)


class LocalResponseNorm(nn.LocalResponseNorm):
    """torch and ONNX agree for odd sizes: x / (k + alpha / size * sum of squares)^beta."""

    def forward(self, x):
        if torch.onnx.is_in_onnx_export():
            return OnnxLrn.apply(x, self.size, self.alpha, self.beta, self.k)
        return super().forward(x)


class Stem(nn.Module):
    """GoogLeNet's stem, scaled down: conv, max pool (28 -> 14), LRN, conv."""

    def __init__(self, channels=(32, 64)):
        super().__init__()
        self.conv1 = ConvBlock(1, channels[0], 3)
        self.pool1 = nn.MaxPool2d(3, stride=2, padding=1)
        self.norm1 = LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)
        self.conv2 = ConvBlock(channels[0], channels[1], 3)
        self.out_channels = channels[1]

    def forward(self, x):
        return self.conv2(self.norm1(self.pool1(self.conv1(x))))


class FashionInception(nn.Module):
    """28x28 -> stem (28 -> 14) -> inception_a (14) -> pool2 (7) -> inception_b (7)
    -> global average pool -> linear classifier. Any input size works (global pooling)."""

    def __init__(self, classes=10):
        super().__init__()
        self.stem = Stem()
        self.inception_a = Inception(self.stem.out_channels, 32, 32, 48, 16, 16, 16)
        self.pool2 = nn.MaxPool2d(3, stride=2, padding=1)
        self.inception_b = Inception(self.inception_a.out_channels, 48, 48, 64, 16, 32, 16)
        self.pool = nn.Sequential(OrderedDict(gap=nn.AdaptiveAvgPool2d(1), flatten=nn.Flatten()))
        self.dropout = nn.Dropout(0.2)
        self.classifier = nn.Linear(self.inception_b.out_channels, classes)

    def forward(self, x):
        x = self.inception_b(self.pool2(self.inception_a(self.stem(x))))
        return self.classifier(self.dropout(self.pool(x)))


class Exported(nn.Module):
    """The network as shipped: logits and their softmax."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, image):
        logits = self.net(image)
        return logits, F.softmax(logits, dim=1)


# ------------------------------------------------------------------------------- training

def evaluate(net, images, labels, mean, std, batch=1000):
    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = (images[i:i + batch] - mean) / std
            logits = net(x.contiguous(memory_format=torch.channels_last))
            correct += int((logits.argmax(1) == labels[i:i + batch]).sum())
    return correct / len(images)


def train(args):
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    train_x, train_y = load_split("train")
    test_x, test_y = load_split("t10k")
    mean, std = float(train_x.mean()), float(train_x.std())
    print(f"train {tuple(train_x.shape)}, test {tuple(test_x.shape)}, "
          f"pixel mean {mean:.4f} std {std:.4f}")

    # Channels-last runs oneDNN's convolutions and pooling without layout conversions (about
    # 1.5x faster on CPU); export() converts back.
    net = FashionInception().to(memory_format=torch.channels_last)
    print(f"{sum(p.numel() for p in net.parameters())} parameters")
    batches_per_epoch = len(train_x) // args.batch
    if args.limit_batches:
        batches_per_epoch = min(batches_per_epoch, args.limit_batches)
    optimizer = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=batches_per_epoch)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)
    augment = Augmenter(args.seed)
    order_rng = np.random.RandomState(args.seed)

    start = time.monotonic()
    for epoch in range(args.epochs):
        net.train()
        order = torch.from_numpy(order_rng.permutation(len(train_x)))
        total_loss = 0.0
        for b in range(batches_per_epoch):
            idx = order[b * args.batch:(b + 1) * args.batch]
            x = (augment(train_x[idx]) - mean) / std
            x = x.contiguous(memory_format=torch.channels_last)
            loss = loss_fn(net(x), train_y[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total_loss += float(loss)
        accuracy = evaluate(net, test_x, test_y, mean, std)
        print(f"epoch {epoch + 1}/{args.epochs}: loss {total_loss / batches_per_epoch:.4f}, "
              f"test accuracy {accuracy:.4f}, {time.monotonic() - start:.0f} s", flush=True)
    seconds = time.monotonic() - start
    return net, mean, std, accuracy, seconds


# -------------------------------------------------------------------------------- export

def node_scope(node):
    """The module path the exporter wrote into the node name: "/net/stem/conv1/conv/Conv"
    -> "stem/conv1/conv"."""
    parts = [p for p in node.name.split("/")[:-1] if p]
    return "/".join(parts[1:] if parts[:1] == ["net"] else parts)


def readable_name(node):
    """GoogLeNet's naming: "<block>/pre_relu" for a convolution, "<block>" after its ReLU,
    "<module>/output" for a concatenation, the module path for everything else."""
    scope = node_scope(node)
    if node.op_type == "Conv":
        return scope.removesuffix("/conv") + "/pre_relu"
    if node.op_type == "Concat":
        return scope + "/output"
    if not scope:
        raise ValueError(f"no module path in the name of {node.op_type} node {node.name!r}")
    return scope


def drop_identities(graph):
    """The exporter shares identical initializers through Identity nodes, which the engine
    does not run; consumers read the shared initializer directly instead."""
    source = {n.output[0]: n.input[0] for n in graph.node if n.op_type == "Identity"}
    kept = [n for n in graph.node if n.op_type != "Identity"]
    for node in kept:
        node.input[:] = [source.get(v, v) for v in node.input]
    del graph.node[:]
    graph.node.extend(kept)


def rename_values(graph):
    """Readable names for every activation (graph outputs keep theirs) and for the weights
    ("<block>/weight", "<block>/bias" after their first consumer)."""
    outputs = {v.name for v in graph.output}
    renames = {}
    for node in graph.node:
        if node.output[0] not in outputs:
            renames[node.output[0]] = readable_name(node)
        layer = renames.get(node.output[0], node_scope(node)).removesuffix("/pre_relu")
        for value, role in zip(node.input[1:], ("weight", "bias")):
            renames.setdefault(value, f"{layer}/{role}")
    if len(set(renames.values())) != len(renames):
        raise ValueError(f"tensor names collide: {sorted(renames.values())}")
    for node in graph.node:
        node.input[:] = [renames.get(v, v) for v in node.input]
        node.output[:] = [renames.get(v, v) for v in node.output]
        node.name = node.output[0]
    for initializer in graph.initializer:
        initializer.name = renames.get(initializer.name, initializer.name)
    del graph.value_info[:]  # the exporter's shapes under the old names; neuroscope infers


def export(net, path, mean, std, accuracy, args):
    net = net.to(memory_format=torch.contiguous_format).eval()
    dummy = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(Exported(net), dummy, str(path), opset_version=13,
                      input_names=["image"], output_names=["logits", "prob"],
                      dynamic_axes={"image": {0: "N", 2: "H", 3: "W"},
                                    "logits": {0: "N"}, "prob": {0: "N"}},
                      training=torch.onnx.TrainingMode.EVAL, do_constant_folding=True)
    model = onnx.load(str(path))
    drop_identities(model.graph)
    ops = {node.op_type for node in model.graph.node}
    if not ops <= ENGINE_OPS:
        raise ValueError(f"export produced operators the engine lacks: {sorted(ops - ENGINE_OPS)}")
    rename_values(model.graph)
    model.doc_string = "Small Inception-style Fashion-MNIST classifier shipped with neuroscope"
    metadata = {
        "input_color_order": "GRAY",
        "input_scale": "1",
        "input_mean": f"{mean:.6f}",
        "input_std": f"{std:.6f}",
        "default_size": "28",
        "model_name": MODEL_NAME,
        "labels": f"{MODEL_NAME}.labels.txt",
        "training_script": SCRIPT,
        "seed": str(args.seed),
        "test_accuracy": f"{accuracy:.4f}",
    }
    del model.metadata_props[:]
    for key, value in metadata.items():
        model.metadata_props.add(key=key, value=value)
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, str(path))
    return model


def write_sidecars(directory, mean, std):
    (directory / f"{MODEL_NAME}.labels.txt").write_text("\n".join(CLASS_NAMES) + "\n")
    preprocessing = {"input_color_order": "GRAY", "input_scale": 1, "input_mean": [round(mean, 6)],
                     "input_std": [round(std, 6)], "default_size": 28}
    (directory / f"{MODEL_NAME}.json").write_text(json.dumps(preprocessing, indent=2) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=4e-3)
    parser.add_argument("--weight-decay", type=float, default=5e-4)
    parser.add_argument("--label-smoothing", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=20240521)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit-batches", type=int, default=0,
                        help="train on at most this many batches per epoch (timing runs)")
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "models")
    args = parser.parse_args()

    net, mean, std, accuracy, seconds = train(args)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{MODEL_NAME}.onnx"
    model = export(net, path, mean, std, accuracy, args)
    write_sidecars(args.out, mean, std)
    print(f"training took {seconds:.0f} s; test accuracy {accuracy:.4f}")
    print(f"wrote {path} ({path.stat().st_size} bytes)")
    for node in model.graph.node:
        print(f"  {node.op_type:18} {node.output[0]}")


if __name__ == "__main__":
    main()
