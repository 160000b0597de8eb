"""The MNIST test digits that the model card page shows, in one compact file.

`python -m export.gallery` runs each model of site/models that has a card beside it
(<model>.json with its <model>.onnx) on the MNIST test split with onnxruntime (no
checkpoint needed), checks that its predictions give the card's confusion matrix, writes
into the card the test indices of each confusion cell (`test.confusion_examples`: all of
an off-diagonal cell up to OFF_DIAGONAL_EXAMPLES, the first DIAGONAL_EXAMPLES of a
diagonal one) and writes site/models/test-digits.bin with every test image the cards
refer to (those lists and `test.hardest`). `python -m export` calls it after writing a card.

test-digits.bin, little-endian:

    offset 0       4 bytes      magic b"TDIG"
    offset 4       uint16       format version (1)
    offset 6       uint16       image side S (28)
    offset 8       uint32       N, the number of images
    offset 12      N x uint16   their MNIST test indices, strictly increasing
    12 + 2N        N x uint8    their labels
    12 + 3N        N x S*S      uint8 pixels, image after image, row by row, as in MNIST (0 paper, 255 ink)
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from train import mnist, preprocess
from train.evaluate import CLASSES, confusion_matrix
from train.onnx_run import run, session

FILE_NAME = "test-digits.bin"
MAGIC = b"TDIG"
VERSION = 1
HEADER = struct.Struct("<4sHHI")
DIAGONAL_EXAMPLES = 12  # correctly classified digits shown per class
OFF_DIAGONAL_EXAMPLES = 64  # errors shown per confusion cell (every one, for the committed models)
SIZE_LIMIT = 400_000  # bytes: the page loads the whole file


class GalleryError(Exception):
    """A card that does not match its model, or a bad digits file; the message is for people."""


@dataclass(frozen=True)
class Gallery:
    indices: np.ndarray  # uint16 [N], strictly increasing
    labels: np.ndarray  # uint8 [N]
    images: np.ndarray  # uint8 [N, 28, 28]


def encode(gallery: Gallery) -> bytes:
    count = len(gallery.indices)
    if np.any(np.diff(gallery.indices.astype(np.int64)) <= 0):
        raise GalleryError("test indices must be strictly increasing")
    if gallery.labels.shape != (count,) or gallery.images.shape != (count, preprocess.SIZE, preprocess.SIZE):
        raise GalleryError(f"{count} indices but labels {gallery.labels.shape} and images {gallery.images.shape}")
    return b"".join([
        HEADER.pack(MAGIC, VERSION, preprocess.SIZE, count),
        gallery.indices.astype("<u2").tobytes(),
        gallery.labels.astype(np.uint8).tobytes(),
        gallery.images.astype(np.uint8).tobytes(),
    ])  # fmt: skip


def decode(blob: bytes) -> Gallery:
    """The gallery in `blob`; GalleryError when it is not a complete digits file."""
    if len(blob) < HEADER.size:
        raise GalleryError(f"{len(blob)} bytes, too short for the {HEADER.size}-byte header")
    magic, version, side, count = HEADER.unpack_from(blob)
    if magic != MAGIC or version != VERSION:
        raise GalleryError(f"not a version-{VERSION} digits file (magic {magic!r}, version {version})")
    expected = HEADER.size + count * (3 + side * side)
    if len(blob) != expected:
        raise GalleryError(f"{len(blob)} bytes, expected {expected} for {count} images of {side}x{side}")
    indices = np.frombuffer(blob, "<u2", count, HEADER.size).astype(np.uint16)
    if np.any(np.diff(indices.astype(np.int64)) <= 0):
        raise GalleryError("test indices are not strictly increasing")
    labels = np.frombuffer(blob, np.uint8, count, HEADER.size + 2 * count)
    images = np.frombuffer(blob, np.uint8, count * side * side, HEADER.size + 3 * count).reshape(count, side, side)
    return Gallery(indices, labels, images)


def confusion_examples(labels: np.ndarray, predictions: np.ndarray) -> list[list[list[int]]]:
    """[true][predicted] lists of test indices, in increasing order, capped per cell."""
    cells: list[list[list[int]]] = [[[] for _ in range(CLASSES)] for _ in range(CLASSES)]
    for index in np.argsort(labels * CLASSES + predictions, kind="stable"):
        true, predicted = int(labels[index]), int(predictions[index])
        cell = cells[true][predicted]
        if len(cell) < (DIAGONAL_EXAMPLES if true == predicted else OFF_DIAGONAL_EXAMPLES):
            cell.append(int(index))
    return cells


def referenced(card: dict) -> set[int]:
    """Every test index whose image the page shows for `card`."""
    cells = card["test"].get("confusion_examples", [])
    return {i for row in cells for cell in row for i in cell} | {row["index"] for row in card["test"]["hardest"]}


def add_examples(card: dict, onnx_path: Path, images: np.ndarray, labels: np.ndarray) -> None:
    """Runs the model on the test split and writes `test.confusion_examples` into the card."""
    inputs = preprocess.normalize(images.astype(np.float32) / 255.0)
    predictions = run(session(onnx_path), inputs).argmax(1)
    confusion = confusion_matrix(labels.astype(np.int64), predictions)
    if confusion.tolist() != card["test"]["confusion"]:
        differ = int(np.abs(confusion - np.array(card["test"]["confusion"])).sum())
        raise GalleryError(
            f"{onnx_path.name} does not give the confusion matrix of its card ({differ} counts differ): "
            f"the card is from another model; export both again with `python -m export --model {card['name']}`"
        )
    card["test"]["confusion_examples"] = confusion_examples(labels.astype(np.int64), predictions)


def cards_in(models: Path) -> dict[Path, dict]:
    """The model cards in `models` whose ONNX file is there too."""
    cards = {}
    for path in sorted(models.glob("*.json")):
        try:
            card = json.loads(path.read_text())
        except json.JSONDecodeError as error:
            raise GalleryError(f"{path}: not valid JSON ({error})") from None
        if isinstance(card, dict) and "test" in card and (models / card.get("onnx", {}).get("file", "")).is_file():
            cards[path] = card
    return cards


def update(models: str | os.PathLike, data_dir: str | os.PathLike | None = None) -> Path:
    """Adds the confusion examples to every card in `models` and writes the digits file there."""
    models = Path(models)
    cards = cards_in(models)
    if not cards:
        raise GalleryError(f"no model card with its ONNX model in {models}: export one with `python -m export`")
    images, labels = mnist.load("test", data_dir)
    for card in cards.values():
        add_examples(card, models / card["onnx"]["file"], images, labels)
    indices = np.array(sorted(set().union(*(referenced(card) for card in cards.values()))), dtype=np.uint16)
    blob = encode(Gallery(indices, labels[indices], images[indices]))
    if len(blob) > SIZE_LIMIT:
        raise GalleryError(f"{len(indices)} digits make {len(blob):,} bytes, over the {SIZE_LIMIT:,} the page allows")
    for path, card in cards.items():  # written once everything has been checked
        path.write_text(json.dumps(card, indent=1) + "\n")
    target = models / FILE_NAME
    target.write_bytes(blob)
    print(f"{target}: {len(indices)} test digits, {len(blob):,} bytes, for {', '.join(p.name for p in cards)}",
          file=sys.stderr)  # fmt: skip
    return target


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m export.gallery", description=__doc__.split("\n")[0])
    p.add_argument("--models", default="site/models", help="folder of the cards and ONNX models")
    p.add_argument("--data-dir", help=f"MNIST folder with the test split (default ${mnist.ENV_VAR}, then data/mnist)")
    args = p.parse_args(argv)
    try:
        update(args.models, args.data_dir)
    except (GalleryError, mnist.MnistError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
