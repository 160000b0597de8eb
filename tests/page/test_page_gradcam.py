"""Grad-CAM in the page: the heatmap of the drawn digit, over the pad, for the top class,
a picked class, or all ten (see conftest.py for the contract). All on the shared page."""

from __future__ import annotations

import random

import numpy as np
import pytest

from train import pendigits

pytestmark = pytest.mark.e2e

# Digits in pad fractions (strokes of points).
SEVEN = [[(0.30, 0.25), (0.50, 0.25), (0.70, 0.25)], [(0.70, 0.25), (0.60, 0.45), (0.50, 0.65), (0.45, 0.80)]]
ONE = [[(0.55, 0.20), (0.52, 0.40), (0.50, 0.60), (0.48, 0.80)]]
FOUR = [[(0.55, 0.20), (0.30, 0.60), (0.70, 0.60)], [(0.60, 0.35), (0.60, 0.85)]]
SMALL_TWO_IN_A_CORNER = [[(0.62, 0.62), (0.72, 0.58), (0.80, 0.64), (0.66, 0.82), (0.62, 0.86), (0.84, 0.86)]]
DILATION = 18  # bitmap pixels (the brush's width) added around the ink's bounding box
MIN_MASS_ON_INK = 0.75
# Real drawings: offline (train/render.py, 400 held-out pendigits digits), 93% of the top
# class's maps have more than half their mass on the dilated box, 87% more than 0.75;
# the rest light up the empty field around the digit (a perfectly round "0", e.g.).
PEN_SAMPLE_PER_CLASS = 2


def scaled(strokes, box):
    return [[(x * box["width"], y * box["height"]) for x, y in points] for points in strokes]


def heat_on_ink(pad) -> float:
    """Share of the heatmap's mass inside the ink's bounding box grown by DILATION."""
    heat = pad.heatmap()
    ink = pad.bitmap()[:, :, 0] < 128
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    inside = np.zeros_like(ink)
    inside[
        max(rows[0] - DILATION, 0) : rows[-1] + DILATION + 1, max(cols[0] - DILATION, 0) : cols[-1] + DILATION + 1
    ] = True
    assert heat.sum() > 0, "the heatmap is empty"
    return float(heat[inside].sum() / heat.sum())


def shown_class(app) -> dict:
    return app.page.locator("#gradcam").evaluate("c => ({...c.dataset})")


@pytest.mark.parametrize(
    "strokes", [SEVEN, ONE, FOUR, SMALL_TWO_IN_A_CORNER], ids=["seven", "one", "four", "small-two"]
)
def test_heatmap_of_the_top_class_sits_on_the_ink(app, pad, strokes):
    prediction = pad.draw(scaled(strokes, pad.box()))
    assert app.page.is_visible("#gradcam") and app.page.is_visible("#gradcam28")
    assert shown_class(app) == {"class": prediction["digit"], "source": "top"}
    share = heat_on_ink(pad)
    print(f"digit {prediction['digit']}: {share:.1%} of the heatmap on the ink's box")
    assert share >= MIN_MASS_ON_INK
    state = app.page.evaluate("window.digitPad.gradcam()")
    maps = np.asarray(state["maps"])
    assert maps.shape == (10, state["h"] * state["w"]) and maps.min() >= 0 and maps.max() <= 1
    assert maps[int(prediction["digit"])].max() == pytest.approx(1.0)  # normalized by its maximum


def test_heatmaps_of_real_drawings_sit_on_the_ink(app, pad):
    if pendigits.resolve_path() is None:
        pytest.skip(f"pendigits data not found: set ${pendigits.ENV_VAR} to the folder holding {pendigits.FILE_NAME}")
    held_out = pendigits.by_writers(pendigits.load(), pendigits.HELD_OUT_WRITERS)
    rng = random.Random(0)
    sample = [
        d for label in range(10) for d in rng.sample([d for d in held_out if d.label == label], PEN_SAMPLE_PER_CLASS)
    ]
    shares = []
    for digit in sample:
        box = pad.box()
        prediction = pad.draw(digit.on_pad(box["width"], box["height"]))
        assert shown_class(app) == {"class": prediction["digit"], "source": "top"}
        shares.append(heat_on_ink(pad))
        pad.clear()
    print("share of the heatmap on the ink's box: " + " ".join(f"{s:.2f}" for s in shares))
    assert np.median(shares) >= MIN_MASS_ON_INK
    assert np.mean(np.asarray(shares) > 0.5) >= 0.8


def test_picking_a_bar_shows_that_class_and_picking_it_again_goes_back(app, pad):
    top = pad.draw(scaled(SEVEN, pad.box()))["digit"]
    other, third = [d for d in "358" if d != top][:2]
    app.page.click(f'#bars li[data-digit="{other}"] button')
    assert shown_class(app) == {"class": other, "source": "picked"}
    assert app.page.get_attribute(f'#bars li[data-digit="{other}"] button', "aria-pressed") == "true"
    app.page.focus(f'#bars li[data-digit="{third}"] button')  # the keyboard picks too
    app.page.keyboard.press("Enter")
    assert shown_class(app) == {"class": third, "source": "picked"}
    box = pad.box()
    pad.stroke([(0.2 * box["width"], 0.85 * box["height"])])  # the pick stays while drawing on
    assert pad.wait_prediction(3)["strokes"] == 3
    assert shown_class(app)["class"] == third
    app.page.focus(f'#bars li[data-digit="{third}"] button')
    app.page.keyboard.press("Space")  # the same bar again: back to the top class
    assert shown_class(app) == {"class": pad.prediction()["digit"], "source": "top"}
    app.page.click(f'#bars li[data-digit="{other}"] button')
    pad.clear()  # a clear pad forgets the pick
    assert shown_class(app) == {"class": "", "source": ""}
    assert app.page.is_hidden("#gradcam")
    pad.draw(scaled(ONE, pad.box()))
    assert shown_class(app)["source"] == "top"


def test_all_classes_grid_shows_ten_maps(app, pad):
    prediction = pad.draw(scaled(FOUR, pad.box()))
    assert app.page.is_hidden("#gradcam-grid")
    app.page.check("#gradcam-all")
    try:
        cells = app.page.locator("#gradcam-grid canvas")
        assert cells.count() == 10
        assert [cells.nth(k).get_attribute("data-class") for k in range(10)] == [str(k) for k in range(10)]
        assert all(cells.nth(k).is_visible() for k in range(10))
        shown = app.page.locator("#gradcam-grid .cam-cell.shown")
        assert shown.count() == 1 and shown.get_attribute("data-class") == prediction["digit"]
        painted = app.page.evaluate(
            """() => [...document.querySelectorAll('#gradcam-grid canvas')].map((c) => {
                 const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                 let sum = 0; for (let i = 0; i < d.length; i += 4) sum += d[i] + d[i + 1] + d[i + 2];
                 return sum; })"""
        )
        assert all(total > 0 for total in painted)  # every cell drawn (the input at least)
        other = next(d for d in "0123456789" if d != prediction["digit"])
        app.page.click(f'#gradcam-grid .cam-cell[data-class="{other}"]')  # a cell picks its class
        assert shown_class(app) == {"class": other, "source": "picked"}
        assert app.page.locator("#gradcam-grid .cam-cell.shown").get_attribute("data-class") == other
        app.page.click(f'#gradcam-grid .cam-cell[data-class="{other}"]')
        assert shown_class(app)["source"] == "top"
    finally:
        app.page.uncheck("#gradcam-all")
    assert app.page.is_hidden("#gradcam-grid")


def test_heatmap_can_be_hidden(app, pad):
    pad.draw(scaled(ONE, pad.box()))
    app.page.uncheck("#gradcam-show")
    try:
        assert app.page.is_hidden("#gradcam") and app.page.is_hidden("#gradcam28")
    finally:
        app.page.check("#gradcam-show")
    assert app.page.is_visible("#gradcam")
