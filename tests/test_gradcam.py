"""Grad-CAM in the exported graph (export/gradcam.py) against torch.autograd, through onnxruntime."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from export import gradcam
from export.onnx_io import FEATURES, INPUT, NOT_DIGIT, OUTPUT, export, verify
from train import mnist, preprocess
from train.models import build, widened
from train.onnx_run import all_logits, read_metadata, session

ROOT = Path(__file__).resolve().parents[1]


def fixed_inputs() -> np.ndarray:
    """MNIST test digits, some shifted and one blank: the same normalized inputs every run."""
    images, _ = mnist.load("test")
    digits = images[:24].astype(np.float32) / 255.0
    shifted = np.roll(digits[:6], shift=(3, -4), axis=(1, 2))
    blank = np.zeros((1, 28, 28), np.float32)
    return preprocess.normalize(np.concatenate([digits, shifted, blank]))


@pytest.fixture(scope="module", params=[0, 1])
def exported(request, tmp_path_factory) -> tuple[torch.nn.Module, Path]:
    """A CNN (two fixed random initializations, one with the BatchNorm statistics of
    real digits) exported with its cam output."""
    torch.manual_seed(request.param)
    model = build("cnn", width=8)
    if request.param:  # a few training-mode passes give BatchNorm non-trivial statistics
        with torch.no_grad():
            model.train()(torch.from_numpy(fixed_inputs()))
    model.eval()
    module, outputs, extra = gradcam.exportable(model)
    path = export(module, tmp_path_factory.mktemp("cam") / "cnn.onnx", "cnn", outputs, extra)
    return model, path


def test_onnx_cam_equals_autograd_reference(exported):
    model, path = exported
    inputs = fixed_inputs()
    cam = session(path).run([gradcam.OUTPUT], {INPUT: inputs})[0]
    reference = gradcam.reference_cam(model, torch.from_numpy(inputs)).numpy()
    assert cam.shape == reference.shape == (len(inputs), 10, 14, 14)
    assert np.all(cam >= 0)
    difference = np.abs(gradcam.normalized(cam) - gradcam.normalized(reference)).max()
    print(f"Grad-CAM, ONNX vs autograd: max abs difference of normalized maps {difference:.2e}")
    assert difference <= gradcam.TOLERANCE
    assert (reference.max(axis=(2, 3)) > 0).mean() > 0.5  # most maps are not empty: the comparison means something
    assert gradcam.verify(model, session(path), inputs) == pytest.approx(difference)


def test_cam_output_keeps_the_logits_and_says_so_in_the_metadata(exported):
    model, path = exported
    assert verify(model, path, fixed_inputs()) <= 1e-4
    names = [o.name for o in session(path).get_outputs()]
    assert names == [OUTPUT, gradcam.OUTPUT, FEATURES]  # features: the handwriting memory's (issue 37)
    meta = read_metadata(path)
    assert meta["cam_output"] == gradcam.OUTPUT and meta["cam_layer"] == gradcam.LAYER
    assert meta["output_name"] == OUTPUT


def test_graph_has_no_gradient_operators(exported):
    _, path = exported
    ops = {node.op_type for node in onnx.load(str(path)).graph.node}
    assert not any("Grad" in op for op in ops), ops


def test_the_mlp_is_exported_as_it_is():
    mlp = build("mlp")
    module, outputs, extra = gradcam.exportable(mlp)
    assert module is mlp and outputs == () and extra == {}


def test_normalized_maps_peak_at_one_and_empty_maps_stay_empty():
    cams = np.zeros((2, 14, 14), np.float32)
    cams[0, 3, 4] = 5.0
    cams[0, 5, 5] = 2.5
    out = gradcam.normalized(cams)
    assert out[0].max() == 1.0 and out[0, 5, 5] == 0.5
    assert not out[1].any()


def test_shipped_cnn_has_a_cam_that_sits_on_the_digit():
    path = ROOT / "site" / "models" / "cnn.onnx"
    if gradcam.OUTPUT not in {o.name for o in session(path).get_outputs()}:
        pytest.skip("the shipped cnn.onnx was exported without Grad-CAM")
    images, _ = mnist.load("test")
    small = images[:50].astype(np.float32) / 255.0
    logits, cam = session(path).run([OUTPUT, gradcam.OUTPUT], {INPUT: preprocess.normalize(small)})
    top = gradcam.normalized(cam[np.arange(len(cam)), logits.argmax(1)])  # [N, 14, 14]
    ink = small.reshape(-1, 14, 2, 14, 2).max(axis=(2, 4)) > 0.1  # the ink, on the cam's 14x14 grid
    on_ink = (top * dilate(ink)).sum(axis=(1, 2)) / np.maximum(top.sum(axis=(1, 2)), 1e-12)
    assert np.median(on_ink) > 0.8


def dilate(mask: np.ndarray) -> np.ndarray:
    """A boolean [N, H, W] mask grown by one cell in every direction."""
    padded = np.pad(mask, ((0, 0), (1, 1), (1, 1)))
    h, w = mask.shape[1:]
    return np.logical_or.reduce([padded[:, dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3)])


def test_the_benchmark_compares_with_the_same_graph_minus_the_cam(exported, tmp_path):
    """bench/costs.py times the page against this model: same logits, no cam, fewer nodes."""
    costs = pytest.importorskip("bench.costs")
    _, path = exported
    model = onnx.load(str(path))
    stripped = costs.without_cam(model)
    assert len(stripped.graph.node) < len(model.graph.node)
    onnx.save_model(stripped, tmp_path / "stripped.onnx")
    inputs = fixed_inputs()
    plain = session(tmp_path / "stripped.onnx")
    assert [o.name for o in plain.get_outputs()] == [OUTPUT, FEATURES]
    np.testing.assert_array_equal(
        plain.run([OUTPUT], {INPUT: inputs})[0], session(path).run([OUTPUT], {INPUT: inputs})[0]
    )
    assert "cam_output" not in read_metadata(tmp_path / "stripped.onnx")
    assert costs.without_cam(stripped) is None


def test_an_eleven_output_cnn_exports_its_not_digit_logit_beside_the_ten(tmp_path):
    torch.manual_seed(2)
    model = build("cnn", width=8, classes=11).eval()
    module, outputs, extra = gradcam.exportable(model)
    assert outputs == (gradcam.OUTPUT, NOT_DIGIT, FEATURES) and extra["not_digit_output"] == NOT_DIGIT
    path = export(module, tmp_path / "cnn.onnx", "cnn", outputs, extra)
    inputs = fixed_inputs()
    sess = session(path)
    logits, cam, not_digit = sess.run([OUTPUT, gradcam.OUTPUT, NOT_DIGIT], {INPUT: inputs})
    assert logits.shape == (len(inputs), 10) and not_digit.shape == (len(inputs), 1)
    assert cam.shape == (len(inputs), 10, 14, 14)  # maps for the ten digits only
    with torch.no_grad():
        expected = model(torch.from_numpy(inputs)).numpy()
    assert np.abs(all_logits(sess, inputs) - expected).max() <= 1e-4
    assert verify(model, path, inputs) <= 1e-4
    assert gradcam.verify(model, sess, inputs) <= gradcam.TOLERANCE
    assert read_metadata(path)["not_digit_output"] == NOT_DIGIT


def test_a_ten_output_base_widens_to_eleven_keeping_its_digits():
    torch.manual_seed(3)
    base = build("cnn", width=8).eval()
    wide = build("cnn", width=8, classes=11).eval()
    wide.load_state_dict(widened(base.state_dict(), wide))
    x = torch.from_numpy(fixed_inputs())
    with torch.no_grad():
        assert torch.allclose(wide(x)[:, :10], base(x), atol=1e-6)


def test_a_cnn_rebuilt_from_its_onnx_file_computes_the_same_logits(exported):
    from train.from_onnx import cnn_from_onnx

    _, path = exported
    inputs = fixed_inputs()
    rebuilt = cnn_from_onnx(path)
    with torch.no_grad():
        logits = rebuilt(torch.from_numpy(inputs)).numpy()
    assert np.abs(logits - all_logits(session(path), inputs)).max() <= 1e-4
