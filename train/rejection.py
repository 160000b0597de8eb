"""Digit or not: calibrate a model's confidence on people's drawings, choose how it says "not a
digit" and "unsure", and measure it (issue 19). `python -m train.rejection site/models/cnn.onnx`.

Everything is chosen on validation data only: pendigits writers 21-25 and UNIPEN's validation
writers for the digits, UNIPEN's validation writers' letters and symbols plus validation-seeded
shapes (train/nondigits.py) for the non-digits. `--split held-out` scores the held-out ones with
what the validation split chose, once, for the report.

Each method gives every drawing a "not a digit" score in [0, 1], from the logits and the
temperature T fitted on the validation digits:

- `outlier` (a CNN with an 11th output, outlier exposure): that output's probability;
- `detector` (a model whose `not_digit` output is a second network's log-odds of "not a digit",
  export/pair.py): its sigmoid, whatever the temperature;
- `max-prob`: one minus the top digit probability;
- `energy` (Liu et al. 2020): 1 / (1 + sum exp(z / T)), the probability of an extra class whose
  logit is always 0, which orders drawings exactly as the energy -T log sum exp(z / T) does.

The verdict (`verdict`, mirrored by site/js/element/verdict.js): "not-digit" above the
not-digit threshold, else "unsure" when the top digit probability is under the unsure
threshold, else "digit".

The command scores an exported model: its code is evaluate/rejection.py's; this module keeps what export's
card and the numbers share (the drawings, the calibration, the verdict).
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass

import numpy as np

from train import contract, drawings, nondigits, pendigits, unipen
from train.evaluate import fit_temperature, reliability, softmax
from train.onnx_run import all_logits
from train.preprocess import normalize
from train.render import BITMAP_SIZE

DIGITS_REJECTED = 0.002  # the not-digit threshold's share of validation digits: under the 0.3%
ACCEPTED_ACCURACY = 0.997  # the unsure threshold: the lowest giving this accuracy on the accepted digits,
MAX_UNSURE = 0.02  # ... but never more unsure digits than this
SHAPES_PER_SPLIT = 1800
VERDICTS = contract.VERDICTS  # the verdicts' names, as the page has them (train/contract.json)


@dataclass(frozen=True)
class Drawings:
    """Model inputs [N, 1, 28, 28] (normalized) with labels (0-9 digits, -1 non-digits) and a name per item."""

    inputs: np.ndarray
    labels: np.ndarray
    names: list[str]


@dataclass(frozen=True)
class Calibration:
    """What the page needs to turn logits into calibrated probabilities and a verdict (ONNX metadata)."""

    temperature: float
    method: str  # one of contract.METHODS
    not_digit_threshold: float  # on the not-digit score: above it, "not a digit"
    unsure_threshold: float  # the top digit probability under which the answer is "unsure"

    def metadata(self) -> dict[str, str]:
        return {
            "calibration_temperature": repr(self.temperature),
            "not_digit_method": self.method,
            "not_digit_threshold": repr(self.not_digit_threshold),
            "unsure_threshold": repr(self.unsure_threshold),
        }

    @classmethod
    def from_metadata(cls, metadata: dict[str, str]) -> Calibration | None:
        if "not_digit_method" not in metadata:
            return None
        return cls(
            float(metadata["calibration_temperature"]), metadata["not_digit_method"],
            float(metadata["not_digit_threshold"]), float(metadata["unsure_threshold"]),
        )  # fmt: skip


def methods_of(logits: np.ndarray) -> tuple[str, ...]:
    """The scores a model's logits allow, in contract.METHODS's order: with a "not a digit" column, those
    that read it too."""
    reads_it = logits.shape[1] == 11
    return tuple(m for m in contract.METHODS if reads_it or m not in contract.METHODS_READING_NOT_DIGIT_OUTPUT)


def digit_probabilities(logits: np.ndarray, temperature: float) -> np.ndarray:
    """The ten calibrated digit probabilities (summing to 1) of each row."""
    return softmax(logits[:, :10].astype(np.float64), temperature)


def not_digit_score(logits: np.ndarray, temperature: float, method: str) -> np.ndarray:
    """Each row's "not a digit" score in [0, 1] by `method` (see the module's docstring)."""
    z = logits.astype(np.float64) / temperature
    if method == "outlier":
        return softmax(z)[:, 10]
    if method == "detector":
        return 1.0 / (1.0 + np.exp(-logits[:, 10].astype(np.float64)))
    if method == "max-prob":
        return 1.0 - softmax(z[:, :10]).max(axis=1)
    if method == "energy":
        return softmax(np.concatenate([z[:, :10], np.zeros((len(z), 1))], axis=1))[:, 10]
    raise ValueError(f"unknown method {method!r}")


def verdict(logits: np.ndarray, calibration: Calibration) -> np.ndarray:
    """ "digit", "unsure" or "not-digit" for each row."""
    score = not_digit_score(logits, calibration.temperature, calibration.method)
    top = digit_probabilities(logits, calibration.temperature).max(axis=1)
    return np.where(
        score > calibration.not_digit_threshold, "not-digit",
        np.where(top < calibration.unsure_threshold, "unsure", "digit"),
    )  # fmt: skip


def unsure_threshold(top: np.ndarray, correct: np.ndarray) -> float:
    """The lowest top-probability threshold whose accepted answers are ACCEPTED_ACCURACY right, capped
    where MAX_UNSURE of the answers would fall under it."""
    order = np.argsort(top, kind="stable")  # least sure first
    cap = int(MAX_UNSURE * len(top))
    for withheld in range(cap + 1):
        if correct[order[withheld:]].mean() >= ACCEPTED_ACCURACY:
            return float(top[order[withheld]]) if withheld else 0.0
    return float(top[order[cap]])


def calibrate(digit_logits: np.ndarray, labels: np.ndarray, method: str) -> Calibration:
    """The temperature and both thresholds for `method`, from validation digits' logits."""
    temperature = fit_temperature(digit_logits[:, :10].astype(np.float64), labels)
    score = not_digit_score(digit_logits, temperature, method)
    not_digit = float(np.quantile(score, 1.0 - DIGITS_REJECTED, method="higher"))
    kept = score <= not_digit
    probs = digit_probabilities(digit_logits[kept], temperature)
    unsure = unsure_threshold(probs.max(axis=1), probs.argmax(axis=1) == labels[kept])
    return Calibration(temperature, method, not_digit, unsure)


def verdict_rates(found: np.ndarray) -> dict[str, float]:
    return {v: float((found == v).mean()) for v in VERDICTS}


def coverage_accuracy(confidence: np.ndarray, correct: np.ndarray, steps: int = 21) -> list[dict]:
    """Accuracy on the answers kept as the least confident are withheld: the coverage-accuracy curve."""
    order = np.argsort(-confidence, kind="stable")
    kept_correct = np.cumsum(correct[order])
    curve = []
    for coverage in np.linspace(1.0, 0.8, steps):
        keep = max(1, int(round(coverage * len(order))))
        curve.append({"coverage": round(float(coverage), 4), "accuracy": float(kept_correct[keep - 1] / keep),
                      "threshold": float(confidence[order][keep - 1])})  # fmt: skip
    return curve


def figures(digits: Drawings, digit_logits: np.ndarray, non: Drawings, non_logits: np.ndarray,
            calibration: Calibration) -> dict:  # fmt: skip
    """What the model card shows of one split: verdict rates, accuracy on accepted digits, the
    calibration (15 bins), the coverage-accuracy curve, the non-digits caught by kind."""
    probs = digit_probabilities(digit_logits, calibration.temperature)
    correct = probs.argmax(axis=1) == digits.labels
    found, found_non = verdict(digit_logits, calibration), verdict(non_logits, calibration)
    ece_raw, _ = reliability(softmax(digit_logits[:, :10].astype(np.float64)), digits.labels)
    ece, bins = reliability(probs, digits.labels)
    accepted = found == "digit"
    kinds: dict[str, list[bool]] = {}
    for name, v in zip(non.names, found_non, strict=True):
        kinds.setdefault(name.split(" ")[0], []).append(v == "not-digit")
    return {
        "digits": {"count": len(digits.labels), "accuracy": float(correct.mean()), **verdict_rates(found),
                   "accepted_accuracy": float(correct[accepted].mean()) if accepted.any() else 0.0},
        "non_digits": {"count": len(non.labels), **verdict_rates(found_non),
                       "caught_by_kind": {k: float(np.mean(v)) for k, v in sorted(kinds.items())}},
        "calibration": {"ece_before": ece_raw, "ece": ece, "bins": bins},
        "coverage_accuracy": coverage_accuracy(probs.max(axis=1) * (1 - not_digit_score(
            digit_logits, calibration.temperature, calibration.method)), correct),
    }  # fmt: skip


def digit_drawings(split: str, pendigits_dir: str | None = None, unipen_dir: str | None = None) -> Drawings:
    """The split's digits of both pen sources, drawn as the page draws them."""
    writers = {"validation": pendigits.VALIDATION_WRITERS, "held-out": pendigits.HELD_OUT_WRITERS}[split]
    pen = pendigits.by_writers(pendigits.load(pendigits_dir), writers)
    written = unipen.by_split(unipen.load(unipen_dir), split)
    strokes = [d.on_pad(BITMAP_SIZE, BITMAP_SIZE) for d in pen] + [d.on_pad() for d in written]
    labels = np.array([d.label for d in pen] + [d.label for d in written], dtype=np.int64)
    names = [f"pendigits {d.writer}" for d in pen] + [f"unipen {d.writer}" for d in written]  # by writer
    return Drawings(normalize(drawings.drawn_images(strokes)), labels, names)


def non_digit_drawings(split: str, unipen_dir: str | None = None) -> Drawings:
    """The split's letters and symbols (by writer) and seeded shapes."""
    every = unipen.load(unipen_dir)
    letters = nondigits.letters_of_split(nondigits.load_letters(unipen_dir), unipen.splits(every), split)
    rows = [d.on_pad() for d in unipen.by_split(every, split)]
    made = letters + nondigits.shapes(SHAPES_PER_SPLIT, split, rows)
    images = drawings.drawn_images([n.on_pad() for n in made])
    names = [f"letter {n.what}" if n.kind == "letter" else n.kind for n in made]
    return Drawings(normalize(images), np.full(len(made), -1, dtype=np.int64), names)


def choose(sess, pendigits_dir: str | None = None, unipen_dir: str | None = None) -> tuple[Calibration, dict]:
    """The method that catches the most validation non-digits (docs/experiments.md), its
    calibration, and every method's validation figures."""
    digits, non = digit_drawings("validation", pendigits_dir, unipen_dir), non_digit_drawings("validation", unipen_dir)
    digit_logits, non_logits = all_logits(sess, digits.inputs), all_logits(sess, non.inputs)
    compared = {}
    for method in methods_of(digit_logits):
        calibration = calibrate(digit_logits, digits.labels, method)
        compared[method] = (calibration, figures(digits, digit_logits, non, non_logits, calibration))
    best = max(compared, key=lambda m: compared[m][1]["non_digits"]["not-digit"])
    # each method's figures, its calibration (ECE, bins) joined by the temperature and thresholds that made it
    joined = {m: {**f, "calibration": {**asdict(c), **f["calibration"]}} for m, (c, f) in compared.items()}
    return compared[best][0], joined


def held_out_figures(sess, calibration: Calibration, pendigits_dir: str | None = None,
                     unipen_dir: str | None = None) -> dict:  # fmt: skip
    digits, non = digit_drawings("held-out", pendigits_dir, unipen_dir), non_digit_drawings("held-out", unipen_dir)
    return figures(digits, all_logits(sess, digits.inputs), non, all_logits(sess, non.inputs), calibration)


if __name__ == "__main__":  # the README's name for the command, which evaluate/rejection.py runs
    from evaluate.rejection import main

    sys.exit(main())
