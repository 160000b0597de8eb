"""The drawings that training mixes in beside MNIST, drawn on the page's bitmap by the page's pen
(train/render.py) and preprocessed (train/preprocess.py) as tensors: real digits (pendigits, UNIPEN)
and, for the 11th output, non-digits (UNIPEN's letters and symbols, seeded shapes)."""

from __future__ import annotations

import numpy as np
import torch

from train import drawings, models, nondigits, pendigits, render, unipen
from train.drawing_cache import DrawingCache, digest_of, file_digest
from train.render import BITMAP_SIZE


def pen_tensors(
    digits: list[pendigits.PenDigit],
    dry_run: bool,
    repeat: int = 1,
    ink_ratio: float = render.INK_WIDTH_RATIO,
    cache: DrawingCache | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Digits drawn on the page's bitmap and preprocessed, as [N, 1, 28, 28] images in [0, 1], each
    `repeat` times as written. With `cache`, drawn once and kept for the next run with these digits and
    settings."""
    digits = digits[:200] if dry_run else digits
    if cache is None:
        return _drawn_digits(digits, repeat, ink_ratio)
    key = {"kind": "digits", "digits": digest_of(digits), "repeat": repeat, "ink_ratio": ink_ratio}
    return cache.get(key, lambda: _drawn_digits(digits, repeat, ink_ratio))


def _drawn_digits(digits: list[pendigits.PenDigit], repeat: int, ink_ratio: float) -> tuple[torch.Tensor, torch.Tensor]:
    written = [digit.on_pad(BITMAP_SIZE, BITMAP_SIZE) for digit in digits]
    images = np.tile(drawings.drawn_images(written, ink_ratio=ink_ratio), (repeat, 1, 1))
    labels = np.tile(drawings.labels_of(digits), repeat)
    return torch.from_numpy(images)[:, None], torch.from_numpy(labels)


def pen_writers(fold: int = 0) -> tuple[frozenset[int], frozenset[int]]:
    """(writers trained on, writers the checkpoint is picked on): with a `fold` (1-5) of writers 1-25, the
    others and it; else writers 1-20 and 21-25."""
    choosable = pendigits.TRAIN_WRITERS | pendigits.VALIDATION_WRITERS
    if fold:
        return choosable - pendigits.fold_writers(fold), pendigits.fold_writers(fold)
    return pendigits.TRAIN_WRITERS, pendigits.VALIDATION_WRITERS


def non_digit_tensors(
    shapes: int,
    dry_run: bool,
    ink_ratio: float = render.INK_WIDTH_RATIO,
    cache: DrawingCache | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The training split's non-digits drawn on the page's bitmap, labelled NOT_A_DIGIT (10):
    UNIPEN's training writers' letters and symbols, and `shapes` seeded shapes.
    With `cache`, drawn once and kept for the next run with these data files and settings."""
    if cache is None:
        return _drawn_non_digits(shapes, dry_run, ink_ratio)
    digits_file = unipen.resolve_path()
    key = {
        "kind": "non-digits",
        "files": {  # what the drawings are made of: the digits (the splits, and shapes of several digits),
            # their institutions' aspect corrections, and the letters and symbols
            "digits": file_digest(digits_file),
            "stats": file_digest(digits_file.parent / unipen.STATS_NAME) if digits_file else None,
            "letters": file_digest(nondigits.resolve_path()),
        },
        "shapes": shapes,
        "dry_run": dry_run,
        "ink_ratio": ink_ratio,
    }
    return cache.get(key, lambda: _drawn_non_digits(shapes, dry_run, ink_ratio))


def _drawn_non_digits(shapes: int, dry_run: bool, ink_ratio: float) -> tuple[torch.Tensor, torch.Tensor]:
    every = unipen.load()
    letters = nondigits.letters_of_split(nondigits.load_letters(), unipen.splits(every), "train")
    rows = [d.on_pad() for d in unipen.by_split(every, "train")[:2000]]
    made = letters + nondigits.shapes(shapes, "train", rows)
    step = max(1, len(made) // 200) if dry_run else 1
    images = drawings.drawn_images([n.on_pad() for n in made[::step]], ink_ratio=ink_ratio)
    return torch.from_numpy(images)[:, None], torch.full((len(images),), models.NOT_A_DIGIT, dtype=torch.int64)
