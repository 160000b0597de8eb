"""Digit or not, in the page: held-out non-digits (UNIPEN letters and symbols of held-out writers,
held-out-seeded shapes) and held-out digits replayed on the pad as mouse input.

The page's verdict, calibrated probabilities and "not a digit" score must be CPython's
(train/rejection.py with the calibration in the model's metadata) for the very input the page
made, and the verdicts must come out as the model card's held-out figures say. The letters and
the digits need the data sets; the shapes need none.
"""

from __future__ import annotations

import numpy as np
import pytest

from train import nondigits, pendigits, rejection, unipen
from train.onnx_run import all_logits, read_metadata, session
from train.preprocess import normalize
from train.strokes import thinned

pytestmark = pytest.mark.e2e

SHAPES_PER_KIND = 2
LETTERS = 24
DIGITS = 30
# The shipped model says "not a digit" by a second network in its file, trained with an 11th output
# (export/pair.py): on all held-out non-digits it catches 94.3% (the card's figures, `python -m
# export.rejection_card site/models/cnn.onnx`; issue 19 asks 95%). The samples are seeded and the replay
# deterministic: CPython catches 15 of these 16 shapes and 23 of these 24 letters, thinned as replayed (6
# px) or not (2026-12-03); the floors were set for an earlier detector that caught 21 of the letters.
MIN_SHAPES_CAUGHT = 14 / 16
MIN_LETTERS_CAUGHT = 20 / 24
MAX_DIGITS_UNSURE = 2
WORDS = {"digit": "It's a", "unsure": " or ", "not-digit": "doesn't look like a digit"}


@pytest.fixture(scope="module")
def model(dist):
    path = dist / "models" / "cnn.onnx"
    calibration = rejection.Calibration.from_metadata(read_metadata(path))
    assert calibration is not None, "the shipped CNN carries no calibration: run python -m export.rejection_card"
    return session(path), calibration


def python_answer(model, pixels: np.ndarray) -> dict:
    """CPython's answer for the 28x28 input the page made (in [0, 1])."""
    sess, calibration = model
    logits = all_logits(sess, normalize(pixels[None].astype(np.float32)))
    return {
        "probs": rejection.digit_probabilities(logits, calibration.temperature)[0],
        "not_digit": float(rejection.not_digit_score(logits, calibration.temperature, calibration.method)[0]),
        "verdict": str(rejection.verdict(logits, calibration)[0]),
    }


def replay(pad, model, strokes_on_pad) -> tuple[dict, dict, str]:
    """(the page's prediction, CPython's answer for the page's own input, the verdict's words). The
    strokes (on the 280 px bitmap) are replayed with a point every 6 bitmap pixels (`thinned`: UNIPEN's
    traces hold a point a pixel or less apart); CPython reads the input the page made of them."""
    shown = pad.draw_bitmap(thinned(strokes_on_pad))
    expected = python_answer(model, pad.model_input())
    words = pad.find("#verdict").text_content()
    pad.clear()
    return shown, expected, words


def check_agrees(shown: dict, expected: dict, words: str) -> None:
    probs = np.asarray(shown["probs"])
    assert probs.sum() == pytest.approx(1.0, abs=1e-6)
    assert np.abs(probs - expected["probs"]).max() < 1e-5
    assert float(shown["notDigit"]) == pytest.approx(expected["not_digit"], abs=1e-5)
    assert shown["verdict"] == expected["verdict"]
    assert WORDS[shown["verdict"]] in words, (shown["verdict"], words)


def caught_in_the_page(pad, model, made: list[nondigits.NonDigit], what: str) -> tuple[float, list]:
    """Each non-digit replayed and checked against CPython: (share called "not a digit", (what, verdict) each)."""
    found = []
    for item in made:
        shown, expected, words = replay(pad, model, item.on_pad())
        check_agrees(shown, expected, words)
        found.append((item.what, shown["verdict"]))
    caught = float(np.mean([v == "not-digit" for _, v in found]))
    print(f"{what}: {caught:.0%} not a digit; " + ", ".join(f"{k} {v}" for k, v in found))
    return caught, found


def test_held_out_shapes_are_not_digits_in_the_page(pad, model):
    shapes = nondigits.shapes(SHAPES_PER_KIND * len(nondigits.SHAPES), "held-out")
    caught, found = caught_in_the_page(pad, model, shapes, "shapes")
    assert caught >= MIN_SHAPES_CAUGHT, found


@pytest.fixture(scope="module")
def letters() -> list[nondigits.NonDigit]:
    if nondigits.resolve_path() is None or unipen.resolve_path() is None:
        pytest.skip(f"UNIPEN letters not found: set ${unipen.ENV_VAR} to the folder holding {nondigits.FILE_NAME}")
    every = nondigits.letters_of_split(nondigits.load_letters(), unipen.splits(unipen.load()), "held-out")
    by_character: dict[str, list[nondigits.NonDigit]] = {}
    for letter in sorted(every, key=lambda n: n.seed):
        by_character.setdefault(letter.what, []).append(letter)
    characters = sorted(by_character)
    return [by_character[characters[(i * 7) % len(characters)]][i // len(characters)] for i in range(LETTERS)]


def test_held_out_letters_are_not_digits_in_the_page(pad, model, letters):
    caught, found = caught_in_the_page(pad, model, letters, "letters")
    assert caught >= MIN_LETTERS_CAUGHT, found


def test_held_out_digits_are_digits_in_the_page(pad, model):
    if pendigits.resolve_path() is None or unipen.resolve_path() is None:
        pytest.skip(f"pendigits or UNIPEN not found: set ${pendigits.ENV_VAR} and ${unipen.ENV_VAR}")
    pen = sorted(pendigits.by_writers(pendigits.load(), pendigits.HELD_OUT_WRITERS), key=lambda d: (d.label, d.writer))
    written = sorted(unipen.by_split(unipen.load(), "held-out"), key=lambda d: unipen.seed_of(d.source))
    sample = [d.on_pad(280, 280) for d in pen[:: len(pen) // (DIGITS // 2)][: DIGITS // 2]]
    sample += [d.on_pad() for d in written[: DIGITS - len(sample)]]
    verdicts = []
    for strokes in sample:
        shown, expected, words = replay(pad, model, strokes)
        check_agrees(shown, expected, words)
        verdicts.append(shown["verdict"])
    print(f"digits: {verdicts.count('digit')} digit, {verdicts.count('unsure')} unsure, "
          f"{verdicts.count('not-digit')} not a digit of {len(verdicts)}")  # fmt: skip
    assert verdicts.count("not-digit") == 0
    assert verdicts.count("unsure") <= MAX_DIGITS_UNSURE


def test_no_prediction_no_verdict(pad):
    pad.clear()
    data = pad.find("#prediction").evaluate("e => ({...e.dataset})")
    assert data["verdict"] == "" and data["notDigit"] == "" and pad.find("#verdict").text_content() == ""
