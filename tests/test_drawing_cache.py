"""The drawing cache: a second run gets the very drawings the first drew, without drawing; anything that
changes the drawings draws anew; a broken cache is reported and drawn again, never a crash."""

import os
from pathlib import Path

import pytest
import torch

from train import drawing_cache, drawings, mnist, nondigits, pendigits, unipen
from train.__main__ import main as train_main
from train.drawing_cache import DrawingCache, resolve_dir
from train.training_drawings import non_digit_tensors, pen_tensors

HAS_PENDIGITS = pendigits.resolve_path() is not None
HAS_UNIPEN = unipen.resolve_path() is not None and nondigits.resolve_path() is not None


def counting(images: torch.Tensor, labels: torch.Tensor):
    calls = []

    def draw():
        calls.append(1)
        return images, labels

    return draw, calls


def test_a_hit_is_the_drawn_arrays_and_draws_nothing(tmp_path):
    images, labels = torch.rand(5, 1, 28, 28), torch.arange(5)
    cache = DrawingCache(tmp_path / "cache")
    draw, calls = counting(images, labels)
    first = cache.get({"kind": "test", "seed": 1}, draw)
    again = cache.get({"kind": "test", "seed": 1}, draw)
    assert len(calls) == 1 and torch.equal(again[0], images) and torch.equal(again[1], labels)
    assert first[0] is images  # the first run trains on what it drew
    cache.get({"kind": "test", "seed": 2}, draw)  # another setting: drawn anew, kept beside
    assert len(calls) == 2 and len(list((tmp_path / "cache").glob("test-*.npz"))) == 2
    assert not list((tmp_path / "cache").glob(".*.tmp"))  # written whole, then renamed


def test_a_broken_cache_file_is_reported_and_drawn_again(tmp_path, capsys):
    images, labels = torch.rand(3, 1, 28, 28), torch.arange(3)
    cache = DrawingCache(tmp_path)
    draw, calls = counting(images, labels)
    cache.get({"kind": "test"}, draw)
    (path,) = tmp_path.glob("test-*.npz")
    path.write_bytes(path.read_bytes()[:100])  # a run stopped while copying it, a full disk...
    again = cache.get({"kind": "test"}, draw)
    assert len(calls) == 2 and torch.equal(again[0], images)
    assert f"cannot use {path}" in capsys.readouterr().err
    assert torch.equal(cache.get({"kind": "test"}, draw)[0], images) and len(calls) == 2  # and written again


def test_a_cache_that_cannot_be_written_is_reported_and_training_goes_on(tmp_path, capsys):
    (tmp_path / "a-file").write_text("not a folder")
    draw, calls = counting(torch.zeros(1, 1, 28, 28), torch.zeros(1, dtype=torch.int64))
    drawn = DrawingCache(tmp_path / "a-file" / "cache").get({"kind": "test"}, draw)
    assert drawn[0].shape == (1, 1, 28, 28) and len(calls) == 1 and "cannot write" in capsys.readouterr().err


def test_the_folder_is_the_option_then_the_environment_then_checkpoints(monkeypatch, tmp_path):
    monkeypatch.setenv("DIGIT_PAD_CACHE", str(tmp_path))
    assert resolve_dir("elsewhere") == Path("elsewhere")
    assert resolve_dir(None) == tmp_path
    monkeypatch.delenv("DIGIT_PAD_CACHE")
    assert str(resolve_dir(None)) == os.path.join("checkpoints", ".drawings")


@pytest.mark.skipif(not HAS_PENDIGITS, reason=f"pendigits not found (set ${pendigits.ENV_VAR} to its folder)")
def test_cached_digits_are_the_drawn_ones_and_settings_draw_anew(tmp_path, monkeypatch):
    digits = pendigits.load()[:8]
    cache = DrawingCache(tmp_path)
    plain = pen_tensors(digits, False, 2, cache=cache)
    assert torch.equal(plain[0], pen_tensors(digits, False, 2)[0])  # the same as drawn without a cache

    def no_drawing(*args, **kwargs):
        raise AssertionError("drew instead of reading the cache")

    with monkeypatch.context() as patch:
        patch.setattr(drawings, "drawn_images", no_drawing)
        got = pen_tensors(digits, False, 2, cache=cache)
        assert torch.equal(got[0], plain[0]) and torch.equal(got[1], plain[1])
        for other in (
            lambda: pen_tensors(digits[:7], False, 2, cache=cache),
            lambda: pen_tensors(digits, False, 3, cache=cache),
            lambda: pen_tensors(digits, False, 2, ink_ratio=0.12, cache=cache),
        ):
            with pytest.raises(AssertionError, match="drew instead"):
                other()
    monkeypatch.setattr(drawing_cache, "code_digest", lambda: "render.py edited")  # the drawing code changed
    pen_tensors(digits, False, 2, cache=cache)
    assert len(list(tmp_path.glob("digits-*.npz"))) == 2


@pytest.mark.skipif(not HAS_UNIPEN, reason=f"UNIPEN digits and letters not found (set ${unipen.ENV_VAR})")
def test_cached_non_digits_are_the_drawn_ones(tmp_path, monkeypatch):
    cache = DrawingCache(tmp_path)
    drawn = non_digit_tensors(12, True, cache=cache)
    monkeypatch.setattr(drawings, "drawn_images", lambda *a, **k: pytest.fail("drew instead of reading the cache"))
    again = non_digit_tensors(12, True, cache=cache)
    assert torch.equal(drawn[0], again[0]) and torch.equal(drawn[1], again[1])


@pytest.mark.skipif(
    not (HAS_PENDIGITS and mnist.resolve_dir().joinpath("train-images-idx3-ubyte.gz").is_file()),
    reason=f"MNIST and pendigits not found (set ${mnist.ENV_VAR} and ${pendigits.ENV_VAR})",
)
def test_training_keeps_its_drawings_where_told_and_dry_runs_alone_keep_none(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGIT_PAD_CACHE", str(tmp_path / "default"))
    run = ["--dry-run", "--width", "8", "--pen-repeat", "1"]
    assert train_main([*run, "--out", str(tmp_path / "a")]) == 0
    assert not (tmp_path / "default").exists()  # a dry run checks the pipeline: no cache unless asked
    for out in ("b", "c"):
        assert train_main([*run, "--cache-dir", str(tmp_path / "kept"), "--out", str(tmp_path / out)]) == 0
    assert len(list((tmp_path / "kept").glob("digits-*.npz"))) == 2  # training and validation writers
    assert train_main([*run, "--cache-dir", str(tmp_path / "off"), "--no-cache", "--out", str(tmp_path / "d")]) == 0
    assert not (tmp_path / "off").exists()
    states = [torch.load(tmp_path / d / "cnn.pt", weights_only=False)["state_dict"] for d in "abcd"]
    assert all(torch.equal(states[0][k], state[k]) for state in states[1:] for k in states[0])
