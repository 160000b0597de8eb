"""Drawings that are not digits, to teach and to measure "that doesn't look like a digit".

Two sources, both ending as strokes on the pad (y down, BITMAP_SIZE pixels), drawn by
train/render.py exactly as the page draws a person's strokes:

- UNIPEN's isolated letters and symbols (categories 1b-1d), without the characters that
  people write like digits (LOOKALIKES: an O is a 0, an l a 1, a Z a 2, ...). Their writers
  are split as the digits' writers are (train/unipen.py): a writer who also wrote digits
  keeps that split, the others are ranked within their institution by the same rule, so
  held-out letters come from held-out writers only.
- Seeded shapes (SHAPES): scribbles, zig-zags, filled blobs, crosses, stars, circles with
  marks, a lone dot, a lone short line, and several digits drawn side by side. Each split
  draws them from its own seeds, so validation and held-out shapes are never trained on.
"""

from __future__ import annotations

import gzip
import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from train import pendigits, unipen
from train.render import BITMAP_SIZE, INK_WIDTH_RATIO

FILE_NAME = "unipen-letters.jsonl.gz"
CREDIT = (
    "UNIPEN train_r01_v07 isolated upper case, lower case and symbols (categories 1b-1d; same authors, "
    "Zenodo doi:10.5281/zenodo.1195803, CC BY 4.0)"
)
# Characters written like a digit (by the list and by looking at them), never shown as "not a digit":
# O o D Q U u C c (0, closed or not); I l i j J r | ! / \\ ( ) [ ] { } ' ` , " (1, or a 1 once scaled up);
# Z z ? (2); } (3); y (an open 4); S s $ (5); b G (6); T (a barred 7's cousin); B & (8); g q a (9).
LOOKALIKES = frozenset("OoDQUuCcIliJjr|!/\\()[]{}'`,\"Zz?ySs$bGTB&gqa")
Strokes = list[list[tuple[float, float]]]


@dataclass(frozen=True)
class NonDigit:
    """One drawing that is not a digit: `kind` is "letter" or a SHAPES name, `what` the character or shape."""

    kind: str
    what: str
    writer: str  # "<institution>/<writer id>" for letters, "synthetic" for shapes
    strokes: tuple[tuple[tuple[float, float], ...], ...]  # letters: device units; shapes: pad pixels
    seed: int

    def on_pad(self, width: float = BITMAP_SIZE, height: float = BITMAP_SIZE) -> Strokes:
        """Strokes on a pad of this size, as a person would draw this on it."""
        if self.kind == "letter":
            return unipen.placed(self.strokes, self.seed, width, height)
        scale = min(width, height) / BITMAP_SIZE
        return [[(x * scale, y * scale) for x, y in s] for s in self.strokes]


# --- UNIPEN's letters and symbols ---------------------------------------------------------------


def resolve_path(path: str | os.PathLike | None = None) -> Path | None:
    """The letters file from an explicit folder or file, else $UNIPEN_DIR; None if absent."""
    return pendigits.data_file(path, unipen.ENV_VAR, FILE_NAME)


def load_letters(path: str | os.PathLike | None = None) -> list[NonDigit]:
    """UNIPEN's letters and symbols that do not look like digits; a clear error when the file is absent."""
    found = resolve_path(path)
    if found is None:
        raise FileNotFoundError(
            f"UNIPEN letters not found: give the folder holding {FILE_NAME} with an option or ${unipen.ENV_VAR}; "
            "it is UNIPEN train_r01_v07 (Zenodo doi:10.5281/zenodo.1195803), categories 1b-1d, as JSON lines"
        )
    corrections = unipen.aspect_corrections(found.parent)
    letters = []
    with gzip.open(found, "rt", encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                label, stretch = str(record["label"]), corrections.get(record["institution"], 1.0)
                strokes = tuple(tuple((float(x), float(y) * stretch) for x, y in s) for s in record["strokes"] if s)
                writer, source = str(record["writer"]), str(record["source"])
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"{found}: line {number}: not a UNIPEN character record ({error})") from error
            if strokes and label not in LOOKALIKES:
                letters.append(NonDigit("letter", label, writer, strokes, unipen.seed_of(source)))
    return letters


def letter_splits(letters: list[NonDigit], digit_splits: dict[str, str]) -> dict[str, str]:
    """writer -> split for the letters' writers: the digits' split where the writer wrote digits too, else
    the digits' rule (unipen.split_of) among the institution's writers who wrote no digits."""
    others: dict[str, set[str]] = {}
    for letter in letters:
        if letter.writer not in digit_splits:
            others.setdefault(letter.writer.split("/", 1)[0], set()).add(letter.writer)
    of = dict(digit_splits)
    for writers in others.values():
        ranked = sorted(writers)
        of.update({w: unipen.split_of(w, ranked) for w in ranked})
    return {letter.writer: of[letter.writer] for letter in letters}


def letters_of_split(letters: list[NonDigit], digit_splits: dict[str, str], split: str) -> list[NonDigit]:
    if split not in unipen.SPLITS:
        raise ValueError(f"no split {split!r}: choose one of {', '.join(unipen.SPLITS)}")
    of = letter_splits(letters, digit_splits)
    return [letter for letter in letters if of[letter.writer] == split]


# --- seeded shapes --------------------------------------------------------------------------------


def _region(rng: np.random.Generator, low: float = 60.0, high: float = 170.0) -> tuple[np.ndarray, float]:
    """A seeded square (its top left, its side) for one drawing, sized as digits are, inside the pad."""
    side = math.exp(rng.uniform(math.log(low), math.log(high)))
    margin = INK_WIDTH_RATIO * side / 2 + 4
    corner = rng.uniform(margin, BITMAP_SIZE - margin - side, 2)
    return corner, side


def _smooth_walk(rng: np.random.Generator, count: int) -> np.ndarray:
    """A smoothed random walk of `count` points in the unit square."""
    steps = rng.normal(0.0, 1.0, (count, 2))
    velocity = np.cumsum(steps, axis=0)
    velocity /= np.maximum(np.abs(velocity).max(), 1e-9)
    walk = np.cumsum(velocity, axis=0)
    low, high = walk.min(axis=0), walk.max(axis=0)
    return (walk - low) / np.maximum(high - low, 1e-9)


def _circle(centre, radius, count: int = 40, start: float = 0.0, turn: float = 1.0) -> np.ndarray:
    angles = start + np.linspace(0.0, 2 * math.pi * turn, count)
    return np.stack([centre[0] + radius[0] * np.cos(angles), centre[1] + radius[1] * np.sin(angles)], axis=1)


def scribble(rng: np.random.Generator) -> list[np.ndarray]:
    return [_smooth_walk(rng, int(rng.integers(40, 120))) for _ in range(int(rng.integers(1, 3)))]


def zigzag(rng: np.random.Generator) -> list[np.ndarray]:
    teeth = int(rng.integers(4, 11))
    along = np.linspace(0.0, 1.0, teeth + 1)
    across = np.where(np.arange(teeth + 1) % 2 == 0, 0.0, 1.0) + rng.normal(0.0, 0.05, teeth + 1)
    points = np.stack([along, across * rng.uniform(0.3, 1.0)], axis=1)
    return [points if rng.random() < 0.5 else points[:, ::-1]]


def blob(rng: np.random.Generator) -> list[np.ndarray]:
    """A filled shape: an ellipse hatched back and forth until it is solid ink."""
    rows = int(rng.integers(8, 20))
    y = np.linspace(-1.0, 1.0, rows)
    half = np.sqrt(np.clip(1 - y**2, 0.02, None)) * (1 + rng.normal(0.0, 0.08, rows))
    x = np.where(np.arange(rows) % 2 == 0, -half, half)
    aspect = rng.uniform(0.5, 1.0)
    return [np.stack([x * aspect, y], axis=1) * 0.5 + 0.5]


def cross(rng: np.random.Generator) -> list[np.ndarray]:
    """An x or a +, two strokes."""
    tilt = math.pi / 4 if rng.random() < 0.5 else 0.0
    strokes = []
    for angle in (tilt, tilt + math.pi / 2):
        angle += rng.normal(0.0, 0.12)
        d = np.array([math.cos(angle), math.sin(angle)]) * 0.5
        strokes.append(np.array([0.5 - d, 0.5 + d]) + rng.normal(0.0, 0.03, (2, 2)))
    return strokes


def star(rng: np.random.Generator) -> list[np.ndarray]:
    """A five-pointed star in one stroke, or an asterisk of three or four lines."""
    if rng.random() < 0.5:
        angles = -math.pi / 2 + np.arange(6) * 4 * math.pi / 5 + rng.normal(0.0, 0.05, 6)
        return [np.stack([np.cos(angles), np.sin(angles)], axis=1) * 0.5 + 0.5]
    lines = int(rng.integers(3, 5))
    strokes = []
    for k in range(lines):
        angle = k * math.pi / lines + rng.normal(0.0, 0.1)
        d = np.array([math.cos(angle), math.sin(angle)]) * 0.5
        strokes.append(np.array([0.5 - d, 0.5 + d]))
    return strokes


def marked_circle(rng: np.random.Generator) -> list[np.ndarray]:
    """A circle with marks inside (a smiley, a dot, a cross or a bar): never a bare circle, which is a 0."""
    ring = _circle((0.5, 0.5), (0.5, rng.uniform(0.4, 0.5)), start=rng.uniform(0, 2 * math.pi), turn=1.05)
    kind = rng.integers(4)
    if kind == 0:  # a smiley: two eyes and a smile
        eyes = [np.array([[0.35, 0.35]]), np.array([[0.65, 0.35]])]
        smile = _circle((0.5, 0.5), (0.22, 0.2), count=12, start=0.3, turn=0.35)
        return [ring, *eyes, smile]
    if kind == 1:  # a dot in the middle
        return [ring, np.array([[0.5, 0.5]])]
    if kind == 2:  # a cross inside
        return [ring, np.array([[0.3, 0.3], [0.7, 0.7]]), np.array([[0.7, 0.3], [0.3, 0.7]])]
    return [ring, np.array([[0.2, 0.5], [0.8, 0.5]])]  # a bar across


def dot(rng: np.random.Generator) -> list[np.ndarray]:
    return [rng.normal(0.5, 0.01, (int(rng.integers(1, 4)), 2))]


def short_line(rng: np.random.Generator) -> list[np.ndarray]:
    """A dash within 35 degrees of level: a short upright line is a 1 to anyone, once scaled up."""
    angle = rng.uniform(-0.6, 0.6)
    d = np.array([math.cos(angle), math.sin(angle)]) * 0.5
    return [np.array([0.5 - d, 0.5 + d])]


SHAPES: dict[str, Callable[[np.random.Generator], list[np.ndarray]]] = {
    "scribble": scribble,
    "zigzag": zigzag,
    "blob": blob,
    "cross": cross,
    "star": star,
    "marked-circle": marked_circle,
    "dot": dot,
    "short-line": short_line,
}
SHORT_LENGTHS = (6.0, 24.0)  # a lone dash, pad pixels: shorter than the ink pen's minimum regime (4 / 0.145)


def _placed(rng: np.random.Generator, unit_strokes: list[np.ndarray], kind: str) -> Strokes:
    """Unit-square strokes placed on the pad: a digit's size for most, a few pixels for a dot or a dash."""
    if kind in ("dot", "short-line"):
        side = rng.uniform(*SHORT_LENGTHS) if kind == "short-line" else 1.0
        corner = rng.uniform(40.0, BITMAP_SIZE - 40.0 - side, 2)
    else:
        corner, side = _region(rng)
        if kind in ("zigzag", "scribble"):  # not always square
            side = side * rng.uniform(0.7, 1.0)
    return [[(float(x), float(y)) for x, y in corner + stroke * side] for stroke in unit_strokes]


def several_digits(rng: np.random.Generator, digits: list[Strokes]) -> Strokes:
    """Two or three of `digits` (pad strokes) drawn side by side, with gaps, scaled to fit the pad."""
    count = min(len(digits), int(rng.integers(2, 4)))
    chosen = [digits[i] for i in rng.choice(len(digits), count, replace=False)]
    parts, x = [], 0.0
    for strokes in chosen:
        points = np.concatenate([np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes])
        low, high = points.min(axis=0), points.max(axis=0)
        height = max(high[1] - low[1], 1e-9)
        parts.append([(np.asarray(s).reshape(-1, 2) - low) / height + [x, 0.0] for s in strokes])
        x += (high[0] - low[0]) / height + rng.uniform(0.15, 0.5)
    width = x - 0.3
    scale = rng.uniform(0.6, 0.85) * BITMAP_SIZE / max(width, 1.0)
    corner = np.array([(BITMAP_SIZE - width * scale) / 2, (BITMAP_SIZE - scale) / 2])
    return [[(float(a), float(b)) for a, b in corner + s * scale] for part in parts for s in part]


def shapes(count: int, split: str, digits: list[Strokes] | None = None) -> list[NonDigit]:
    """`count` seeded shapes of `split`, in turn of each SHAPES kind (and "several-digits" when `digits`,
    pad strokes of that split's digit writers, are given): the same every run, different per split."""
    if split not in unipen.SPLITS:
        raise ValueError(f"no split {split!r}: choose one of {', '.join(unipen.SPLITS)}")
    kinds = [*SHAPES, *(["several-digits"] if digits else [])]
    made = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        seed = unipen.seed_of(f"{split}:{kind}:{i}")
        rng = np.random.default_rng(seed)
        if kind == "several-digits":
            strokes = several_digits(rng, digits)
        else:
            strokes = _placed(rng, SHAPES[kind](rng), kind)
        made.append(NonDigit(kind, kind, "synthetic", tuple(tuple(s) for s in strokes), seed))
    return made
