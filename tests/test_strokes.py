"""Stroke-level augmentation: distorted trajectories stay drawable on the pad, and training uses them."""

import numpy as np
import pytest
import torch

from train import pendigits
from train.render import BITMAP_SIZE, LINE_WIDTH, render_rgba
from train.strokes import StrokeDistortion, bulged, distort, resized, thinned, trimmed
from train.training_drawings import pen_tensors

SEVEN = [[(60.0, 40.0), (200.0, 40.0), (120.0, 250.0)], [(90.0, 140.0), (170.0, 140.0)]]
HAS_PENDIGITS = pendigits.resolve_path() is not None


def points(strokes) -> np.ndarray:
    return np.concatenate([np.asarray(s) for s in strokes])


def test_without_strength_a_drawing_is_only_moved():
    moved = distort(SEVEN, np.random.default_rng(0), StrokeDistortion(strength=0.0))
    shift = points(moved) - points(SEVEN)
    assert [len(s) for s in moved] == [len(s) for s in SEVEN]
    np.testing.assert_allclose(shift, np.broadcast_to(shift[0], shift.shape), atol=1e-9)


@pytest.mark.parametrize("strength", [0.5, 1.0, 3.0])
def test_distorted_drawings_stay_whole_on_the_pad(strength):
    rng = np.random.default_rng(1)
    big = [[(x * 1.9 - 50, y * 1.1) for x, y in s] for s in SEVEN]  # wider than the pad may take once stretched
    for _ in range(200):
        moved = points(distort(big, rng, StrokeDistortion(strength=strength)))
        assert moved.min() >= LINE_WIDTH / 2 - 1e-6 and moved.max() <= BITMAP_SIZE - LINE_WIDTH / 2 + 1e-6


def test_distortion_changes_shape_and_is_reproducible():
    how = StrokeDistortion()
    a, b = (distort(SEVEN, np.random.default_rng(5), how) for _ in range(2))
    assert a == b
    other = points(distort(SEVEN, np.random.default_rng(6), how))
    centred = [p - p.mean(axis=0) for p in (points(a), other)]
    assert np.abs(centred[0] - centred[1]).max() > 1.0


def test_trimming_cuts_a_stroke_by_its_length_and_opens_a_loop():
    line = np.array([(0.0, 0.0), (4.0, 0.0), (10.0, 0.0)])
    np.testing.assert_allclose(trimmed(line, 0.1, 0.2), [(1.0, 0.0), (4.0, 0.0), (8.0, 0.0)])
    np.testing.assert_allclose(trimmed(line, 0.5, 0.3), [(5.0, 0.0), (7.0, 0.0)])
    short = line[:2]
    assert trimmed(line, 0.0, 0.0) is line and trimmed(short, 0.2, 0.2) is short  # nothing to cut
    square = np.array([(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)])  # a closed loop, 40 long
    opened = trimmed(square, 0.05, 0.05)
    np.testing.assert_allclose([opened[0], opened[-1]], [(2.0, 0.0), (0.0, 2.0)])


def test_trimmed_distortion_shortens_strokes_and_is_reproducible():
    def length(strokes):
        return sum(np.hypot(*np.diff(np.asarray(s), axis=0).T).sum() for s in strokes)

    how = StrokeDistortion(strength=0.0, trim=0.2)  # trimming only: the rest of the drawing stays as it is
    rng = np.random.default_rng(3)
    for _ in range(50):
        cut = distort(SEVEN, rng, how)
        assert 0.6 * length(SEVEN) <= length(cut) <= length(SEVEN) + 1e-9
    assert distort(SEVEN, np.random.default_rng(4), how) == distort(SEVEN, np.random.default_rng(4), how)
    assert distort(SEVEN, np.random.default_rng(4), StrokeDistortion(trim=0.2)) != distort(
        SEVEN, np.random.default_rng(4), StrokeDistortion()
    )


def test_a_bulge_resizes_the_part_near_its_point_and_leaves_the_far_parts():
    at = np.array([0.0, 0.0])
    near = np.array([(1.0, 0.0), (0.0, -1.0)])  # a small part around the point, 0.1 radius away
    far = np.array([(100.0, 0.0), (0.0, 80.0)])
    grown, shrunk = (bulged(np.concatenate([near, far]), at, grow, radius=10.0) for grow in (0.5, -0.5))
    np.testing.assert_allclose(grown[:2], near * np.exp(0.5 * np.exp(-1 / 200)))
    np.testing.assert_allclose(shrunk[:2], near * np.exp(-0.5 * np.exp(-1 / 200)))
    np.testing.assert_allclose(grown[2:], far, atol=1e-9)
    line = np.stack([np.linspace(-40, 40, 81), np.zeros(81)], axis=1)  # points keep their order: no fold
    for grow in (-1.3, 1.3):
        assert np.all(np.diff(bulged(line, at, grow, radius=10.0)[:, 0]) > 0)


def test_bulged_distortion_changes_only_when_asked_and_is_reproducible():
    plain = distort(SEVEN, np.random.default_rng(4), StrokeDistortion())
    assert plain == distort(SEVEN, np.random.default_rng(4), StrokeDistortion(bulge=0.0))
    bulgy = distort(SEVEN, np.random.default_rng(4), StrokeDistortion(bulge=0.5))
    assert bulgy == distort(SEVEN, np.random.default_rng(4), StrokeDistortion(bulge=0.5)) and bulgy != plain


@pytest.mark.skipif(not HAS_PENDIGITS, reason=f"pendigits not found (set ${pendigits.ENV_VAR} to its folder)")
def test_pen_tensors_repeat_first_as_written_then_distorted():
    digits = pendigits.by_writers(pendigits.load(), pendigits.TRAIN_WRITERS)[:6]
    plain, plain_labels = pen_tensors(digits, dry_run=False, repeat=3)
    varied, varied_labels = pen_tensors(digits, dry_run=False, repeat=3, distortion=StrokeDistortion(), seed=2)
    assert plain.shape == varied.shape == (18, 1, 28, 28)
    assert torch.equal(plain_labels, varied_labels) and torch.equal(plain_labels[:6], plain_labels[6:12])
    assert torch.equal(plain[:6], plain[6:12]) and torch.equal(plain[:6], varied[:6])
    assert all(not torch.equal(plain[i], varied[i]) for i in range(6, 18))


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
