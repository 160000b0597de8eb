"""Drawings as pen trajectories, changed before rendering: `resized` draws a drawing larger or smaller in
the middle of the pad (the size evaluation, train/drawings.py), `thinned` keeps the points that a test or
benchmark replays as mouse moves.

The stroke-level augmentation that lived here (`StrokeDistortion`, `distort`, `trimmed`, `bulged`: the
recipes of `--pen-distort`, `--pen-trim` and `--pen-bulge`, none of which shipped; docs/experiments.md)
left the code in issue 36; git history keeps it.
"""

from __future__ import annotations

import numpy as np

from train.render import BITMAP_SIZE, INK_WIDTH_RATIO

Strokes = list[list[tuple[float, float]]]


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
