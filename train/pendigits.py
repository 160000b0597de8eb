"""Read real pen trajectories from the UCI pendigits UNIPEN file.

Each digit was written in a 500x500 box on a tablet whose y axis points up;
`PenDigit.on_pad` maps a digit onto a drawing pad of any size (y down), keeping
the size and place its writer gave it.
"""

from __future__ import annotations

import os
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "pendigits-train.unipen"
TABLET_BOX = 500  # each writer's writing box, in tablet pixels
ENV_VAR = "PENDIGITS_DIR"
CREDIT = "UCI Pen-Based Recognition of Handwritten Digits (E. Alpaydin, F. Alimoglu, Bogazici University; CC BY 4.0)"


@dataclass(frozen=True)
class PenDigit:
    label: int
    writer: int  # 1..30
    strokes: tuple[tuple[tuple[int, int], ...], ...]  # tablet (x, y), y up

    def on_pad(self, width: float, height: float) -> list[list[tuple[float, float]]]:
        """Strokes in pad coordinates (y down), the writer's box filling the pad."""
        sx, sy = width / TABLET_BOX, height / TABLET_BOX
        return [[(x * sx, (TABLET_BOX - y) * sy) for x, y in stroke] for stroke in self.strokes]


def data_file(path: str | os.PathLike | None, env_var: str, name: str) -> Path | None:
    """A data set's file `name`: `path` (the file, or the folder holding it), else the folder in $`env_var`;
    None if it is not there (the project never needs the data to run)."""
    candidate = path if path is not None else os.environ.get(env_var)
    if not candidate:
        return None
    candidate = Path(candidate)
    if candidate.is_dir():
        candidate = candidate / name
    return candidate if candidate.is_file() else None


def resolve_path(path: str | os.PathLike | None = None) -> Path | None:
    """The UNIPEN file from an explicit folder or file, else $PENDIGITS_DIR; None if absent."""
    return data_file(path, ENV_VAR, FILE_NAME)


def parse(text: str) -> list[PenDigit]:
    """Parse UNIPEN text: `.SEGMENT DIGIT n ? "label"`, `.COMMENT label writer index`,
    then `.PEN_DOWN` ... `.PEN_UP` blocks of "x y" lines, one per stroke."""
    digits: list[PenDigit] = []
    label = writer = None
    strokes: list[tuple[tuple[int, int], ...]] = []
    points: list[tuple[int, int]] | None = None

    def finish() -> None:
        if label is not None and strokes:
            digits.append(PenDigit(label, writer, tuple(strokes)))

    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        keyword = fields[0]
        if keyword == ".SEGMENT":
            finish()
            label = int(fields[-1].strip('"'))
            writer, strokes = 0, []
        elif keyword == ".COMMENT" and label is not None:
            writer = int(fields[2])
        elif keyword == ".PEN_DOWN":
            points = []
        elif keyword == ".PEN_UP":
            if points:
                strokes.append(tuple(points))
            points = None
        elif points is not None:
            if len(fields) != 2:
                raise ValueError(f"line {number}: expected 'x y', got {line!r}")
            points.append((int(fields[0]), int(fields[1])))
    finish()
    return digits


def load(path: str | os.PathLike | None = None) -> list[PenDigit]:
    """All digits of the UNIPEN file; a clear error when it is not there."""
    found = resolve_path(path)
    if found is None:
        raise FileNotFoundError(
            f"pendigits not found: give its folder (holding {FILE_NAME}) with an option "
            f"or ${ENV_VAR}; it is the UCI 'Pen-Based Recognition of Handwritten Digits' data set"
        )
    return parse(found.read_text())


# Writers are kept apart: the model trains on TRAIN_WRITERS, every choice (epochs,
# augmentation, checkpoint) is made on VALIDATION_WRITERS, and the reported
# figure is on HELD_OUT_WRITERS, which no decision ever looked at.
TRAIN_WRITERS = frozenset(range(1, 21))
VALIDATION_WRITERS = frozenset(range(21, 26))
HELD_OUT_WRITERS = frozenset(range(26, 31))
# Leave-writers-out folds over the writers that choices may look at (1-25): a network
# trained on four folds is scored on the fifth, so that five networks score all 25
# writers (6,200 digits), where the validation writers alone (1,250) no longer tell
# good models apart.
FOLDS = 5


def fold_writers(fold: int) -> frozenset[int]:
    """The writers of fold `fold` (1..FOLDS): five of writers 1-25, in order (fold 5 is VALIDATION_WRITERS)."""
    if not 1 <= fold <= FOLDS:
        raise ValueError(f"fold {fold} does not exist: choose 1 to {FOLDS}")
    return frozenset(range(5 * fold - 4, 5 * fold + 1))


def by_writers(digits: list[PenDigit], writers: frozenset[int]) -> list[PenDigit]:
    return [d for d in digits if d.writer in writers]


def spread_sample(digits: list[PenDigit], size: int, seed: int = 0) -> list[PenDigit]:
    """`size` digits spread evenly over the ten classes and the writers, the same every run."""
    groups: dict[tuple[int, int], list[PenDigit]] = defaultdict(list)
    for digit in digits:
        groups[digit.writer, digit.label].append(digit)
    writers = sorted({d.writer for d in digits})
    rng = random.Random(seed)
    for group in groups.values():
        rng.shuffle(group)
    taken: Counter = Counter()
    sample = []
    for i in range(size):
        label = i % 10
        writer = writers[(i * 7 + i // len(writers)) % len(writers)]
        group = groups.get((writer, label)) or groups[next(k for k in sorted(groups) if k[1] == label)]
        sample.append(group[taken[writer, label] % len(group)])
        taken[writer, label] += 1
    return sample
