"""Drawings as pen trajectories (train/strokes.py): resized on the pad, thinned for a replay; and the training
drawings repeated as written (train/training_drawings.py)."""

import numpy as np
import pytest
import torch

from train import pendigits
from train.render import BITMAP_SIZE, render_rgba
from train.strokes import resized, thinned
from train.training_drawings import pen_tensors

SEVEN = [[(60.0, 40.0), (200.0, 40.0), (120.0, 250.0)], [(90.0, 140.0), (170.0, 140.0)]]
HAS_PENDIGITS = pendigits.resolve_path() is not None


def points(strokes) -> np.ndarray:
    return np.concatenate([np.asarray(s) for s in strokes])


@pytest.mark.skipif(not HAS_PENDIGITS, reason=f"pendigits not found (set ${pendigits.ENV_VAR} to its folder)")
def test_pen_tensors_repeat_the_drawings_as_written():
    digits = pendigits.by_writers(pendigits.load(), pendigits.TRAIN_WRITERS)[:6]
    once, once_labels = pen_tensors(digits, dry_run=False)
    images, labels = pen_tensors(digits, dry_run=False, repeat=3)
    assert images.shape == (18, 1, 28, 28) and torch.equal(labels, once_labels.repeat(3))
    assert torch.equal(images[:6], once) and torch.equal(images[6:12], once) and torch.equal(images[12:], once)


def test_resized_draws_the_same_digit_larger_in_the_middle_of_the_pad():
    def extent(strokes):
        p = points(strokes)
        return (p.max(axis=0) - p.min(axis=0)).max()

    double = resized(SEVEN, 2.0)
    assert [len(s) for s in double] == [len(s) for s in SEVEN]
    p = points(double)
    np.testing.assert_allclose((p.min(axis=0) + p.max(axis=0)) / 2, [BITMAP_SIZE / 2] * 2)
    half = resized(SEVEN, 0.5)
    assert extent(half) == pytest.approx(extent(SEVEN) / 2)
    assert extent(double) < 2 * extent(SEVEN)  # 420 px would not fit: as large as fits, ink included
    ink = render_rgba(double)[:, :, 0] < 255
    assert not (ink[0].any() or ink[-1].any() or ink[:, 0].any() or ink[:, -1].any())


def test_thinned_keeps_both_ends_and_points_a_step_apart():
    line = np.stack([np.arange(0, 10.5, 0.5), np.zeros(21)], axis=1)  # 0, 0.5, ..., 10 on a line
    (thin,) = thinned([line], step=3.0)
    assert thin.tolist() == [[0, 0], [3, 0], [6, 0], [9, 0], [10, 0]]
    dot = np.array([[4.0, 4.0]])
    assert thinned([dot])[0].tolist() == [[4.0, 4.0]]
    assert [len(s) for s in thinned([line, dot, line[:2]], step=3.0)] == [5, 1, 2]  # a short stroke keeps its ends
    assert thinned([line])[0].tolist() == [[0, 0], [6, 0], [10, 0]]  # REPLAY_STEP: 6 px
