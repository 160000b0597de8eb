"""Train a digit classifier on MNIST: `python -m train --model cnn --epochs 12 --seed 1`.

Keeps the checkpoint with the best validation accuracy (5,000 images held out of
the training split with a fixed seed); the test split is not touched here.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from dataclasses import asdict
from pathlib import Path

import torch

from train import checkpoint, mnist, models, pendigits, render, unipen
from train.augment import NONE, Augmentation
from train.drawing_cache import ENV_VAR as CACHE_ENV_VAR
from train.drawing_cache import DrawingCache, resolve_dir
from train.engine import fit, to_tensor
from train.from_onnx import cnn_from_onnx
from train.models import build, parameter_count
from train.strokes import StrokeDistortion
from train.training_drawings import non_digit_tensors, pen_tensors, pen_writers

DEFAULTS = {  # per model: epochs, learning rate, schedule
    "cnn": dict(epochs=12, lr=3e-3, schedule="onecycle"),
    "mlp": dict(epochs=20, lr=1e-3, schedule="constant"),
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m train", description=__doc__.split("\n")[0])
    p.add_argument("--model", choices=sorted(DEFAULTS), default="cnn")
    p.add_argument("--epochs", type=int, help="default: 12 for cnn, 20 for mlp")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, help="peak learning rate (default: 3e-3 cnn, 1e-3 mlp)")
    p.add_argument("--schedule", choices=["onecycle", "constant"], help="default: onecycle cnn, constant mlp")
    p.add_argument("--width", type=int, default=24, help="cnn: channels of the first stage")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data-dir", help=f"folder of the MNIST files (default ${mnist.ENV_VAR}, then data/mnist)")
    p.add_argument(
        "--pendigits",
        help=f"folder of {pendigits.FILE_NAME}: mix canvas renderings of its training writers into training "
        f"and pick the checkpoint on its validation writers (default ${pendigits.ENV_VAR} if --pen-repeat > 0)",
    )
    p.add_argument("--pen-repeat", type=int, default=0, help="times each training writer's digit is seen per epoch")
    p.add_argument(
        "--pen-distort", type=float, default=0.0,
        help="strength of the random trajectory distortion (train/strokes.py) of every repeat but the first "
        "(0: the repeats are identical)",
    )  # fmt: skip
    p.add_argument(
        "--pen-trim", type=float, default=0.0,
        help="with --pen-distort: largest fraction of each stroke cut off either end of the distorted repeats "
        "(0: none)",
    )  # fmt: skip
    p.add_argument(
        "--pen-bulge", type=float, default=0.0,
        help="with --pen-distort: largest log size change of one part of each distorted repeat, around a "
        "random point of it (0: none)",
    )  # fmt: skip
    p.add_argument(
        "--ink-ratio", type=float, default=render.INK_WIDTH_RATIO,
        help="draw the drawings (training and validation) with an ink pen of this width ratio instead of the "
        f"page's {render.INK_WIDTH_RATIO} (an experiment: export refuses the checkpoint unless the page draws so)",
    )  # fmt: skip
    p.add_argument(
        "--pen-validation-too", action="store_true",
        help="also train on the validation writers' drawings (for a final model, once the recipe is chosen on "
        "them); the checkpoint is then picked on MNIST validation alone. The held-out writers are never used.",
    )  # fmt: skip
    p.add_argument(
        "--pen-fold", type=int, default=0,
        help=f"leave-writers-out fold (1-{pendigits.FOLDS}): train on the other folds of writers 1-25 and pick "
        "the checkpoint on this one's (0: train on writers 1-20, pick on 21-25)",
    )  # fmt: skip
    p.add_argument(
        "--unipen",
        help=f"folder of {unipen.FILE_NAME}: mix its training writers' digits, drawn on the page's bitmap, into "
        f"training and pick the checkpoint on its validation writers too (default ${unipen.ENV_VAR} if "
        "--unipen-repeat > 0)",
    )  # fmt: skip
    p.add_argument(
        "--unipen-repeat", type=int, default=0,
        help="times each UNIPEN training writer's digit is seen per epoch: as written, then distorted as the "
        "pendigits repeats are (--pen-distort; 0: no UNIPEN)",
    )  # fmt: skip
    p.add_argument(
        "--unipen-exclude", action="append", default=[], metavar="INSTITUTION",
        help="leave this institution's writers out of training and validation (repeat for several)",
    )  # fmt: skip
    p.add_argument(
        "--unipen-drop", type=Path,
        help="a file of UNIPEN digits to leave out of training (one 'source' per line, '#' comments; "
        "e.g. train/unipen-dropped.txt, written by python -m train.unipen_clean)",
    )  # fmt: skip
    p.add_argument(
        "--unipen-fold", type=int, default=0,
        help=f"train on the UNIPEN training writers outside this half (1-{unipen.FOLDS}) only, for "
        "cross-validated cleaning (python -m train.unipen_clean); 0: all of them",
    )  # fmt: skip
    p.add_argument(
        "--non-digits", action="store_true",
        help="cnn: an 11th output, 'not a digit', trained on UNIPEN's training writers' letters and symbols "
        "and seeded shapes (train/nondigits.py; outlier exposure). From a 10-output --init, its digits' "
        "rows are kept",
    )  # fmt: skip
    p.add_argument("--shapes", type=int, default=6000, help="with --non-digits: seeded shapes drawn for training")
    p.add_argument(
        "--letter-repeat", type=int, default=1,
        help="with --non-digits: times each training writer's letter or symbol is seen per epoch",
    )  # fmt: skip
    p.add_argument("--download", action="store_true", help="fetch missing MNIST files from the public mirrors")
    p.add_argument(
        "--out",
        help="folder for <model>.pt and the run's resumable state, <model>.resume.pt, written after each epoch "
        "(default: the --resume folder, else checkpoints)",
    )
    p.add_argument(
        "--resume", metavar="DIR",
        help="continue the run whose resumable state is in DIR from its last completed epoch, to the result it "
        "would have had unstopped; give the options it was started with",
    )  # fmt: skip
    p.add_argument("--init", help="start from this checkpoint's weights (fine-tuning); its command and time are kept")
    p.add_argument(
        "--init-onnx",
        help="cnn: start from an exported model (e.g. site/models/cnn.onnx, whose checkpoint is gone), its batch "
        "norms folded and frozen (train/from_onnx.py); the command and time of its card (<model>.json) are kept",
    )  # fmt: skip
    p.add_argument(
        "--teacher", action="append", default=[],
        help="a checkpoint to distil (repeat for several): train on their mean probabilities instead of the labels",
    )  # fmt: skip
    p.add_argument(
        "--temperature", type=float, default=1.0,
        help="with --teacher: soften the teachers' and the student's probabilities by this (1: plain)",
    )  # fmt: skip
    p.add_argument(
        "--ema", type=float, default=0.0,
        help="keep the exponential moving average of the weights with this decay per step, e.g. 0.999 (0: off)",
    )  # fmt: skip
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    p.add_argument(
        "--fp32", action="store_true",
        help="train in float32 with the standard memory layout (default: the forward passes in bfloat16 "
        "autocast and the network channels-last, faster on CPUs with bf16; weights, loss and scoring stay float32)",
    )  # fmt: skip
    p.add_argument(
        "--cache-dir",
        help="folder that keeps drawn drawings for the next run with the same data and drawing settings "
        f"(default ${CACHE_ENV_VAR}, then checkpoints/.drawings; --dry-run draws without it unless given)",
    )
    p.add_argument("--no-cache", action="store_true", help="draw the drawings anew and keep none")
    p.add_argument("--max-batches", type=int, help="batches per epoch at most (default: all; 5 with --dry-run)")
    p.add_argument("--dry-run", action="store_true", help="a few batches of one epoch, to check the pipeline")
    aug = p.add_argument_group("augmentation (applied per batch; see train/augment.py)")
    aug.add_argument("--no-augment", action="store_true", help="train on the plain images")
    defaults = Augmentation()
    for name in ("rotate", "scale", "shear", "translate", "thickness", "elastic"):
        aug.add_argument(f"--{name}", type=float, default=getattr(defaults, name))
    args = p.parse_args(argv)
    if not 0 <= args.pen_fold <= pendigits.FOLDS:
        p.error(f"--pen-fold: choose 1 to {pendigits.FOLDS} (0: off)")
    if args.pen_trim and not args.pen_distort:
        p.error("--pen-trim trims the distorted repeats: give --pen-distort too")
    if args.pen_bulge and not args.pen_distort:
        p.error("--pen-bulge changes the distorted repeats: give --pen-distort too")
    if not 0 <= args.unipen_fold <= unipen.FOLDS:
        p.error(f"--unipen-fold: choose 1 to {unipen.FOLDS} (0: off)")
    if (args.unipen_exclude or args.unipen_drop or args.unipen_fold) and not args.unipen_repeat:
        p.error("--unipen-exclude, --unipen-drop and --unipen-fold change the UNIPEN digits: give --unipen-repeat")
    if args.non_digits and args.model != "cnn":
        p.error("--non-digits: the MLP has no 'not a digit' output")
    if args.letter_repeat < 1 or (args.letter_repeat != 1 and not args.non_digits):
        p.error("--letter-repeat: 1 or more, and only with --non-digits (the letters are its non-digits)")
    if args.init and args.init_onnx:
        p.error("--init and --init-onnx exclude each other")
    if args.init_onnx and args.model != "cnn":
        p.error("--init-onnx rebuilds a CNN")
    if args.pen_fold and args.pen_validation_too:
        p.error("--pen-fold and --pen-validation-too exclude each other")
    if args.max_batches is not None and args.max_batches < 1:
        p.error("--max-batches: 1 or more")
    for key, value in DEFAULTS[args.model].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.out is None:
        args.out = args.resume or "checkpoints"
    return args


# Options that say where files are or how fast a run goes, not what it computes: a run may resume with others.
NOT_RECIPE = frozenset({"resume", "out", "threads", "data_dir", "pendigits", "unipen", "cache_dir", "no_cache",
                        "download"})  # fmt: skip


def recipe(args: argparse.Namespace) -> dict:
    """The options that decide a run's result, as plain values (kept in the resumable state)."""
    return {k: str(v) if isinstance(v, Path) else v for k, v in sorted(vars(args).items()) if k not in NOT_RECIPE}


def resumed_state(args: argparse.Namespace, now: dict) -> dict:
    """The resumable state of --resume's run; ValueError or OSError, in plain words, when there is none
    or the run was started with other options than `now`'s (a `recipe`)."""
    state = checkpoint.load(checkpoint.resume_path(args.resume, args.model))
    started = state.get("recipe", {})
    changed = sorted(k for k in started.keys() | now.keys() if started.get(k) != now.get(k))
    if changed:
        differences = ", ".join(f"--{k.replace('_', '-')} {started.get(k)!r} then, {now.get(k)!r} now" for k in changed)
        raise ValueError(f"--resume {args.resume}: the run was started with other options ({differences})")
    return state


def cache_of(args: argparse.Namespace) -> DrawingCache | None:
    if args.no_cache or (args.dry_run and not args.cache_dir):
        return None
    return DrawingCache(resolve_dir(args.cache_dir))


def augmentation(args: argparse.Namespace) -> Augmentation:
    if args.no_augment:
        return NONE
    return Augmentation(args.rotate, args.scale, args.shear, args.translate, args.thickness, args.elastic)


def unipen_sets(
    args: argparse.Namespace,
) -> tuple[list[unipen.UnipenDigit], list[unipen.UnipenDigit], list[str]]:
    """(UNIPEN digits trained on, digits the checkpoint is picked on, sources dropped) for these options."""
    every = unipen.load(args.unipen)
    exclude = frozenset(args.unipen_exclude)
    dropped = unipen.read_sources(args.unipen_drop) if args.unipen_drop else frozenset()
    train = [d for d in unipen.by_split(every, "train", exclude) if d.source not in dropped]
    if args.unipen_fold:
        train = [d for d in train if unipen.fold_of(d.writer) != args.unipen_fold]
    return train, unipen.by_split(every, "validation", exclude), sorted(dropped)


def joined(first: dict, then: dict) -> dict:
    """Two stages' per-epoch histories as one, the second's epochs and seconds counted on (a figure the
    first stage did not record, e.g. samples per second before it was, is None for its epochs)."""
    offsets = {"epoch": first["epoch"][-1], "seconds": first["seconds"][-1]}
    earlier = [None] * len(first["epoch"])
    return {key: first.get(key, earlier) + [value + offsets.get(key, 0) for value in then[key]] for key in then}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run_recipe, resumed = recipe(args), None
    if args.resume:
        try:
            resumed = resumed_state(args, run_recipe)
        except (OSError, ValueError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    cache = cache_of(args)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        if args.download:
            mnist.download(args.data_dir)
        images, labels = mnist.load("train", args.data_dir)
    except mnist.MnistError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    train_index, val_index = mnist.train_validation_split(len(images))
    x, y = to_tensor(images), torch.from_numpy(labels.astype("int64"))
    train, val = (x[train_index], y[train_index]), (x[val_index], y[val_index])
    pen_val, train_writers, validation_writers = None, frozenset(), frozenset()
    if args.pen_repeat:
        train_writers, validation_writers = pen_writers(args.pen_validation_too, args.pen_fold)
        try:
            digits = pendigits.load(args.pendigits)
        except FileNotFoundError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        distortion = None
        if args.pen_distort:
            distortion = StrokeDistortion(args.pen_distort, trim=args.pen_trim, bulge=args.pen_bulge)
        pen_train = pen_tensors(
            pendigits.by_writers(digits, train_writers), args.dry_run, args.pen_repeat, distortion, args.seed,
            args.ink_ratio, cache,
        )  # fmt: skip
        if validation_writers:
            pen_val = pen_tensors(
                pendigits.by_writers(digits, validation_writers), args.dry_run, ink_ratio=args.ink_ratio, cache=cache
            )
        train = torch.cat([train[0], pen_train[0]]), torch.cat([train[1], pen_train[1]])
    unipen_record = {"repeat": 0}
    if args.unipen_repeat:
        try:
            unipen_train, unipen_val, dropped = unipen_sets(args)
        except (FileNotFoundError, ValueError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        distortion = StrokeDistortion(args.pen_distort, trim=args.pen_trim, bulge=args.pen_bulge)
        drawn = pen_tensors(unipen_train, args.dry_run, args.unipen_repeat, distortion if args.pen_distort else None,
                            args.seed + 1, args.ink_ratio, cache)  # fmt: skip
        train = torch.cat([train[0], drawn[0]]), torch.cat([train[1], drawn[1]])
        if not args.pen_validation_too:  # picked on both sources' validation writers
            drawn_val = pen_tensors(unipen_val, args.dry_run, ink_ratio=args.ink_ratio, cache=cache)
            pen_val = (
                drawn_val
                if pen_val is None
                else tuple(torch.cat(pair) for pair in zip(pen_val, drawn_val, strict=True))
            )
        unipen_record = {
            "repeat": args.unipen_repeat,
            "exclude": sorted(args.unipen_exclude),
            "fold": args.unipen_fold,
            "dropped": len(dropped),
            "drop_file": str(args.unipen_drop) if args.unipen_drop else None,
            "train_writers": len({d.writer for d in unipen_train}),
            "train_digits": len(unipen_train),
            "validation_writers": sorted({d.writer for d in unipen_val}) if not args.pen_validation_too else [],
        }
    non_digit_record = {"letters_and_shapes": 0}
    if args.non_digits:
        try:
            drawn = non_digit_tensors(args.shapes, args.dry_run, args.ink_ratio, args.letter_repeat, cache)
        except (FileNotFoundError, ValueError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        train = torch.cat([train[0], drawn[0]]), torch.cat([train[1], drawn[1]])
        non_digit_record = {
            "letters_and_shapes": len(drawn[1]),
            "shapes": args.shapes,
            "letter_repeat": args.letter_repeat,
        }
    if args.dry_run:
        args.epochs, val = 1, (val[0][:500], val[1][:500])

    options = {"width": args.width} if args.model == "cnn" else {}
    if args.non_digits:
        options["classes"] = 11
    model = build(args.model, **options)
    parent = None
    if args.init:
        parent = torch.load(args.init, weights_only=False)
        digits_only = {k: v for k, v in options.items() if k != "classes"}
        parent_options = {k: v for k, v in parent["options"].items() if k != "classes"}
        if (parent["model"], parent_options) != (args.model, digits_only) or parent["options"].get(
            "classes", 10
        ) > options.get("classes", 10):
            print(f"error: {args.init} is a {parent['model']} {parent['options']}, not {args.model} {options}",
                  file=sys.stderr)  # fmt: skip
            return 2
        state = parent["state_dict"]
        if parent["options"].get("classes", 10) < options.get("classes", 10):
            state = models.widened(state, model)
        model.load_state_dict(state)
    if args.init_onnx:
        model = cnn_from_onnx(args.init_onnx, options.get("classes", 10))
        if model.features[0][0].out_channels != args.width:
            print(f"error: {args.init_onnx} is not a CNN of width {args.width}", file=sys.stderr)
            return 2
        card = json.loads(Path(args.init_onnx).with_suffix(".json").read_text())
        parent = {"command": card["commands"]["train"], "train_seconds": card["training"]["seconds"],
                  "history": card["training"]["history"]}  # fmt: skip
    teachers = [models.load(path) for path in args.teacher]
    aug = augmentation(args)
    precision = "float32" if args.fp32 else "bfloat16 autocast, channels-last"
    print(f"{args.model}: {parameter_count(model):,} parameters, augmentation {asdict(aug)}, {precision}",
          file=sys.stderr)  # fmt: skip
    # a resumed run is the run it continues: its command, and its seconds so far
    command = (
        resumed["command"]
        if resumed
        else shlex.join(["python", "-m", "train", *(sys.argv[1:] if argv is None else argv)])
    )
    state_path = checkpoint.resume_path(args.out, args.model)

    def keep(state: dict) -> None:
        checkpoint.save_atomic({**state, "recipe": run_recipe, "command": command}, state_path)

    start = time.time() - (resumed["history"]["seconds"][-1] if resumed else 0.0)
    max_batches = args.max_batches or (5 if args.dry_run else None)
    best, history = fit(
        model, train, val, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
        schedule=args.schedule, aug=aug, seed=args.seed, max_batches=max_batches, pen_val=pen_val,
        teachers=teachers, temperature=args.temperature, ema=args.ema, freeze_bn=bool(args.init_onnx),
        bf16=not args.fp32, channels_last=not args.fp32, resume=resumed, on_epoch=keep,
    )  # fmt: skip
    seconds = time.time() - start
    if parent is not None:  # the card reports the whole recipe: every stage's command, the total time
        command, seconds = f"{parent['command']} && {command}", parent["train_seconds"] + seconds

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{args.model}.pt"
    torch.save(
        {
            "model": args.model,
            "options": options,
            "state_dict": best,
            "history": joined(parent["history"], asdict(history)) if parent else asdict(history),
            "augmentation": asdict(aug),
            "train_seconds": seconds,
            "threads": torch.get_num_threads(),
            "precision": precision,
            "command": command,
            "data": mnist.checksums(args.data_dir),
            "pendigits": {
                "repeat": args.pen_repeat,
                "distort": args.pen_distort,
                "trim": args.pen_trim,
                "bulge": args.pen_bulge,
                "ink_ratio": args.ink_ratio,
                "train_writers": sorted(train_writers),
                "validation_writers": sorted(validation_writers),
            },
            "unipen": unipen_record,
            "non_digits": non_digit_record,
            "dry_run": args.dry_run,
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
