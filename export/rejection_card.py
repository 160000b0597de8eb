"""Calibrate an exported model on people's drawings and give it its "not a digit" verdict:
`python -m export.rejection_card site/models/cnn.onnx`.

`python -m export` does this when it exports a checkpoint (with the drawings at hand). This does it
for an already exported model: it chooses the method and thresholds on validation drawings
(train/rejection.py), writes them into the ONNX metadata (the page reads them there), and writes
the held-out figures and the MNIST test figure into the card beside it (<model>.json).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from export.onnx_io import add_metadata
from train import mnist, nondigits, pendigits, preprocess, rejection, unipen
from train.onnx_run import all_logits, read_metadata, session


def rejection_figures(onnx_path: Path, test_inputs: np.ndarray, test_labels: np.ndarray,
                      pendigits_dir: str | None = None, unipen_dir: str | None = None) -> dict:  # fmt: skip
    """Calibrate on validation drawings and choose the method (train/rejection.py), write the
    calibration into the ONNX metadata, and score it: held-out drawings, MNIST test."""
    sess = session(onnx_path)
    calibration, compared = rejection.choose(sess, pendigits_dir, unipen_dir)
    add_metadata(onnx_path, calibration.metadata())
    test_logits = all_logits(sess, test_inputs)
    found = rejection.verdict(test_logits, calibration)
    right = rejection.digit_probabilities(test_logits, calibration.temperature).argmax(1) == test_labels
    return {
        "method": calibration.method,
        "calibration": calibration.metadata(),
        "chosen_on": "validation drawings: pendigits writers 21-25 and UNIPEN's validation writers' digits, their "
        "letters and symbols, validation-seeded shapes (train/rejection.py)",
        "validation": compared,
        "held_out": rejection.held_out_figures(sess, calibration, pendigits_dir, unipen_dir),
        "mnist_test": {"count": len(test_labels), **rejection.verdict_rates(found),
                       "accuracy_counting_rejected_as_errors": float((right & (found != "not-digit")).mean())},
    }  # fmt: skip


def add_to_card(card: dict, onnx_path: Path, figures: dict) -> None:
    """The figures into the card, and the file's new size, hash and metadata (the calibration is in it now)."""
    card["rejection"] = figures
    blob = onnx_path.read_bytes()
    card["onnx"].update(bytes=len(blob), sha256=hashlib.sha256(blob).hexdigest(), metadata=read_metadata(onnx_path))
    credits = card.setdefault("data", {}).setdefault("credits", [])
    if nondigits.CREDIT not in credits:
        credits.append(nondigits.CREDIT)


def available(pendigits_dir: str | None, unipen_dir: str | None) -> bool:
    """Whether the drawings the calibration needs are at hand."""
    return bool(pendigits.resolve_path(pendigits_dir) and unipen.resolve_path(unipen_dir)
                and nondigits.resolve_path(unipen_dir))  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m export.rejection_card", description=__doc__.split("\n")[0])
    p.add_argument("model", type=Path, help="an exported model (<model>.onnx, its card <model>.json beside it)")
    p.add_argument("--data-dir", help=f"MNIST folder (default ${mnist.ENV_VAR}, then data/mnist)")
    p.add_argument("--pendigits", help=f"folder of {pendigits.FILE_NAME} (default ${pendigits.ENV_VAR})")
    p.add_argument(
        "--unipen", help=f"folder of {unipen.FILE_NAME} and {nondigits.FILE_NAME} (default ${unipen.ENV_VAR})"
    )
    args = p.parse_args(argv)
    card_path = args.model.with_suffix(".json")
    if not (args.model.is_file() and card_path.is_file()):
        print(f"error: {args.model} and its card {card_path.name} must both exist", file=sys.stderr)
        return 2
    try:
        images, labels = mnist.load("test", args.data_dir)
        inputs = preprocess.normalize(images.astype(np.float32) / 255.0)
        figures = rejection_figures(args.model, inputs, labels.astype(np.int64), args.pendigits, args.unipen)
    except (FileNotFoundError, ValueError, mnist.MnistError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    card = json.loads(card_path.read_text())
    add_to_card(card, args.model, figures)
    card_path.write_text(json.dumps(card, indent=1) + "\n")
    held = figures["held_out"]
    print(f"{card_path}: {figures['method']}; held-out non-digits {held['non_digits']['not-digit']:.2%} caught, "
          f"digits {held['digits']['not-digit']:.2%} rejected, {held['digits']['unsure']:.2%} unsure; "
          f"MNIST test {figures['mnist_test']['accuracy_counting_rejected_as_errors']:.2%}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
