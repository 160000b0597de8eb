"""Read and verify the four standard gzipped MNIST IDX files.

The folder comes from an explicit argument, else $MNIST_DIR, else the project's
`data/mnist` (which holds only the test split; training needs the other two
files). Every file is checked: gzip stream, magic number, counts, shapes and the
md5 of the uncompressed bytes. A bad file raises `MnistError` naming the file
and what is wrong.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ENV_VAR = "MNIST_DIR"
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "mnist"
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049
VALIDATION_SIZE = 5_000
VALIDATION_SEED = 0


@dataclass(frozen=True)
class IdxFile:
    name: str
    magic: int
    count: int
    md5: str  # of the uncompressed bytes


FILES = {
    "train": (
        IdxFile("train-images-idx3-ubyte.gz", IMAGES_MAGIC, 60_000, "6bbc9ace898e44ae57da46a324031adb"),
        IdxFile("train-labels-idx1-ubyte.gz", LABELS_MAGIC, 60_000, "a25bea736e30d166cdddb491f175f624"),
    ),
    "test": (
        IdxFile("t10k-images-idx3-ubyte.gz", IMAGES_MAGIC, 10_000, "2646ac647ad5339dbf082846283269ea"),
        IdxFile("t10k-labels-idx1-ubyte.gz", LABELS_MAGIC, 10_000, "27ae3e4e09519cfbb04c329615203637"),
    ),
}


class MnistError(Exception):
    """A missing or invalid MNIST file, with a message meant for people."""


def resolve_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The explicit folder, else $MNIST_DIR, else the project's data/mnist."""
    if data_dir:
        return Path(data_dir)
    return Path(os.environ.get(ENV_VAR) or DEFAULT_DIR)


def missing_message(folder: Path, names: list[str]) -> str:
    listed = "\n".join(f"  {name}" for name in names)
    return (
        f"MNIST files missing in {folder}:\n{listed}\n"
        f"Get the four standard gzipped IDX files from a public MNIST mirror, e.g. {MIRRORS[0]}, "
        f"and pass their folder with --data-dir or ${ENV_VAR}, or rerun with --download."
    )


def parse_idx(raw: bytes, name: str, magic: int, count: int | None = None) -> np.ndarray:
    """Decode uncompressed IDX bytes into a uint8 array, checking its header."""
    if len(raw) < 8:
        raise MnistError(f"{name}: only {len(raw)} bytes, too short for an IDX header")
    found_magic, found_count = np.frombuffer(raw[:8], dtype=">u4")
    if found_magic != magic:
        raise MnistError(f"{name}: magic number {found_magic}, expected {magic} (not an MNIST {kind(magic)} file)")
    if count is not None and found_count != count:
        raise MnistError(f"{name}: header says {found_count} items, expected {count}")
    shape: tuple[int, ...] = (int(found_count),)
    offset = 8
    if magic == IMAGES_MAGIC:
        if len(raw) < 16:
            raise MnistError(f"{name}: header truncated")
        rows, cols = (int(v) for v in np.frombuffer(raw[8:16], dtype=">u4"))
        if (rows, cols) != (28, 28):
            raise MnistError(f"{name}: images are {rows}x{cols}, expected 28x28")
        shape, offset = (int(found_count), rows, cols), 16
    expected = int(np.prod(shape))
    if len(raw) - offset != expected:
        raise MnistError(f"{name}: {len(raw) - offset} data bytes, expected {expected} (truncated or padded file)")
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(shape)


def kind(magic: int) -> str:
    return "images" if magic == IMAGES_MAGIC else "labels"


def read_gzip(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as stream:
            return stream.read()
    except (OSError, EOFError, zlib.error) as error:
        raise MnistError(f"{path.name}: not a complete gzip file ({error})") from None


def read_file(path: Path, spec: IdxFile, verify_md5: bool = True) -> np.ndarray:
    raw = read_gzip(path)
    if verify_md5:
        digest = hashlib.md5(raw).hexdigest()
        if digest != spec.md5:
            raise MnistError(f"{spec.name}: md5 of the uncompressed bytes is {digest}, expected {spec.md5}")
    return parse_idx(raw, spec.name, spec.magic, spec.count)


def load(split: str, data_dir: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 [N, 28, 28], labels uint8 [N]) of 'train' or 'test', verified."""
    folder = resolve_dir(data_dir)
    specs = FILES[split]
    missing = [spec.name for spec in specs if not (folder / spec.name).is_file()]
    if missing:
        raise MnistError(missing_message(folder, missing))
    images, labels = (read_file(folder / spec.name, spec) for spec in specs)
    return images, labels


def train_validation_split(count: int = 60_000) -> tuple[np.ndarray, np.ndarray]:
    """Fixed (train, validation) index arrays: 5,000 held out with a fixed seed."""
    order = np.random.default_rng(VALIDATION_SEED).permutation(count)
    return np.sort(order[VALIDATION_SIZE:]), np.sort(order[:VALIDATION_SIZE])


def checksums(data_dir: str | os.PathLike | None = None) -> dict[str, str]:
    """md5 of each uncompressed file, as recorded in the model card."""
    return {
        spec.name: spec.md5
        for specs in FILES.values()
        for spec in specs
        if (resolve_dir(data_dir) / spec.name).is_file()
    }


def download(data_dir: str | os.PathLike | None = None, splits: tuple[str, ...] = ("train", "test")) -> Path:
    """Fetch missing files from the public mirrors, keeping only ones whose md5 matches."""
    folder = resolve_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for spec in (spec for split in splits for spec in FILES[split]):
        target = folder / spec.name
        if target.is_file():
            continue
        errors = []
        for mirror in MIRRORS:
            partial = target.with_suffix(".part")
            try:
                urllib.request.urlretrieve(mirror + spec.name, partial)
                read_file(partial, spec)  # verifies md5 and structure
                partial.replace(target)
                break
            except (OSError, MnistError) as error:
                errors.append(f"{mirror}: {error}")
                partial.unlink(missing_ok=True)
        else:
            raise MnistError(f"could not download {spec.name}:\n  " + "\n  ".join(errors))
    return folder
