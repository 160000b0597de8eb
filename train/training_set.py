"""What a run trains and picks its checkpoint on, from its `TrainConfig`: MNIST's training split (5,000 images
held out with a fixed seed for validation), and the drawings mixed in beside it (pendigits, UNIPEN, non-digits)."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from train import mnist, pendigits, render, unipen
from train.config import TrainConfig
from train.drawing_cache import DrawingCache
from train.engine import to_tensor
from train.training_drawings import non_digit_tensors, pen_tensors, pen_writers

Pair = tuple[torch.Tensor, torch.Tensor]  # images [N, 1, 28, 28] in [0, 1], labels [N]


@dataclass
class TrainingSet:
    train: Pair
    val: Pair  # MNIST validation
    pen_val: Pair | None  # the validation writers' drawings, if any
    records: dict = field(default_factory=dict)  # what the checkpoint records of the data ("pendigits", ...)


def unipen_sets(config: TrainConfig) -> tuple[list[unipen.UnipenDigit], list[unipen.UnipenDigit], list[str]]:
    """(UNIPEN digits trained on, digits the checkpoint is picked on, sources dropped) for these options."""
    every = unipen.load(config.unipen)
    exclude = frozenset(config.unipen_exclude)
    dropped = unipen.read_sources(config.unipen_drop) if config.unipen_drop else frozenset()
    train = [d for d in unipen.by_split(every, "train", exclude) if d.source not in dropped]
    if config.unipen_fold:
        train = [d for d in train if unipen.fold_of(d.writer) != config.unipen_fold]
    return train, unipen.by_split(every, "validation", exclude), sorted(dropped)


def _joined(first: Pair, second: Pair) -> Pair:
    return torch.cat([first[0], second[0]]), torch.cat([first[1], second[1]])


def build_training_set(config: TrainConfig, cache: DrawingCache | None = None) -> TrainingSet:
    """The run's training and validation sets, drawings drawn (or read from `cache`). Raises
    mnist.MnistError, FileNotFoundError or ValueError, in plain words, when a data file is missing or wrong."""
    if config.download:
        mnist.download(config.data_dir)
    images, labels = mnist.load("train", config.data_dir)
    train_index, val_index = mnist.train_validation_split(len(images))
    x, y = to_tensor(images), torch.from_numpy(labels.astype("int64"))
    train, val = (x[train_index], y[train_index]), (x[val_index], y[val_index])
    pen_val, train_writers, validation_writers = None, frozenset(), frozenset()
    if config.pen_repeat:
        train_writers, validation_writers = pen_writers(config.pen_fold)
        digits = pendigits.load(config.pendigits)
        drawn = pen_tensors(pendigits.by_writers(digits, train_writers), config.dry_run, config.pen_repeat, cache=cache)
        pen_val = pen_tensors(pendigits.by_writers(digits, validation_writers), config.dry_run, cache=cache)
        train = _joined(train, drawn)
    records = {
        "pendigits": {
            "repeat": config.pen_repeat,
            "distort": 0.0,  # the format's fields of recipes that did not ship (git history keeps them)
            "trim": 0.0,
            "bulge": 0.0,
            "ink_ratio": render.INK_WIDTH_RATIO,
            "train_writers": sorted(train_writers),
            "validation_writers": sorted(validation_writers),
        },
        "unipen": {"repeat": 0},
        "non_digits": {"letters_and_shapes": 0},
    }
    if config.unipen_repeat:
        unipen_train, unipen_val, dropped = unipen_sets(config)
        train = _joined(train, pen_tensors(unipen_train, config.dry_run, config.unipen_repeat, cache=cache))
        drawn_val = pen_tensors(unipen_val, config.dry_run, cache=cache)  # picked on both sources' writers
        pen_val = drawn_val if pen_val is None else _joined(pen_val, drawn_val)
        records["unipen"] = {
            "repeat": config.unipen_repeat,
            "exclude": sorted(config.unipen_exclude),
            "fold": config.unipen_fold,
            "dropped": len(dropped),
            "drop_file": str(config.unipen_drop) if config.unipen_drop else None,
            "train_writers": len({d.writer for d in unipen_train}),
            "train_digits": len(unipen_train),
            "validation_writers": sorted({d.writer for d in unipen_val}),
        }
    if config.non_digits:
        drawn = non_digit_tensors(config.shapes, config.dry_run, cache=cache)
        train = _joined(train, drawn)
        records["non_digits"] = {
            "letters_and_shapes": len(drawn[1]),
            "shapes": config.shapes,
            "letter_repeat": 1,  # the format's field of a recipe that did not ship (OE7; git history keeps it)
        }
    if config.dry_run:
        val = (val[0][:500], val[1][:500])
    return TrainingSet(train, val, pen_val, records)
