"""Number mode's segmentation (train/segment.py): a group of strokes and the geometry the rules measure.

A group is a candidate digit: the pieces of strokes it holds and their bounding box. A piece is
(stroke, start, stop), the points [start, stop) of one stroke; stop -1 is the stroke's end.

numpy and the standard library only, and no import of the project: the page runs it as a top-level
module beside segment.py (build.py copies both into dist/py/).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Group:
    pieces: list[tuple[int, int, int]]
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    def joined(self, other: Group) -> Group:
        return Group(self.pieces + other.pieces, min(self.x0, other.x0), min(self.y0, other.y0),
                     max(self.x1, other.x1), max(self.y1, other.y1))  # fmt: skip


def overlap_share(a0: float, a1: float, b0: float, b1: float, min_extent: float) -> float:
    """How much of the narrower of [a0, a1] and [b0, b1] the other covers (0..1). An extent narrower
    than `min_extent` (an upright) is covered as far as its middle lies inside the other, up to
    min_extent / 2 deep: an upright inside a digit is covered, a 1 overlapping its neighbour's extent by
    a few pixels is not."""
    if min(a1 - a0, b1 - b0) < min_extent:
        (n0, n1), (w0, w1) = ((a0, a1), (b0, b1)) if a1 - a0 <= b1 - b0 else ((b0, b1), (a0, a1))
        depth = min((n0 + n1) / 2 - w0, w1 - (n0 + n1) / 2)
        return min(1.0, max(0.0, 2 * depth / min_extent))
    shared = min(a1, b1) - max(a0, b0)
    return max(0.0, shared) / max(min(a1 - a0, b1 - b0), 1e-9)


def ink_distance(group: Group, arrays: list[np.ndarray], x: float, y: float) -> float:
    """How near the group's ink comes to (x, y)."""
    return min(float(np.hypot(arrays[i][:, 0] - x, arrays[i][:, 1] - y).min()) for i, _, _ in group.pieces)


def box_of(points: list[np.ndarray]) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of all points."""
    stacked = np.concatenate(points)
    (x0, y0), (x1, y1) = stacked.min(axis=0), stacked.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def piece_points(arrays: list[np.ndarray], piece: tuple[int, int, int]) -> np.ndarray:
    i, start, stop = piece
    return arrays[i][start : len(arrays[i]) if stop < 0 else stop]
