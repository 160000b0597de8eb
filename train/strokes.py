"""Random variations of pen trajectories, drawn before rendering (stroke-level augmentation).

Changing a drawing's pixels after preprocessing (train/augment.py) cannot change what
the page's pen does to a digit drawn narrower, wider or more slanted (the pen's width
follows the drawing's longer side, train/render.py). Distorting the trajectory and then
rendering it on the page's bitmap can: every variant is a drawing the page itself could
have received.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from train.render import BITMAP_SIZE, INK_WIDTH_RATIO, LINE_WIDTH

BULGE_RADIUS = 0.3  # how far a bulge reaches (its Gaussian's sigma), as a fraction of the digit's size
Strokes = list[list[tuple[float, float]]]


@dataclass(frozen=True)
class StrokeDistortion:
    """Ranges of the random changes, each drawn uniformly in [-x, x]; `strength` scales them all."""

    strength: float = 1.0
    rotate: float = 12.0  # degrees
    shear: float = 0.25  # x shift per unit of height (slant)
    aspect: float = 0.2  # log of the width / height change
    size: float = 0.35  # log of the size change
    bend: float = 0.04  # smooth warp, as a fraction of the digit's size
    # Largest fraction of each stroke's length cut off either end, drawn in [0, trim] (0: off):
    # loops that do not quite close, shorter bars and flags, as hurried hands draw them.
    trim: float = 0.0
    # Largest log size change of one part of the digit, around a random point of it (0: off): a small
    # loop on a long tail, a wide belly under a narrow top, as people size a digit's parts unevenly.
    bulge: float = 0.0

    def amount(self, name: str, rng: np.random.Generator) -> float:
        return float(rng.uniform(-1.0, 1.0)) * getattr(self, name) * self.strength


def trimmed(stroke: np.ndarray, start: float, end: float) -> np.ndarray:
    """`stroke` ([N, 2] points) without the first `start` and the last `end` fractions of its length;
    dots and single segments (fewer than three points) are kept whole."""
    steps = np.hypot(*np.diff(stroke, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    if len(stroke) < 3 or along[-1] == 0 or start + end <= 0:
        return stroke
    low, high = start * along[-1], (1.0 - end) * along[-1]
    inside = stroke[(along > low) & (along < high)]
    ends = np.array([[np.interp(at, along, stroke[:, axis]) for axis in (0, 1)] for at in (low, high)])
    return np.concatenate([ends[:1], inside, ends[1:]])


def bulged(points: np.ndarray, at: np.ndarray, grow: float, radius: float) -> np.ndarray:
    """`points` [N, 2] pushed away from `at` (grow > 0) or pulled towards it (grow < 0): a point at
    distance d moves to d * exp(grow * exp(-d^2 / (2 radius^2))), so the part near `at` is resized by
    about exp(grow) and the far parts stay. The map keeps its order (no fold) while |grow| < e / 2."""
    away = points - at
    near = np.exp(-(away**2).sum(axis=1, keepdims=True) / (2 * radius**2))
    return at + away * np.exp(grow * near)


def distort(strokes: Strokes, rng: np.random.Generator, how: StrokeDistortion, pad: float = BITMAP_SIZE) -> Strokes:
    """`strokes` (pad coordinates, y down) rotated, slanted, stretched, resized and gently bent
    about their centre (with `how.trim`, their ends cut short; with `how.bulge`, one part resized),
    then moved so that the whole digit, ink included, stays on the pad."""
    arrays = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes]
    if how.trim:
        arrays = [trimmed(a, *rng.uniform(0.0, how.trim * how.strength, 2)) for a in arrays]
    points = np.concatenate(arrays)
    low, high = points.min(axis=0), points.max(axis=0)
    centre, extent = (low + high) / 2, max(float((high - low).max()), 1.0)

    angle = math.radians(how.amount("rotate", rng))
    cos, sin = math.cos(angle), math.sin(angle)
    stretch = math.exp(how.amount("aspect", rng))
    size = math.exp(how.amount("size", rng))
    linear = size * np.array([[cos, -sin], [sin, cos]]) @ np.array([[1.0, how.amount("shear", rng)], [0.0, 1.0]])
    linear = linear @ np.diag([stretch, 1 / stretch])
    # A bend: each coordinate moves by a random low-frequency sine of the other.
    phases, freqs = rng.uniform(0, 2 * math.pi, 2), rng.uniform(0.5, 1.5, 2) * math.pi / extent
    bend = np.array([how.amount("bend", rng), how.amount("bend", rng)]) * extent
    # drawn only when on, so that recipes without it keep their random numbers
    at, grow = (points[rng.integers(len(points))] - centre, how.amount("bulge", rng)) if how.bulge else (None, 0.0)

    def transform(stroke: np.ndarray) -> np.ndarray:
        local = stroke - centre
        if grow:
            local = bulged(local, at, grow, BULGE_RADIUS * extent)
        local = local + bend * np.sin(freqs * local[:, ::-1] + phases)
        return local @ linear.T

    moved = [transform(a) for a in arrays]
    every = np.concatenate(moved)
    margin = LINE_WIDTH / 2 + 1
    span = every.max(axis=0) - every.min(axis=0)
    room = pad - 2 * margin
    if span.max() > room:  # too big for the pad: shrink to fit
        shrink = room / span.max()
        moved, every, span = [m * shrink for m in moved], every * shrink, span * shrink
    # Anywhere on the pad that keeps the digit whole (people draw high, low, left and right).
    corner = margin + rng.uniform(0.0, 1.0, 2) * (room - span)
    shift = corner - every.min(axis=0)
    return [[(float(x), float(y)) for x, y in m + shift] for m in moved]


def resized(strokes: Strokes, factor: float, pad: float = BITMAP_SIZE) -> Strokes:
    """The same drawing `factor` times as large, in the middle of the pad: scaled about its
    centre, and no larger than fits on the pad with the ink pen's width around it."""
    points = np.concatenate([np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes])
    low, high = points.min(axis=0), points.max(axis=0)
    centre, extent = (low + high) / 2, max(float((high - low).max()), 1e-9)
    factor = min(factor, (pad / (1 + INK_WIDTH_RATIO) - 2) / extent)
    middle = np.array([pad / 2, pad / 2])
    return [[(float(x), float(y)) for x, y in (np.asarray(s) - centre) * factor + middle] for s in strokes]


REPLAY_STEP = 6.0  # bitmap pixels between the points of a replayed stroke (see `thinned`): a 60 Hz mouse moving at
# a modest 360 px a second; 40% fewer mouse moves than 3 px, the same answers (tests/page/test_page_unipen.py)


def thinned(strokes, step: float = REPLAY_STEP) -> list[np.ndarray]:
    """Each stroke with only the points at least `step` from the last one kept (and its last point):
    the same line for the eye and the model, a fraction of the mouse moves for a test or benchmark to
    replay (UNIPEN's traces hold a point every pixel or less). Whoever replays thinned strokes reads
    them offline thinned too, so the page and CPython see the same points."""
    out = []
    for stroke in strokes:
        stroke = np.asarray(stroke, dtype=np.float64).reshape(-1, 2)
        kept = [0]
        for i in range(1, len(stroke)):
            if np.hypot(*(stroke[i] - stroke[kept[-1]])) >= step:
                kept.append(i)
        if kept[-1] != len(stroke) - 1:
            kept.append(len(stroke) - 1)
        out.append(stroke[kept])
    return out
