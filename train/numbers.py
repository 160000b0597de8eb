"""Whole numbers written by real writers, and how well the page reads them (Number mode, issue 20).

`python -m train.numbers site/models/cnn.onnx [--writers held-out|validation] [--count N] [--seed S]`

A number is 2 to 8 real digits of ONE writer (pendigits writers 26-30 and UNIPEN's held-out writers;
21-25 and UNIPEN's validation writers while tuning), laid out left to right on the page's wide ink
bitmap (840x280) as handwriting is: every digit keeps its strokes as written and (within RELATIVE) its
height relative to the number's other digits, the number has a size of its own, every digit a little
more or less, the baseline drifts and tilts, and the gaps between digits are of one class per number,
from wide to touching (the digits' extents overlapping by a few pixels). Long numbers are scaled down.
Seeded (numpy Generator): the same numbers every run.

Each number is read as the page reads it (`read_offline`): train/segment.py finds the digits, each is
drawn on its own bitmap with the ink pen of its own extent, as a lone digit is, preprocessed by the
MNIST recipe, and all go to the model in one batch. The same digits drawn alone on the 280x280 pad
(Digit mode, as `python build.py drawings` does) are the yardstick.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

import numpy as np

from train import contract, onnx_run, pendigits, rejection, unipen
from train.evaluate import softmax
from train.preprocess import normalize, to_mnist
from train.render import BITMAP_SIZE, ink_width, render_rgba
from train.segment import segment, segment_strokes

WIDTH, HEIGHT = contract.NUMBER_BITMAP_WIDTH, BITMAP_SIZE  # Number mode's ink bitmap, pixels (train/contract.json)
MARGIN = 12.0  # pixels kept free around a number
LENGTHS = tuple(range(2, 9))
# Gaps between the digits' point extents, per class: (low, high) in pixels for "touching" (negative:
# overlap), else as a fraction of the number's height.
GAPS = {"touching": (-5.0, -1.0), "tight": (0.0, 0.08), "normal": (0.08, 0.3), "wide": (0.3, 0.8)}
HEIGHTS = (70.0, 160.0)  # a number's median digit height, pixels (log-uniform; lone digits: 60-170)
SIZE_JITTER = 0.08  # sigma of the log size of each digit within its number
BASELINE_JITTER = 0.04  # sigma of each digit's baseline offset, of the number's height
RELATIVE = (0.7, 1.4)  # a digit's height relative to its number's median digit, clipped to this
WIDEST = 1.5  # a digit is scaled to its height, or to this times it across if it is wider
TILT = 0.06  # the baseline's slope, uniform in [-TILT, TILT]
UNIPEN_HEIGHT = 120.0  # pixels: a UNIPEN writer's median digit height before a number's own scale
SPLITS = {
    "held-out": ("held-out", pendigits.HELD_OUT_WRITERS),
    "validation": ("validation", pendigits.VALIDATION_WRITERS),
}
UNREADABLE = "?"


@dataclass(frozen=True)
class WrittenDigit:
    """One real digit: its strokes (pixels, y down, the writer's own size) and as it is drawn alone
    on the 280x280 pad in Digit mode."""

    label: int
    strokes: tuple[np.ndarray, ...]
    alone: tuple[np.ndarray, ...]


@dataclass
class Number:
    """A number on the wide bitmap: `strokes` in pad pixels, `labels` left to right, `digit_of[i]` the
    position of stroke i's digit; `alone` is each digit drawn alone (Digit mode), `gaps` the gaps (px)."""

    strokes: list[np.ndarray]
    labels: list[int]
    digit_of: list[int]
    gap_class: str
    writer: str
    gaps: list[float] = field(default_factory=list)
    alone: list[tuple[np.ndarray, ...]] = field(default_factory=list)


def as_arrays(strokes) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes)


def pendigits_writers(digits: list[pendigits.PenDigit]) -> dict[str, list[WrittenDigit]]:
    """Writer -> digits: on the pad as in Digit mode (the writer's 500x500 box filling 280x280)."""
    out: dict[str, list[WrittenDigit]] = {}
    for d in digits:
        on_pad = as_arrays(d.on_pad(BITMAP_SIZE, BITMAP_SIZE))
        out.setdefault(f"pendigits/{d.writer}", []).append(WrittenDigit(d.label, on_pad, on_pad))
    return out


def unipen_writers(digits: list[unipen.UnipenDigit]) -> dict[str, list[WrittenDigit]]:
    """Writer -> digits: smoothed when coarse as on the lone pad, scaled so that the writer's median digit
    is UNIPEN_HEIGHT px tall (one device per writer: their digits' sizes relative to each other stay),
    densified; `alone` is the digit as Digit mode draws it (`UnipenDigit.on_pad`)."""
    mine: dict[str, list[unipen.UnipenDigit]] = {}
    for d in digits:
        mine.setdefault(d.writer, []).append(d)
    out = {}
    for writer, written in mine.items():
        heights = [np.ptp(np.concatenate(as_arrays(d.strokes))[:, 1]) for d in written]
        scale = UNIPEN_HEIGHT / max(float(np.median(heights)), 1e-9)
        out[writer] = [WrittenDigit(d.label, unipen_strokes(d, scale), as_arrays(d.on_pad())) for d in written]
    return out


def unipen_strokes(d: unipen.UnipenDigit, scale: float) -> tuple[np.ndarray, ...]:
    arrays = as_arrays(d.strokes)
    if np.ptp(np.concatenate(arrays)[:, 1]) < unipen.COARSE_HEIGHT:
        arrays = tuple(unipen.smoothed(a) for a in arrays)
    return tuple(unipen.densified(a * scale, unipen.MAX_SEGMENT) for a in arrays)


def make_numbers(
    digits_by_writer: dict[str, list[WrittenDigit]],
    count: int,
    seed: int,
    lengths: tuple[int, ...] = LENGTHS,
    gap_classes: tuple[str, ...] = tuple(GAPS),
) -> list[Number]:
    """`count` numbers, each of one writer (drawn at random among those with enough digits), a length of
    `lengths` and a gap class of `gap_classes` in turn, laid out by `layout`; the same for the same seed."""
    rng = np.random.default_rng(seed)
    writers = sorted(w for w, ds in digits_by_writer.items() if len(ds) >= max(lengths))
    numbers = []
    for n in range(count):
        writer = writers[int(rng.integers(len(writers)))]
        mine = digits_by_writer[writer]
        chosen = [mine[int(i)] for i in rng.choice(len(mine), lengths[n % len(lengths)], replace=False)]
        gap_class = gap_classes[(n // len(lengths)) % len(gap_classes)]
        numbers.append(layout(chosen, gap_class, writer, rng))
    return numbers


def layout(chosen: list[WrittenDigit], gap_class: str, writer: str, rng: np.random.Generator) -> Number:
    """The digits left to right on the WIDTH x HEIGHT bitmap (see the module's docstring)."""
    heights = np.array([np.ptp(np.concatenate(d.strokes)[:, 1]) for d in chosen])
    # each digit's height relative to the number's median digit, within RELATIVE (a broken trace does not
    # shrink the rest)
    relative = np.clip(heights / max(float(np.median(heights)), 1.0), *RELATIVE)
    tall = math.exp(rng.uniform(*np.log(HEIGHTS)))
    sizes = relative * np.exp(rng.normal(0.0, SIZE_JITTER, len(chosen)))
    tilt, lifts = rng.uniform(-TILT, TILT), rng.normal(0.0, BASELINE_JITTER, len(chosen))
    low, high = GAPS[gap_class]
    gap_draws = rng.uniform(low, high, len(chosen) - 1)
    for _ in range(8):
        placed, gaps = place(chosen, tall * sizes, tilt * tall, lifts * tall, gap_draws, gap_class, tall)
        points = np.concatenate([p for d in placed for p in d])
        span = points.max(axis=0) - points.min(axis=0)
        fit = min((WIDTH - 2 * MARGIN) / span[0], (HEIGHT - 2 * MARGIN) / span[1])
        if fit >= 1.0:
            break
        tall *= fit * 0.99
    room = np.array([WIDTH, HEIGHT]) - 2 * MARGIN - span
    shift = MARGIN + rng.uniform(0.0, 1.0, 2) * np.maximum(room, 0.0) - points.min(axis=0)
    strokes = [p + shift for d in placed for p in d]
    digit_of = [k for k, d in enumerate(placed) for _ in d]
    return Number(strokes, [d.label for d in chosen], digit_of, gap_class, writer, gaps, [d.alone for d in chosen])


def place(chosen, heights, tilt, lifts, gap_draws, gap_class, tall) -> tuple[list[list[np.ndarray]], list[float]]:
    """Each digit scaled to its height (no wider than WIDEST times it), its left edge after the previous
    one's right edge plus the gap (touching: pixels; else of `tall`), its bottom on the tilted baseline
    (`tilt` per `tall` pixels) plus its lift."""
    placed, gaps, cursor = [], [], 0.0
    for k, d in enumerate(chosen):
        points = np.concatenate(d.strokes)
        span = np.ptp(points, axis=0)
        factor = heights[k] / max(span[1], span[0] / WIDEST, 1e-9)
        scaled = [s * factor for s in d.strokes]
        low, high = points.min(axis=0) * factor, points.max(axis=0) * factor
        if k:
            gap = float(gap_draws[k - 1]) * (1.0 if gap_class == "touching" else tall)
            gaps.append(gap)
            cursor += gap
        bottom = tilt * cursor / tall + lifts[k]
        placed.append([s - low + np.array([cursor, bottom - (high[1] - low[1])]) for s in scaled])
        cursor += high[0] - low[0]
    return placed, gaps


def calibration_of(sess) -> rejection.Calibration | None:
    return rejection.Calibration.from_metadata(sess.get_modelmeta().custom_metadata_map)


def digit_image(strokes: list[np.ndarray]) -> np.ndarray:
    """A digit's 28x28 input: its strokes on a square bitmap just big enough, with room for the pen, drawn
    with the ink pen of its own extent (as a lone digit is), preprocessed by the MNIST recipe."""
    width = ink_width(strokes)
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    room = width / 2 + 2
    side = int(math.ceil(float((high - low).max()) + 2 * room))
    offset = np.floor((side - (high - low)) / 2 - low)
    image = to_mnist(render_rgba([s + offset for s in strokes], side, width=width))
    return np.zeros((28, 28), np.float32) if image is None else image


def answers(logits: np.ndarray, calibration: rejection.Calibration | None) -> tuple[list[str], np.ndarray]:
    """The digits read ("?" where the verdict is unsure or not-digit) and their probabilities."""
    if calibration is None:
        probs = softmax(logits[:, :10].astype(np.float64))
        return [str(int(d)) for d in probs.argmax(1)], probs
    probs = rejection.digit_probabilities(logits, calibration.temperature)
    verdicts = rejection.verdict(logits, calibration)
    return [str(int(d)) if v == "digit" else UNREADABLE for d, v in zip(probs.argmax(1), verdicts, strict=True)], probs


def read_offline(sess, strokes: list[np.ndarray], calibration: rejection.Calibration | None = None):
    """(digits read left to right, [k, 10] probabilities, segments) of a number, read as the page does:
    segmented, each digit on its own bitmap, ONE batch through the model. `calibration` (default: the
    model's metadata) gives the verdicts."""
    segments = segment(strokes)
    if not segments:
        return [], np.zeros((0, 10)), []
    inputs = normalize(np.stack([digit_image(segment_strokes(strokes, s)) for s in segments]))
    found, probs = answers(onnx_run.all_logits(sess, inputs), calibration or calibration_of(sess))
    return found, probs, segments


def read_alone(sess, numbers: list[Number], calibration) -> list[list[str]]:
    """Digit mode on the same digits: each drawn alone on the 280x280 pad, as `build.py drawings` does."""
    lone = [list(d) for n in numbers for d in n.alone]
    images = np.stack([to_mnist(render_rgba(s, width=ink_width(s))) for s in lone])
    found, _ = answers(onnx_run.all_logits(sess, normalize(images)), calibration)
    out, k = [], 0
    for n in numbers:
        out.append(found[k : k + len(n.labels)])
        k += len(n.labels)
    return out


def sources(split: str, pendigits_dir: str | None, unipen_dir: str | None) -> dict[str, dict[str, list[WrittenDigit]]]:
    """The split's writers' digits, per data set at hand."""
    unipen_split, writers = SPLITS[split]
    out = {}
    if pendigits.resolve_path(pendigits_dir):
        out["pendigits"] = pendigits_writers(pendigits.by_writers(pendigits.load(pendigits_dir), writers))
    if unipen.resolve_path(unipen_dir):
        out["unipen"] = unipen_writers(unipen.by_split(unipen.load(unipen_dir), unipen_split))
    return out


if __name__ == "__main__":  # the README's name for the command, which evaluate/numbers_offline.py runs
    from evaluate.numbers_offline import main

    sys.exit(main())
