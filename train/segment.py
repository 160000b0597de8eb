"""Find the digits of a whole number from its strokes (Number mode, issue 20).

This file and the three it imports (segment_geometry.py: a group of strokes and its geometry;
segment_rules.py: rules 1, 2 and 4 below, with their constants; segment_split.py: rule 3) depend on
numpy alone and import nothing else from the project: the page copies all four into Pyodide as
top-level modules beside preprocess.py, and training and evaluation import them from the train package
(`train.segment`), so the page segments with the very code the evaluation measured. It runs every
animation frame while someone writes, so it works on strokes (a few dozen), never on pixels.

People write a number left to right, one digit after the other, on one baseline, every digit about as
tall as its neighbours, and a digit's strokes share its columns. So (all lengths relative to the
number's height `scale`, the upper quartile of the strokes' heights, so that the rules do not depend on
how large someone writes):
1. strokes whose horizontal extents overlap by at least MIN_OVERLAP of the narrower one's extent are
   one digit (a 4 or 5 in two strokes, a 7's or a 1's bar, a slashed 0); measured against the narrower
   extent, so that two touching digits whose extents overlap by a few pixels stay two;
2. a mark (a stroke no longer than MARK of the scale either way: a dot, a short tick; not a dash, which
   is a small bar) joins the nearest digit rather than becoming one, unless the drawing is marks only;
3. a digit wider than SPLIT_WIDTH times its height (two digits whose strokes got merged, or one stroke
   that writes "11" without lifting) is cut where its column ink is thinnest, away from its ends, if
   both sides are as tall as a digit (MIN_TALL: never through a long bar alone); whole strokes go to
   the side holding most of their length, and a stroke is cut into two pieces only when one side would
   otherwise be left without any ink;
4. a group that is only part of a digit joins it, no further than NEAR from it, cheapest pair first:
   a. a bar (flat: FLAT of the scale, or SLANTED: a long line at a slant) right of a taller group, at its
      top (TOP) and wide (TOP_WIDE), is that group's top bar: only a 5 has a bar sticking out at its top
      right, and no digit has one at its top left, so this comes before the bar may join the digit right
      of it (which it may touch);
   b. a bar over a taller group by BAR_OVERLAP of its own extent is that group's (a 7's or a 1's bar, a
      5's top bar drawn apart), as is a short bar left of an upright (both no wider than UPRIGHT of its
      height), in its lowest rows (FOOT) and no further than TOUCH from it: a 1's foot;
   c. a group left of another that ends well above the other's bottom (FLOATING of the taller one's
      height: on one baseline no two digits end so differently; or, when it is a short part, SHORT,
      within the other's rows, INSIDE of its height) and shares ROWS of the shorter one's rows: the L of
      a 4 whose upright stands right of it, however tall either is;
   d. an upright (no wider than UPRIGHT of its height) right of a group, reaching below that group's
      bottom by DESCENT of its height, starting below its top LOW of its height (or standing in its
      columns), whose lower part (below CONTACT of its height) comes within TOUCH of where one of the
      group's strokes ends: the upright of an open 4 whose L's bar ends at it, running on below it (on
      one baseline no digit hangs so far below the one before it where that one's stroke ends).
Segments come left to right by the middle of their boxes (a 1 that a touching neighbour's extent
overhangs still comes first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

if __package__:  # CPython: the train package
    from .segment_geometry import Group, box_of
    from .segment_rules import attach_marks, overlapping_groups, parts_joined
    from .segment_split import split_wide
else:  # the page: Pyodide imports each shared module by its top-level name
    from segment_geometry import Group, box_of
    from segment_rules import attach_marks, overlapping_groups, parts_joined
    from segment_split import split_wide

Stroke = np.ndarray  # [n, 2] float, (x, y) in ink-bitmap pixels (x right, y down); n == 1 is a dot

MIN_OVERLAP = 0.5  # rule 1: half the narrower extent shared is one digit; touching digits share far less
MIN_EXTENT = 0.15  # rule 1, of the scale: an extent narrower than this is an upright, covered by its middle
MARK = 0.2  # rule 2, of the scale: a stroke no longer than this either way is a mark (dot, tick), ...
DASH = 3.0  # ... unless at least half that wide and this times as wide as tall: a short bar (a 5's), rule 4
SPLIT_WIDTH = 1.8  # rule 3: no digit is this much wider than tall (its height: at least the scale); MIN_PART
# and MIN_TALL (segment_split.py) say where it may be cut; rule 4's constants are in segment_rules.py


@dataclass(frozen=True)
class Segment:
    """One digit found in the strokes.

    `strokes`: indices into the input strokes, in drawing order. `pieces`: (stroke, start, stop), the
    points [start, stop) of each stroke that this digit holds, in drawing order; a whole stroke is
    (i, 0, n). Only a stroke that writes two digits is cut, and then its pieces are in two segments:
    every input stroke with points lands in exactly one segment, or its pieces in several, covering
    each point once. `box`: (x, y, w, h) in bitmap pixels, the bounding box of its points (floor/ceil),
    grown by the pen radius given to `segment`."""

    strokes: tuple[int, ...]
    box: tuple[int, int, int, int]
    pieces: tuple[tuple[int, int, int], ...]


def segment(
    strokes: Sequence[Stroke],
    *,
    pen_radius: float = 0.0,
    min_overlap: float = MIN_OVERLAP,
    mark: float = MARK,
    split_width: float = SPLIT_WIDTH,
) -> list[Segment]:
    """The digits of `strokes`, left to right (by the middle of their boxes). Strokes without points are
    left out.
    `pen_radius` grows each box so that it covers the ink, not only the pen's path."""
    arrays = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes]
    inked = [i for i, a in enumerate(arrays) if len(a)]
    if not inked:
        return []
    points = np.concatenate([arrays[i] for i in inked])
    starts = np.cumsum([0] + [len(arrays[i]) for i in inked[:-1]])
    lows, highs = np.minimum.reduceat(points, starts).tolist(), np.maximum.reduceat(points, starts).tolist()
    boxes = {i: (*low, *high) for i, low, high in zip(inked, lows, highs, strict=True)}
    scale = scale_of([float(boxes[i][3] - boxes[i][1]) for i in inked])
    marks = [i for i in inked if is_mark(boxes[i][2] - boxes[i][0], boxes[i][3] - boxes[i][1], mark * scale)]
    bodies = [i for i in inked if i not in marks] or marks
    marks = [] if bodies is marks else marks
    groups = overlapping_groups(bodies, boxes, min_overlap, MIN_EXTENT * scale)
    groups = parts_joined(groups, scale, arrays)
    attach_marks(groups, marks, arrays)
    groups = [part for g in groups for part in split_wide(g, arrays, scale, split_width)]
    found = [to_segment(g, arrays, pen_radius) for g in groups]
    return sorted(found, key=lambda s: (2 * s.box[0] + s.box[2], s.box[2], s.strokes))


def is_mark(width: float, height: float, mark: float) -> bool:
    """A stroke no longer than `mark` either way (rule 2), unless it is a dash: at least half that wide
    and DASH times as wide as tall, a bar written small (a 5's top bar), which the bar rules place."""
    return max(width, height) <= mark and not (width >= mark / 2 and height * DASH <= width)


def segment_strokes(strokes: Sequence[Stroke], seg: Segment) -> list[Stroke]:
    """The points of `seg`'s strokes (or pieces of strokes), as [n, 2] arrays in drawing order."""
    return [np.asarray(strokes[i], dtype=np.float64).reshape(-1, 2)[a:b] for i, a, b in seg.pieces]


def scale_of(heights: list[float]) -> float:
    """The number's height: the upper quartile of its strokes' heights (a digit's main stroke is about
    as tall as the digit; bars and dots are flat). At least one pixel."""
    return max(1.0, float(np.percentile(heights, 75)))


def to_segment(group: Group, arrays: list[np.ndarray], pen_radius: float) -> Segment:
    pieces = sorted((i, a, len(arrays[i]) if b < 0 else b) for i, a, b in group.pieces)
    x0, y0, x1, y1 = box_of([arrays[i][a:b] for i, a, b in pieces])
    left, top = int(np.floor(x0 - pen_radius)), int(np.floor(y0 - pen_radius))
    box = (left, top, int(np.ceil(x1 + pen_radius)) - left, int(np.ceil(y1 + pen_radius)) - top)
    return Segment(tuple(sorted({i for i, _, _ in pieces})), box, tuple(pieces))
