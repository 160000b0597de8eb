"""The non-digits (train/nondigits.py): seeded shapes, UNIPEN's letters without look-alikes, split by writer."""

from __future__ import annotations

import numpy as np
import pytest

from train import drawings, nondigits, unipen
from train.render import BITMAP_SIZE


def test_shapes_are_seeded_per_split_and_cover_every_kind():
    first, again = nondigits.shapes(40, "validation"), nondigits.shapes(40, "validation")
    assert [s.strokes for s in first] == [s.strokes for s in again]
    held_out = nondigits.shapes(40, "held-out")
    assert all(a.strokes != b.strokes for a, b in zip(first, held_out, strict=True))
    assert {s.kind for s in first} == set(nondigits.SHAPES)


def test_shapes_lie_on_the_pad_and_leave_ink():
    made = nondigits.shapes(64, "train")
    for shape in made:
        points = np.concatenate([np.asarray(s) for s in shape.on_pad()])
        assert points.min() >= 0 and points.max() <= BITMAP_SIZE, shape.kind
    images = drawings.drawn_images([s.on_pad() for s in made])
    assert (images.reshape(len(made), -1).max(axis=1) > 0.5).all()


def test_on_pad_scales_shapes_to_the_pad():
    shape = nondigits.shapes(1, "train")[0]
    small = np.concatenate([np.asarray(s) for s in shape.on_pad(140, 140)])
    full = np.concatenate([np.asarray(s) for s in shape.on_pad()])
    assert np.allclose(small * 2, full)


def test_a_dash_is_level_and_short():
    dashes = [s for s in nondigits.shapes(90, "train") if s.kind == "short-line"]
    for dash in dashes:
        (x0, y0), (x1, y1) = dash.strokes[0]
        length = np.hypot(x1 - x0, y1 - y0)
        assert nondigits.SHORT_LENGTHS[0] - 1e-9 <= length <= nondigits.SHORT_LENGTHS[1] + 1e-9
        assert abs(y1 - y0) < abs(x1 - x0)  # nearer level than upright: never a 1


def test_several_digits_are_side_by_side():
    one = [[(0.0, 0.0), (0.0, 50.0)]]  # a 1, 50 high
    drawn = nondigits.several_digits(np.random.default_rng(0), [one, one, one])
    xs = sorted(stroke[0][0] for stroke in drawn)
    assert len(drawn) >= 2 and all(b - a > 5 for a, b in zip(xs, xs[1:], strict=False))


def test_an_unknown_split_is_refused():
    with pytest.raises(ValueError, match="no split"):
        nondigits.shapes(3, "test")


@pytest.fixture(scope="module")
def letters():
    if nondigits.resolve_path() is None:
        pytest.skip(f"UNIPEN letters not found: set ${unipen.ENV_VAR} to the folder holding {nondigits.FILE_NAME}")
    return nondigits.load_letters()


def test_letters_leave_the_lookalikes_out(letters):
    seen = {letter.what for letter in letters}
    assert not seen & nondigits.LOOKALIKES
    assert {"x", "*", "#", "A", "k"} <= seen


def test_letter_writers_keep_their_digit_split_and_held_out_letters_come_from_held_out_writers(letters):
    digit_splits = unipen.splits(unipen.load())
    of = nondigits.letter_splits(letters, digit_splits)
    shared = set(of) & set(digit_splits)
    assert shared and all(of[w] == digit_splits[w] for w in shared)
    held_out = nondigits.letters_of_split(letters, digit_splits, "held-out")
    assert held_out and {of[letter.writer] for letter in held_out} == {"held-out"}
    train = {letter.writer for letter in nondigits.letters_of_split(letters, digit_splits, "train")}
    assert not train & {letter.writer for letter in held_out}


def test_a_missing_letters_file_says_where_to_put_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="UNIPEN letters not found"):
        nondigits.load_letters(tmp_path)
