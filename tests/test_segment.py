"""Number mode's segmentation (train/segment.py): constructed cases, and properties of any strokes."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from train.segment import Segment, segment, segment_strokes


def line(*points: tuple[float, float], step: float = 4.0) -> np.ndarray:
    """A polyline through `points`, with a point every `step` pixels or so (as a pen samples)."""
    out = [np.asarray(points[0], dtype=np.float64)[None]]
    for a, b in zip(points[:-1], points[1:], strict=True):
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        n = max(1, int(np.ceil(np.hypot(*(b - a)) / step)))
        out.append(a + (b - a) * (np.arange(1, n + 1) / n)[:, None])
    return np.concatenate(out)


def ring(cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, 40)
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


def one(x: float = 100.0, top: float = 60.0, bottom: float = 160.0) -> np.ndarray:
    return line((x - 4, top), (x + 4, bottom))


def four_in_two(x: float = 100.0) -> list[np.ndarray]:
    """The L (down-left, then across), then the upright through its bar."""
    return [line((x + 10, 60), (x - 20, 125), (x + 30, 125)), line((x + 15, 60), (x + 15, 160))]


def groups(strokes: list[np.ndarray]) -> list[tuple[int, ...]]:
    return [s.strokes for s in segment(strokes)]


def test_a_4_in_two_strokes_is_one_digit():
    assert groups(four_in_two()) == [(0, 1)]


def test_a_4_whose_upright_stands_right_of_its_l_is_one_digit():
    # as some writers do: the L ends before the upright, in the upper part of it
    strokes = [line((90, 60), (75, 120), (110, 120)), line((120, 55), (122, 165))]
    assert groups(strokes) == [(0, 1)]


def test_a_7_with_a_bar_is_one_digit():
    seven = [line((60, 60), (120, 60), (85, 160)), line((80, 110), (115, 110))]
    assert groups(seven) == [(0, 1)]


def test_a_5_with_its_top_bar_drawn_after_the_body_is_one_digit():
    body = line((70, 60), (66, 105), (95, 100), (110, 125), (100, 155), (65, 155))
    bar = line((70, 60), (115, 58))
    assert groups([body, bar]) == [(0, 1)]


def test_a_5_whose_top_bar_starts_where_the_body_ends():
    body = line((70, 60), (66, 105), (95, 100), (110, 125), (100, 155), (65, 155))
    bar = line((110, 62), (150, 60))  # right of the body's extent, at its top
    assert groups([body, bar]) == [(0, 1)]


def test_two_touching_digits_are_two():
    zero, other = ring(100, 110, 30, 50), ring(157, 110, 30, 50)  # extents overlap by 3 px
    assert groups([zero, other]) == [(0,), (1,)]
    assert groups([one(100), ring(132, 110, 30, 50)]) == [(0,), (1,)]  # a 1 overlapping a 0 by 2 px
    assert groups([*four_in_two(100), one(128)]) == [(0, 1), (2,)]  # a 1 touching a 4's bar


def test_a_wide_gap_starts_a_new_digit():
    assert groups([one(100), one(300), ring(500, 110, 30, 50)]) == [(0,), (1,), (2,)]


def test_a_lone_dot_is_a_digit_of_its_own():
    assert groups([np.array([[100.0, 100.0]])]) == [(0,)]


def test_a_dot_near_a_digit_joins_it():
    strokes = [one(100), np.array([[112.0, 40.0]]), ring(200, 110, 30, 50)]
    assert groups(strokes) == [(0, 1), (2,)]
    tick = line((215, 55), (222, 52))  # a short tick at the 0's top
    assert groups([*strokes, tick]) == [(0, 1), (2, 3)]


def test_a_lone_stroke_is_one_digit_and_its_box_covers_it():
    stroke = ring(140, 140, 30, 50)
    (found,) = segment([stroke], pen_radius=5.0)
    assert found.strokes == (0,) and found.pieces == ((0, 0, len(stroke)),)
    x, y, w, h = found.box
    assert x <= 110 - 5 and y <= 90 - 5 and x + w >= 170 + 5 and y + h >= 190 + 5


def test_empty_input_and_empty_strokes():
    assert segment([]) == []
    assert segment([np.zeros((0, 2))]) == []
    assert groups([np.zeros((0, 2)), one(100)]) == [(1,)]


def test_11_written_without_lifting_is_two_digits_in_two_pieces():
    # down, across to the next one's top, down: twice as wide as tall, clearly not one digit (SPLIT_WIDTH)
    stroke = line((100, 60), (100, 160), (300, 60), (300, 160))
    found = segment([stroke])
    assert len(found) == 2
    (a,), (b,) = (s.pieces for s in found)
    assert a[0] == b[0] == 0 and a[1] == 0 and a[2] == b[1] and b[2] == len(stroke)  # each point once
    left, right = (np.concatenate(segment_strokes([stroke], s)) for s in found)
    assert left[:, 0].max() < right[:, 0].min()


def test_a_flat_wide_single_digit_is_not_cut():
    assert groups([ring(300, 140, 70, 40)]) == [(0,)]  # a squat 0


def test_segment_strokes_returns_the_segments_points():
    strokes = [*four_in_two(100), one(220)]
    first, second = segment(strokes)
    assert [len(s) for s in segment_strokes(strokes, first)] == [len(strokes[0]), len(strokes[1])]
    np.testing.assert_array_equal(segment_strokes(strokes, second)[0], strokes[2])


def test_a_4_whose_l_ends_low_within_its_uprights_rows_is_one_digit():
    # the L (a short part, well within the upright's rows) ends at 0.78 of the upright's height (rule 4c)
    upright = line((230, 20), (232, 157))
    l_part = line((200, 47), (180, 124), (228, 124))
    assert groups([ring(120, 90, 35, 65), l_part, upright]) == [(0,), (1, 2)]


def test_a_small_digit_beside_a_big_one_stays_a_digit():
    # a 0 at 0.7 of its neighbour's height whose bottom sits a little high (a drifting baseline): rule 4c
    # asks a part within the other's rows to be shorter (SHORT)
    small, big = ring(100, 102, 25, 40), ring(160, 110, 30, 60)  # its bottom 0.23 of the big one's height up
    assert groups([small, big]) == [(0,), (1,)]


def test_a_4_whose_l_stands_above_its_upright_is_one_digit():
    # the L, as tall as the upright, ends in its middle; the upright reaches far below it: on one
    # baseline no two digits end so differently (rule 4c, FLOATING of the taller one's height)
    l_part = line((90, 49), (78, 175), (145, 170))
    upright = line((160, 130), (131, 249))  # overlapping the L's extent by under half (rule 1 keeps two)
    three = line((230, 120), (280, 130), (250, 180), (285, 220), (230, 249))
    assert groups([l_part, upright, three]) == [(0, 1), (2,)]


def test_digits_on_a_slanting_baseline_stay_apart():
    assert groups([ring(100, 110, 30, 50), ring(170, 128, 30, 50)]) == [(0,), (1,)]


def test_a_5s_top_bar_touching_the_next_digit_is_the_5s():
    body = line((70, 75), (66, 110), (95, 105), (110, 130), (100, 160), (65, 160))
    one_after = one(132, 60, 160)  # the 1's top: x 128-136
    bar = line((100, 60), (131, 58))  # from the body's top right to just over the 1 (rule 4a before 4b)
    assert groups([body, bar, one_after]) == [(0, 1), (2,)]
    bar = line((114, 60), (126, 58))  # a short dash floating left of the 1 at its top: not a mark
    assert groups([body, bar, one_after]) == [(0, 1), (2,)]


def test_a_long_slanted_top_bar_is_the_5s_and_is_not_cut():
    # a 5 whose top bar runs far right and up (SLANTED): one digit, though wider than SPLIT_WIDTH
    # allows, as a cut would leave a piece of bar alone (MIN_TALL)
    body = line((270, 130), (262, 180), (300, 175), (313, 210), (300, 240), (262, 240))
    bar = line((296, 130), (500, 68))
    three = line((530, 130), (580, 140), (550, 185), (585, 225), (530, 245))
    assert groups([body, bar, three]) == [(0, 1), (2,)]
    bar = line((296, 130), (520, 100))  # flatter and longer still: wider than SPLIT_WIDTH allows
    three = line((550, 130), (600, 140), (570, 185), (605, 225), (550, 245))
    assert groups([body, bar, three]) == [(0, 1), (2,)]


def test_a_4s_l_touching_a_1_is_not_its_bar():
    # the L overlaps the 1 by a few pixels, a small share of its own extent (rule 4b), and its upright
    # stands right of it (rule 4c)
    strokes = [one(560, 67, 205), one(604, 67, 205), line((640, 122), (605, 172), (666, 172)), one(679, 110, 214)]
    assert groups(strokes) == [(0,), (1,), (2, 3)]


def test_a_4s_l_at_a_small_3s_top_is_not_its_top_bar():
    # as tall as it is wide, an L is no top bar (TOP_WIDE), even where it starts at a small 3's top
    three = line((525, 131), (590, 140), (560, 160), (596, 175), (525, 190))
    strokes = [ring(470, 140, 30, 50), three, line((620, 108), (593, 151), (643, 151)), one(650, 90, 193)]
    assert groups(strokes) == [(0,), (1,), (2, 3)]


def test_an_open_4s_upright_hanging_below_its_l_is_one_digit():
    # the L, tall; its bar ends at the short upright, which starts half-way down and runs on below
    # the L's bottom (rule 4d); drawn apart, its middle 14 px right of the L's extent (rule 1 keeps two)
    l_part = line((130, 40), (100, 125), (104, 150), (150, 150))
    upright = line((166, 100), (162, 170))
    assert groups([l_part, upright, ring(240, 110, 30, 55)]) == [(0, 1), (2,)]
    far = line((200, 100), (196, 170))  # the same upright, well clear of the bar's end: a 1
    assert groups([l_part, far]) == [(0,), (1,)]


def test_a_1_hanging_below_a_digit_it_does_not_touch_stays_a_1():
    # a 1 on a drifting baseline, its bottom 15% of the 6's height below the 6's: no stroke of the 6
    # ends near it (rule 4d asks for the end of a stroke, as an L's bar ends at its upright)
    six = line((130, 50), (95, 110), (100, 150), (130, 155), (140, 125), (100, 115))
    assert groups([six, one(160, 90, 170)]) == [(0,), (1,)]


def test_a_1_with_a_foot_drawn_apart_is_one_digit():
    # the foot: a short flat stroke at the bottom left of the upright, ending where it ends (rule 4b)
    upright = line((150, 40), (140, 160))
    foot = line((110, 158), (136, 162))
    assert groups([ring(60, 110, 30, 50), upright, foot]) == [(0,), (1, 2)]
    flat_zero = ring(75, 140, 55, 20)  # a flat 0, written low beside a 1: too long for a foot
    assert groups([flat_zero, upright]) == [(0,), (1,)]


def test_a_5s_top_bar_starting_below_the_bodys_hook_is_the_5s():
    # the body starts with a hook; the bar leaves its right edge, ending 38% of the way down (4a: TOP)
    body = line((100, 40), (85, 45), (80, 110), (110, 118), (118, 145), (100, 160), (70, 155))
    bar = line((112, 82), (180, 78), (190, 86))
    assert groups([body, bar, ring(260, 110, 30, 55)]) == [(0, 1), (2,)]


def test_a_dot_inside_two_boxes_joins_the_nearer_ink():
    # two touching 0s; the dot lies where their boxes overlap, on the second one's ink
    dot = np.array([[126.0, 100.0], [126.0, 100.0]])
    assert groups([ring(100, 110, 30, 50), ring(155, 110, 30, 50), dot]) == [(0,), (1, 2)]


def test_a_1_overhung_by_its_touching_neighbour_comes_first():
    # a narrow 1 whose right neighbour's extent starts left of it: order by the middle of the boxes
    assert [s.strokes for s in segment([line((100, 60), (101, 160)), ring(128, 110, 30, 50)])] == [(0,), (1,)]


def test_an_8_digit_number_segments_within_a_frame_budget():
    strokes = []
    for k in range(8):
        x = 60 + 95 * k
        strokes += [*four_in_two(x), line((x - 10, 50), (x + 25, 48)), np.array([[x + 40.0, 170.0]])]
    assert len(groups(strokes)) == 8
    start = time.perf_counter()
    for _ in range(20):
        segment(strokes)
    assert (time.perf_counter() - start) / 20 < 0.01  # generous: measured well under 2 ms


def test_forty_strokes_segment_within_a_frame_budget():
    strokes = []
    for k in range(8):
        x = 60 + 95 * k
        strokes += [*four_in_two(x), line((x - 10, 50), (x + 25, 48)), np.array([[x + 40.0, 170.0]])]
        strokes.append(line((x + 30, 60), (x + 32, 160)))
    segment(strokes)
    start = time.perf_counter()
    for _ in range(20):
        segment(strokes)
    assert (time.perf_counter() - start) / 20 < 0.01  # generous: measured about 1 ms


points = st.lists(
    st.tuples(st.floats(0, 840, allow_nan=False), st.floats(0, 280, allow_nan=False)), min_size=0, max_size=12
)


@settings(max_examples=150, deadline=None)
@given(st.lists(points, min_size=0, max_size=14), st.floats(0, 10))
def test_every_inked_point_lands_in_exactly_one_segment_and_the_order_is_left_to_right(raw, radius):
    strokes = [np.array(s, dtype=np.float64).reshape(-1, 2) for s in raw]
    found: list[Segment] = segment(strokes, pen_radius=radius)
    held: dict[int, list[tuple[int, int]]] = {}
    for s in found:
        assert s.strokes == tuple(sorted({i for i, _, _ in s.pieces}))
        for i, a, b in s.pieces:
            held.setdefault(i, []).append((a, b))
    assert sorted(held) == [i for i, s in enumerate(strokes) if len(s)]
    for i, spans in held.items():  # the pieces of a stroke cover its points once
        assert sum(b - a for a, b in spans) == len(strokes[i])
        assert sorted(p for a, b in spans for p in range(a, b)) == list(range(len(strokes[i])))
    middles = [2 * s.box[0] + s.box[2] for s in found]
    assert middles == sorted(middles)
    for s in found:  # boxes cover their points, grown by the pen radius
        x, y, w, h = s.box
        pts = np.concatenate(segment_strokes(strokes, s))
        assert (pts[:, 0] - radius >= x - 1e-9).all() and (pts[:, 0] + radius <= x + w + 1e-9).all()
        assert (pts[:, 1] - radius >= y - 1e-9).all() and (pts[:, 1] + radius <= y + h + 1e-9).all()


@pytest.mark.parametrize("shift", [0.0, 0.5, 300.0])
def test_segmentation_does_not_depend_on_where_the_number_is(shift):
    strokes = [*four_in_two(100), one(200), ring(300, 110, 30, 50)]
    moved = [s + np.array([shift, 0.0]) for s in strokes]
    assert groups(moved) == groups(strokes) == [(0, 1), (2,), (3,)]


def test_the_page_imports_the_copies_by_top_level_names_and_segments_alike(tmp_path: Path):
    """The page imports segment.py and its modules by their top-level names from dist/py/ (build.py's
    SHARED_PYTHON): copied alone, they find each other and give what train.segment gives."""
    train = Path(__file__).resolve().parents[1] / "train"
    for name in ("segment", "segment_geometry", "segment_rules", "segment_split"):
        shutil.copy2(train / f"{name}.py", tmp_path)
    code = (
        "import numpy as np, segment\n"
        "strokes = [np.array(s, dtype=np.float64) for s in "
        "[[[90, 60], [60, 125], [130, 125]], [[115, 60], [115, 160]], [[196, 60], [204, 160]]]]\n"
        "print([(s.strokes, s.box, s.pieces) for s in segment.segment(strokes, pen_radius=3.0)])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    strokes = [np.array(s, dtype=np.float64) for s in [[[90, 60], [60, 125], [130, 125]], [[115, 60], [115, 160]],
                                                        [[196, 60], [204, 160]]]]  # fmt: skip
    expected = [(s.strokes, s.box, s.pieces) for s in segment(strokes, pen_radius=3.0)]
    assert len(expected) == 2 and out.stdout.strip() == repr(expected)
