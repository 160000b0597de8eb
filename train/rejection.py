"""Digit or not: calibrate a model's confidence on people's drawings and measure how well a score
tells digits from non-digits (issue 19). `python -m train.rejection site/models/cnn.onnx`.

Everything is decided on validation data only: pendigits writers 21-25 and UNIPEN's validation
writers for the digits, UNIPEN's validation writers' letters and symbols plus validation-seeded
shapes (train/nondigits.py) for the non-digits. `--split held-out` scores the held-out ones with
the thresholds the validation split chose, once, for the report.

Scores compared (higher means "more of a digit"): the calibrated top probability (`max-prob`),
the negative energy -T log sum exp(logits / T) (`energy`, Liu et al. 2020), and, for a model
with an 11th "not a digit" output, one minus its probability (`outlier`).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import numpy as np

from train import drawings, nondigits, pendigits, unipen
from train.evaluate import fit_temperature, reliability, softmax
from train.preprocess import normalize
from train.render import BITMAP_SIZE

MAX_DIGITS_REJECTED = 0.003  # the target: at most 0.3% of real digits called "not a digit"
SHAPES_PER_SPLIT = 1800


@dataclass(frozen=True)
class Drawings:
    """Model inputs [N, 1, 28, 28] (normalized) with labels (0-9 digits, -1 non-digits) and a name per item."""

    inputs: np.ndarray
    labels: np.ndarray
    names: list[str]


def digit_drawings(split: str) -> Drawings:
    """The split's digits of both pen sources, drawn as the page draws them."""
    writers = {"validation": pendigits.VALIDATION_WRITERS, "held-out": pendigits.HELD_OUT_WRITERS}[split]
    pen = pendigits.by_writers(pendigits.load(), writers)
    written = unipen.by_split(unipen.load(), split)
    strokes = [d.on_pad(BITMAP_SIZE, BITMAP_SIZE) for d in pen] + [d.on_pad() for d in written]
    labels = np.array([d.label for d in pen] + [d.label for d in written], dtype=np.int64)
    names = [f"pendigits {d.writer}" for d in pen] + [f"unipen {d.institution}" for d in written]
    return Drawings(normalize(drawings.drawn_images(strokes))[:, None], labels, names)


def non_digit_drawings(split: str, digits_for_rows: list | None = None) -> Drawings:
    """The split's letters and symbols (by writer) and seeded shapes."""
    every = unipen.load()
    letters = nondigits.letters_of_split(nondigits.load_letters(), unipen.splits(every), split)
    rows = [d.on_pad() for d in unipen.by_split(every, split)]
    made = letters + nondigits.shapes(SHAPES_PER_SPLIT, split, rows)
    images = drawings.drawn_images([n.on_pad() for n in made])
    names = [f"letter {n.what}" if n.kind == "letter" else n.kind for n in made]
    return Drawings(normalize(images)[:, None], np.full(len(made), -1, dtype=np.int64), names)


def scores(logits: np.ndarray, temperature: float) -> dict[str, np.ndarray]:
    """Each score of every row, higher for more digit-like; the outlier score when there is an 11th output."""
    digit_logits = logits[:, :10]
    z = digit_logits / temperature
    top = z.max(axis=1, keepdims=True)
    out = {
        "max-prob": softmax(digit_logits, temperature).max(axis=1),
        "energy": temperature * (top[:, 0] + np.log(np.exp(z - top).sum(axis=1))),
    }
    if logits.shape[1] == 11:
        out["outlier"] = 1.0 - softmax(logits, temperature)[:, 10]
    return out


def threshold_for(digit_scores: np.ndarray, rejected: float = MAX_DIGITS_REJECTED) -> float:
    """The score under which at most `rejected` of the digits fall."""
    return float(np.quantile(digit_scores, rejected, method="lower"))


def coverage_accuracy(confidence: np.ndarray, correct: np.ndarray, steps: int = 21) -> list[dict]:
    """Accuracy on the answers kept as the least confident are withheld: the coverage-accuracy curve."""
    order = np.argsort(-confidence, kind="stable")
    kept_correct = np.cumsum(correct[order])
    curve = []
    for coverage in np.linspace(1.0, 0.5, steps):
        keep = max(1, int(round(coverage * len(order))))
        curve.append({"coverage": float(coverage), "accuracy": float(kept_correct[keep - 1] / keep),
                      "threshold": float(confidence[order][keep - 1])})  # fmt: skip
    return curve


def report(model_path: str, split: str) -> str:
    from export.onnx_io import run, session

    model = session(model_path)
    lines = [f"{model_path}: digit or not, {split} drawings"]
    val_digits, val_non = digit_drawings("validation"), non_digit_drawings("validation")
    val_logits = run(model, val_digits.inputs)
    temperature = fit_temperature(val_logits[:, :10].astype(np.float64), val_digits.labels)
    val_scores = scores(val_logits, temperature)
    non_scores = scores(run(model, val_non.inputs), temperature)
    thresholds = {name: threshold_for(s) for name, s in val_scores.items()}
    if split == "validation":
        digits, non, digit_scores = val_digits, val_non, val_scores
        logits = val_logits
    else:
        digits, non = digit_drawings(split), non_digit_drawings(split)
        logits = run(model, digits.inputs)
        digit_scores, non_scores = scores(logits, temperature), scores(run(model, non.inputs), temperature)
    probs = softmax(logits[:, :10], temperature)
    ece_raw, _ = reliability(softmax(logits[:, :10]), digits.labels)
    ece, _ = reliability(probs, digits.labels)
    correct = probs.argmax(axis=1) == digits.labels
    lines.append(f"  {len(digits.labels)} digits (accuracy {correct.mean():.2%}), {len(non.labels)} non-digits")
    lines.append(f"  temperature {temperature:.3f} (fitted on validation digits): ECE {ece_raw:.2%} -> {ece:.2%}")
    for name, threshold in thresholds.items():
        rejected_digits = (digit_scores[name] < threshold).mean()
        caught = non_scores[name] < threshold
        lines.append(
            f"  {name:8s} threshold {threshold:.4f}: digits rejected {rejected_digits:.2%}, "
            f"non-digits caught {caught.mean():.2%}"
        )
        missed: dict[str, list[int]] = {}
        for n, hit in zip(non.names, caught, strict=True):
            missed.setdefault(n.split(" ")[0] if n.startswith("letter") else n, []).append(int(hit))
        kinds = ", ".join(f"{k} {np.mean(v):.0%}" for k, v in sorted(missed.items()))
        lines.append(f"    caught by kind: {kinds}")
    worst = {}
    for n, s in zip(non.names, non_scores["max-prob"], strict=True):
        if n.startswith("letter"):
            worst.setdefault(n, []).append(s)
    ranked = sorted(worst.items(), key=lambda item: -float(np.median(item[1])))[:12]
    lines.append("  letters most like digits (median max-prob): " + ", ".join(
        f"{n[7:]} {np.median(v):.2f}" for n, v in ranked))  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m train.rejection", description=__doc__.split("\n\n")[0])
    p.add_argument("model", help="an exported model (.onnx)")
    p.add_argument("--split", choices=["validation", "held-out"], default="validation")
    args = p.parse_args(argv)
    try:
        print(report(args.model, args.split))
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
