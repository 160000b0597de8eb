"""Train a digit classifier on MNIST: `python -m train --model cnn --epochs 12 --seed 1`.

Keeps the checkpoint with the best validation accuracy (5,000 images held out of
the training split with a fixed seed); the test split is not touched here.
The options: train/config.py; the training set: train/training_set.py; the loop: train/engine.py.
"""

from __future__ import annotations

import shlex
import sys
import time
from dataclasses import asdict
from pathlib import Path

import torch
from torch import nn

from train import checkpoint, mnist, models
from train.config import TrainConfig, parse_args, recipe, recipe_changes
from train.drawing_cache import DrawingCache, resolve_dir
from train.engine import fit
from train.models import build, parameter_count
from train.training_set import build_training_set


class RunError(Exception):
    """A run that cannot start, in plain words (the command prints it and exits with 2)."""


def resumed_state(config: TrainConfig, now: dict) -> dict:
    """The resumable state of --resume's run; ValueError or OSError, in plain words, when there is none
    or the run was started with other options than `now`'s (a `recipe`)."""
    state = checkpoint.load(checkpoint.resume_path(config.resume, config.model))
    started = state.get("recipe", {})
    changed = recipe_changes(started, now)
    if changed:
        differences = ", ".join(f"--{k.replace('_', '-')} {started.get(k)!r} then, {now.get(k)!r} now" for k in changed)
        raise ValueError(f"--resume {config.resume}: the run was started with other options ({differences})")
    return state


def cache_of(config: TrainConfig) -> DrawingCache | None:
    if config.no_cache or (config.dry_run and not config.cache_dir):
        return None
    return DrawingCache(resolve_dir(config.cache_dir))


def joined(first: dict, then: dict) -> dict:
    """Two stages' per-epoch histories as one, the second's epochs and seconds counted on (a figure the
    first stage did not record, e.g. samples per second before it was, is None for its epochs)."""
    offsets = {"epoch": first["epoch"][-1], "seconds": first["seconds"][-1]}
    earlier = [None] * len(first["epoch"])
    return {key: first.get(key, earlier) + [value + offsets.get(key, 0) for value in then[key]] for key in then}


def initial_model(config: TrainConfig) -> tuple[nn.Module, dict | None]:
    """(the network to train, the checkpoint it starts from with --init, else None); RunError when --init
    is another network (a 10-output one may seed an 11-output one: its digits' rows are kept)."""
    options = config.model_options()
    model = build(config.model, **options)
    if not config.init:
        return model, None
    parent = torch.load(config.init, weights_only=False)
    digits_only = {k: v for k, v in options.items() if k != "classes"}
    parent_options = {k: v for k, v in parent["options"].items() if k != "classes"}
    classes, parent_classes = options.get("classes", 10), parent["options"].get("classes", 10)
    if (parent["model"], parent_options) != (config.model, digits_only) or parent_classes > classes:
        raise RunError(f"{config.init} is a {parent['model']} {parent['options']}, not {config.model} {options}")
    state = parent["state_dict"]
    if parent_classes < classes:
        state = models.widened(state, model)
    model.load_state_dict(state)
    return model, parent


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    run_recipe, resumed = recipe(config), None
    try:
        if config.resume:
            resumed = resumed_state(config, run_recipe)
        torch.manual_seed(config.seed)
        torch.use_deterministic_algorithms(True)
        if config.threads:
            torch.set_num_threads(config.threads)
        data = build_training_set(config, cache_of(config))
        model, parent = initial_model(config)
    except (OSError, ValueError, mnist.MnistError, RunError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    aug = config.augmentation()
    precision = "float32" if config.fp32 else "bfloat16 autocast, channels-last"
    print(f"{config.model}: {parameter_count(model):,} parameters, augmentation {asdict(aug)}, {precision}",
          file=sys.stderr)  # fmt: skip
    # a resumed run is the run it continues: its command, and its seconds so far
    command = (
        resumed["command"]
        if resumed
        else shlex.join(["python", "-m", "train", *(sys.argv[1:] if argv is None else argv)])
    )
    state_path = checkpoint.resume_path(config.out, config.model)

    def keep(state: dict) -> None:
        checkpoint.save_atomic({**state, "recipe": run_recipe, "command": command}, state_path)

    start = time.time() - (resumed["history"]["seconds"][-1] if resumed else 0.0)
    best, history = fit(
        model, data.train, data.val, epochs=1 if config.dry_run else config.epochs, batch_size=config.batch_size,
        lr=config.lr, schedule=config.schedule, aug=aug, seed=config.seed, max_batches=config.batches_per_epoch(),
        pen_val=data.pen_val, bf16=not config.fp32, resume=resumed, on_epoch=keep,
    )  # fmt: skip
    seconds = time.time() - start
    if parent is not None:  # the card reports the whole recipe: every stage's command, the total time
        command, seconds = f"{parent['command']} && {command}", parent["train_seconds"] + seconds

    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{config.model}.pt"
    torch.save(
        {
            "model": config.model,
            "options": config.model_options(),
            "state_dict": best,
            "history": joined(parent["history"], asdict(history)) if parent else asdict(history),
            "augmentation": asdict(aug),
            "train_seconds": seconds,
            "threads": torch.get_num_threads(),
            "precision": precision,
            "command": command,
            "data": mnist.checksums(config.data_dir),
            **data.records,
            "dry_run": config.dry_run,
        },
        path,
    )
    kept = history.kept()
    pen = f", validation writers' drawings {history.pen_val_accuracy[kept]:.4f}" if history.pen_val_accuracy else ""
    print(f"kept epoch {history.epoch[kept]}: validation accuracy MNIST {history.val_accuracy[kept]:.4f}{pen}; "
          f"{seconds:.0f} s; saved {path}", file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
