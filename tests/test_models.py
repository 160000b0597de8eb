"""The committed models, scored by onnxruntime on the committed MNIST test split."""

import json
from pathlib import Path

import numpy as np
import pytest

from train import mnist, preprocess
from train.onnx_run import read_metadata, run, session

MODELS = Path(__file__).resolve().parent.parent / "site" / "models"
TARGETS = {"cnn": 0.996, "mlp": 0.982}


@pytest.fixture(scope="module")
def test_split():
    images, labels = mnist.load("test", mnist.DEFAULT_DIR)
    return preprocess.normalize(images / 255.0), labels


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_committed_model_meets_its_target(name, test_split):
    inputs, labels = test_split
    path = MODELS / f"{name}.onnx"
    accuracy = float((run(session(path), inputs).argmax(1) == labels).mean())
    assert accuracy >= TARGETS[name], f"{name}: {accuracy:.4f} < {TARGETS[name]}"
    card = json.loads((MODELS / f"{name}.json").read_text())
    assert card["test"]["accuracy"] == pytest.approx(accuracy, abs=1e-9)  # the card tells the truth


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_committed_model_metadata_and_card(name):
    meta = read_metadata(MODELS / f"{name}.onnx")
    assert meta["model_name"] == name
    assert float(meta["norm_mean"]) == preprocess.MEAN and float(meta["norm_std"]) == preprocess.STD
    assert int(meta["input_size"]) == preprocess.SIZE and meta["version"]
    card = json.loads((MODELS / f"{name}.json").read_text())
    test = card["test"]
    assert np.array(test["confusion"]).sum() == test["count"] == 10_000
    assert len(test["per_class"]) == 10 and len(test["hardest"]) == 32
    assert card["onnx"]["bytes"] == (MODELS / f"{name}.onnx").stat().st_size
    assert card["architecture"]["parameters"] <= (500_000 if name == "cnn" else 600_000)
    history = card["training"]["history"]
    assert len(history["val_accuracy"]) == len(history["train_loss"]) >= 1
    assert 0 < test["calibration"]["temperature"] < 20
