"""Score checkpoints on the validation sets only, and the average of them all:
`python -m train.validate checkpoints/a/cnn.pt checkpoints/b/cnn.pt` (train/validate.py runs this module).

Prints MNIST validation accuracy (the 5,000 training images held out with the fixed
seed), accuracy on the checkpoint's validation writers' drawings (drawn as the page draws
them, with the ink pen the checkpoint trained with: writers 21-25, or its fold's with `--pen-fold`),
and the selection rule: their mean. With UNIPEN at hand (`--unipen`, $UNIPEN_DIR), UNIPEN's
validation writers are drawn too, and the "validation drawings" column pools both sources
(the figure docs/experiments.md decides on since issue 18). A model file (`.onnx`, e.g.
site/models/cnn.onnx) is scored as a checkpoint that trained on writers 1-20 with the page's pen.
The MNIST test split and the held-out writers are not touched, so this is the command to choose
between candidates with (docs/experiments.md).

Checkpoints that share their validation writers are also averaged (their mean
probabilities). Checkpoints of different folds are pooled instead: every fold's
writers scored by the network that never saw them.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections import Counter

import torch

from train import drawings, mnist, pendigits, unipen
from train.engine import predict_logits, to_tensor
from train.models import from_checkpoint
from train.render import BITMAP_SIZE, INK_WIDTH_RATIO


def mnist_validation(data_dir: str | None) -> tuple[torch.Tensor, torch.Tensor]:
    """The 5,000 MNIST training images held out for validation: images [N, 1, 28, 28] in [0, 1], labels."""
    images, labels = mnist.load("train", data_dir)
    _, val_index = mnist.train_validation_split(len(images))
    return to_tensor(images)[val_index], torch.from_numpy(labels.astype("int64"))[val_index]


def drawn_writers(
    digits: list[pendigits.PenDigit], writers: frozenset[int], ink_ratio: float = INK_WIDTH_RATIO
) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
    """The writers' digits drawn as the page draws them (with the checkpoint's ink pen): images
    [N, 1, 28, 28] in [0, 1], labels, writer of each."""
    chosen = pendigits.by_writers(digits, writers)
    on_pad = [digit.on_pad(BITMAP_SIZE, BITMAP_SIZE) for digit in chosen]
    images = drawings.drawn_images(on_pad, ink_ratio=ink_ratio)
    return torch.from_numpy(images)[:, None], torch.from_numpy(drawings.labels_of(chosen)), [d.writer for d in chosen]


def writer_errors(probabilities: torch.Tensor, labels: torch.Tensor, writers: list[int]) -> list[str]:
    """One line per writer with errors: how many of their digits were read wrong, and as what."""
    written = Counter(writers)
    wrong: dict[int, list[str]] = {}
    for writer, label, guess in zip(writers, labels.tolist(), probabilities.argmax(1).tolist(), strict=True):
        if guess != label:
            wrong.setdefault(writer, []).append(f"{label}->{guess}")
    return [
        f"  writer {writer:2d}: {len(errors):2d} of {written[writer]} wrong  {' '.join(sorted(errors))}"
        for writer, errors in sorted(wrong.items())
    ]


def validation_writers(checkpoint: dict) -> frozenset[int]:
    """The writers the checkpoint was picked on (writers 21-25 when it trained on no drawings or on those)."""
    return frozenset(checkpoint.get("pendigits", {}).get("validation_writers") or pendigits.VALIDATION_WRITERS)


def ink_ratio(checkpoint: dict) -> float:
    """The ink pen's width ratio the checkpoint's drawings were drawn with (the page's, for older checkpoints)."""
    return checkpoint.get("pendigits", {}).get("ink_ratio", INK_WIDTH_RATIO)


class OnnxModel:
    """An exported model, called like the checkpoints' networks (logits of [N, 1, 28, 28] inputs)."""

    def __init__(self, path: str) -> None:
        import onnxruntime

        self.session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0].name

    def eval(self) -> OnnxModel:
        return self

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(self.session.run(None, {self.input: images.numpy().astype("float32")})[0])


def candidate(path: str) -> tuple[dict, object]:
    """(checkpoint dict, network) of a checkpoint file or an exported .onnx model."""
    if path.endswith(".onnx"):
        return {}, OnnxModel(path)
    checkpoint = torch.load(path, weights_only=False)
    return checkpoint, from_checkpoint(checkpoint)


def unipen_validation(digits: list[unipen.UnipenDigit], exclude: frozenset[str], ratio: float):
    """UNIPEN's validation writers (without the `exclude`d institutions) drawn as the page draws them:
    images [N, 1, 28, 28], labels."""
    chosen = unipen.by_split(digits, "validation", exclude)
    images = drawings.drawn_images([d.on_pad() for d in chosen], ink_ratio=ratio)
    return torch.from_numpy(images)[:, None], torch.from_numpy(drawings.labels_of(chosen))


def span(writers: frozenset[int]) -> str:
    """The writers as runs of consecutive numbers: {1, 2, 3, 7, 21, 22} -> "1-3,7,21-22"."""
    runs: list[list[int]] = []
    for writer in sorted(writers):
        if runs and writer == runs[-1][-1] + 1:
            runs[-1].append(writer)
        else:
            runs.append([writer])
    return ",".join(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m train.validate", description=__doc__.split("\n")[0])
    p.add_argument("checkpoints", nargs="+", help="checkpoint files (<out>/<model>.pt)")
    p.add_argument("--data-dir", help=f"folder of the MNIST files (default ${mnist.ENV_VAR})")
    p.add_argument("--pendigits", help=f"folder of {pendigits.FILE_NAME} (default ${pendigits.ENV_VAR})")
    p.add_argument("--unipen", help=f"folder of {unipen.FILE_NAME} (default ${unipen.ENV_VAR}; absent: skipped)")
    p.add_argument("--per-writer", action="store_true", help="also list each checkpoint's errors writer by writer")
    args = p.parse_args(argv)
    try:
        mnist_val = mnist_validation(args.data_dir)
        digits = pendigits.load(args.pendigits)
        unipen_digits = unipen.load(args.unipen) if unipen.resolve_path(args.unipen) or args.unipen else []
    except (mnist.MnistError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sets: dict[frozenset[int], tuple[torch.Tensor, list[int]]] = {}  # the writers' labels, writer of each
    images: dict[tuple[frozenset[int], float], torch.Tensor] = {}  # the writers drawn with each ink pen
    rows = []  # (label, writers, MNIST val probabilities, writers' probabilities)
    unipen_sets: dict[tuple[frozenset[str], float], tuple[torch.Tensor, torch.Tensor]] = {}
    unipen_rows = []  # (label, right, count) on UNIPEN's validation writers
    for path in args.checkpoints:
        try:
            checkpoint, model = candidate(path)
        except (OSError, RuntimeError, KeyError, pickle.UnpicklingError) as error:
            print(f"error: {path} is not a checkpoint this command can read ({error})", file=sys.stderr)
            return 2
        writers = validation_writers(checkpoint)
        drawn = writers, ink_ratio(checkpoint)
        if drawn not in images:
            images[drawn], labels, writer_of_each = drawn_writers(digits, *drawn)
            sets[writers] = labels, writer_of_each
        probabilities = [predict_logits(model, x).softmax(1) for x in (mnist_val[0], images[drawn])]
        rows.append((path, writers, *probabilities))
        if unipen_digits:
            key = frozenset(checkpoint.get("unipen", {}).get("exclude", [])), ink_ratio(checkpoint)
            if key not in unipen_sets:
                unipen_sets[key] = unipen_validation(unipen_digits, *key)
            x, y = unipen_sets[key]
            unipen_rows.append((path, int((predict_logits(model, x).argmax(1) == y).sum()), len(y)))

    def correct(probabilities: torch.Tensor, labels: torch.Tensor) -> int:
        return int((probabilities.argmax(1) == labels).sum())

    table = [
        (label, span(writers), correct(m, mnist_val[1]), len(mnist_val[1]), correct(w, sets[writers][0]),
         len(sets[writers][0]))
        for label, writers, m, w in rows
    ]  # fmt: skip
    if len(rows) > 1 and len(sets) == 1:
        writers = rows[0][1]
        m, w = (sum(row[i] for row in rows) / len(rows) for i in (2, 3))
        table.append(("average of all", span(writers), correct(m, mnist_val[1]), len(mnist_val[1]),
                      correct(w, sets[writers][0]), len(sets[writers][0])))  # fmt: skip
    elif len(rows) > 1 and len(sets) == len(rows) and sum(map(len, sets)) == len(frozenset().union(*sets)):
        # folds: every writer scored once, by the network that did not train on it
        totals = [sum(row[i] for row in table) for i in (2, 3, 4, 5)]
        table.append(("pooled over the folds", span(frozenset().union(*sets)), *totals))
    print(f"{'checkpoint':50s} {'MNIST val':>10s} {'writers':>8s} {'drawings':>10s} {'rule':>10s}")
    for label, writers, mnist_right, mnist_count, drawn_right, drawn_count in table:
        scores = mnist_right / mnist_count, drawn_right / drawn_count
        print(f"{label:50s} {scores[0]:10.2%} {writers:>8s} {scores[1]:10.2%} {sum(scores) / 2:10.2%}")
    if unipen_rows:
        print(f"\n{'checkpoint':50s} {'UNIPEN val':>10s} {'errors':>7s} {'validation drawings':>20s} {'errors':>7s}")
        for (label, right, count), row in zip(unipen_rows, table, strict=False):
            pooled_right, pooled_count = right + row[4], count + row[5]
            print(f"{label:50s} {right / count:10.2%} {count - right:7d} {pooled_right / pooled_count:20.2%} "
                  f"{pooled_count - pooled_right:7d}")  # fmt: skip
    if args.per_writer:
        for label, writers, _, w in rows:
            print(f"{label}: drawings read wrong, by writer (true->predicted)")
            print("\n".join(writer_errors(w, *sets[writers])) or "  none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
