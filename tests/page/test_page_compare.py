"""The CNN and the MLP side by side on the same drawing once #compare-mlp is ticked, and
the centring option (see conftest.py for the contract). The MLP alone (?model=mlp) still works."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from evaluate.pagekit import Pad, open_page, wait_ready
from train import preprocess, rejection
from train.onnx_run import read_metadata, run, session

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
# A "7" whose ink is top-heavy: its centre of mass sits well above its box's centre.
SEVEN = [[(0.25, 0.22), (0.50, 0.22), (0.75, 0.22)], [(0.75, 0.22), (0.62, 0.45), (0.55, 0.62), (0.52, 0.80)]]
TWO = [[(0.32, 0.32), (0.45, 0.22), (0.62, 0.26), (0.64, 0.42), (0.35, 0.75), (0.68, 0.75)]]


def scaled(strokes, box):
    return [[(x * box["width"], y * box["height"]) for x, y in points] for points in strokes]


def offline_probs(model: str, image: np.ndarray) -> np.ndarray:
    """The shipped model's calibrated probabilities (its metadata's temperature, as the page applies it),
    by onnxruntime in CPython, for a 28x28 input in [0, 1]."""
    path = ROOT / "site" / "models" / f"{model}.onnx"
    calibration = rejection.Calibration.from_metadata(read_metadata(path))
    temperature = calibration.temperature if calibration else 1.0
    logits = run(session(path), preprocess.normalize(image))
    return rejection.digit_probabilities(logits, temperature)[0]


@pytest.fixture
def mlp_shown(app, pad):
    """The shared page with the MLP switched on (and off again afterwards)."""
    page = app.page
    page.check("#compare-mlp")
    page.wait_for_function("document.querySelector('#prediction-mlp').dataset.state === 'ready'")
    assert page.is_visible("#prediction-mlp") and page.is_visible("#bars-mlp")
    yield pad
    page.uncheck("#compare-mlp")
    page.wait_for_function("document.querySelector('#prediction-mlp').dataset.state === 'off'")


def test_the_mlp_answers_only_once_switched_on(app, pad):
    page = app.page
    assert page.is_visible("#compare-mlp") and not page.is_checked("#compare-mlp")
    assert page.get_attribute("#prediction-mlp", "data-state") == "off" and page.is_hidden("#prediction-mlp")
    page.evaluate("window.digitPad.live.timings.length = 0")
    pad.draw(scaled(SEVEN, pad.box()))
    assert page.get_attribute("#prediction-mlp", "data-state") == "off"
    timings = page.evaluate("window.digitPad.timings()")
    assert timings and all(t["companions"] == 0 for t in timings)  # the MLP computed nothing

    page.check("#compare-mlp")  # the drawing on the pad gets the MLP's answer at once
    mlp = pad.wait_companion(len(SEVEN))
    np.testing.assert_allclose(mlp["probs"], offline_probs("mlp", preprocess.to_mnist(pad.bitmap())), atol=1e-4)

    assert page.evaluate("Object.keys(window.digitPad.workers().models).sort()") == ["cnn", "mlp"]
    page.uncheck("#compare-mlp")
    page.wait_for_function("document.querySelector('#prediction-mlp').dataset.state === 'off'")
    assert page.is_hidden("#prediction-mlp")
    # Unticked, the MLP's worker (its own onnxruntime and model) is let go: hours of use stay small.
    page.wait_for_function("Object.keys(window.digitPad.workers().models).join() === 'cnn'")
    pad.clear()
    page.evaluate("window.digitPad.live.timings.length = 0")
    pad.draw(scaled(TWO, pad.box()))
    timings = page.evaluate("window.digitPad.timings()")
    assert timings and all(t["companions"] == 0 for t in timings)  # switched off: idle again
    assert page.get_attribute("#prediction-mlp", "data-state") == "off"

    page.check("#compare-mlp")  # ticked again: loaded again, and it answers
    mlp = pad.wait_companion(len(TWO))
    np.testing.assert_allclose(mlp["probs"], offline_probs("mlp", preprocess.to_mnist(pad.bitmap())), atol=1e-4)
    page.uncheck("#compare-mlp")
    page.wait_for_function("document.querySelector('#prediction-mlp').dataset.state === 'off'")
    assert app.console_errors == []


def test_both_models_predict_on_the_same_drawing(app, mlp_shown):
    pad = mlp_shown
    for strokes in (SEVEN, TWO):
        cnn = pad.draw(scaled(strokes, pad.box()))
        mlp = pad.wait_companion(cnn["strokes"])
        image = preprocess.to_mnist(pad.bitmap())
        np.testing.assert_allclose(pad.model_input(), image, atol=1e-5)
        for name, prediction in (("cnn", cnn), ("mlp", mlp)):  # each is its own model's answer to that input
            probs = np.asarray(prediction["probs"])
            np.testing.assert_allclose(probs, offline_probs(name, image), atol=1e-4)
            assert prediction["digit"] == str(int(probs.argmax()))
        mlp_text = app.page.inner_text("#prediction-mlp")
        assert mlp["digit"] in mlp_text and f"{max(mlp['probs']) * 100:.1f}%" in mlp_text
        assert app.page.is_visible("#compare") and app.page.is_visible("#bars-mlp")
        pad.clear()
        assert pad.page.get_attribute("#prediction-mlp", "data-state") == "ready"


def wait_input(pad: Pad, expected: np.ndarray, timeout_s: float = 15.0) -> None:
    """Waits until the page's model input equals `expected` (after an option changed)."""
    deadline = time.monotonic() + timeout_s
    while not np.allclose(pad.model_input(), expected, atol=1e-5):
        assert time.monotonic() < deadline, "the model input did not change"
        time.sleep(0.05)


def test_skipping_centring_feeds_both_models_the_uncentred_digit(app, mlp_shown):
    pad = mlp_shown
    cnn = pad.draw(scaled(SEVEN, pad.box()))
    bitmap = pad.bitmap()
    centred, uncentred = preprocess.to_mnist(bitmap), preprocess.to_mnist(bitmap, centre=False)
    assert np.abs(centred - uncentred).max() > 0.5  # the two placements differ for this digit
    app.page.check("#skip-centring")
    try:
        wait_input(pad, uncentred)
        data = Pad(app.page).prediction()
        mlp = pad.wait_companion(cnn["strokes"])
        np.testing.assert_allclose(data["probs"], offline_probs("cnn", uncentred), atol=1e-4)
        np.testing.assert_allclose(mlp["probs"], offline_probs("mlp", uncentred), atol=1e-4)
        assert app.page.get_attribute("#gradcam", "data-class") == data["digit"]  # the heatmap follows
    finally:
        app.page.uncheck("#skip-centring")
    wait_input(pad, centred)


def test_what_skipping_centring_costs_each_model_comes_from_the_model_cards(app):
    cards = {name: json.loads((ROOT / "site" / "models" / f"{name}.json").read_text()) for name in ("cnn", "mlp")}
    splits = {name: card.get("drawings", {}).get("held_out_writers", {}) for name, card in cards.items()}
    if any("accuracy_without_centring" not in split for split in splits.values()):
        pytest.skip("the model cards were exported without the figures without centring")
    app.page.wait_for_selector("#centring-figures:not([hidden])")
    text = app.page.inner_text("#centring-figures")
    for name, split in splits.items():
        before, after = split["accuracy"], split["accuracy_without_centring"]
        assert f"{name.upper()} {(before - after) * 100:.1f} points ({before:.1%} → {after:.1%})" in text, text


def test_the_mlp_alone_still_works_and_shows_no_heatmap(browser, base_url):
    session_ = open_page(browser, base_url + "?model=mlp")
    try:
        assert wait_ready(session_.page) == "ready", session_.page.inner_text("#error")
        pad = Pad(session_.page)
        prediction = pad.draw(scaled(SEVEN, pad.box()))
        np.testing.assert_allclose(
            prediction["probs"], offline_probs("mlp", preprocess.to_mnist(pad.bitmap())), atol=1e-4
        )
        page = session_.page
        assert page.is_hidden("#gradcam") and page.get_attribute("#gradcam", "data-class") == ""
        assert page.is_hidden("#gradcam-controls") and page.is_hidden("#compare")
        assert page.get_attribute("#prediction-mlp", "data-state") == "off"
        assert page.evaluate("window.digitPad.gradcam()") is None
        assert json.loads(page.get_attribute("#prediction", "data-probs")) == prediction["probs"]
        assert session_.console_errors == []
    finally:
        session_.context.close()
