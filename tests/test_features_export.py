"""export/features.py: a model file written before export had the `features` output gains it, with every other
output, its metadata and its weights' names unchanged; new exports and pairs have it already."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from export import features as features_export
from export import gradcam, pair
from export.onnx_io import FEATURES, FEATURES_METADATA, NOT_DIGIT, NOT_DIGIT_METADATA, OUTPUT, TOLERANCE, export
from train.models import build
from train.onnx_run import read_metadata


def without_features(module: nn.Module) -> nn.Module:
    """The module as export wrote it before: every output but the last (`features`), its weights' names kept."""

    class Old(type(module)):
        def forward(self, x: torch.Tensor):
            return super().forward(x)[:-1]

    module.__class__ = Old
    return module


def inputs(rows: int = 16) -> np.ndarray:
    return np.random.default_rng(0).normal(0.0, 1.0, (rows, 1, 28, 28)).astype(np.float32)


def reader(seed: int = 0):
    torch.manual_seed(seed)
    return build("cnn", width=8).eval()


@pytest.mark.parametrize("paired", [False, True])
def test_an_old_file_gains_features_and_keeps_the_rest(tmp_path, paired):
    cnn = reader()
    if paired:
        torch.manual_seed(1)
        module, names = (
            pair.ReaderAndDetector(cnn, build("cnn", width=8, classes=11).eval()),
            (gradcam.OUTPUT, NOT_DIGIT),
        )
        extra = {**gradcam.METADATA, **NOT_DIGIT_METADATA, "unsure_threshold": "0.5"}
    else:
        module, names, extra = gradcam.GradCamCNN(cnn), (gradcam.OUTPUT,), dict(gradcam.METADATA)
    old = export(without_features(module.eval()), tmp_path / "cnn.onnx", "cnn", names, extra)
    assert FEATURES not in pair.outputs(old, inputs())
    blob, checked = features_export.with_features(old, inputs())
    new = tmp_path / "new.onnx"
    new.write_bytes(blob)
    before, after = pair.outputs(old, inputs()), pair.outputs(new, inputs())
    assert set(after) == {*before, FEATURES}
    assert all(np.abs(before[name] - after[name]).max() <= TOLERANCE for name in before)
    assert np.abs(after[FEATURES] - features_export.features_of(cnn, inputs())).max() <= TOLERANCE
    assert read_metadata(new) == {**read_metadata(old), **FEATURES_METADATA}
    assert checked["features_max_abs_difference_vs_pytorch"] <= TOLERANCE


def test_new_exports_have_features():
    module, outputs, extra = gradcam.exportable(reader())
    assert outputs[-1] == FEATURES and extra["features_output"] == FEATURES
    found = module(torch.from_numpy(inputs()))
    assert found[-1].shape == (16, 128) and (found[-1] >= 0).all()
    assert torch.equal(found[0], reader()(torch.from_numpy(inputs())))  # the logits are the CNN's
    assert OUTPUT == "logits"
