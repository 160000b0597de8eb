"""UNIPEN's held-out writers (many tablets, 14 institutions) replayed as mouse input on the page.

Each digit is drawn at the size and place its source line seeds (train/unipen.py `on_pad`), with a
point every 6 bitmap pixels (train/strokes.py `thinned`: UNIPEN's traces hold a point a pixel or less
apart, and each point is a mouse move), scaled to the pad's CSS box. The page must read them as the
offline evaluation does (train/render.py + train/preprocess.py + onnxruntime in CPython, on the same
thinned points): the renderer check for densified, smoothed strokes.
Needs the UNIPEN folder ($UNIPEN_DIR); skipped, with the reason, when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from train import drawings, unipen
from train.onnx_run import run, session
from train.preprocess import normalize
from train.strokes import thinned

pytestmark = pytest.mark.e2e

SAMPLE_SIZE = int(os.environ.get("UNIPEN_E2E_SAMPLE", "150"))
# The shipped ft-ink reads 96.11% of all 3,649 held-out digits offline (`python3 build.py drawings`) and
# 96.7% of this sample in the page (5 errors, 2026-12-01; thinned to 6 px, 146 of 150 offline, 2026-12-03): the floor is
# what it meets.
MIN_ACCURACY = 0.96


@pytest.fixture(scope="module")
def held_out() -> list[unipen.UnipenDigit]:
    """UNIPEN's held-out writers' digits: no training or model choice ever used them."""
    if unipen.resolve_path() is None:
        pytest.skip(f"UNIPEN digits not found: set ${unipen.ENV_VAR} to the folder holding {unipen.FILE_NAME}")
    return unipen.by_split(unipen.load(), "held-out")


def fixed_sample(digits: list[unipen.UnipenDigit], size: int) -> list[unipen.UnipenDigit]:
    """`size` digits, round robin over the institutions and the ten classes, the same every run."""
    groups: dict[tuple[str, int], list[unipen.UnipenDigit]] = {}
    for digit in sorted(digits, key=lambda d: unipen.seed_of(d.source)):
        groups.setdefault((digit.institution, digit.label), []).append(digit)
    institutions = sorted({d.institution for d in digits})
    sample, taken = [], {}
    for i in range(size):
        label, institution = i % 10, institutions[(i // 10 + i) % len(institutions)]
        key = (institution, label)
        if key not in groups:  # an institution without this digit: the first that has it
            key = next(k for k in sorted(groups) if k[1] == label)
        sample.append(groups[key][taken.get(key, 0) % len(groups[key])])
        taken[key] = taken.get(key, 0) + 1
    return sample


def test_sample_covers_the_classes_and_institutions(held_out):
    sample = fixed_sample(held_out, SAMPLE_SIZE)
    assert {d.label for d in sample} == set(range(10))
    assert len({d.institution for d in sample}) >= 10


def test_held_out_unipen_writers_are_read_in_the_page_as_offline(pad, held_out, dist: Path):
    sample = fixed_sample(held_out, SAMPLE_SIZE)
    replayed = [thinned(d.on_pad()) for d in sample]  # in bitmap pixels, read offline as replayed
    inputs = normalize(drawings.drawn_images(replayed))
    offline = run(session(dist / "models" / "cnn.onnx"), inputs).argmax(1)
    page, wrong = np.zeros(len(sample), dtype=int), []
    for i, (digit, strokes) in enumerate(zip(sample, replayed, strict=True)):
        prediction = pad.draw_bitmap(strokes)
        assert prediction["strokes"] == len(strokes)
        page[i] = int(prediction["digit"])
        if page[i] != digit.label:
            wrong.append(f"{digit.label}->{page[i]} ({digit.writer})")
        pad.clear()
    accuracy = 1 - len(wrong) / len(sample)
    print(f"UNIPEN replay: {accuracy:.1%} of {len(sample)} right; wrong: {', '.join(wrong)}")
    assert (page != offline).sum() <= 1, f"page and offline disagree on {(page != offline).sum()} digits"
    assert accuracy >= MIN_ACCURACY, f"{accuracy:.1%} < {MIN_ACCURACY:.0%}; wrong: {', '.join(wrong)}"
