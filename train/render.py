"""Render pen strokes the way the page's pad does, for offline evaluation and training.

The page draws every stroke on a fixed 280x280 ink bitmap (white paper, black ink,
round caps and joins, anti-aliased) and hands that bitmap to the shared
preprocessing. This draws the same polylines with per-pixel coverage of a round
pen: min(1, max(0, radius + 0.5 - distance to the polyline)).

The ink bitmap's pen is not the pen the person sees (18 px on the pad): it is as
wide as a fixed fraction of the drawing's extent, so that a small digit is not
drawn with a pen that fills its loops and a large one not with a hairline. Scaled
to MNIST's 20 px box, every drawing then has strokes as thick, relative to its
size, as MNIST's digits have on average (`INK_WIDTH_RATIO`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from train import contract

# The pen, from train/contract.json (the page's js/element/ink.js reads the same file):
BITMAP_SIZE = contract.BITMAP_SIZE  # the page's ink bitmap, pixels (#pad data-bitmap-size)
LINE_WIDTH = contract.LINE_WIDTH  # the pad's visible pen, in bitmap pixels (#pad data-line-width)
# The ink bitmap's pen: this fraction of the drawing's extent (its bounding box's longer
# side), at least MIN_INK_WIDTH (#pad data-ink-width-ratio, data-ink-min-width). The
# ratio gives the training writers' drawings the mean ink of MNIST's training digits
# after preprocessing (0.1307 per pixel): 0.145 gives 0.130, the fixed 18 px pen 0.161.
INK_WIDTH_RATIO = contract.INK_WIDTH_RATIO
MIN_INK_WIDTH = contract.MIN_INK_WIDTH

Stroke = Sequence[tuple[float, float]]


def ink_width(strokes: Sequence[Stroke], ratio: float = INK_WIDTH_RATIO) -> float:
    """The ink bitmap's pen width for these strokes (see INK_WIDTH_RATIO); ink.js inkWidth is the same.
    Another `ratio` is for experiments only (checkpoints trained with --ink-ratio, an option that left the
    training code; evaluate/validate.py scores them with theirs): the page draws with INK_WIDTH_RATIO."""
    points = np.array([p for stroke in strokes for p in stroke], dtype=np.float64).reshape(-1, 2)
    if len(points) == 0:
        return MIN_INK_WIDTH
    extent = float((points.max(axis=0) - points.min(axis=0)).max())
    return max(MIN_INK_WIDTH, ratio * extent)


def coverage(strokes: Sequence[Stroke], size: int = BITMAP_SIZE, width: float | None = None) -> np.ndarray:
    """Ink coverage in [0, 1], shape [size, size], of round-pen polylines (x right, y down),
    drawn `width` wide (default: the ink bitmap's pen, `ink_width`)."""
    radius = (ink_width(strokes) if width is None else width) / 2
    ink = np.zeros((size, size), dtype=np.float32)
    points = np.array([p for stroke in strokes for p in stroke], dtype=np.float64).reshape(-1, 2)
    if len(points) == 0:
        return ink
    x0, y0 = np.floor(points.min(axis=0) - radius - 1).astype(int).clip(0, size)
    x1, y1 = np.ceil(points.max(axis=0) + radius + 1).astype(int).clip(0, size)
    if x1 <= x0 or y1 <= y0:
        return ink
    px = np.arange(x0, x1, dtype=np.float64) + 0.5  # pixel centres
    py = np.arange(y0, y1, dtype=np.float64) + 0.5
    nearest = np.full((y1 - y0, x1 - x0), np.inf)
    reach = radius + 1.0  # a segment inks no pixel farther than radius + 0.5 from it
    for stroke in strokes:
        stroke = np.asarray(stroke, dtype=np.float64).reshape(-1, 2)
        starts, ends = stroke[:-1] if len(stroke) > 1 else stroke, stroke[1:] if len(stroke) > 1 else stroke
        for (ax, ay), (bx, by) in zip(starts, ends, strict=True):
            # Only the pixels around this segment: the same result as the whole box, far faster.
            i0, i1 = np.searchsorted(px, (min(ax, bx) - reach, max(ax, bx) + reach))
            j0, j1 = np.searchsorted(py, (min(ay, by) - reach, max(ay, by) + reach))
            if i1 <= i0 or j1 <= j0:
                continue
            sx, sy = px[None, i0:i1], py[j0:j1, None]
            dx, dy = bx - ax, by - ay
            length2 = dx * dx + dy * dy
            if length2 == 0:
                d2 = (sx - ax) ** 2 + (sy - ay) ** 2
            else:
                t = np.clip(((sx - ax) * dx + (sy - ay) * dy) / length2, 0.0, 1.0)
                d2 = (sx - ax - t * dx) ** 2 + (sy - ay - t * dy) ** 2
            window = nearest[j0:j1, i0:i1]
            np.minimum(window, d2, out=window)
    ink[y0:y1, x0:x1] = np.clip(radius + 0.5 - np.sqrt(nearest), 0.0, 1.0)
    return ink


def render_rgba(strokes: Sequence[Stroke], size: int = BITMAP_SIZE, width: float | None = None) -> np.ndarray:
    """The page's ink bitmap: opaque RGBA, black ink on white paper (pen as in `coverage`)."""
    paper = np.round(255.0 * (1.0 - coverage(strokes, size, width))).astype(np.uint8)
    rgba = np.empty((size, size, 4), dtype=np.uint8)
    rgba[:, :, :3] = paper[:, :, None]
    rgba[:, :, 3] = 255
    return rgba
