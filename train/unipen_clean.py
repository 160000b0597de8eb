"""Find UNIPEN training digits that are probably mislabelled or truncated, by cross-validation:
`python -m train.unipen_clean checkpoints/uclean-1/cnn.pt checkpoints/uclean-2/cnn.pt`.

Each checkpoint was trained with `--unipen-fold K`, so it never saw the training writers of half K;
it scores that half's digits, drawn as the page draws them. A digit whose own label gets less than
`--threshold` probability from the network that never saw its writer is listed, with what it was
read as, in `--out` (default train/unipen-dropped.txt), for `python -m train --unipen-drop`.
`--grid` also writes a PNG of the listed digits as the model sees them, to look at before trusting it.
Only training writers are ever listed: validation and held-out writers stay as recorded.
"""

from __future__ import annotations

import argparse
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import torch

from train import drawings, unipen
from train.engine import predict_logits
from train.models import from_checkpoint

DEFAULT_OUT = Path(__file__).with_name("unipen-dropped.txt")


def suspects(probabilities: np.ndarray, labels: np.ndarray, threshold: float) -> np.ndarray:
    """Indices of the digits whose label gets less than `threshold`, least likely first."""
    own = probabilities[np.arange(len(labels)), labels]
    flagged = np.flatnonzero(own < threshold)
    return flagged[np.argsort(own[flagged], kind="stable")]


def png_bytes(ink: np.ndarray) -> bytes:
    """A greyscale PNG of `ink` ([H, W] in [0, 1], drawn dark on white)."""
    pixels = (255 - np.clip(ink * 255, 0, 255)).astype(np.uint8)
    raw = b"".join(b"\x00" + row.tobytes() for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", pixels.shape[1], pixels.shape[0], 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def grid(images: np.ndarray, columns: int = 20) -> np.ndarray:
    """[N, 28, 28] images tiled in rows of `columns`, a pixel of paper between them."""
    rows = -(-len(images) // columns) or 1
    side = images.shape[1] + 1 if len(images) else 29
    out = np.zeros((rows * side, columns * side), dtype=np.float32)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        out[r * side : r * side + side - 1, c * side : c * side + side - 1] = image
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m train.unipen_clean", description=__doc__.split("\n")[0])
    p.add_argument("checkpoints", nargs="+", help="checkpoints trained with --unipen-fold 1 and 2")
    p.add_argument("--unipen", help=f"folder of {unipen.FILE_NAME} (default ${unipen.ENV_VAR})")
    p.add_argument("--threshold", type=float, default=0.01, help="largest probability of its label that flags it")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--grid", type=Path, help="also write the flagged digits as a PNG here")
    args = p.parse_args(argv)
    try:
        every = unipen.load(args.unipen)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    training = unipen.by_split(every, "train")
    lines, flagged_images, folds = [], [], set()
    for path in args.checkpoints:
        checkpoint = torch.load(path, weights_only=False)
        fold = checkpoint.get("unipen", {}).get("fold", 0)
        if not fold or fold in folds:
            print(f"error: {path} was not trained with a --unipen-fold of its own (fold {fold})", file=sys.stderr)
            return 2
        folds.add(fold)
        unseen = [d for d in training if unipen.fold_of(d.writer) == fold]
        images = drawings.drawn_images([d.on_pad() for d in unseen])
        probabilities = predict_logits(from_checkpoint(checkpoint), torch.from_numpy(images)[:, None]).softmax(1)
        labels = drawings.labels_of(unseen)
        found = suspects(probabilities.numpy(), labels, args.threshold)
        print(f"{path}: half {fold}, {len(unseen)} digits of {len({d.writer for d in unseen})} writers, "
              f"{len(found)} flagged")  # fmt: skip
        for i in found:
            digit, read = unseen[i], int(probabilities[i].argmax())
            lines.append(f"{digit.source}  # {digit.writer}: {digit.label} read as {read} "
                         f"(p({digit.label}) = {float(probabilities[i, digit.label]):.4f})")  # fmt: skip
            flagged_images.append(images[i])
    if folds != set(range(1, unipen.FOLDS + 1)):
        print(f"error: give one checkpoint for each half 1-{unipen.FOLDS} (got {sorted(folds)})", file=sys.stderr)
        return 2
    command = " ".join(["python -m train.unipen_clean", *(sys.argv[1:] if argv is None else argv)])
    header = (f"# UNIPEN training digits left out of training: the label gets p < {args.threshold} from a network "
              f"that never saw the writer.\n# Written by: {command}\n")  # fmt: skip
    args.out.write_text(header + "".join(line + "\n" for line in lines))
    print(f"wrote {len(lines)} digits to {args.out}")
    if args.grid:
        args.grid.write_bytes(png_bytes(np.kron(grid(np.array(flagged_images).reshape(-1, 28, 28)), np.ones((2, 2)))))
        print(f"wrote {args.grid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
