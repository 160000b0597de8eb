"""The offline renderer's ink pen: as wide as a fixed fraction of the drawing, like a pen on paper."""

import math

import numpy as np
import pytest

from train.drawings import drawn_images
from train.preprocess import to_mnist
from train.render import INK_WIDTH_RATIO, LINE_WIDTH, MIN_INK_WIDTH, ink_width, render_rgba


def ring(cx: float, cy: float, radius: float) -> list[list[tuple[float, float]]]:
    """An "o": one closed stroke."""
    steps = [2 * math.pi * i / 48 for i in range(49)]
    return [[(cx + radius * math.cos(t), cy + radius * math.sin(t)) for t in steps]]


def test_the_pen_is_a_fraction_of_the_drawings_extent():
    seven = [[(60.0, 40.0), (200.0, 40.0), (120.0, 250.0)], [(90.0, 140.0), (170.0, 140.0)]]
    assert ink_width(seven) == pytest.approx(INK_WIDTH_RATIO * 210)  # its longer side is 250 - 40
    half = [[(x / 2, y / 2) for x, y in stroke] for stroke in seven]
    assert ink_width(half) == pytest.approx(ink_width(seven) / 2)
    assert ink_width(seven, ratio=0.1) == pytest.approx(0.1 * 210)  # an experiment's pen (--ink-ratio)


def test_a_thinner_ink_pen_draws_less_ink_into_the_model_input():
    thin, page = (drawn_images([ring(140, 140, 60)], ink_ratio=r)[0].sum() for r in (0.1, INK_WIDTH_RATIO))
    assert thin < 0.8 * page


def test_a_dot_or_nothing_gets_the_smallest_pen():
    assert ink_width([[(100.0, 100.0)]]) == MIN_INK_WIDTH
    assert ink_width([]) == MIN_INK_WIDTH


def test_a_small_loop_stays_open():
    small = ring(140, 140, 8)  # a 16 px "o": the visible 18 px pen fills it
    centre = (140, 140, 0)
    assert render_rgba(small, width=LINE_WIDTH)[centre] < 128
    assert render_rgba(small)[centre] == 255


def test_the_model_input_does_not_depend_on_the_drawings_size():
    small, large = ring(140, 140, 30), ring(140, 140, 110)
    a, b = to_mnist(render_rgba(small)), to_mnist(render_rgba(large))
    assert abs(a.sum() - b.sum()) / b.sum() < 0.05  # as much ink, whatever the size
    shifts = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]  # placement may differ by a pixel
    assert min(np.abs(np.roll(a, shift, axis=(0, 1)) - b).mean() for shift in shifts) < 0.04
    fixed_small, fixed_large = (to_mnist(render_rgba(r, width=LINE_WIDTH)) for r in (small, large))
    assert fixed_small.sum() > 1.5 * fixed_large.sum()  # the visible pen would make a small "o" a blob
