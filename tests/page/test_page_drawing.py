"""Drawing on the page: predictions, clear and undo, and the model input it computes.

All tests share one loaded page (see conftest.py for the page's test contract).
"""

from __future__ import annotations

import numpy as np
import pytest

from train import preprocess, render

pytestmark = pytest.mark.e2e

# A "7" in pad fractions: a bar, then a slanted stem (two strokes).
SEVEN = [[(0.30, 0.25), (0.50, 0.25), (0.70, 0.25)], [(0.70, 0.25), (0.60, 0.45), (0.50, 0.65), (0.45, 0.80)]]
ONE = [[(0.50, 0.20), (0.50, 0.40), (0.50, 0.60), (0.50, 0.80)]]


def scaled(strokes, box):
    return [[(x * box["width"], y * box["height"]) for x, y in points] for points in strokes]


def test_empty_pad_is_ready_without_prediction(app, pad):
    data = pad.prediction()
    assert data["state"] == "ready"
    assert data["digit"] == ""
    assert data["probs"] == []
    assert data["strokes"] == 0
    assert app.page.is_hidden("#error")


def test_pad_exposes_its_bitmap_parameters(app):
    assert app.page.get_attribute("#pad", "data-bitmap-size") == "280"
    assert app.page.get_attribute("#pad", "data-line-width") == "18"
    assert float(app.page.get_attribute("#pad", "data-ink-width-ratio")) == render.INK_WIDTH_RATIO
    assert float(app.page.get_attribute("#pad", "data-ink-min-width")) == render.MIN_INK_WIDTH


def test_prediction_has_probabilities_that_sum_to_one(pad):
    data = pad.draw(scaled(SEVEN, pad.box()))
    probs = np.asarray(data["probs"])
    assert probs.shape == (10,)
    assert np.all((probs >= 0) & (probs <= 1))
    assert probs.sum() == pytest.approx(1.0, abs=1e-6)
    assert data["digit"] == str(int(probs.argmax()))
    assert data["strokes"] == 2


def test_clear_button_and_escape(app, pad):
    pad.draw(scaled(ONE, pad.box()))
    app.page.click("#clear")
    pad.wait_empty()
    pad.draw(scaled(ONE, pad.box()))
    app.page.keyboard.press("Escape")
    pad.wait_empty()
    assert pad.prediction()["probs"] == []
    assert app.page.evaluate("window.digitPad.bitmap()") == ""


def test_undo_button_and_ctrl_z(app, pad):
    box = pad.box()
    pad.draw(scaled(SEVEN, box))
    app.page.click("#undo")
    assert pad.wait_prediction(1)["strokes"] == 1
    app.page.keyboard.press("Control+z")
    pad.wait_empty()
    app.page.keyboard.press("Control+z")  # undo on an empty pad does nothing
    pad.wait_empty()
    assert pad.draw(scaled(ONE, box))["strokes"] == 1


def test_a_click_draws_a_dot(pad):
    box = pad.box()
    pad.stroke([(0.5 * box["width"], 0.5 * box["height"])])
    assert pad.wait_prediction(1)["strokes"] == 1
    ink = pad.bitmap()[:, :, 0] < 128
    disc = np.pi * (render.MIN_INK_WIDTH / 2) ** 2  # a dot has no extent: the ink pen's smallest width
    assert 0.5 * disc < ink.sum() < 2 * disc
    rows, cols = np.nonzero(ink)
    assert abs(rows.mean() - 140) < 2 and abs(cols.mean() - 140) < 2


def test_model_input_equals_preprocessing_in_cpython(pad):
    pad.draw(scaled(SEVEN, pad.box()))
    bitmap = pad.bitmap()
    assert bitmap.shape == (280, 280, 4)
    expected = preprocess.to_mnist(bitmap)
    assert expected is not None
    np.testing.assert_allclose(pad.model_input(), expected, atol=1e-5, rtol=0)


EDGE_SEVEN = [[(0.0, 0.02), (0.5, 0.02)], [(0.5, 0.02), (0.3, 0.6)]]  # ink on the pad's top and left edges
SMALL_DOT = [[(0.8, 0.8)]]


@pytest.mark.parametrize("strokes", [SEVEN, EDGE_SEVEN, SMALL_DOT], ids=["seven", "at-the-edge", "dot"])
def test_only_the_inked_region_is_read_and_nothing_is_lost(pad, strokes):
    """The page reads and preprocesses only the region around the ink (ink.js inkRegion):
    the bitmap it stands for must be the whole ink canvas, pixel for pixel, and the input
    what CPython computes from that whole canvas."""
    pad.draw(scaled(strokes, pad.box()))
    whole = np.asarray(
        pad.page.evaluate("Array.from(window.digitPad.pad.inkContext.getImageData(0, 0, 280, 280).data)"),
        dtype=np.uint8,
    ).reshape(280, 280, 4)
    np.testing.assert_array_equal(pad.bitmap(), whole)
    np.testing.assert_allclose(pad.model_input(), preprocess.to_mnist(whole), atol=1e-5, rtol=0)
    pad.clear()


def test_multi_stroke_prediction_uses_every_stroke(pad):
    box = pad.box()
    pad.draw(scaled(SEVEN, box))
    ink = pad.bitmap()[:, :, 0] < 128
    for points in SEVEN:  # every stroke's ends are inked in the bitmap that was predicted
        for x, y in (points[0], points[-1]):
            assert ink[int(y * 280), int(x * 280)]
