"""Number mode in the page (issue 20): the mode switch, constructed numbers read digit by
digit, a 4 in two strokes is one digit, touching digits are two, the boxes cover the ink,
undo takes the last stroke from the right digit, and the page's digits are CPython's
(train/segment.py, train/render.py, train/preprocess.py, onnxruntime) for the same strokes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bench.number import HEIGHT, written
from evaluate.pagekit import Pad, error_text, open_page, wait_ready

pytestmark = pytest.mark.e2e

VISIBLE_PEN_RADIUS = 9.0  # #pad data-line-width / 2


def number(digits: list[int], lefts: list[float]) -> list[list[tuple[float, float]]]:
    """The digits' strokes, one after the other, each digit's box's left edge at its `lefts` (bitmap pixels)."""
    return [stroke for digit, left in zip(digits, lefts, strict=True) for stroke in written(digit, left)]


def digits_of(prediction: dict) -> list[dict]:
    return json.loads(prediction["digits"])


@pytest.fixture(scope="module")
def number_page(browser, base_url):
    """The main page in Number mode (?mode=number), ready."""
    session = open_page(browser, base_url + "?mode=number")
    got = wait_ready(session.page)
    assert got == "ready", f"page did not become ready: {got}: {error_text(session.page)}"
    yield session
    session.context.close()


@pytest.fixture
def pad(number_page):
    pad = Pad(number_page.page)
    yield pad
    if pad.find("#prediction").get_attribute("data-strokes") != "0":
        pad.clear()


def test_the_url_chooses_number_mode_and_the_pad_is_wide(number_page, pad):
    assert number_page.page.input_value("#mode") == "number"
    assert pad.find("#prediction").get_attribute("data-mode") == "number"
    shape = [pad.find("#pad").get_attribute(f"data-bitmap-{side}") for side in ("width", "height")]
    assert shape == ["840", "280"]
    box = pad.box()
    assert box["width"] / box["height"] == pytest.approx(3, rel=0.02)


def test_a_number_is_read_digit_by_digit(pad):
    prediction = pad.draw_bitmap(number([1, 4, 7, 0], [80, 240, 420, 600]))
    found = digits_of(prediction)
    assert prediction["number"] == "1470", found
    assert prediction["digit"] == ""  # four digits: no single one
    assert [d["digit"] for d in found] == [1, 4, 7, 0]
    assert prediction["mode"] == "number"
    for d in found:
        assert sum(d["probs"]) == pytest.approx(1, abs=1e-5)
        assert d["verdict"] in ("digit", "unsure", "not-digit")
    assert prediction["probs"] == found[-1]["probs"]  # the bars show the newest digit's
    lefts = [d["box"][0] for d in found]
    assert lefts == sorted(lefts)
    assert pad.find("#digits li").count() == 4


def test_only_the_digit_being_written_is_read_anew(pad):
    """Writing a number's last digit reads that digit alone, in one batch; the others keep their answers."""
    pad.page.evaluate("window.digitPad.live.timings.length = 0")
    pad.draw_bitmap(number([1, 4, 7, 0], [80, 240, 420, 600]))
    timings = pad.page.evaluate("window.digitPad.timings()")
    assert timings[-1]["digits"] == 4
    # Each frame reads the digit under the pen (and, while a new stroke is a mere mark, the digit it
    # joins for now), not the whole number again.
    assert sum(t["fresh"] for t in timings) <= 0.5 * sum(t["digits"] for t in timings), timings
    assert all(t["fresh"] <= 2 for t in timings), timings
    pad.find("#undo").click()
    pad.wait_prediction(4)
    assert pad.page.evaluate("window.digitPad.timings().at(-1).fresh") == 0  # the 0 is gone, the rest kept


@pytest.mark.parametrize("digit", [4, 5])
def test_a_four_or_five_in_two_strokes_is_one_digit_and_a_lone_one_is_the_digit(pad, digit):
    strokes = written(digit, 300)
    assert len(strokes) == 2
    prediction = pad.draw_bitmap(strokes)
    assert prediction["number"] == str(digit)
    assert prediction["digit"] == str(digit)  # exactly one digit found: data-digit is it
    assert len(digits_of(prediction)) == 1


def test_touching_digits_are_two(pad):
    # The 7's right end (x = 200 + 0.6 * 160 = 296) passes the 1's stroke at x = 294: they touch.
    strokes = written(7, 200) + written(1, 294 - 0.3 * HEIGHT)
    prediction = pad.draw_bitmap(strokes)
    assert prediction["number"] == "71", digits_of(prediction)


def test_the_boxes_cover_the_ink(pad):
    strokes = number([1, 4, 0], [100, 300, 560])
    prediction = pad.draw_bitmap(strokes)
    found = digits_of(prediction)
    assert len(found) == 3
    owners = [0, 1, 1, 2]  # the digit each stroke belongs to
    for stroke, owner in zip(strokes, owners, strict=True):
        x, y, w, h = found[owner]["box"]
        low, high = np.asarray(stroke).min(axis=0), np.asarray(stroke).max(axis=0)
        assert (low - VISIBLE_PEN_RADIUS >= np.array([x, y]) - 1).all(), (stroke, found[owner]["box"])
        assert (high + VISIBLE_PEN_RADIUS <= np.array([x + w, y + h]) + 1).all(), (stroke, found[owner]["box"])


def test_undo_takes_the_last_stroke_from_the_right_digit(pad):
    strokes = number([7, 4], [150, 400])  # the 4's stem is the last stroke
    before = digits_of(pad.draw_bitmap(strokes))
    assert [d["digit"] for d in before] == [7, 4]
    pad.find("#undo").click()
    after = digits_of(pad.wait_prediction(len(strokes) - 1))
    assert len(after) == 2
    assert after[0]["box"] == before[0]["box"]  # the 7 is untouched
    bottom = [d["box"][1] + d["box"][3] for d in (before[1], after[1])]
    assert bottom[1] < bottom[0] - 0.3 * HEIGHT  # the stem (down to 1.0) is gone from the 4 (its bar: 0.65)


def test_picking_a_digit_shows_its_bars_and_input(pad):
    prediction = pad.draw_bitmap(number([1, 7], [150, 400]))
    found = digits_of(prediction)
    pad.find("#digits li:nth-child(1) button").click()
    pad.find('#digits li:nth-child(1) button[aria-pressed="true"]').wait_for(state="attached")
    shown = pad.prediction()
    assert shown["probs"] == found[0]["probs"]
    assert pad.find("#bars li.top").get_attribute("data-digit") == "1"


def test_the_page_reads_what_cpython_reads(pad, dist):
    """The same strokes, read by the page and by train/numbers.py in CPython (segment, render
    each digit alone, preprocess, one onnxruntime batch), give the same digits and probabilities."""
    from train import numbers
    from train.onnx_run import session

    strokes = number([1, 4, 7, 0], [80, 240, 420, 600])
    prediction = pad.draw_bitmap(strokes)
    page_strokes = pad.page.evaluate("window.digitPad.pad.strokes")
    model = session(dist / "models" / "cnn.onnx")
    read, probs, _ = numbers.read_offline(model, [np.asarray(s) for s in page_strokes], numbers.calibration_of(model))
    assert "".join(read) == prediction["number"]
    page_probs = np.array([d["probs"] for d in digits_of(prediction)])
    assert np.abs(page_probs - probs).max() < 0.02


def test_switching_modes_clears_the_pad(number_page, pad):
    page = number_page.page
    pad.draw_bitmap(written(1, 300))
    page.select_option("#mode", "digit")
    pad.wait_empty()
    assert pad.find("#prediction").get_attribute("data-mode") == "digit"
    assert pad.find("#pad").get_attribute("data-bitmap-width") == "280"
    assert pad.find("#digits").is_hidden()
    page.select_option("#mode", "number")
    pad.find('#prediction[data-mode="number"]').wait_for(state="attached")
    assert pad.find("#pad").get_attribute("data-bitmap-width") == "840"


REPLAYED = 12  # held-out numbers replayed (every length and gap class: make_numbers cycles through them)
MIN_EXACT = 0.75  # of the replayed numbers read exactly (the sample is small; `build.py numbers` measures it all)


def test_held_out_numbers_read_in_the_page_as_in_cpython(pad, dist):
    """Numbers built from held-out pendigits writers' digits (train/numbers.py), replayed as mouse
    input: the page reads each as CPython does, and most of them exactly."""
    from train import numbers, pendigits
    from train.onnx_run import session

    if pendigits.resolve_path() is None:
        pytest.skip(f"pendigits data not found: set ${pendigits.ENV_VAR} to the folder holding {pendigits.FILE_NAME}")
    writers = numbers.pendigits_writers(pendigits.by_writers(pendigits.load(), pendigits.HELD_OUT_WRITERS))
    sample = numbers.make_numbers(writers, REPLAYED, seed=0)
    model = session(dist / "models" / "cnn.onnx")
    calibration = numbers.calibration_of(model)
    exact = 0
    for n in sample:
        in_page = pad.draw_bitmap(n.strokes)["number"]
        pad.clear()
        offline = "".join(numbers.read_offline(model, n.strokes, calibration)[0])
        truth = "".join(map(str, n.labels))
        assert in_page == offline, f"{truth} ({n.writer}, {n.gap_class}): page {in_page!r}, CPython {offline!r}"
        exact += in_page == truth
    assert exact / len(sample) >= MIN_EXACT, f"{exact} of {len(sample)} read exactly"


def test_axe_finds_nothing_in_number_mode(pad):
    from bench import axe

    pad.draw_bitmap(number([1, 7], [150, 400]))
    found = axe.violations(pad.page)
    assert not found, axe.report(found)
