"""The shared preprocessing on known inputs and on random bitmaps."""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from train import mnist
from train.preprocess import (
    CENTRE,
    SIZE,
    centre_of_mass,
    fit_box,
    ink_box,
    ink_map,
    normalize,
    place,
    to_mnist,
    to_mnist_framed,
)

WHITE, BLACK = 255, 0


def canvas(height: int, width: int, paper: int = WHITE) -> np.ndarray:
    rgba = np.full((height, width, 4), paper, dtype=np.uint8)
    rgba[:, :, 3] = 255
    return rgba


def paint(rgba: np.ndarray, rows: slice, cols: slice, ink: int = BLACK) -> np.ndarray:
    rgba[rows, cols, :3] = ink
    return rgba


def expected_square() -> np.ndarray:
    image = np.zeros((SIZE, SIZE), np.float32)
    image[5:25, 5:25] = 1.0  # mass centre on pixel 14, as in MNIST
    return image


def test_centred_square_fills_the_20px_box_in_the_middle():
    out = to_mnist(paint(canvas(200, 200), slice(50, 150), slice(50, 150)))
    assert out.shape == (SIZE, SIZE) and out.dtype == np.float32
    np.testing.assert_allclose(out, expected_square(), atol=1e-6)


def test_off_centre_drawing_is_centred():
    out = to_mnist(paint(canvas(200, 200), slice(0, 40), slice(150, 190)))
    np.testing.assert_allclose(out, expected_square(), atol=1e-6)


def test_light_ink_on_dark_paper_and_coloured_ink_give_the_same():
    dark = to_mnist(paint(canvas(120, 120, paper=BLACK), slice(30, 90), slice(30, 90), ink=WHITE))
    np.testing.assert_allclose(dark, expected_square(), atol=1e-6)
    blue = paint(canvas(120, 120), slice(30, 90), slice(30, 90))
    blue[30:90, 30:90, 2] = 255
    np.testing.assert_allclose(to_mnist(blue), expected_square(), atol=1e-6)


def test_transparent_canvas_counts_painted_pixels_as_ink():
    rgba = np.zeros((100, 100, 4), np.uint8)
    rgba[10:60, 20:70, 3] = 255  # black ink, fully opaque, on a transparent canvas
    np.testing.assert_allclose(to_mnist(rgba), expected_square(), atol=1e-6)


def test_empty_and_uniform_canvases_have_no_ink():
    assert to_mnist(canvas(280, 280)) is None
    assert to_mnist(canvas(280, 280, paper=BLACK)) is None
    assert to_mnist(np.zeros((50, 50, 4), np.uint8)) is None  # transparent
    full = paint(canvas(64, 64), slice(None), slice(None))  # ink everywhere is paper
    assert to_mnist(full) is None


def test_one_pixel_becomes_a_centred_dot():
    out = to_mnist(paint(canvas(100, 100), slice(70, 71), slice(10, 11)))
    np.testing.assert_allclose(out, expected_square(), atol=1e-6)


def test_non_square_canvas_and_aspect_ratio():
    out = to_mnist(paint(canvas(100, 300), slice(40, 60), slice(50, 250)))  # a 20x200 bar
    rows = np.flatnonzero(out.max(axis=1) > 0.5)
    cols = np.flatnonzero(out.max(axis=0) > 0.5)
    assert len(cols) == 20 and len(rows) == 2  # longer side 20 px, aspect ratio kept
    assert abs(centre_of_mass(out)[0] - CENTRE) <= 0.5 and abs(centre_of_mass(out)[1] - CENTRE) <= 0.5


def test_anti_aliasing_keeps_partial_coverage():
    out = to_mnist(paint(canvas(100, 100), slice(0, 100), slice(49, 51)))  # a thin vertical line
    column = out[14]
    assert 0 < column.max() <= 1 and column.sum() > 0


def test_without_centring_the_bounding_box_is_centred():
    rgba = paint(canvas(100, 100), slice(10, 90), slice(10, 30))
    paint(rgba, slice(10, 30), slice(10, 90))  # an L-like shape, mass off its box centre
    centred, boxed = to_mnist(rgba), to_mnist(rgba, centre=False)
    assert abs(centre_of_mass(centred)[0] - CENTRE) <= 0.5
    rows = np.flatnonzero(boxed.max(axis=1) > 0)
    assert rows[0] == 4 and rows[-1] == 23


def test_mnist_digits_come_back_nearly_unchanged():
    """MNIST was made by this recipe, so re-applying it to its images changes little."""
    images, _ = mnist.load("test")
    diffs = []
    for image in images[:200]:
        rgba = np.repeat(image[:, :, None], 4, axis=2)
        rgba[:, :, 3] = 255
        diffs.append(np.abs(to_mnist(rgba) - image / 255.0).mean())
    assert np.median(diffs) < 0.01


def test_normalize_matches_training():
    x = normalize(np.ones((2, SIZE, SIZE)))
    assert x.shape == (2, 1, SIZE, SIZE) and x.dtype == np.float32
    np.testing.assert_allclose(x, (1 - 0.1307) / 0.3081, rtol=1e-6)


@st.composite
def drawings(draw):
    height, width = draw(st.integers(8, 160)), draw(st.integers(8, 160))
    dark = draw(st.booleans())
    rgba = canvas(height, width, paper=WHITE if dark else BLACK)
    for _ in range(draw(st.integers(1, 5))):
        r0, c0 = draw(st.integers(0, height - 1)), draw(st.integers(0, width - 1))
        r1, c1 = draw(st.integers(r0 + 1, height)), draw(st.integers(c0 + 1, width))
        level = draw(st.integers(0, 60)) if dark else draw(st.integers(195, 255))
        paint(rgba, slice(r0, r1), slice(c0, c1), ink=level)
    assume(not (rgba[:, :, :3] == rgba[0, 0, :3]).all())  # at least two colours
    return rgba


@settings(max_examples=200, deadline=None)
@given(drawings())
def test_random_bitmaps(rgba):
    out = to_mnist(rgba)
    if out is None:  # only when all the ink sits on the border and counts as paper
        assert fit_box(ink_map(rgba)) is None
        return
    assert out.shape == (SIZE, SIZE) and out.dtype == np.float32
    assert np.isfinite(out).all() and out.min() >= 0 and out.max() <= 1
    digit = fit_box(ink_map(rgba))
    assume(abs(out.sum() - digit.sum()) < 1e-3 * digit.sum())  # no ink cut off at the edge
    r, c = centre_of_mass(out)
    assert abs(r - CENTRE) <= 0.5 + 1e-4 and abs(c - CENTRE) <= 0.5 + 1e-4


@settings(max_examples=100, deadline=None)
@given(drawings(), st.booleans())
def test_frame_maps_the_input_back_onto_the_bitmap(rgba, centre):
    framed = to_mnist_framed(rgba, centre)
    if framed is None:
        assert to_mnist(rgba, centre) is None
        return
    image, (row0, col0, row_scale, col_scale) = framed
    np.testing.assert_array_equal(image, to_mnist(rgba, centre))
    top, bottom, left, right = ink_box(ink_map(rgba))
    digit = fit_box(ink_map(rgba))
    shift_rows, shift_cols = (np.asarray(place(digit, centre) > 0).nonzero()[i].min() for i in (0, 1))
    assume(np.isclose(image.sum(), digit.sum(), rtol=1e-3))  # no ink cut off at the edge
    # the digit's box in the input lands on the ink's box in the bitmap
    np.testing.assert_allclose([row0 + shift_rows * row_scale, col0 + shift_cols * col_scale], [top, left], atol=1e-6)
    end_rows, end_cols = shift_rows + digit.shape[0], shift_cols + digit.shape[1]
    np.testing.assert_allclose(
        [row0 + end_rows * row_scale, col0 + end_cols * col_scale], [bottom, right], rtol=1e-9, atol=1e-6
    )
