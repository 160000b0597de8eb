"""`python -m train --dry-run` and an export round trip, in seconds."""

import numpy as np
import pytest
import torch

from evaluate import validate
from evaluate.validate import main as validate_main
from evaluate.validate import span
from export.__main__ import main as export_main
from export.onnx_io import INPUT, OUTPUT, export, verify
from train import mnist, pendigits, preprocess, render
from train.__main__ import main as train_main
from train.augment import NONE, Augmentation, augment
from train.engine import History
from train.models import build, parameter_count
from train.onnx_run import read_metadata, run, session

HAS_TRAIN_SPLIT = all((mnist.resolve_dir() / spec.name).is_file() for spec in mnist.FILES["train"])
needs_train_split = pytest.mark.skipif(
    not HAS_TRAIN_SPLIT, reason=f"MNIST training split not found (set ${mnist.ENV_VAR} to its folder)"
)


@needs_train_split
@pytest.mark.parametrize("model", ["cnn", "mlp"])
def test_dry_run_trains_and_saves_a_checkpoint(tmp_path, model):
    assert train_main(["--model", model, "--dry-run", "--out", str(tmp_path), "--width", "8"]) == 0
    checkpoint = torch.load(tmp_path / f"{model}.pt", weights_only=False)
    assert checkpoint["dry_run"] and len(checkpoint["history"]["val_accuracy"]) == 1
    assert checkpoint["command"].startswith(f"python -m train --model {model}")


@needs_train_split
def test_training_is_deterministic_for_a_seed(tmp_path):
    for run_dir in ("a", "b"):
        train_main(["--dry-run", "--width", "8", "--seed", "3", "--out", str(tmp_path / run_dir)])
    a, b = (torch.load(tmp_path / d / "cnn.pt", weights_only=False)["state_dict"] for d in ("a", "b"))
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_missing_training_data_is_a_clear_error(tmp_path, capsys):
    assert train_main(["--dry-run", "--data-dir", str(tmp_path)]) == 2
    assert "train-images-idx3-ubyte.gz" in capsys.readouterr().err


def test_export_round_trip(tmp_path):
    torch.manual_seed(0)
    model = build("cnn", width=8).eval()
    path = export(model, tmp_path / "tiny.onnx", "cnn")
    images, _ = mnist.load("test")
    inputs = preprocess.normalize(images[:64] / 255.0)
    assert verify(model, path, inputs) <= 1e-4
    assert run(session(path), inputs[:5]).shape == (5, 10)  # dynamic batch
    meta = read_metadata(path)
    assert meta["model_name"] == "cnn" and float(meta["norm_mean"]) == preprocess.MEAN
    assert (meta["input_name"], meta["output_name"]) == (INPUT, OUTPUT)


def test_verify_catches_a_different_model(tmp_path):
    torch.manual_seed(0)
    path = export(build("mlp").eval(), tmp_path / "mlp.onnx", "mlp")
    with pytest.raises(AssertionError, match="differs from PyTorch"):
        verify(build("mlp").eval(), path, np.random.default_rng(0).normal(size=(8, 1, 28, 28)).astype(np.float32))


def test_mlp_is_the_classic_network():
    sizes = [m.out_features for m in build("mlp").modules() if isinstance(m, torch.nn.Linear)]
    assert sizes == [512, 256, 128, 60, 10]
    assert parameter_count(build("cnn")) <= 500_000


def test_augmentation_keeps_shape_and_range_and_can_be_off():
    images = torch.from_numpy(mnist.load("test")[0][:32] / 255.0).float()[:, None]
    generator = torch.Generator().manual_seed(0)
    out = augment(images, Augmentation(), generator)
    assert out.shape == images.shape and out.min() >= 0 and out.max() <= 1 + 1e-5
    assert not torch.allclose(out, images)
    assert augment(images, NONE, generator) is images


@needs_train_split
def test_fine_tuning_keeps_the_whole_recipe(tmp_path):
    """--init starts from a checkpoint; the result names both commands and counts both stages."""
    first, second = tmp_path / "first", tmp_path / "second"
    assert train_main(["--dry-run", "--width", "8", "--out", str(first)]) == 0
    assert train_main(["--dry-run", "--width", "8", "--init", str(first / "cnn.pt"), "--out", str(second)]) == 0
    parent, child = (torch.load(d / "cnn.pt", weights_only=False) for d in (first, second))
    stage = f"python -m train --dry-run --width 8 --init {first / 'cnn.pt'} --out {second}"
    assert child["command"] == f"{parent['command']} && {stage}"
    assert child["history"]["epoch"] == [1, 2] and child["train_seconds"] >= parent["train_seconds"]
    assert train_main(["--dry-run", "--width", "16", "--init", str(first / "cnn.pt"), "--out", str(second)]) == 2


def test_elastic_distortion_bends_strokes_smoothly_and_keeps_the_range():
    images = torch.from_numpy(mnist.load("test")[0][:32] / 255.0).float()[:, None]
    off = augment(images, NONE, torch.Generator().manual_seed(0))
    warped = augment(images, Augmentation(0, 0, 0, 0, 0, elastic=2.0), torch.Generator().manual_seed(0))
    assert warped.shape == images.shape and warped.min() >= 0 and warped.max() <= 1 + 1e-5
    assert not torch.allclose(warped, off)
    ink = images.sum(dim=(1, 2, 3))
    assert torch.allclose(warped.sum(dim=(1, 2, 3)), ink, rtol=0.4)  # moved and stretched, not erased


@needs_train_split
@pytest.mark.skipif(pendigits.resolve_path() is None, reason=f"pendigits not found (set ${pendigits.ENV_VAR})")
def test_validate_scores_checkpoints_and_their_average(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("UNIPEN_DIR", raising=False)  # UNIPEN's part: tests/test_unipen.py
    assert train_main(["--dry-run", "--width", "8", "--out", str(tmp_path)]) == 0
    checkpoint = str(tmp_path / "cnn.pt")
    assert validate_main([checkpoint, checkpoint]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert [row[0] for row in rows] == [checkpoint, checkpoint, "average"]
    assert all(row[-3] == "21-25" for row in rows)  # the writers scored
    single, _, average = ([float(v.rstrip("%")) for v in (row[-4], row[-2], row[-1])] for row in rows)
    assert average == single  # a model averaged with itself is itself
    (tmp_path / "broken.pt").write_bytes(b"not a checkpoint")
    assert validate_main([str(tmp_path / "broken.pt")]) == 2
    assert "broken.pt is not a checkpoint" in capsys.readouterr().err
    mnist_val, writers, rule = single
    assert 0 <= mnist_val <= 100 and 0 <= writers <= 100 and rule == pytest.approx((mnist_val + writers) / 2, abs=0.01)
    assert validate_main([checkpoint, "--per-writer"]) == 0
    listed = [line.split() for line in capsys.readouterr().out.splitlines() if line.startswith("  writer ")]
    assert {int(row[1].rstrip(":")) for row in listed} <= set(range(21, 26))
    wrong = sum(int(row[2]) for row in listed)
    assert all(int(row[2]) == len(row) - 6 for row in listed)  # "writer W: N of M wrong" and N true->predicted
    scored = len(pendigits.by_writers(pendigits.load(), pendigits.VALIDATION_WRITERS))
    assert wrong == round((100 - writers) / 100 * scored)


@needs_train_split
@pytest.mark.skipif(pendigits.resolve_path() is None, reason=f"pendigits not found (set ${pendigits.ENV_VAR})")
def test_folds_leave_their_writers_out_and_validate_pools_them(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("UNIPEN_DIR", raising=False)
    for fold in (2, 3):
        run = ["--dry-run", "--width", "8", "--pen-repeat", "1", "--pen-fold", str(fold)]
        assert train_main([*run, "--out", str(tmp_path / str(fold))]) == 0
        recorded = torch.load(tmp_path / str(fold) / "cnn.pt", weights_only=False)["pendigits"]
        assert recorded["validation_writers"] == sorted(pendigits.fold_writers(fold))
        assert recorded["train_writers"] == sorted(set(range(1, 26)) - pendigits.fold_writers(fold))
    assert pendigits.fold_writers(5) == pendigits.VALIDATION_WRITERS
    capsys.readouterr()
    assert validate_main([str(tmp_path / "2" / "cnn.pt"), str(tmp_path / "3" / "cnn.pt")]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert [row[-3] for row in rows] == ["6-10", "11-15", "6-15"]
    assert rows[-1][:4] == ["pooled", "over", "the", "folds"]
    folds, pooled = [float(row[-2].rstrip("%")) for row in rows[:2]], float(rows[-1][-2].rstrip("%"))
    assert min(folds) - 0.01 <= pooled <= max(folds) + 0.01  # every writer once: a weighted mean of the folds
    with pytest.raises(SystemExit) as exit_:
        train_main(["--dry-run", "--pen-repeat", "1", "--pen-fold", "6"])
    assert exit_.value.code == 2


@needs_train_split
@pytest.mark.skipif(pendigits.resolve_path() is None, reason=f"pendigits not found (set ${pendigits.ENV_VAR})")
def test_another_ink_pen_is_recorded_scored_with_and_never_exported(tmp_path, capsys):
    run = ["--dry-run", "--width", "8", "--pen-repeat", "1", "--out", str(tmp_path)]
    assert train_main(run) == 0
    checkpoint = torch.load(tmp_path / "cnn.pt", weights_only=False)
    assert checkpoint["pendigits"]["ink_ratio"] == validate.ink_ratio(checkpoint) == render.INK_WIDTH_RATIO
    # a checkpoint of the --ink-ratio experiment (that option left the training code; git history keeps it)
    checkpoint["pendigits"]["ink_ratio"] = 0.12
    torch.save(checkpoint, tmp_path / "cnn.pt")
    assert validate.ink_ratio(checkpoint) == 0.12
    assert validate.ink_ratio({"pendigits": {}}) == render.INK_WIDTH_RATIO  # checkpoints from before the option
    capsys.readouterr()
    assert export_main(["--checkpoint", str(tmp_path / "cnn.pt"), "--out", str(tmp_path / "site")]) == 2
    assert "ink pen ratio 0.12" in capsys.readouterr().err and not (tmp_path / "site").exists()


def test_the_kept_epoch_is_the_first_best_on_the_selection_rule():
    mnist_only = History(epoch=[1, 2, 3], val_accuracy=[0.990, 0.993, 0.993])
    assert mnist_only.selection() == [0.990, 0.993, 0.993] and mnist_only.kept() == 1
    # with drawings, neither column's own best decides: epoch 2 has the best mean
    both = History(epoch=[1, 2, 3], val_accuracy=[0.9926, 0.9924, 0.9930], pen_val_accuracy=[0.9880, 0.9896, 0.9888])
    assert both.kept() == 1 and both.val_accuracy[both.kept()] != max(both.val_accuracy)


def test_writer_sets_print_as_runs():
    assert span(frozenset({21, 22, 23, 24, 25})) == "21-25"
    assert span(frozenset({1, 2, 3, 7, 21, 22})) == "1-3,7,21-22"
    assert span(frozenset({5})) == "5"


def test_validate_without_data_is_a_clear_error(tmp_path, capsys):
    assert validate_main(["x.pt", "--data-dir", str(tmp_path)]) == 2
    assert "train-images-idx3-ubyte.gz" in capsys.readouterr().err
