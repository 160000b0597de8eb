"""One model file, two networks: the shipped CNN reads the digit, a second CNN says whether it is
one (issue 19, recipe "pair" in docs/experiments.md):
`python -m export.pair site/models/cnn.onnx checkpoints/OE3/cnn.pt`.

The reader is rebuilt from its ONNX file (its checkpoint is gone: train/from_onnx.py); the
detector is a CNN trained with an 11th output, "not a digit" (python -m train --non-digits). The
new file keeps everything the page and the card know of the reader: its `logits` and `cam`
outputs (checked equal to the old file's), its weights' names and its metadata. Its `not_digit`
output is the detector's log-odds of "not a digit" (its 11th logit minus the log-sum-exp of its
ten), which the page scores as the `detector` method: the sigmoid of that output. Both networks
run in the one inference call the page makes per frame.

The file is rewritten in place (or written to `--out`), its card updated beside it, then
calibrated and scored as export/rejection_card.py does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import sys
from pathlib import Path

import numpy as np
import torch

from export import gradcam, rejection_card
from export.onnx_io import NOT_DIGIT, NOT_DIGIT_METADATA, OUTPUT, TOLERANCE, export, read_metadata, session
from train import mnist, preprocess
from train.from_onnx import cnn_from_onnx
from train.models import CNN, NOT_A_DIGIT, from_checkpoint, parameter_count

VERIFY_IMAGES = 1000


class ReaderAndDetector(gradcam.GradCamCNN):
    """The reader's outputs (digit logits, Grad-CAM maps) and the detector's "not a digit" log-odds, [N, 1].
    The reader's modules keep their names (body, pool, hidden, out), so the file's weights do too."""

    def __init__(self, reader: CNN, detector: CNN) -> None:
        super().__init__(reader)
        self.detector = detector

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        logits, cam = super().forward(x)
        judged = self.detector(x)
        digits = torch.logsumexp(judged[:, :NOT_A_DIGIT], dim=1, keepdim=True)
        return logits, cam, judged[:, NOT_A_DIGIT:] - digits


def outputs(path: Path, inputs: np.ndarray) -> dict[str, np.ndarray]:
    sess = session(path)
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, {sess.get_inputs()[0].name: inputs}), strict=True))


def check_same_reader(before: dict[str, np.ndarray], after: dict[str, np.ndarray]) -> float:
    """The largest difference of the reader's outputs between its own file and the paired one; raises past
    the tolerance or on any other top digit."""
    difference = max(float(np.abs(before[name] - after[name]).max()) for name in (OUTPUT, gradcam.OUTPUT))
    if difference > TOLERANCE or (before[OUTPUT].argmax(1) != after[OUTPUT].argmax(1)).any():
        raise AssertionError(f"the paired file reads digits otherwise than the reader alone (by {difference:.2e})")
    return difference


def paired_card(card: dict, detector_checkpoint: dict, detector: CNN, command: str) -> dict:
    """The reader's card, told about the detector (what it is, how it was trained) and how the pair was made."""
    card["commands"] = {**card["commands"], "detector": detector_checkpoint["command"], "pair": command}
    card["architecture"]["detector"] = {
        "class": type(detector).__name__, "options": detector_checkpoint["options"],
        "parameters": parameter_count(detector),
        "output": f"{NOT_DIGIT}: the log-odds of its 11th output, 'not a digit' (outlier exposure)",
        "training_seconds": round(detector_checkpoint["train_seconds"], 1),
        "non_digits": detector_checkpoint.get("non_digits"), "unipen": detector_checkpoint.get("unipen"),
    }  # fmt: skip
    card["output"] = {**card["output"], "not_digit": {"name": NOT_DIGIT, "shape": ["N", 1]}}
    return card


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m export.pair", description=__doc__.split("\n")[0])
    p.add_argument("reader", type=Path, help="the exported CNN that reads digits (its card <model>.json beside it)")
    p.add_argument("detector", type=Path, help="a CNN checkpoint with the 11th output (train --non-digits)")
    p.add_argument("--out", type=Path, help="folder for the paired <model>.onnx and its card (default: the reader's)")
    p.add_argument("--data-dir", help=f"MNIST folder (default ${mnist.ENV_VAR}, then data/mnist)")
    p.add_argument("--pendigits", help="pendigits folder, for the calibration (default $PENDIGITS_DIR)")
    p.add_argument("--unipen", help="UNIPEN folder, for the calibration (default $UNIPEN_DIR)")
    args = p.parse_args(argv)
    card_path = args.reader.with_suffix(".json")
    if not (args.reader.is_file() and card_path.is_file() and args.detector.is_file()):
        print(f"error: {args.reader}, its card {card_path.name} and {args.detector} must all exist", file=sys.stderr)
        return 2
    # The reader's metadata goes into the paired file as it is; its calibration is then replaced
    # (rejection_card.rejection_figures writes the pair's own).
    metadata = read_metadata(args.reader)
    if NOT_DIGIT_METADATA.keys() & metadata.keys():
        print(f"error: {args.reader} already says 'not a digit': pair a reader of ten outputs", file=sys.stderr)
        return 2
    checkpoint = torch.load(args.detector, weights_only=False)
    if checkpoint["model"] != "cnn" or checkpoint["options"].get("classes", 10) <= NOT_A_DIGIT:
        print(f"error: {args.detector} has no 'not a digit' output (train it with --non-digits)", file=sys.stderr)
        return 2
    try:
        images, labels = mnist.load("test", args.data_dir)
    except mnist.MnistError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    inputs = preprocess.normalize(images.astype(np.float32) / 255.0)
    detector = from_checkpoint(checkpoint)
    pair = ReaderAndDetector(cnn_from_onnx(args.reader), detector).eval()
    before = outputs(args.reader, inputs[:VERIFY_IMAGES])

    out = args.out or args.reader.parent
    path = export(pair, out / args.reader.name, metadata["model_name"], (gradcam.OUTPUT, NOT_DIGIT),
                  {**metadata, **NOT_DIGIT_METADATA})  # fmt: skip
    after = outputs(path, inputs[:VERIFY_IMAGES])
    difference = check_same_reader(before, after)
    with torch.no_grad():
        expected = pair(torch.from_numpy(inputs[:VERIFY_IMAGES]))[2].numpy()
    detector_difference = float(np.abs(expected - after[NOT_DIGIT]).max())
    if detector_difference > TOLERANCE:
        raise AssertionError(f"{path}: its {NOT_DIGIT} differs from PyTorch's by {detector_difference:.2e}")

    command = shlex.join(["python", "-m", "export.pair", *(sys.argv[1:] if argv is None else argv)])
    card = paired_card(json.loads(card_path.read_text()), checkpoint, detector, command)
    card["onnx"]["max_abs_difference_vs_reader_alone"] = difference
    card["onnx"]["not_digit_max_abs_difference_vs_pytorch"] = detector_difference
    try:
        figures = rejection_card.rejection_figures(path, inputs, labels.astype(np.int64), args.pendigits, args.unipen)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    rejection_card.add_to_card(card, path, figures)
    (out / card_path.name).write_text(json.dumps(card, indent=1) + "\n")
    held = figures["held_out"]
    blob = path.read_bytes()
    print(f"{path} ({len(blob):,} bytes, sha256 {hashlib.sha256(blob).hexdigest()[:12]}): reader unchanged "
          f"(by {difference:.1e}); {figures['method']}; held-out non-digits {held['non_digits']['not-digit']:.2%} "
          f"caught, digits {held['digits']['not-digit']:.2%} rejected, {held['digits']['unsure']:.2%} unsure; "
          f"MNIST test {figures['mnist_test']['accuracy_counting_rejected_as_errors']:.2%}",
          file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
