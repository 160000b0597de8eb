"""One file, two networks (export/pair.py): the paired file reads digits exactly as the reader's own
file does, and its `not_digit` output is the detector's log-odds of its 11th output."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from export import gradcam, pair
from export.onnx_io import FEATURES, NOT_DIGIT, NOT_DIGIT_METADATA, OUTPUT, TOLERANCE, export
from train import mnist, preprocess, rejection
from train.evaluate import softmax
from train.from_onnx import cnn_from_onnx, detector_from_onnx
from train.models import build
from train.onnx_run import read_metadata

SHIPPED = Path(__file__).resolve().parents[1] / "site" / "models" / "cnn.onnx"


def inputs(rows: int = 16) -> np.ndarray:
    return np.random.default_rng(0).normal(0.0, 1.0, (rows, 1, 28, 28)).astype(np.float32)


def exported_reader(folder, seed: int):
    torch.manual_seed(seed)
    reader = build("cnn", width=8).eval()
    module, outputs, extra = gradcam.exportable(reader)
    return export(module, folder / "cnn.onnx", "cnn", outputs, extra), extra


@pytest.fixture(scope="module")
def paired(tmp_path_factory):
    reader_path, extra = exported_reader(tmp_path_factory.mktemp("reader"), seed=0)
    torch.manual_seed(1)
    detector = build("cnn", width=8, classes=11).eval()
    module = pair.ReaderAndDetector(cnn_from_onnx(reader_path), detector).eval()
    path = export(module, tmp_path_factory.mktemp("pair") / "cnn.onnx", "cnn", pair.PAIR_OUTPUTS,
                  {**extra, **NOT_DIGIT_METADATA})  # fmt: skip
    return reader_path, detector, path


def test_the_pair_reads_digits_as_the_reader_alone(paired):
    reader_path, _, path = paired
    before, after = pair.outputs(reader_path, inputs()), pair.outputs(path, inputs())
    assert set(after) == {OUTPUT, gradcam.OUTPUT, NOT_DIGIT, FEATURES}
    assert pair.check_same_reader(before, after) <= TOLERANCE
    assert read_metadata(path)["not_digit_output"] == NOT_DIGIT
    # The reader's weights keep their names, so the paired file can be read back as the reader.
    again = cnn_from_onnx(path)
    with torch.no_grad():
        assert np.abs(again(torch.from_numpy(inputs())).numpy() - before[OUTPUT]).max() <= TOLERANCE


def test_the_pair_judges_with_the_detector(paired):
    _, detector, path = paired
    after = pair.outputs(path, inputs())
    with torch.no_grad():
        own = softmax(detector(torch.from_numpy(inputs())).numpy().astype(np.float64))[:, 10]
    logits = np.concatenate([after[OUTPUT], after[NOT_DIGIT]], axis=1)
    # The page's "detector" score is the detector's own probability of "not a digit", whatever the temperature.
    for temperature in (1.0, 2.5):
        assert np.allclose(rejection.not_digit_score(logits, temperature, "detector"), own, atol=1e-5)


def test_another_reader_is_caught(paired, tmp_path):
    _, _, path = paired
    other, _ = exported_reader(tmp_path, seed=5)
    with pytest.raises(AssertionError, match="otherwise than the reader"):
        pair.check_same_reader(pair.outputs(other, inputs()), pair.outputs(path, inputs()))


def test_a_paired_files_detector_is_rebuilt_and_another_is_caught(paired, tmp_path):
    reader_path, _, path = paired
    in_file = pair.outputs(path, inputs())[NOT_DIGIT]
    rebuilt = pair.judged(detector_from_onnx(path), inputs())
    assert pair.check_same_detector(in_file, rebuilt) <= pair.DETECTOR_TOLERANCE
    torch.manual_seed(7)
    with pytest.raises(AssertionError, match="judges otherwise"):
        pair.check_same_detector(in_file, pair.judged(build("cnn", width=8, classes=11).eval(), inputs()))
    with pytest.raises(ValueError, match="no 'not a digit' detector"):
        detector_from_onnx(reader_path)


def digits_and_noise() -> np.ndarray:
    """Up to 1000 MNIST test images (when at hand), then noise."""
    try:
        images = preprocess.normalize(mnist.load("test")[0][: pair.VERIFY_IMAGES].astype(np.float32) / 255.0)
    except mnist.MnistError:
        images = np.zeros((0, 1, 28, 28), np.float32)
    return np.concatenate([images, inputs(64)])


@pytest.mark.skipif(not SHIPPED.is_file(), reason=f"{SHIPPED} not found")
def test_the_shipped_detector_pairs_with_a_reader_as_it_judged(tmp_path):
    # The shipped file is a reader too: paired with its own detector, it must give its own outputs back.
    detector, facts = pair.onnx_detector(SHIPPED, digits_and_noise())
    module = pair.ReaderAndDetector(cnn_from_onnx(SHIPPED), detector).eval()
    path = export(module, tmp_path / "cnn.onnx", "cnn", pair.PAIR_OUTPUTS, read_metadata(SHIPPED))
    x = digits_and_noise()
    before, after = pair.outputs(SHIPPED, x), pair.outputs(path, x)
    assert np.abs(after[NOT_DIGIT] - before[NOT_DIGIT]).max() <= pair.DETECTOR_TOLERANCE
    assert pair.check_same_reader(before, after) <= TOLERANCE
    # The card says where the detector came from, and how it was trained (the shipped card's words).
    assert facts["source"]["sha256"] and facts["source"]["not_digit_max_abs_difference_rebuilt_vs_source"] <= 1e-5
    card = json.loads(SHIPPED.with_suffix(".json").read_text())
    assert facts["command"] == card["commands"]["detector"]
    assert facts["options"] == card["architecture"]["detector"]["options"]
