"""Find the digits of a whole number from its strokes (Number mode, issue 20).

This file depends on numpy alone and imports nothing from the project: the page copies it into
Pyodide as a top-level module `segment.py` beside preprocess.py, and training and evaluation import
it as `train.segment`, so the page segments with the very code the evaluation measured. It runs every
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

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Stroke = np.ndarray  # [n, 2] float, (x, y) in ink-bitmap pixels (x right, y down); n == 1 is a dot

MIN_OVERLAP = 0.5  # rule 1: half the narrower extent shared is one digit; touching digits share far less
MIN_EXTENT = 0.15  # rule 1, of the scale: an extent narrower than this is an upright, covered by its middle
MARK = 0.2  # rule 2, of the scale: a stroke no longer than this either way is a mark (dot, tick), ...
DASH = 3.0  # ... unless at least half that wide and this times as wide as tall: a short bar (a 5's), rule 4
SPLIT_WIDTH = 1.8  # rule 3: no digit is this much wider than tall (its height: at least the scale) ...
MIN_PART = 0.3  # ... and a cut leaves each side at least this wide (of the scale) ...
MIN_TALL = 0.5  # ... and this tall (of the scale): no digit is less than half the number's height
FLAT = 0.45  # rule 4, of the scale: a group no taller than this is a bar (no digit is this flat), ...
SLANTED = 2.5  # ... as is one this many times as wide as tall (a bar written at a slant, however long)
TOP = 0.4  # 4a: a bar right of a taller group, ending above this share of its height, ...
TOP_WIDE = 2.0  # ... and at least this many times as wide as tall is its top bar (a 4's L is not so wide)
BAR_OVERLAP = 0.15  # 4b: a bar with this share of its own extent over a taller group is part of it
FOOT = 0.2  # 4b: a short bar left of an upright, in its lowest this share of rows, within TOUCH, is its foot
FLOATING = 0.75  # 4c: a group left of another, ending above this share of the taller one's height ...
INSIDE = 0.8  # ... or within the other's rows, ending above this share of its height ...
SHORT = 0.65  # ... and no taller than this share of it (a part; a small digit beside a big one is taller)
ROWS = 0.3  # ... and sharing this share of the shorter one's rows is part of it (a 4's L)
UPRIGHT = 0.5  # 4b, 4d: a group no wider than this share of its height is an upright; in 4d one ...
DESCENT = 0.12  # ... reaching below the bottom of the group left of it by this share of that one's height, ...
LOW = 0.25  # ... starting this share of its height below its top (or standing in its columns), ...
CONTACT = 0.4  # ... and below this share of its own height ...
TOUCH = 0.15  # ... coming this near (of the scale) to one of its strokes' ends is part of it (an open 4)
NEAR = 0.25  # of the scale: a part is no further than this from its digit


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


@dataclass
class _Group:
    pieces: list[tuple[int, int, int]]
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    def joined(self, other: _Group) -> _Group:
        return _Group(self.pieces + other.pieces, min(self.x0, other.x0), min(self.y0, other.y0),
                      max(self.x1, other.x1), max(self.y1, other.y1))  # fmt: skip


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


def overlapping_groups(indices: list[int], boxes: dict, min_overlap: float, min_extent: float) -> list[_Group]:
    """Strokes in groups whose horizontal extents overlap (rule 1): widest strokes first, each joins the
    group it overlaps most, then groups that grew into each other merge."""
    groups: list[_Group] = []
    for i in sorted(indices, key=lambda i: -(boxes[i][2] - boxes[i][0])):
        x0, y0, x1, y1 = boxes[i]
        mine = _Group([(i, 0, -1)], x0, y0, x1, y1)
        shares = [overlap_share(x0, x1, g.x0, g.x1, min_extent) if x0 <= g.x1 and g.x0 <= x1 else 0.0 for g in groups]
        best = shares.index(max(shares)) if shares else -1
        if best >= 0 and shares[best] >= min_overlap:
            groups[best] = groups[best].joined(mine)
        else:
            groups.append(mine)

    def together(a: _Group, b: _Group) -> bool:
        return a.x0 <= b.x1 and b.x0 <= a.x1 and overlap_share(a.x0, a.x1, b.x0, b.x1, min_extent) >= min_overlap

    return merged_while(groups, together)


def merged_while(groups: list[_Group], together) -> list[_Group]:
    """`groups` with any two for which `together(a, b)` holds merged, until no two are left."""
    a = 0
    while a < len(groups):
        b = next((b for b in range(a + 1, len(groups)) if together(groups[a], groups[b])), None)
        if b is None:
            a += 1
        else:
            groups[a] = groups[a].joined(groups.pop(b))
            a = 0
    return groups


def merged_cheapest(groups: list[_Group], cost) -> list[_Group]:
    """`groups` with the pair (a, b) of least `cost(a, b)` merged (None: they stay apart), again and again
    until no pair is left: each part joins the digit it fits best, not the first it fits. A pair's cost
    is computed once (a merged group takes the place of the first of its two)."""
    alive = dict(enumerate(groups))
    costs: dict[tuple[int, int], float] = {}

    def priced(a: int, b: int) -> None:
        if (c := cost(alive[a], alive[b])) is not None:
            costs[a, b] = c

    for a in alive:
        for b in alive:
            if a != b:
                priced(a, b)
    while costs:
        a, b = min(costs, key=lambda ab: (costs[ab], ab))
        first, joined = min(a, b), alive.pop(a).joined(alive.pop(b))
        alive[first] = joined
        costs = {ab: c for ab, c in costs.items() if a not in ab and b not in ab}
        for other in alive:
            if other != first:
                priced(first, other)
                priced(other, first)
    return [alive[k] for k in sorted(alive)]


def parts_joined(groups: list[_Group], scale: float, arrays: list[np.ndarray]) -> list[_Group]:
    """Groups that are part of a digit join it (rule 4 of the module's docstring), cheapest pair first."""
    flat, near = FLAT * scale, NEAR * scale  # read now, not at definition: tuning may set the constants

    def cost(a: _Group, b: _Group) -> float | None:
        """What it costs that `a` joins `b` (lower first), None if it does not."""
        if a.x0 - b.x1 > near or b.x0 - a.x1 > near:  # every rule below asks for this
            return None
        ha, hb = a.y1 - a.y0, b.y1 - b.y0
        if (ha <= flat or ha * SLANTED <= a.width) and ha < hb:  # a bar, against a taller group
            share = max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0)) / max(a.width, 1e-9)  # of the bar's extent
            right = a.x0 + a.x1 > b.x0 + b.x1
            if right and a.y1 < b.y0 + TOP * hb and a.width >= TOP_WIDE * ha:  # a 5's top bar
                return -3.0 + (a.x0 - b.x1) / scale
            if share >= BAR_OVERLAP:
                return -2.0 - share
            foot = not right and max(a.width, b.width) <= UPRIGHT * hb and a.y0 >= b.y1 - FOOT * hb
            if foot and b.x0 - a.x1 <= TOUCH * scale:  # a 1's foot, left of its upright
                return -1.0 + (b.x0 - a.x1) / scale
        if a.x0 + a.x1 >= b.x0 + b.x1:
            return upright_cost(a, b, arrays, scale)
        staggered = a.y1 < b.y1 - (1 - FLOATING) * max(ha, hb)
        inside = a.y0 >= b.y0 and ha <= SHORT * hb and a.y1 < b.y1 - (1 - INSIDE) * hb
        shared = min(a.y1, b.y1) - max(a.y0, b.y0)
        return (b.x0 - a.x1) / scale if (staggered or inside) and shared >= ROWS * min(ha, hb) else None

    return merged_cheapest(groups, cost)


def upright_cost(a: _Group, b: _Group, arrays: list[np.ndarray], scale: float) -> float | None:
    """Rule 4d: how near upright `a` right of `b` comes to the end of one of `b`'s strokes (of the scale)
    if it is `b`'s (an open 4's upright, hanging below the bar of its L), else None."""
    ha, hb = a.y1 - a.y0, b.y1 - b.y0
    standing_in = a.x0 + a.x1 <= 2 * b.x1 and a.y0 >= b.y0
    if a.width > UPRIGHT * ha or a.y1 < b.y1 + DESCENT * hb or not (a.y0 >= b.y0 + LOW * hb or standing_in):
        return None
    lower = np.concatenate([piece_points(arrays, piece) for piece in a.pieces])
    lower = lower[lower[:, 1] >= a.y0 + CONTACT * ha]
    ends = np.array([piece_points(arrays, piece)[-1] for piece in b.pieces])
    reach = float(np.hypot(*(ends[:, None] - lower[None]).transpose(2, 0, 1)).min()) if len(lower) else math.inf
    return reach / scale if reach <= TOUCH * scale else None


def attach_marks(groups: list[_Group], marks: list[int], arrays: list[np.ndarray]) -> None:
    """Each mark joins the group whose box is nearest to its centre (rule 2); of several boxes holding it,
    the group whose ink is nearest (a dot where a 4's L begins, inside the box of the 9 before it)."""
    for i in marks:
        (x0, y0), (x1, y1) = arrays[i].min(axis=0), arrays[i].max(axis=0)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        away = [math.hypot(max(g.x0 - cx, 0, cx - g.x1), max(g.y0 - cy, 0, cy - g.y1)) for g in groups]
        holding = [k for k, d in enumerate(away) if d == 0]
        k = min(holding, key=lambda k: ink_distance(groups[k], arrays, cx, cy)) if holding else away.index(min(away))
        groups[k] = groups[k].joined(_Group([(i, 0, -1)], float(x0), float(y0), float(x1), float(y1)))


def ink_distance(group: _Group, arrays: list[np.ndarray], x: float, y: float) -> float:
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


def column_ink(points: list[np.ndarray], x0: float, bins: int, step: float) -> np.ndarray:
    """Length of pen path in each of `bins` columns `step` wide from x0 (a vertical bar puts its whole
    length into one column; a dot counts as one pixel)."""
    ink = np.zeros(bins)
    for p in points:
        if len(p) == 1:
            starts, ends = p, p
        else:
            starts, ends = p[:-1], p[1:]
        lengths = np.maximum(np.hypot(*(ends - starts).T), 1.0)
        samples = np.ceil(lengths / (step / 2)).astype(int)
        first = np.repeat(np.cumsum(samples) - samples, samples)
        t = (np.arange(samples.sum()) - first + 0.5) / np.repeat(samples, samples)
        x = np.repeat(starts[:, 0], samples) + t * np.repeat(ends[:, 0] - starts[:, 0], samples)
        weights = np.repeat(lengths / samples, samples)
        columns = np.clip(((x - x0) / step).astype(int), 0, bins - 1)
        ink += np.bincount(columns, weights, minlength=bins)
    return ink


def split_wide(group: _Group, arrays: list[np.ndarray], scale: float, split_width: float) -> list[_Group]:
    """`group` as is, or cut in two where its column ink is thinnest if it is too wide for one digit
    (rule 3), each side split again if still too wide."""
    if group.width <= split_width * max(group.y1 - group.y0, scale):
        return [group]
    points = [piece_points(arrays, p) for p in group.pieces]
    x0, y0, x1, y1 = box_of(points)
    step = max((x1 - x0) / 64, 0.5)
    bins = int(np.ceil((x1 - x0) / step)) + 1
    ink = np.convolve(column_ink(points, x0, bins, step), np.ones(3) / 3, mode="same")
    first, last = int(MIN_PART * scale / step), bins - 1 - int(MIN_PART * scale / step)
    if last <= first:
        return [group]
    cut = x0 + (first + int(np.argmin(ink[first:last]))) * step + step / 2
    left, right = cut_at(group, points, cut)
    if not left or not right:
        return [group]
    sides = [side_group(side, arrays) for side in (left, right)]
    if min(g.y1 - g.y0 for g in sides) < MIN_TALL * scale:  # a side of a bar alone is no digit
        return [group]
    return [part for side in sides for part in split_wide(side, arrays, scale, split_width)]


def cut_at(group: _Group, points: list[np.ndarray], cut: float) -> tuple[list, list]:
    """The group's pieces left and right of x = cut: each whole, on the side of most of its length;
    when a side gets nothing, the piece with the most points on that side is cut into two."""
    left, right = [], []
    shares = []
    for piece, p in zip(group.pieces, points, strict=True):
        share = float(np.mean(p[:, 0] < cut))
        shares.append(share)
        (left if share >= 0.5 else right).append(piece)
    if left and right:
        return left, right
    empty_is_left = not left
    k = int(np.argmax(shares)) if empty_is_left else int(np.argmin(shares))
    pieces = cut_piece(group.pieces[k], points[k], cut)
    if pieces is None:
        return left, right
    before, after = pieces
    rest = [p for j, p in enumerate(group.pieces) if j != k]
    first_left = float(np.mean(points[k][: before[2] - before[1], 0] < cut)) >= 0.5
    lefts, rights = ([before], [after]) if first_left else ([after], [before])
    return (lefts + (rest if not empty_is_left else []), rights + (rest if empty_is_left else []))


def cut_piece(piece: tuple[int, int, int], p: np.ndarray, cut: float) -> tuple | None:
    """`piece` as two pieces at the point index that best separates its points left and right of `cut`
    (fewest points on the wrong side); None when it does not cross the cut."""
    left = p[:, 0] < cut
    if left.all() or not left.any():
        return None
    n, total = len(p), int(left.sum())
    ks = np.arange(1, n)
    lefts = np.cumsum(left)[:-1]  # of the first k points, how many lie left
    first_left = (ks - lefts) + (total - lefts)  # wrong sides when the first k go left, the rest right
    first_right = lefts + (n - ks) - (total - lefts)
    best = int(ks[int(np.argmin(np.minimum(first_left, first_right)))])
    i, start, _ = piece
    return (i, start, start + best), (i, start + best, start + n)


def side_group(pieces: list[tuple[int, int, int]], arrays: list[np.ndarray]) -> _Group:
    return _Group(pieces, *box_of([piece_points(arrays, p) for p in pieces]))


def to_segment(group: _Group, arrays: list[np.ndarray], pen_radius: float) -> Segment:
    pieces = sorted((i, a, len(arrays[i]) if b < 0 else b) for i, a, b in group.pieces)
    x0, y0, x1, y1 = box_of([arrays[i][a:b] for i, a, b in pieces])
    left, top = int(np.floor(x0 - pen_radius)), int(np.floor(y0 - pen_radius))
    box = (left, top, int(np.ceil(x1 + pen_radius)) - left, int(np.ceil(y1 + pen_radius)) - top)
    return Segment(tuple(sorted({i for i, _, _ in pieces})), box, tuple(pieces))
