"""Number mode's segmentation (train/segment.py), rule 3: a group too wide for one digit is cut in two.

A group wider than SPLIT_WIDTH (train/segment.py) times its height (two digits whose strokes got
merged, or one stroke that writes "11" without lifting) is cut where its column ink is thinnest, away
from its ends (MIN_PART), if both sides are as tall as a digit (MIN_TALL: never through a long bar
alone); whole strokes go to the side holding most of their length, and a stroke is cut into two pieces
only when one side would otherwise be left without any ink.

numpy and the standard library only: the page runs it as a top-level module beside segment.py
(build.py copies both into dist/py/), training and evaluation as `train.segment_split`.
"""

from __future__ import annotations

import numpy as np

if __package__:  # CPython: the train package
    from .segment_geometry import Group, box_of, piece_points
else:  # the page: Pyodide imports each shared module by its top-level name
    from segment_geometry import Group, box_of, piece_points

MIN_PART = 0.3  # a cut leaves each side at least this wide (of the scale) ...
MIN_TALL = 0.5  # ... and this tall (of the scale): no digit is less than half the number's height


def split_wide(group: Group, arrays: list[np.ndarray], scale: float, split_width: float) -> list[Group]:
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


def cut_at(group: Group, points: list[np.ndarray], cut: float) -> tuple[list, list]:
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


def side_group(pieces: list[tuple[int, int, int]], arrays: list[np.ndarray]) -> Group:
    """The group of `pieces`, its box that of their points."""
    return Group(pieces, *box_of([piece_points(arrays, p) for p in pieces]))


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
