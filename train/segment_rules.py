"""Number mode's segmentation (train/segment.py): the rules that put strokes together into digits.

Rule 1 (`overlapping_groups`): strokes whose horizontal extents overlap are one digit. Rule 2
(`attach_marks`): a mark joins the nearest digit. Rule 4 (`parts_joined`): a group that is only part of
a digit joins it, cheapest pair first: a 5's top bar (4a), a bar over a digit or a 1's foot (4b), the L
of a 4 left of its upright (4c), an open 4's upright hanging below its L (4d). train/segment.py's
docstring says each rule in full, and why; rule 3 (cutting a group too wide for one digit) is
train/segment_split.py.

numpy and the standard library only: the page runs it as a top-level module beside segment.py
(build.py copies both into dist/py/), training and evaluation as `train.segment_rules`.
"""

from __future__ import annotations

import math

import numpy as np

if __package__:  # CPython: the train package
    from .segment_geometry import Group, ink_distance, overlap_share, piece_points
else:  # the page: Pyodide imports each shared module by its top-level name
    from segment_geometry import Group, ink_distance, overlap_share, piece_points

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


def overlapping_groups(indices: list[int], boxes: dict, min_overlap: float, min_extent: float) -> list[Group]:
    """Strokes in groups whose horizontal extents overlap (rule 1): widest strokes first, each joins the
    group it overlaps most, then groups that grew into each other merge."""
    groups: list[Group] = []
    for i in sorted(indices, key=lambda i: -(boxes[i][2] - boxes[i][0])):
        x0, y0, x1, y1 = boxes[i]
        mine = Group([(i, 0, -1)], x0, y0, x1, y1)
        shares = [overlap_share(x0, x1, g.x0, g.x1, min_extent) if x0 <= g.x1 and g.x0 <= x1 else 0.0 for g in groups]
        best = shares.index(max(shares)) if shares else -1
        if best >= 0 and shares[best] >= min_overlap:
            groups[best] = groups[best].joined(mine)
        else:
            groups.append(mine)

    def together(a: Group, b: Group) -> bool:
        return a.x0 <= b.x1 and b.x0 <= a.x1 and overlap_share(a.x0, a.x1, b.x0, b.x1, min_extent) >= min_overlap

    return merged_while(groups, together)


def merged_while(groups: list[Group], together) -> list[Group]:
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


def merged_cheapest(groups: list[Group], cost) -> list[Group]:
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


def parts_joined(groups: list[Group], scale: float, arrays: list[np.ndarray]) -> list[Group]:
    """Groups that are part of a digit join it (rule 4 of train/segment.py's docstring), cheapest pair first."""
    flat, near = FLAT * scale, NEAR * scale  # read now, not at definition: tuning may set the constants

    def cost(a: Group, b: Group) -> float | None:
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


def upright_cost(a: Group, b: Group, arrays: list[np.ndarray], scale: float) -> float | None:
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


def attach_marks(groups: list[Group], marks: list[int], arrays: list[np.ndarray]) -> None:
    """Each mark joins the group whose box is nearest to its centre (rule 2); of several boxes holding it,
    the group whose ink is nearest (a dot where a 4's L begins, inside the box of the 9 before it)."""
    for i in marks:
        (x0, y0), (x1, y1) = arrays[i].min(axis=0), arrays[i].max(axis=0)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        away = [math.hypot(max(g.x0 - cx, 0, cx - g.x1), max(g.y0 - cy, 0, cy - g.y1)) for g in groups]
        holding = [k for k, d in enumerate(away) if d == 0]
        k = min(holding, key=lambda k: ink_distance(groups[k], arrays, cx, cy)) if holding else away.index(min(away))
        groups[k] = groups[k].joined(Group([(i, 0, -1)], float(x0), float(y0), float(x1), float(y1)))
