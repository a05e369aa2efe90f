#!/usr/bin/python3
"""Writes data/imagenet_labels.txt: the 1000 ImageNet-1k class names, one per line, class order.

Provenance: torchvision's own category list (torchvision.models._meta._IMAGENET_CATEGORIES, shipped
by Debian's python3-torchvision 0.14; BSD-3-Clause). It uses the standard ILSVRC-2012 class order
(WordNet ids sorted), the order of every ImageNet classifier in torchvision and the ONNX model
zoo, and gives each class one short, unique name ("tench", ..., "toilet tissue").

The output has no header: readers (load_labels() in src/vis/preprocess.cpp, `neuroscope fetch`)
take line i as the name of class i.

Run with Debian's Python, which has torchvision:
    /usr/bin/python3 tools/make_imagenet_labels.py [OUTPUT]   # default: data/imagenet_labels.txt
"""
import pathlib
import sys

from torchvision.models._meta import _IMAGENET_CATEGORIES


def check(names):
    if len(names) != 1000:
        sys.exit(f"expected 1000 ImageNet classes, torchvision lists {len(names)}")
    for index, name in enumerate(names):
        if not name or name != name.strip() or "\n" in name or "\r" in name:
            sys.exit(f"class {index}: name {name!r} cannot be one line of a labels file")
    if len(set(names)) != len(names):
        sys.exit("torchvision's class names are not unique")


def main():
    default = pathlib.Path(__file__).resolve().parent.parent / "data" / "imagenet_labels.txt"
    output = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else default
    names = list(_IMAGENET_CATEGORIES)
    check(names)
    output.write_text("".join(name + "\n" for name in names), encoding="utf-8")
    print(f"wrote {len(names)} class names to {output}")


if __name__ == "__main__":
    main()
