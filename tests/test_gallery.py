"""export/gallery.py: the digits file format, the per-cell examples, and the committed cards and file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from export import gallery
from train import mnist

MODELS = Path(__file__).resolve().parent.parent / "site" / "models"
COMMITTED_CARDS = sorted(p for p in MODELS.glob("*.json") if "test" in json.loads(p.read_text()))


@pytest.fixture(scope="module")
def test_split() -> tuple[np.ndarray, np.ndarray]:
    return mnist.load("test")


def sample(count: int, seed: int = 0) -> gallery.Gallery:
    rng = np.random.default_rng(seed)
    indices = np.sort(rng.choice(10_000, count, replace=False)).astype(np.uint16)
    return gallery.Gallery(indices, rng.integers(0, 10, count, dtype=np.uint8),
                           rng.integers(0, 256, (count, 28, 28), dtype=np.uint8))  # fmt: skip


def test_format_round_trip():
    original = sample(37)
    blob = gallery.encode(original)
    assert len(blob) == 12 + 37 * (3 + 784) and blob[:4] == b"TDIG"
    decoded = gallery.decode(blob)
    for field in ("indices", "labels", "images"):
        assert np.array_equal(getattr(decoded, field), getattr(original, field)), field


def test_an_empty_gallery_round_trips():
    empty = gallery.decode(gallery.encode(sample(0)))
    assert empty.indices.shape == (0,) and empty.images.shape == (0, 28, 28)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b[:-1], "expected"),
        (lambda b: b + b"\0", "expected"),
        (lambda b: b"XXXX" + b[4:], "magic"),
        (lambda b: b[:5], "too short"),
        (lambda b: b[:12] + b[14:16] + b[12:14] + b[16:], "increasing"),  # first two indices swapped
    ],
)
def test_a_damaged_file_is_refused(damage, message):
    with pytest.raises(gallery.GalleryError, match=message):
        gallery.decode(damage(gallery.encode(sample(5))))


def test_unsorted_indices_cannot_be_written():
    bad = sample(3)
    with pytest.raises(gallery.GalleryError, match="increasing"):
        gallery.encode(gallery.Gallery(bad.indices[::-1].copy(), bad.labels, bad.images))


def test_confusion_examples_keep_every_error_and_a_few_right_answers():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 10, 3000)
    predictions = np.where(rng.random(3000) < 0.05, rng.integers(0, 10, 3000), labels)
    labels[:100] = 3  # one cell over the cap
    predictions[:100] = 5
    cells = gallery.confusion_examples(labels, predictions)
    for t in range(10):
        for p in range(10):
            members = np.flatnonzero((labels == t) & (predictions == p))
            cap = gallery.DIAGONAL_EXAMPLES if t == p else gallery.OFF_DIAGONAL_EXAMPLES
            assert cells[t][p] == members[:cap].tolist(), (t, p)
    assert len(cells[3][5]) == gallery.OFF_DIAGONAL_EXAMPLES


@pytest.mark.parametrize("card_path", COMMITTED_CARDS, ids=lambda p: p.name)
def test_committed_file_holds_every_digit_its_card_shows(card_path: Path, test_split):
    images, labels = test_split
    blob = (MODELS / gallery.FILE_NAME).read_bytes()
    assert len(blob) <= gallery.SIZE_LIMIT
    stored = gallery.decode(blob)
    position = {int(i): k for k, i in enumerate(stored.indices)}
    card = json.loads(card_path.read_text())
    cells = card["test"]["confusion_examples"]
    for t, row in enumerate(card["test"]["confusion"]):
        for p, count in enumerate(row):
            cap = gallery.DIAGONAL_EXAMPLES if t == p else gallery.OFF_DIAGONAL_EXAMPLES
            assert len(cells[t][p]) == min(count, cap), (t, p)
            assert all(labels[i] == t for i in cells[t][p])
    shown = gallery.referenced(card)
    assert {row["index"] for row in card["test"]["hardest"]} <= shown
    assert shown <= position.keys()
    for index in shown:
        assert stored.labels[position[index]] == labels[index]
        assert np.array_equal(stored.images[position[index]], images[index])


def test_update_writes_the_examples_from_the_onnx_model_alone(tmp_path: Path):
    card = json.loads((MODELS / "mlp.json").read_text())
    committed_examples = card["test"].pop("confusion_examples", None)
    (tmp_path / "mlp.json").write_text(json.dumps(card))
    shutil.copy(MODELS / "mlp.onnx", tmp_path / "mlp.onnx")
    target = gallery.update(tmp_path)
    updated = json.loads((tmp_path / "mlp.json").read_text())
    if committed_examples is not None:
        assert updated["test"]["confusion_examples"] == committed_examples
    stored = gallery.decode(target.read_bytes())
    assert set(stored.indices.tolist()) == gallery.referenced(updated)


def test_update_refuses_a_card_of_another_model(tmp_path: Path, capsys):
    card = json.loads((MODELS / "mlp.json").read_text())
    card["test"]["confusion"][0][0] -= 1
    card["test"]["confusion"][0][1] += 1
    (tmp_path / "mlp.json").write_text(json.dumps(card))
    shutil.copy(MODELS / "mlp.onnx", tmp_path / "mlp.onnx")
    assert gallery.main(["--models", str(tmp_path)]) == 2
    assert "does not give the confusion matrix of its card" in capsys.readouterr().err
    assert not (tmp_path / gallery.FILE_NAME).exists()
    assert json.loads((tmp_path / "mlp.json").read_text()) == card  # nothing written


def test_a_folder_without_models_says_so(tmp_path: Path, capsys):
    assert gallery.main(["--models", str(tmp_path)]) == 2
    assert "python -m export" in capsys.readouterr().err
