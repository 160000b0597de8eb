"""The training command's options as one `TrainConfig`, read from the command line in one place (`parse_args`)."""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from train import mnist, pendigits, render, unipen
from train.augment import NONE, Augmentation
from train.drawing_cache import ENV_VAR as CACHE_ENV_VAR

DESCRIPTION = "Train a digit classifier on MNIST: `python -m train --model cnn --epochs 12 --seed 1`."
DEFAULTS = {  # per model: epochs, learning rate, schedule
    "cnn": dict(epochs=12, lr=3e-3, schedule="onecycle"),
    "mlp": dict(epochs=20, lr=1e-3, schedule="constant"),
}
_AUGMENTATION = Augmentation()


@dataclass
class TrainConfig:
    """One run's options; the defaults are the command line's (epochs, lr and schedule: `DEFAULTS`)."""

    model: str = "cnn"
    epochs: int | None = None
    batch_size: int = 128
    lr: float | None = None
    schedule: str | None = None
    width: int = 24
    seed: int = 1
    data_dir: str | None = None
    pendigits: str | None = None
    pen_repeat: int = 0
    pen_fold: int = 0
    unipen: str | None = None
    unipen_repeat: int = 0
    unipen_exclude: list[str] | None = None
    unipen_drop: Path | None = None
    unipen_fold: int = 0
    non_digits: bool = False
    shapes: int = 6000
    download: bool = False
    out: str | None = None
    resume: str | None = None
    init: str | None = None
    threads: int = 0
    fp32: bool = False
    cache_dir: str | None = None
    no_cache: bool = False
    max_batches: int | None = None
    dry_run: bool = False
    no_augment: bool = False
    rotate: float = _AUGMENTATION.rotate
    scale: float = _AUGMENTATION.scale
    shear: float = _AUGMENTATION.shear
    translate: float = _AUGMENTATION.translate
    thickness: float = _AUGMENTATION.thickness
    elastic: float = _AUGMENTATION.elastic

    def __post_init__(self) -> None:
        for key, value in DEFAULTS[self.model].items():
            if getattr(self, key) is None:
                setattr(self, key, value)
        if self.unipen_exclude is None:
            self.unipen_exclude = []
        if self.out is None:
            self.out = self.resume or "checkpoints"

    def augmentation(self) -> Augmentation:
        if self.no_augment:
            return NONE
        return Augmentation(self.rotate, self.scale, self.shear, self.translate, self.thickness, self.elastic)

    def model_options(self) -> dict:
        """`models.build`'s options for this run."""
        options = {"width": self.width} if self.model == "cnn" else {}
        if self.non_digits:
            options["classes"] = 11
        return options

    def batches_per_epoch(self) -> int | None:
        return self.max_batches or (5 if self.dry_run else None)


# Options that say where files are or how fast a run goes, not what it computes: a run may resume with others.
NOT_RECIPE = frozenset({"resume", "out", "threads", "data_dir", "pendigits", "unipen", "cache_dir", "no_cache",
                        "download"})  # fmt: skip
# Options of recipes that did not ship, gone from the command (git history keeps them), at the values that
# left them off: a run started before they went still resumes.
REMOVED = {"teacher": [], "temperature": 1.0, "ema": 0.0, "init_onnx": None, "pen_distort": 0.0, "pen_trim": 0.0,
           "pen_bulge": 0.0, "ink_ratio": render.INK_WIDTH_RATIO, "pen_validation_too": False,
           "letter_repeat": 1}  # fmt: skip


def recipe(config: TrainConfig) -> dict:
    """The options that decide a run's result, as plain values (kept in the resumable state)."""
    values = asdict(config)
    return {k: str(v) if isinstance(v, Path) else v for k, v in sorted(values.items()) if k not in NOT_RECIPE}


def recipe_changes(started: dict, now: dict) -> list[str]:
    """The options in which two recipes differ (a removed option at its off value is no difference)."""
    started = {k: v for k, v in started.items() if not (k in REMOVED and v == REMOVED[k])}
    return sorted(k for k in started.keys() | now.keys() if started.get(k) != now.get(k))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m train", description=DESCRIPTION)
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
        help="times each UNIPEN training writer's digit is seen per epoch (0: no UNIPEN)",
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
    for name in ("rotate", "scale", "shear", "translate", "thickness", "elastic"):
        aug.add_argument(f"--{name}", type=float, default=getattr(_AUGMENTATION, name))
    return p


def parse_args(argv: list[str] | None = None) -> TrainConfig:
    """The command line's `TrainConfig`; exits with argparse's usage error on options that do not go together."""
    p = parser()
    args = p.parse_args(argv)
    if not 0 <= args.pen_fold <= pendigits.FOLDS:
        p.error(f"--pen-fold: choose 1 to {pendigits.FOLDS} (0: off)")
    if not 0 <= args.unipen_fold <= unipen.FOLDS:
        p.error(f"--unipen-fold: choose 1 to {unipen.FOLDS} (0: off)")
    if (args.unipen_exclude or args.unipen_drop or args.unipen_fold) and not args.unipen_repeat:
        p.error("--unipen-exclude, --unipen-drop and --unipen-fold change the UNIPEN digits: give --unipen-repeat")
    if args.non_digits and args.model != "cnn":
        p.error("--non-digits: the MLP has no 'not a digit' output")
    if args.max_batches is not None and args.max_batches < 1:
        p.error("--max-batches: 1 or more")
    assert set(vars(args)) == {f.name for f in fields(TrainConfig)}, "every option is a TrainConfig field"
    return TrainConfig(**vars(args))
