"""One model file, two networks: the shipped CNN reads the digit, a second CNN says whether it is
one (issue 19, recipe "pair" in docs/experiments.md):
`python -m export.pair site/models/cnn.onnx checkpoints/OE3/cnn.pt`.

The reader is rebuilt from its ONNX file (its checkpoint is gone: train/from_onnx.py); the
detector is a CNN trained with an 11th output, "not a digit" (python -m train --non-digits): its
checkpoint, or an already paired file whose detector is taken over (rebuilt from its weights and
checked to give that file's `not_digit` within 1e-5), e.g. the shipped one for a new reader:
`python -m export.pair NEW/cnn.onnx site/models/cnn.onnx --out DIR`. The new file keeps
everything the page and the card know of the reader: its `logits` and `cam` outputs (checked
equal to the old file's), its weights' names and its metadata. Its `not_digit`
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

from export import gradcam, layers, rejection_card
from export.onnx_io import FEATURES, FEATURES_METADATA, NOT_DIGIT, NOT_DIGIT_METADATA, OUTPUT, TOLERANCE, export
from train import mnist, preprocess
from train.from_onnx import cnn_from_onnx, detector_from_onnx
from train.models import CNN, NOT_A_DIGIT, from_checkpoint, parameter_count
from train.onnx_run import read_metadata, session

VERIFY_IMAGES = 1000
DETECTOR_TOLERANCE = 1e-5  # a detector taken from a paired file gives its `not_digit` within this
RANDOM_INPUTS = 64  # beside the MNIST test images, for that check
PAIR_OUTPUTS = (gradcam.OUTPUT, NOT_DIGIT, FEATURES)  # after the logits


def not_digit(judged: torch.Tensor) -> torch.Tensor:
    """An 11-output CNN's log-odds of "not a digit", [N, 1]: its 11th logit minus the log-sum-exp of its ten."""
    return judged[:, NOT_A_DIGIT:] - torch.logsumexp(judged[:, :NOT_A_DIGIT], dim=1, keepdim=True)


class ReaderAndDetector(gradcam.GradCamCNN):
    """The reader's outputs (digit logits, Grad-CAM maps) and the detector's "not a digit" log-odds, [N, 1].
    The reader's modules keep their names (body, pool, hidden, out), so the file's weights do too."""

    def __init__(self, reader: CNN, detector: CNN) -> None:
        super().__init__(reader)
        self.detector = detector

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        logits, cam, features = super().forward(x)
        return logits, cam, not_digit(self.detector(x)), features


def outputs(path: Path, inputs: np.ndarray) -> dict[str, np.ndarray]:
    sess = session(path)
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, {sess.get_inputs()[0].name: inputs}), strict=True))


def check_same_reader(before: dict[str, np.ndarray], after: dict[str, np.ndarray]) -> float:
    """The largest difference of the reader's outputs between its own file and the paired one; raises past
    the tolerance or on any other top digit."""
    names = (OUTPUT, gradcam.OUTPUT, *(name for name in (FEATURES,) if name in before))
    difference = max(float(np.abs(before[name] - after[name]).max()) for name in names)
    if difference > TOLERANCE or (before[OUTPUT].argmax(1) != after[OUTPUT].argmax(1)).any():
        raise AssertionError(f"the paired file reads digits otherwise than the reader alone (by {difference:.2e})")
    return difference


def check_same_detector(before: np.ndarray, after: np.ndarray) -> float:
    """The largest difference of two `not_digit` outputs of one detector (in its paired file, rebuilt from it,
    paired anew); raises past DETECTOR_TOLERANCE."""
    difference = float(np.abs(before - after).max())
    if difference > DETECTOR_TOLERANCE:
        raise AssertionError(f"the detector judges otherwise than in the file it was taken from (by {difference:.2e})")
    return difference


def judged(detector: CNN, inputs: np.ndarray) -> np.ndarray:
    """The detector's `not_digit` output, computed by PyTorch."""
    with torch.no_grad():
        return not_digit(detector(torch.from_numpy(inputs))).numpy()


def checkpoint_detector(path: Path) -> tuple[CNN, dict]:
    """The detector in a checkpoint, and what the card says of it; ValueError if it has no 11th output."""
    checkpoint = torch.load(path, weights_only=False)
    if checkpoint["model"] != "cnn" or checkpoint["options"].get("classes", 10) <= NOT_A_DIGIT:
        raise ValueError(f"{path} has no 'not a digit' output (train it with --non-digits)")
    facts = {"command": checkpoint["command"], "options": checkpoint["options"],
             "training_seconds": round(checkpoint["train_seconds"], 1), "non_digits": checkpoint.get("non_digits"),
             "unipen": checkpoint.get("unipen"), "source": {"checkpoint": str(path)}}  # fmt: skip
    return from_checkpoint(checkpoint), facts


def onnx_detector(path: Path, images: np.ndarray) -> tuple[CNN, dict]:
    """The detector of a paired file, rebuilt and checked (check_same_detector) on the first VERIFY_IMAGES
    `images` and RANDOM_INPUTS of noise, and what the card says of it: how it was trained as that file's
    card (<model>.json beside it, if any) tells it."""
    detector = detector_from_onnx(path)
    noise = np.random.default_rng(0).normal(0.0, 1.0, (RANDOM_INPUTS, *images.shape[1:]))
    inputs = np.concatenate([images[:VERIFY_IMAGES], noise], dtype=np.float32)
    difference = check_same_detector(outputs(path, inputs)[NOT_DIGIT], judged(detector, inputs))
    card_path = path.with_suffix(".json")
    card = json.loads(card_path.read_text()) if card_path.is_file() else {}
    commands, said = card.get("commands", {}), card.get("architecture", {}).get("detector", {})
    source = {
        "onnx": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "card": str(card_path) if card else None, "paired_by": commands.get("pair"),
        "earlier_source": said.get("source"),
        "rebuilt": "from the file's detector.* weights, batch norms folded (train/from_onnx.py)",
        "not_digit_max_abs_difference_rebuilt_vs_source": difference, "checked_inputs": len(inputs),
    }  # fmt: skip
    options = {"width": detector.features[0][0].out_channels, "classes": NOT_A_DIGIT + 1}
    trained = {key: said.get(key) for key in ("training_seconds", "non_digits", "unipen")}
    return detector, {"command": commands.get("detector"), "options": options, **trained, "source": source}


def paired_card(card: dict, facts: dict, detector: CNN, command: str) -> dict:
    """The reader's card, told about the detector (what it is, how it was trained, where it was taken from:
    `facts`) and how the pair was made."""
    card["commands"] = {**card["commands"], "detector": facts["command"], "pair": command}
    card["architecture"]["detector"] = {
        "class": type(detector).__name__, "options": facts["options"], "parameters": parameter_count(detector),
        "output": f"{NOT_DIGIT}: the log-odds of its 11th output, 'not a digit' (outlier exposure)",
        **{key: facts[key] for key in ("training_seconds", "non_digits", "unipen", "source")},
    }  # fmt: skip
    card["output"] = {**card["output"], "not_digit": {"name": NOT_DIGIT, "shape": ["N", 1]}}
    return card


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m export.pair", description=__doc__.split("\n")[0])
    p.add_argument("reader", type=Path, help="the exported CNN that reads digits (its card <model>.json beside it)")
    p.add_argument("detector", type=Path, help="an 11-output CNN checkpoint (train --non-digits) or a paired .onnx")
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
    try:
        images, labels = mnist.load("test", args.data_dir)
        inputs = preprocess.normalize(images.astype(np.float32) / 255.0)
        if args.detector.suffix == ".onnx":
            detector, facts = onnx_detector(args.detector, inputs)
        else:
            detector, facts = checkpoint_detector(args.detector)
    except (mnist.MnistError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    reader = cnn_from_onnx(args.reader)
    pair = ReaderAndDetector(reader, detector).eval()
    before = outputs(args.reader, inputs[:VERIFY_IMAGES])
    taken = "onnx" in facts["source"]  # from a paired file: its judgement, read before `--out` may overwrite it
    source = outputs(args.detector, inputs[:VERIFY_IMAGES])[NOT_DIGIT] if taken else None

    out = args.out or args.reader.parent
    path = export(pair, out / args.reader.name, metadata["model_name"], PAIR_OUTPUTS,
                  {**metadata, **NOT_DIGIT_METADATA, **FEATURES_METADATA})  # fmt: skip
    layers.add_to_file(path)
    after = outputs(path, inputs[:VERIFY_IMAGES])
    difference = check_same_reader(before, after)
    detector_difference = float(np.abs(judged(detector, inputs[:VERIFY_IMAGES]) - after[NOT_DIGIT]).max())
    if detector_difference > TOLERANCE:
        raise AssertionError(f"{path}: its {NOT_DIGIT} differs from PyTorch's by {detector_difference:.2e}")
    if source is not None:  # the new file judges as the one the detector was taken from
        new_vs_source = check_same_detector(source, after[NOT_DIGIT])
        facts["source"]["not_digit_max_abs_difference_new_file_vs_source"] = new_vs_source

    command = shlex.join(["python", "-m", "export.pair", *(sys.argv[1:] if argv is None else argv)])
    card = paired_card(json.loads(card_path.read_text()), facts, detector, command)
    card["onnx"]["max_abs_difference_vs_reader_alone"] = difference
    card["onnx"]["not_digit_max_abs_difference_vs_pytorch"] = detector_difference
    card["output"]["layers"] = layers.card_entry(path, layers.check(path, inputs[:VERIFY_IMAGES], reader))
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
