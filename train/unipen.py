"""Read UNIPEN's isolated digits (train_r01_v07, category 1a) and draw them on the pad as a person would.

UNIPEN's 268 writers used many tablets at 17 institutions: resolutions from 80 to 1,000 points
per inch, 10 to 200 points a second, and no writing box. `UnipenDigit.on_pad` therefore
1. corrects the aspect ratio of tablets whose x and y resolutions differ (stats.json);
2. smooths the stepped outlines of coarse tablets (a digit fewer than COARSE_HEIGHT points tall);
3. places the digit on the pad at a height and place drawn, seeded by its source line, from
   pendigits' writers' range on the pad (60-170 px of the 280 px bitmap, anywhere it fits);
4. densifies the strokes with a Catmull-Rom spline through the recorded points (segments of at
   most MAX_SEGMENT px), so that sparse devices (10 points a second) give round curves rather than a
   few long segments.
From there the drawing takes the page's path: train/render.py, then train/preprocess.py.

Writers are kept apart as for pendigits: `split_of` puts every writer, by a stable hash within
their institution, into "train", "validation" or "held-out".
"""

from __future__ import annotations

import gzip
import json
import math
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from train import pendigits
from train.render import BITMAP_SIZE, INK_WIDTH_RATIO

ENV_VAR = "UNIPEN_DIR"
FILE_NAME = "unipen-digits.jsonl.gz"
STATS_NAME = "stats.json"
COARSE_HEIGHT = 48  # device points: a digit shorter than this has visibly stepped outlines
MAX_SEGMENT = 4.0  # pad pixels between points after densifying
HEIGHTS = (60.0, 170.0)  # pad pixels (of BITMAP_SIZE): pendigits' 5th-95th percentile is 62-141
# The share of each institution's writers (by a stable hash) kept for validation and held out.
VALIDATION_SHARE, HELD_OUT_SHARE = 0.15, 0.20
SPLITS = ("train", "validation", "held-out")
CREDIT = (
    "UNIPEN train_r01_v07 isolated digits (I. Guyon, L. Schomaker, R. Plamondon, M. Liberman, S. Janet, "
    "ICPR 1994; International Unipen Foundation; Zenodo doi:10.5281/zenodo.1195803, CC BY 4.0)"
)

Strokes = list[list[tuple[float, float]]]


@dataclass(frozen=True)
class UnipenDigit:
    label: int
    writer: str  # "<institution>/<writer id>"
    institution: str
    strokes: tuple[tuple[tuple[float, float], ...], ...]  # device units, y down, aspect corrected
    source: str  # "<ink file> <segment line>": unique, and the seed of the digit's place on the pad

    def on_pad(self, width: float = BITMAP_SIZE, height: float = BITMAP_SIZE) -> Strokes:
        """Strokes in pad coordinates (y down), as a person would draw this digit on a pad of this size."""
        return placed(self.strokes, seed_of(self.source), width, height)


def seed_of(text: str) -> int:
    return zlib.crc32(text.encode())


def smoothed(stroke: np.ndarray, passes: int = 2) -> np.ndarray:
    """[N, 2] points with a [1, 2, 1] / 4 filter applied `passes` times, the ends kept."""
    for _ in range(passes):
        if len(stroke) < 3:
            break
        inner = (stroke[:-2] + 2 * stroke[1:-1] + stroke[2:]) / 4
        stroke = np.concatenate([stroke[:1], inner, stroke[-1:]])
    return stroke


def densified(stroke: np.ndarray, max_segment: float = MAX_SEGMENT) -> np.ndarray:
    """[N, 2] points with points added on a uniform Catmull-Rom spline through them, about `max_segment`
    apart at most (each piece gets as many as its Bezier control polygon, which bounds its length, needs);
    the recorded points are kept."""
    if len(stroke) < 2:
        return stroke
    padded = np.concatenate([stroke[:1], stroke, stroke[-1:]])
    out = [stroke[:1]]
    for i in range(len(stroke) - 1):
        p0, p1, p2, p3 = padded[i : i + 4]
        controls = np.array([p1, p1 + (p2 - p0) / 6, p2 - (p3 - p1) / 6, p2])
        length = float(np.hypot(*np.diff(controls, axis=0).T).sum())
        steps = max(1, math.ceil(length / max_segment))
        t = (np.arange(1, steps + 1) / steps)[:, None]
        out.append(
            0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (3 * p1 - p0 - 3 * p2 + p3) * t**3)
        )
    return np.concatenate(out)


def placed(strokes, seed: int, width: float = BITMAP_SIZE, height: float = BITMAP_SIZE) -> Strokes:
    """`strokes` (device units, y down) smoothed when coarse, scaled to a seeded height in HEIGHTS (in
    BITMAP_SIZE pixels, scaled to this pad), put at a seeded place where the whole digit fits, densified."""
    arrays = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes]
    points = np.concatenate(arrays)
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.maximum(high - low, 1e-9)
    if span[1] < COARSE_HEIGHT:
        arrays = [smoothed(a) for a in arrays]
    rng = np.random.default_rng(seed)
    unit = min(width, height) / BITMAP_SIZE
    tall = math.exp(rng.uniform(*np.log(HEIGHTS))) * unit
    margin = (INK_WIDTH_RATIO * 200 / 2 + 2) * unit  # room for the widest ink pen of a digit this size
    room = np.array([width, height]) - 2 * margin
    scale = min(tall / span[1], *(room / span))  # a wide digit (or a flat one) still fits
    size = span * scale
    corner = margin + rng.uniform(0.0, 1.0, 2) * np.maximum(room - size, 0.0)
    moved = [(a - low) * scale + corner for a in arrays]
    return [[(float(x), float(y)) for x, y in densified(m, MAX_SEGMENT * unit)] for m in moved]


def resolve_path(path: str | os.PathLike | None = None, name: str = FILE_NAME) -> Path | None:
    """The digits file from an explicit folder or file, else $UNIPEN_DIR; None if absent."""
    return pendigits.data_file(path, ENV_VAR, name)


def aspect_corrections(folder: Path) -> dict[str, float]:
    """Per institution, the factor that makes y units as long as x units (from stats.json; 1 if absent)."""
    stats_file = folder / STATS_NAME
    if not stats_file.is_file():
        return {}
    corrections = {}
    for institution, info in json.loads(stats_file.read_text()).get("institutions", {}).items():
        for unit in ("inch", "mm"):
            x, y = info.get(f"x_points_per_{unit}"), info.get(f"y_points_per_{unit}")
            if x and y:
                corrections[institution] = float(x) / float(y)
    return corrections


def parse(lines, corrections: dict[str, float] | None = None) -> list[UnipenDigit]:
    """UnipenDigits of JSON lines `{"label", "writer", "institution", "strokes", "source"}`."""
    corrections = corrections or {}
    digits = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            stretch = corrections.get(record["institution"], 1.0)
            strokes = tuple(tuple((float(x), float(y) * stretch) for x, y in s) for s in record["strokes"] if s)
            digit = UnipenDigit(int(record["label"]), record["writer"], record["institution"], strokes,
                                record["source"])  # fmt: skip
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"line {number}: not a UNIPEN digit record ({error})") from error
        if strokes:
            digits.append(digit)
    return digits


def load(path: str | os.PathLike | None = None) -> list[UnipenDigit]:
    """All digits of the UNIPEN digits file; a clear error when it is not there."""
    found = resolve_path(path)
    if found is None:
        raise FileNotFoundError(
            f"UNIPEN digits not found: give the folder holding {FILE_NAME} with an option or ${ENV_VAR}; "
            "it is UNIPEN train_r01_v07 (Zenodo doi:10.5281/zenodo.1195803), category 1a, as JSON lines"
        )
    with gzip.open(found, "rt", encoding="utf-8") as f:
        return parse(f, aspect_corrections(found.parent))


def split_of(writer: str, institution_writers: list[str]) -> str:
    """The split ("train", "validation" or "held-out") of `writer`, one of its institution's `institution_writers`:
    the writers are ranked by a stable hash, the first HELD_OUT_SHARE held out, the next
    VALIDATION_SHARE for validation (rounded; an institution of one or two writers trains)."""
    ranked = sorted(institution_writers, key=lambda w: (seed_of(w), w))
    count = len(ranked)
    held_out = round(HELD_OUT_SHARE * count) if count >= 3 else 0
    validation = round(VALIDATION_SHARE * count) if count >= 3 else 0
    rank = ranked.index(writer)
    return "held-out" if rank < held_out else "validation" if rank < held_out + validation else "train"


def splits(digits: list[UnipenDigit]) -> dict[str, str]:
    """writer -> split, for every writer of `digits`."""
    by_institution: dict[str, set[str]] = {}
    for d in digits:
        by_institution.setdefault(d.institution, set()).add(d.writer)
    return {w: split_of(w, sorted(ws)) for ws in by_institution.values() for w in ws}


def split_counts(digits: list[UnipenDigit], split: str) -> dict:
    """How many writers, institutions and digits one split has."""
    chosen = by_split(digits, split)
    return {"writers": len({d.writer for d in chosen}), "institutions": len({d.institution for d in chosen}),
            "digits": len(chosen)}  # fmt: skip


def by_split(digits: list[UnipenDigit], split: str, exclude: frozenset[str] = frozenset()) -> list[UnipenDigit]:
    """The digits of one split's writers, without those of the institutions in `exclude`."""
    if split not in SPLITS:
        raise ValueError(f"no split {split!r}: choose one of {', '.join(SPLITS)}")
    of = splits(digits)
    return [d for d in digits if of[d.writer] == split and d.institution not in exclude]


# Cross-validated cleaning (python -m train.unipen_clean) splits the training writers in halves:
# a network trained without one half scores that half's digits, none of which it has seen.
FOLDS = 2


def fold_of(writer: str) -> int:
    """The half (1..FOLDS) of the training writers that `writer` belongs to, by a stable hash."""
    return seed_of("fold:" + writer) % FOLDS + 1


def read_sources(path: str | os.PathLike) -> frozenset[str]:
    """The digits' `source`s listed in a file, one per line ('#' starts a comment)."""
    lines = Path(path).read_text().splitlines()
    return frozenset(line.split("#", 1)[0].strip() for line in lines) - {""}
