"""Gives an exported CNN file the `features` output (the reader's last hidden layer, which the handwriting
memory compares: train/memory.py) when it was written before export had it:
`python -m export.features site/models/cnn.onnx`.

The file (the reader alone, or paired with its "not a digit" detector) is rebuilt from its own weights
(train/from_onnx.py) and written again with every output it had, checked to give them within the export's
tolerance on MNIST test digits and noise, with its metadata (calibration included) and its weights' names,
plus `features`, checked against PyTorch. Its card (<model>.json beside it) is told. New exports and pairs
have the output already (export/gradcam.py, export/pair.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional

from export import gradcam
from export.onnx_io import FEATURES, FEATURES_METADATA, NOT_DIGIT_METADATA, OUTPUT, TOLERANCE, export
from export.pair import PAIR_OUTPUTS, RANDOM_INPUTS, VERIFY_IMAGES, ReaderAndDetector, outputs
from train import mnist, preprocess
from train.from_onnx import cnn_from_onnx, detector_from_onnx
from train.models import CNN
from train.onnx_run import read_metadata


def features_of(reader: CNN, inputs: np.ndarray) -> np.ndarray:
    """The reader's last hidden layer, after its ReLU, computed by PyTorch: [N, hidden]."""
    hidden = [m for m in reader.classifier if isinstance(m, torch.nn.Linear)][0]
    with torch.no_grad():
        return functional.relu(hidden(reader.features(torch.from_numpy(inputs)).flatten(1))).numpy()


def check_inputs(data_dir: str | None) -> np.ndarray:
    images, _ = mnist.load("test", data_dir)
    noise = np.random.default_rng(0).normal(0.0, 1.0, (RANDOM_INPUTS, 1, preprocess.SIZE, preprocess.SIZE))
    digits = preprocess.normalize(images[:VERIFY_IMAGES].astype(np.float32) / 255.0)
    return np.concatenate([digits, noise], dtype=np.float32)


def with_features(path: Path, inputs: np.ndarray) -> tuple[bytes, dict]:
    """The file's bytes with the features output, and what was checked: the largest difference of its
    outputs against the file's own, and of `features` against PyTorch."""
    metadata = read_metadata(path)
    reader = cnn_from_onnx(path)
    paired = NOT_DIGIT_METADATA.keys() <= metadata.keys()
    module = ReaderAndDetector(reader, detector_from_onnx(path)) if paired else gradcam.GradCamCNN(reader)
    names = PAIR_OUTPUTS if paired else (gradcam.OUTPUT, FEATURES)
    before = outputs(path, inputs)
    with tempfile.TemporaryDirectory() as folder:
        written = export(module.eval(), Path(folder) / path.name, metadata["model_name"], names,
                         {**metadata, **FEATURES_METADATA})  # fmt: skip
        after = outputs(written, inputs)
        blob = written.read_bytes()
    kept = max(float(np.abs(before[name] - after[name]).max()) for name in before)
    features = float(np.abs(features_of(reader, inputs) - after[FEATURES]).max())
    same_top = (before[OUTPUT].argmax(1) == after[OUTPUT].argmax(1)).all()
    if kept > TOLERANCE or features > TOLERANCE or not same_top or set(after) != {*before, FEATURES}:
        raise AssertionError(f"{path}: the rewritten file differs (outputs by {kept:.2e}, features by {features:.2e})")
    return blob, {"outputs_max_abs_difference_vs_before": kept, "features_max_abs_difference_vs_pytorch": features,
                  "checked_inputs": len(inputs)}  # fmt: skip


def record_in_card(card_path: Path, model: Path, output: str, command: list[str], entry: dict) -> None:
    """The card beside a rewritten model file told of it: the command (under `output`), the output's `entry`, and
    the file's new size, hash and metadata."""
    card = json.loads(card_path.read_text())
    blob = model.read_bytes()
    card["commands"][output] = shlex.join(command)
    card["output"][output] = entry
    card["onnx"].update(bytes=len(blob), sha256=hashlib.sha256(blob).hexdigest(), metadata=read_metadata(model))
    card_path.write_text(json.dumps(card, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m export.features", description=__doc__.split("\n\n")[0])
    p.add_argument("model", type=Path, help="an exported CNN .onnx (its card <model>.json beside it, if any)")
    p.add_argument("--data-dir", help=f"MNIST folder, for the check (default ${mnist.ENV_VAR}, then data/mnist)")
    args = p.parse_args(argv)
    if not args.model.is_file():
        print(f"error: no model file {args.model}", file=sys.stderr)
        return 2
    if FEATURES_METADATA.keys() <= read_metadata(args.model).keys():
        print(f"{args.model} has its {FEATURES} output already", file=sys.stderr)
        return 0
    try:
        inputs = check_inputs(args.data_dir)
    except mnist.MnistError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    blob, checked = with_features(args.model, inputs)
    args.model.write_bytes(blob)
    card_path = args.model.with_suffix(".json")
    if card_path.is_file():
        hidden = cnn_from_onnx(args.model).classifier[2].out_features
        command = ["python", "-m", "export.features", *(argv or sys.argv[1:])]
        entry = {"name": FEATURES, "shape": ["N", hidden], **checked}
        record_in_card(card_path, args.model, "features", command, entry)
    print(f"{args.model} ({len(blob):,} bytes): {FEATURES} added, outputs unchanged "
          f"(by {checked['outputs_max_abs_difference_vs_before']:.1e})", file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
