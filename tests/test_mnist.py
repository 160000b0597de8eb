"""The IDX reader on small synthetic files, and the md5 check on local files."""

import gzip
import hashlib
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from train import mnist


def idx_images(count: int, rows: int = 28, cols: int = 28, magic: int = mnist.IMAGES_MAGIC) -> bytes:
    pixels = (np.arange(count * rows * cols) % 256).astype(np.uint8)
    return struct.pack(">IIII", magic, count, rows, cols) + pixels.tobytes()


def idx_labels(count: int, magic: int = mnist.LABELS_MAGIC) -> bytes:
    return struct.pack(">II", magic, count) + (np.arange(count) % 10).astype(np.uint8).tobytes()


def write_gz(path: Path, raw: bytes) -> Path:
    path.write_bytes(gzip.compress(raw))
    return path


def test_parses_images_and_labels():
    images = mnist.parse_idx(idx_images(3), "x", mnist.IMAGES_MAGIC, 3)
    labels = mnist.parse_idx(idx_labels(3), "y", mnist.LABELS_MAGIC, 3)
    assert images.shape == (3, 28, 28) and images.dtype == np.uint8
    assert images[0, 0, 5] == 5
    assert labels.tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    "raw, magic, count, message",
    [
        (idx_images(2, magic=1234), mnist.IMAGES_MAGIC, 2, "magic number 1234"),
        (idx_labels(2), mnist.IMAGES_MAGIC, 2, "magic number 2049"),
        (idx_images(2), mnist.IMAGES_MAGIC, 5, "header says 2 items, expected 5"),
        (idx_images(2, rows=32, cols=32), mnist.IMAGES_MAGIC, 2, "32x32"),
        (idx_images(2)[:-10], mnist.IMAGES_MAGIC, 2, "truncated"),
        (idx_labels(4) + b"\0", mnist.LABELS_MAGIC, 4, "expected 4"),
        (b"\0\0", mnist.LABELS_MAGIC, None, "too short"),
    ],
)
def test_rejects_bad_files_with_a_clear_message(raw, magic, count, message):
    with pytest.raises(mnist.MnistError, match=message) as info:
        mnist.parse_idx(raw, "some-file.gz", magic, count)
    assert "some-file.gz" in str(info.value)


def test_truncated_gzip_names_the_file(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_labels(100))[:30])
    spec = mnist.FILES["test"][1]
    with pytest.raises(mnist.MnistError, match="t10k-labels-idx1-ubyte.gz: not a complete gzip file"):
        mnist.read_file(path, spec)


def test_md5_is_checked(tmp_path):
    raw = idx_labels(10)
    path = write_gz(tmp_path / "labels.gz", raw)
    good = mnist.IdxFile("labels.gz", mnist.LABELS_MAGIC, 10, hashlib.md5(raw).hexdigest())
    assert mnist.read_file(path, good).tolist() == list(range(10))
    bad = mnist.IdxFile("labels.gz", mnist.LABELS_MAGIC, 10, "0" * 32)
    with pytest.raises(mnist.MnistError, match="labels.gz: md5 .* expected 0000"):
        mnist.read_file(path, bad)


def test_committed_test_split_verifies():
    images, labels = mnist.load("test", mnist.DEFAULT_DIR)
    assert images.shape == (10_000, 28, 28)
    assert np.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_missing_files_name_all_of_them(tmp_path):
    with pytest.raises(mnist.MnistError) as info:
        mnist.load("train", tmp_path)
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message and "train-labels-idx1-ubyte.gz" in message
    assert "--download" in message and "MNIST_DIR" in message


def test_folder_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv(mnist.ENV_VAR, str(tmp_path))
    assert mnist.resolve_dir("explicit") == Path("explicit")
    assert mnist.resolve_dir(None) == tmp_path
    monkeypatch.delenv(mnist.ENV_VAR)
    assert mnist.resolve_dir(None) == mnist.DEFAULT_DIR


def test_validation_split_is_fixed_and_disjoint():
    train, val = mnist.train_validation_split()
    again, _ = mnist.train_validation_split()
    assert len(val) == 5_000 and len(train) == 55_000
    assert not set(train) & set(val)
    assert (train == again).all()


def test_download_keeps_only_verified_files(monkeypatch, tmp_path):
    """Offline stand-in for the mirrors: a 'download' that copies local files."""
    source = mnist.DEFAULT_DIR

    def fake_retrieve(url, target):
        name = url.rsplit("/", 1)[1]
        if name.startswith("train-images"):
            Path(target).write_bytes(gzip.compress(idx_images(60_000)))  # right shape, wrong md5
        elif (source / name).is_file():
            Path(target).write_bytes((source / name).read_bytes())
        else:
            raise OSError("unreachable")

    monkeypatch.setattr(mnist.urllib.request, "urlretrieve", fake_retrieve)
    assert mnist.download(tmp_path, splits=("test",)) == tmp_path
    assert mnist.load("test", tmp_path)[0].shape == (10_000, 28, 28)
    with pytest.raises(mnist.MnistError, match="(?s)could not download train-images.*md5") as info:
        mnist.download(tmp_path)
    assert len(mnist.MIRRORS) == str(info.value).count("md5")
    assert sorted(os.listdir(tmp_path)) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
