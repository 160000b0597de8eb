"""Weights stored as float16 (export/float16.py): half the bytes, the same graph computing in float32, and the
network rebuilt from such a file (train/from_onnx.py) computes its logits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from export import float16
from train.from_onnx import cnn_from_onnx, float_weights
from train.onnx_run import run, session

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "site" / "models"


def float32_copy(path: Path, folder: Path) -> Path:
    """The shipped model as export wrote it: float32 weights (the casts undone)."""
    model = onnx.load(str(path))
    if float16.is_halved(model):
        weights = float_weights(model.graph)
        casts = {n.output[0] for n in model.graph.node if n.op_type == "Cast" and n.input[0].endswith("_float16")}
        kept = [n for n in model.graph.node if n.output[0] not in casts]
        del model.graph.node[:]
        model.graph.node.extend(kept)
        initializers = [t for t in model.graph.initializer if not t.name.endswith(float16.HALVED_SUFFIX)]
        initializers += [onnx.numpy_helper.from_array(weights[name], name) for name in sorted(casts)]
        del model.graph.initializer[:]
        model.graph.initializer.extend(initializers)
    copy = folder / path.name
    onnx.save_model(model, str(copy))
    return copy


@pytest.mark.parametrize("name", ["cnn", "mlp"])
def test_the_shipped_models_store_their_weights_as_float16(name):
    model = onnx.load(str(MODELS / f"{name}.onnx"))
    assert float16.is_halved(model), f"run python -m export.float16 site/models/{name}.onnx"
    stored = {t.name: t.data_type for t in model.graph.initializer}
    assert all(stored[t + float16.HALVED_SUFFIX] == onnx.TensorProto.FLOAT16 for t in float_weights(model.graph)
               if t + float16.HALVED_SUFFIX in stored)  # fmt: skip


@pytest.mark.parametrize("name", ["cnn", "mlp"])
def test_halving_stores_half_the_bytes_and_computes_in_float32(tmp_path, name):
    original = float32_copy(MODELS / f"{name}.onnx", tmp_path)
    halved_path = tmp_path / f"{name}-halved.onnx"
    onnx.save_model(float16.halved(onnx.load(str(original))), str(halved_path))
    assert halved_path.stat().st_size < 0.55 * original.stat().st_size
    before, after = float_weights(onnx.load(str(original)).graph), float_weights(onnx.load(str(halved_path)).graph)
    assert before.keys() == after.keys()
    for key, value in before.items():
        assert after[key].dtype == value.dtype  # cast back: the graph computes in float32
        if value.dtype == np.float32 and value.size >= float16.MIN_ELEMENTS:
            np.testing.assert_array_equal(after[key], value.astype(np.float16).astype(np.float32))
        else:
            np.testing.assert_array_equal(after[key], value)  # small tensors stay as they were
    inputs = np.random.default_rng(0).normal(size=(64, 1, 28, 28)).astype(np.float32)
    assert run(session(halved_path), inputs).dtype == np.float32
    np.testing.assert_allclose(run(session(halved_path), inputs), run(session(original), inputs), atol=0.05)


def test_the_network_rebuilt_from_a_halved_file_computes_its_logits():
    path = MODELS / "cnn.onnx"
    inputs = np.random.default_rng(1).normal(size=(16, 1, 28, 28)).astype(np.float32)
    with torch.no_grad():
        rebuilt = cnn_from_onnx(path)(torch.from_numpy(inputs)).numpy()
    np.testing.assert_allclose(rebuilt, run(session(path), inputs)[:, :10], atol=1e-4)


def test_a_file_halved_already_is_left_alone(tmp_path, capsys):
    copy = tmp_path / "cnn.onnx"
    onnx.save_model(float16.halved(onnx.load(str(float32_copy(MODELS / "cnn.onnx", tmp_path)))), str(copy))
    assert float16.main([str(copy)]) == 0
    assert "float16 already" in capsys.readouterr().out


def test_a_missing_file_is_said(tmp_path, capsys):
    assert float16.main([str(tmp_path / "nothing.onnx")]) == 2
    assert "no such model file" in capsys.readouterr().err
