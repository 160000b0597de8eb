"""export/layers.py: the layer view's outputs are the reader's real activations (batch norm folded as export folds
it, within the export's tolerance of PyTorch's unfolded network), and adding them changes no other output."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from export import gradcam, layers
from export.onnx_io import TOLERANCE, export
from export.pair import outputs
from train import contract
from train.models import build
from train.onnx_run import read_metadata


def trained_like_reader() -> torch.nn.Module:
    """A small CNN whose batch norms have statistics of their own (as training leaves them), so folding matters."""
    torch.manual_seed(0)
    cnn = build("cnn", width=8)
    for module in cnn.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.2, 0.2)
    return cnn.eval()


def inputs(rows: int = 8) -> np.ndarray:
    return np.random.default_rng(0).normal(0.0, 1.0, (rows, 1, 28, 28)).astype(np.float32)


@pytest.fixture
def exported(tmp_path):
    cnn = trained_like_reader()
    module, names, extra = gradcam.exportable(cnn)
    path = export(module, tmp_path / "cnn.onnx", "cnn", names, extra)
    return cnn, path


def test_the_layers_are_pytorchs_and_nothing_else_changes(exported):
    cnn, path = exported
    before = outputs(path, inputs())
    layers.add_to_file(path)
    after = outputs(path, inputs())
    assert all(np.array_equal(before[name], after[name]) for name in before)
    checked = layers.check(path, inputs(), cnn)  # against the unfolded network
    assert checked["activations_max_abs_difference_vs_pytorch"] <= TOLERANCE
    expected = layers.pytorch_layers(cnn, inputs())
    shapes = [(8, 28), (8, 28), (8, 14), (16, 14), (16, 14), (16, 7)]
    for stage, (channels, side) in zip(layers.STAGES, shapes, strict=True):
        got = after[contract.LAYER_OUTPUT_PREFIX + stage]
        assert got.shape == (8, channels, side, side)
        assert np.abs(got - expected[stage]).max() <= TOLERANCE
    assert read_metadata(path)[contract.LAYER_OUTPUTS_KEY] == ",".join(layers.STAGES)


def test_the_kernels_are_the_folded_convolutions(exported):
    cnn, path = exported
    layers.add_to_file(path)
    got = outputs(path, inputs(1))[contract.KERNEL_OUTPUT_PREFIX + "conv1"]
    conv, norm = cnn.features[0][0], cnn.features[0][1]
    scale = (norm.weight / torch.sqrt(norm.running_var + norm.eps)).detach()
    assert np.abs(got - (conv.weight.detach() * scale[:, None, None, None]).numpy()).max() <= TOLERANCE


def test_the_card_entry_holds_the_first_kernels(exported):
    _cnn, path = exported
    layers.add_to_file(path)
    entry = layers.card_entry(path, {"checked_inputs": 8})
    assert [s["name"] for s in entry["stages"]] == list(layers.STAGES)
    assert entry["kernels_conv1"]["dims"] == [8, 1, 3, 3] and len(entry["kernels_conv1"]["data"]) == 72


def test_a_graph_not_shaped_like_the_reader_is_refused(tmp_path):
    path = export(build("mlp").eval(), tmp_path / "mlp.onnx", "mlp")
    with pytest.raises(ValueError, match="not the reader's shape"):
        layers.add_to_file(path)
