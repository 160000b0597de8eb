"""Drawn training drawings kept on disk, so that a run does not redraw them (about a minute for
pendigits and UNIPEN's digits, several with --non-digits).

A cache file holds the images exactly as drawn (float32, compressed) and their labels, under a key
that hashes everything the drawing depends on: what was drawn (the digits themselves, or the data
files' contents), the drawing settings and seed, the source of the modules that draw, and FORMAT.
A file that cannot be read is reported and drawn again; a cache that cannot be written is reported
and training goes on.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

FORMAT = 1  # raise when what a cache file holds, or how its key is made, changes
ENV_VAR = "DIGIT_PAD_CACHE"
DEFAULT_DIR = Path("checkpoints") / ".drawings"
# The modules whose code decides the pixels of a drawing: an edit to any of them draws again.
DRAWING_CODE = (
    "drawings.py", "nondigits.py", "pendigits.py", "preprocess.py", "render.py", "strokes.py",
    "training_drawings.py", "unipen.py",
)  # fmt: skip

Drawn = tuple[torch.Tensor, torch.Tensor]  # ([N, 1, 28, 28] float images in [0, 1], [N] int64 labels)


def resolve_dir(option: str | os.PathLike | None) -> Path:
    """The cache folder: the option, else $DIGIT_PAD_CACHE, else checkpoints/.drawings."""
    return Path(option or os.environ.get(ENV_VAR) or DEFAULT_DIR)


def digest_of(items: Iterable) -> str:
    """A content hash of drawable items (frozen dataclasses of ints, floats and strings: their repr is exact)."""
    hasher = hashlib.sha256()
    for item in items:
        hasher.update(repr(item).encode())
        hasher.update(b"\n")
    return hasher.hexdigest()


def file_digest(path: str | os.PathLike | None) -> str | None:
    """A content hash of a data file (None for no file)."""
    if path is None or not Path(path).is_file():
        return None
    hasher = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def code_digest() -> str:
    here = Path(__file__).parent
    return hashlib.sha256(b"".join((here / name).read_bytes() for name in DRAWING_CODE)).hexdigest()


@dataclass(frozen=True)
class DrawingCache:
    """Where drawings are kept (`folder`); `get` draws with `draw` on a miss and stores the result."""

    folder: Path

    def path_of(self, key: dict) -> Path:
        return self.folder / f"{key.get('kind', 'drawings')}-{hashlib.sha256(_text(key).encode()).hexdigest()[:24]}.npz"

    def get(self, key: dict, draw: Callable[[], Drawn]) -> Drawn:
        full = {**key, "format": FORMAT, "code": code_digest()}
        path = self.path_of(full)
        if path.exists():
            found = _read(path, _text(full))
            if found is not None:
                return found
        drawn = draw()
        _write(path, _text(full), drawn)
        return drawn


def _text(key: dict) -> str:
    return json.dumps(key, sort_keys=True)


def _read(path: Path, key: str) -> Drawn | None:
    """The cached drawings, or None (reported on stderr) when the file is unreadable or holds another key."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) != key:
                raise ValueError("it holds other drawings")
            images, labels = data["images"], data["labels"]
        if images.dtype != np.float32 or labels.dtype != np.int64 or images.shape != (len(labels), 1, 28, 28):
            raise ValueError(f"unexpected arrays {images.dtype}{images.shape}, {labels.dtype}{labels.shape}")
    except Exception as error:  # whatever is wrong with the file (truncated, foreign, stale), draw again
        print(f"drawing cache: cannot use {path} ({error}); drawing again", file=sys.stderr)
        return None
    return torch.from_numpy(images), torch.from_numpy(labels)


def _write(path: Path, key: str, drawn: Drawn) -> None:
    """Store atomically (a temporary file, then a rename), so that a stopped run leaves no half file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as f:
            np.savez_compressed(f, key=np.array(key), images=drawn[0].numpy(), labels=drawn[1].numpy())
        os.replace(temporary, path)
    except OSError as error:
        print(f"drawing cache: cannot write {path} ({error}); going on without it", file=sys.stderr)
    finally:
        with contextlib.suppress(OSError):  # gone (renamed), or never made
            temporary.unlink()
