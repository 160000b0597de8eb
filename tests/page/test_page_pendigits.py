"""Real pen strokes: digits of the held-out writers (UCI pendigits) replayed as mouse input.

Each writer's 500x500 tablet box is mapped onto the pad (tablet y axis up), so every
digit keeps the size and place its writer gave it. Needs the pendigits folder
($PENDIGITS_DIR); skipped, with the reason, when it is absent.
"""

from __future__ import annotations

import os
import random

import numpy as np
import pytest

from train import pendigits

pytestmark = pytest.mark.e2e

SAMPLE_SIZE = int(os.environ.get("PENDIGITS_E2E_SAMPLE", "100"))  # at least 100 (issue 3)
# The full held-out run (`python build.py drawings`, 1,248 digits) measured 99.2% in the page
# (issue 4's target is 99.3%); a 100-digit sample may hold a few of writer 28's hard digits (the
# shipped model reads 99 of these 100 offline, 2026-12-03).
MIN_ACCURACY = 0.98
SEED = 0


@pytest.fixture(scope="module")
def digits() -> list[pendigits.PenDigit]:
    """The held-out writers' digits: no training or model choice ever used them."""
    if pendigits.resolve_path() is None:
        pytest.skip(f"pendigits data not found: set ${pendigits.ENV_VAR} to the folder holding {pendigits.FILE_NAME}")
    return pendigits.by_writers(pendigits.load(), pendigits.HELD_OUT_WRITERS)


def replay(pad, digit: pendigits.PenDigit) -> dict:
    box = pad.box()
    strokes = digit.on_pad(box["width"], box["height"])
    prediction = pad.draw(strokes)
    pad.clear()
    return prediction


def test_sample_covers_all_writers_and_classes(digits):
    sample = pendigits.spread_sample(digits, SAMPLE_SIZE, SEED)
    assert len(sample) >= 100
    assert {d.label for d in sample} == set(range(10))
    assert {d.writer for d in sample} == set(pendigits.HELD_OUT_WRITERS)


def test_real_strokes_are_recognized(pad, digits):
    sample = pendigits.spread_sample(digits, SAMPLE_SIZE, SEED)
    wrong = []
    for digit in sample:
        prediction = replay(pad, digit)
        assert prediction["strokes"] == len(digit.strokes)
        if prediction["digit"] != str(digit.label):
            wrong.append(f"{digit.label}->{prediction['digit']} (writer {digit.writer})")
    accuracy = 1 - len(wrong) / len(sample)
    print(f"pendigits replay: {accuracy:.1%} of {len(sample)} right; wrong: {', '.join(wrong)}")
    assert accuracy >= MIN_ACCURACY, f"{accuracy:.1%} < {MIN_ACCURACY:.0%}; wrong: {', '.join(wrong)}"


@pytest.mark.parametrize("label", [4, 5, 7])
def test_multi_stroke_digits_use_all_strokes(pad, digits, label):
    candidates = [d for d in digits if d.label == label and len(d.strokes) >= 2]
    digit = random.Random(SEED + label).choice(candidates)
    box = pad.box()
    strokes = digit.on_pad(box["width"], box["height"])
    prediction = pad.draw(strokes)
    assert prediction["strokes"] == len(strokes)
    assert prediction["digit"] == str(label)
    ink = pad.bitmap()[:, :, 0] < 128
    scale = 280 / box["width"]
    for points in strokes:  # every stroke is in the bitmap that was predicted
        x, y = points[len(points) // 2]
        assert ink[min(int(y * scale), 279), min(int(x * scale), 279)]


def test_offline_renderer_draws_what_the_page_draws(pad, digits):
    """train/render.py (training and offline evaluation) must reproduce the page's ink
    bitmap from the same stroke points; anti-aliasing may differ at the edges only."""
    render = pytest.importorskip("train.render")
    for digit in pendigits.spread_sample(digits, 10, seed=SEED + 1):
        box = pad.box()
        pad.draw(digit.on_pad(box["width"], box["height"]))
        page = pad.bitmap()[:, :, 0].astype(int)
        strokes = pad.page.evaluate("window.digitPad.pad.strokes")  # the points in bitmap space
        points = [[tuple(point) for point in stroke] for stroke in strokes]
        page_width = pad.page.evaluate("s => import('./js/element/ink.js').then((pad) => pad.inkWidth(s))", strokes)
        assert page_width == render.ink_width(points)  # the same pen, to the last bit
        offline = render.render_rgba(points)[:, :, 0].astype(int)
        difference = np.abs(page - offline)
        assert difference.mean() < 1.0, f"digit {digit.label}: mean difference {difference.mean():.2f} grey levels"
        assert (difference > 32).mean() < 0.005, f"digit {digit.label}: {(difference > 32).sum()} pixels differ"
        pad.clear()
