"""UNIPEN's digits: reading, the writer split, drawing on the pad, training with them, cleaning."""

import gzip
import json
from collections import Counter

import numpy as np
import pytest
import torch

from evaluate.validate import main as validate_main
from train import drawings, mnist, pendigits, unipen, unipen_clean
from train.__main__ import main as train_main
from train.render import BITMAP_SIZE

HAS_UNIPEN = unipen.resolve_path() is not None
needs_unipen = pytest.mark.skipif(not HAS_UNIPEN, reason=f"UNIPEN digits not found (set ${unipen.ENV_VAR})")
needs_mnist = pytest.mark.skipif(
    not all((mnist.resolve_dir() / spec.name).is_file() for spec in mnist.FILES["train"]),
    reason=f"MNIST training split not found (set ${mnist.ENV_VAR} to its folder)",
)


def record(label, writer, strokes, source, institution=None):
    institution = institution or writer.split("/")[0]
    return {"label": str(label), "writer": writer, "institution": institution, "strokes": strokes, "source": source}


def write_folder(folder, records, stats=None):
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / unipen.FILE_NAME, "wt") as f:
        f.writelines(json.dumps(r) + "\n" for r in records)
    if stats is not None:
        (folder / unipen.STATS_NAME).write_text(json.dumps(stats))
    return folder


@pytest.fixture(scope="module")
def small_unipen(tmp_path_factory):
    """A small UNIPEN folder cut from the real one: 10 writers of each of three institutions, 16 digits each."""
    if not HAS_UNIPEN:
        pytest.skip(f"UNIPEN digits not found (set ${unipen.ENV_VAR})")
    chosen, per_writer = [], Counter()
    writers = {}
    with gzip.open(unipen.resolve_path(), "rt") as f:
        for line in f:
            r = json.loads(line)
            if r["institution"] not in ("apb", "ced", "tos"):
                continue
            writers.setdefault(r["institution"], set())
            if r["writer"] not in writers[r["institution"]] and len(writers[r["institution"]]) == 10:
                continue
            writers[r["institution"]].add(r["writer"])
            if per_writer[r["writer"]] < 16:
                per_writer[r["writer"]] += 1
                chosen.append(r)
    return write_folder(tmp_path_factory.mktemp("unipen"), chosen)


def test_records_are_read_with_the_aspect_of_their_tablet(tmp_path):
    stroke = [[0, 0], [10, 20]]
    stats = {"institutions": {"aga": {"x_points_per_inch": "856.7", "y_points_per_inch": "979.3"}}}
    folder = write_folder(tmp_path, [record(7, "aga/a", [stroke], "f 1"), record(3, "ibm/b", [stroke], "f 2")], stats)
    aga, ibm = unipen.load(folder)
    assert (aga.label, aga.writer, aga.institution, aga.source) == (7, "aga/a", "aga", "f 1")
    assert aga.strokes[0][1] == pytest.approx((10.0, 20 * 856.7 / 979.3))  # y units made as long as x units
    assert ibm.strokes[0][1] == (10.0, 20.0)  # no resolution given: as recorded


def test_a_missing_or_broken_file_says_what_is_wrong(tmp_path):
    with pytest.raises(FileNotFoundError, match="UNIPEN digits not found.*UNIPEN_DIR"):
        unipen.load(tmp_path / "nowhere")
    (tmp_path / unipen.FILE_NAME).write_bytes(gzip.compress(b'{"label": "1"}\n'))
    with pytest.raises(ValueError, match="line 1: not a UNIPEN digit record"):
        unipen.load(tmp_path)


def test_every_writer_has_one_split_and_small_institutions_train():
    writers = [f"x/{i}" for i in range(20)]
    splits = Counter(unipen.split_of(w, writers) for w in writers)
    assert splits == {"held-out": 4, "validation": 3, "train": 13}
    assert [unipen.split_of(w, ["y/1", "y/2"]) for w in ("y/1", "y/2")] == ["train", "train"]
    assert unipen.split_of("x/3", writers) == unipen.split_of("x/3", list(reversed(writers)))  # order-free


@needs_unipen
def test_the_real_split_holds_out_at_least_40_writers_of_several_institutions():
    digits = unipen.load()
    of = unipen.splits(digits)
    held_out = [d for d in digits if of[d.writer] == "held-out"]
    assert len({d.writer for d in held_out}) >= 40 and len({d.institution for d in held_out}) >= 8
    assert Counter(of.values())["validation"] >= 30
    train = unipen.by_split(digits, "train")
    assert not {d.writer for d in train} & {d.writer for d in held_out}
    assert len(unipen.by_split(digits, "train", exclude=frozenset({"ced"}))) == len(train) - sum(
        1 for d in train if d.institution == "ced"
    )


def test_a_digit_is_drawn_on_the_pad_at_a_persons_size_and_the_same_every_time():
    tall = [[(0, 0), (0, 300), (50, 300)]]  # an L, 300 device points tall
    digit = unipen.UnipenDigit(4, "x/1", "x", tall, "file 7")
    on_pad = digit.on_pad()
    points = np.array([p for s in on_pad for p in s])
    height = points[:, 1].max() - points[:, 1].min()
    assert unipen.HEIGHTS[0] - 1e-6 <= height <= unipen.HEIGHTS[1] + 1e-6
    assert points.min() > 0 and points.max() < BITMAP_SIZE
    assert digit.on_pad() == on_pad
    assert unipen.UnipenDigit(4, "x/1", "x", tall, "file 8").on_pad() != on_pad  # another digit, another place
    steps = np.hypot(*np.diff(np.array(on_pad[0]), axis=0).T)
    assert steps.max() <= 1.5 * unipen.MAX_SEGMENT  # densified
    half = digit.on_pad(BITMAP_SIZE / 2, BITMAP_SIZE / 2)  # a smaller pad: the same drawing, half as large
    assert np.allclose(np.array(half[0])[[0, -1]] * 2, np.array(on_pad[0])[[0, -1]])


def test_densifying_keeps_the_recorded_points_and_curves_through_them():
    square = np.array([[0.0, 0.0], [40.0, 0.0], [40.0, 40.0]])
    dense = unipen.densified(square, 4.0)
    for point in square:
        assert np.min(np.hypot(*(dense - point).T)) < 1e-9
    assert np.hypot(*np.diff(dense, axis=0).T).max() <= 1.5 * 4.0
    assert dense[len(dense) // 4][1] < 0  # a spline: it swings out before the corner instead of a straight edge


def test_coarse_tablets_outlines_are_smoothed():
    steps = [[(i // 2, (i + 1) // 2) for i in range(30)]]  # a staircase 15 points tall: a coarse tablet
    coarse = unipen.UnipenDigit(1, "x/1", "x", steps, "s")
    drawn = np.array(coarse.on_pad()[0])
    straight = np.array(unipen.placed([[(0, 0), (14, 15)]], unipen.seed_of("s"))[0])
    assert len(drawn) > 2
    # the staircase drawn is close to the diagonal it approximates, not a saw
    direction = (straight[-1] - straight[0]) / np.linalg.norm(straight[-1] - straight[0])
    away = drawn - drawn[0]
    offsets = np.abs(away[:, 0] * direction[1] - away[:, 1] * direction[0])
    assert offsets.max() < 0.02 * BITMAP_SIZE


@needs_mnist
def test_training_mixes_in_unipen_writers_and_records_them(tmp_path, small_unipen, capsys):
    every = unipen.load(small_unipen)
    train_digits = unipen.by_split(every, "train")
    dropped = tmp_path / "dropped.txt"
    dropped.write_text(f"# dropped\n{train_digits[0].source}  # why\n")
    run = ["--dry-run", "--width", "8", "--unipen", str(small_unipen), "--unipen-repeat", "2"]
    assert train_main([*run, "--unipen-drop", str(dropped), "--out", str(tmp_path / "a")]) == 0
    recorded = torch.load(tmp_path / "a" / "cnn.pt", weights_only=False)["unipen"]
    assert recorded["repeat"] == 2 and recorded["dropped"] == 1 and recorded["train_digits"] == len(train_digits) - 1
    validation = {d.writer for d in unipen.by_split(every, "validation")}
    assert set(recorded["validation_writers"]) == validation and validation
    assert train_main([*run, "--unipen-exclude", "ced", "--unipen-fold", "1", "--out", str(tmp_path / "b")]) == 0
    recorded = torch.load(tmp_path / "b" / "cnn.pt", weights_only=False)["unipen"]
    kept = [d for d in train_digits if d.institution != "ced" and unipen.fold_of(d.writer) != 1]
    assert recorded["exclude"] == ["ced"] and recorded["train_digits"] == len(kept)
    assert not any(w.startswith("ced/") for w in recorded["validation_writers"])
    for wrong in (["--unipen-fold", "1"], ["--unipen-repeat", "1", "--unipen-fold", "3"]):
        with pytest.raises(SystemExit) as exit_:
            train_main(["--dry-run", *wrong])
        assert exit_.value.code == 2
    capsys.readouterr()
    assert train_main([*run, "--unipen", str(tmp_path / "nowhere")]) == 2
    assert "UNIPEN digits not found" in capsys.readouterr().err


@needs_mnist
@pytest.mark.skipif(pendigits.resolve_path() is None, reason=f"pendigits not found (set ${pendigits.ENV_VAR})")
def test_validate_pools_both_sources_validation_drawings(tmp_path, small_unipen, capsys):
    run = ["--dry-run", "--width", "8", "--unipen", str(small_unipen), "--unipen-repeat", "1", "--pen-repeat", "1"]
    assert train_main([*run, "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert validate_main([str(tmp_path / "cnn.pt"), "--unipen", str(small_unipen)]) == 0
    first, second = capsys.readouterr().out.split("\n\n")
    pen_accuracy = float(first.splitlines()[1].split()[-2].rstrip("%"))
    _, accuracy, errors, pooled, pooled_errors = second.splitlines()[1].split()
    count = len(unipen.by_split(unipen.load(small_unipen), "validation"))
    assert int(errors) == round((100 - float(accuracy.rstrip("%"))) / 100 * count)
    pen_count = len(pendigits.by_writers(pendigits.load(), pendigits.VALIDATION_WRITERS))
    assert int(pooled_errors) == int(errors) + round((100 - pen_accuracy) / 100 * pen_count)


@needs_mnist
def test_cleaning_lists_the_digits_a_network_that_never_saw_the_writer_rejects(tmp_path, small_unipen, capsys):
    paths = []
    for fold in (1, 2):
        out = tmp_path / str(fold)
        run = ["--dry-run", "--width", "8", "--unipen", str(small_unipen), "--unipen-repeat", "1"]
        assert train_main([*run, "--unipen-fold", str(fold), "--out", str(out)]) == 0
        paths.append(str(out / "cnn.pt"))
    listed, grid = tmp_path / "dropped.txt", tmp_path / "grid.png"
    args = [*paths, "--unipen", str(small_unipen), "--threshold", "0.5", "--out", str(listed), "--grid", str(grid)]
    assert unipen_clean.main(args) == 0
    sources = unipen.read_sources(listed)
    training = {d.source: d for d in unipen.by_split(unipen.load(small_unipen), "train")}
    assert sources and sources <= set(training)  # only training digits, and a dry-run network rejects some
    assert grid.read_bytes().startswith(b"\x89PNG")
    capsys.readouterr()
    assert unipen_clean.main([paths[0], paths[0], "--unipen", str(small_unipen), "--out", str(listed)]) == 2
    assert "fold of its own" in capsys.readouterr().err


def test_suspects_are_the_digits_whose_label_is_unlikely_least_likely_first():
    probabilities = np.array([[0.9, 0.1], [0.005, 0.995], [0.5, 0.5], [0.001, 0.999]])
    assert unipen_clean.suspects(probabilities, np.array([0, 0, 0, 0]), 0.01).tolist() == [3, 1]


@needs_unipen
def test_unipen_digits_read_like_digits_once_drawn():
    """The drawing path works for every institution: a digit drawn has MNIST's amount of ink."""
    digits = unipen.load()
    sample = [next(d for d in digits if d.institution == i) for i in sorted({d.institution for d in digits})]
    images = drawings.drawn_images([d.on_pad() for d in sample])
    ink = images.mean(axis=(1, 2))
    assert ink.min() > 0.05 and ink.max() < 0.3
