"""Score checkpoints on the validation sets only, and the average of them all:
`python -m train.validate checkpoints/a/cnn.pt checkpoints/b/cnn.pt`.

Prints MNIST validation accuracy (the 5,000 training images held out with the fixed
seed), accuracy on the validation writers' drawings (drawn as the page draws them), and
the selection rule: their mean. The MNIST test split and the held-out writers are not
touched, so this is the command to choose between candidates with (docs/experiments.md).
"""

from __future__ import annotations

import argparse
import pickle
import sys

import torch

from train import drawings, mnist, pendigits
from train.engine import predict_logits, to_tensor
from train.models import load
from train.render import BITMAP_SIZE


def validation_sets(data_dir: str | None, pendigits_dir: str | None) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """{"MNIST val": (images, labels), "validation writers": (images, labels)}, images [N, 1, 28, 28] in [0, 1]."""
    images, labels = mnist.load("train", data_dir)
    _, val_index = mnist.train_validation_split(len(images))
    digits = pendigits.by_writers(pendigits.load(pendigits_dir), pendigits.VALIDATION_WRITERS)
    drawn = drawings.drawn_images([digit.on_pad(BITMAP_SIZE, BITMAP_SIZE) for digit in digits])
    return {
        "MNIST val": (to_tensor(images)[val_index], torch.from_numpy(labels.astype("int64"))[val_index]),
        "validation writers": (torch.from_numpy(drawn)[:, None], torch.from_numpy(drawings.labels_of(digits))),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m train.validate", description=__doc__.split("\n")[0])
    p.add_argument("checkpoints", nargs="+", help="checkpoint files (<out>/<model>.pt)")
    p.add_argument("--data-dir", help=f"folder of the MNIST files (default ${mnist.ENV_VAR})")
    p.add_argument("--pendigits", help=f"folder of {pendigits.FILE_NAME} (default ${pendigits.ENV_VAR})")
    args = p.parse_args(argv)
    try:
        sets = validation_sets(args.data_dir, args.pendigits)
    except (mnist.MnistError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    rows = []  # (label, {set name: probabilities})
    for path in args.checkpoints:
        try:
            model = load(path)
        except (OSError, RuntimeError, KeyError, pickle.UnpicklingError) as error:
            print(f"error: {path} is not a checkpoint this command can read ({error})", file=sys.stderr)
            return 2
        rows.append((path, {name: predict_logits(model, x).softmax(1) for name, (x, _) in sets.items()}))
    if len(rows) > 1:
        rows.append(("average of all", {name: sum(p[name] for _, p in rows) / len(rows) for name in sets}))
    print(f"{'checkpoint':50s} {'MNIST val':>10s} {'writers':>10s} {'rule':>10s}")
    for label, row in rows:
        scores = [(row[name].argmax(1) == y).float().mean().item() for name, (_, y) in sets.items()]
        print(f"{label:50s} {scores[0]:10.2%} {scores[1]:10.2%} {sum(scores) / 2:10.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
