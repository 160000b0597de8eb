"""Number mode's cost per prediction (issue 20): an 8-digit number on the wide pad, in the
same bench run as the single digit. Seven digits are written, then the eighth is written,
undone and written again at a hand's pace (one pointer move per display frame) until
enough predictions were timed: every timed prediction reads a number of 8 digits (the
eighth one partly written, as while someone writes it).

The digits are fixed shapes (`SHAPES`, in a unit box, x right, y down) so that the bench
needs no data set; the e2e tests draw them too."""

from __future__ import annotations

import math
import time

from bench.loads import PAGE_READY, TIMEOUT_MS
from evaluate.pagekit import Pad

MOVE_INTERVAL_S = 1 / 60
HEIGHT = 150.0  # bitmap pixels of the 840x280 pad
TOP = 65.0
PITCH = 98.0  # from one digit's left edge to the next one's


def _ring(cx: float, cy: float, rx: float, ry: float, start: float, end: float, steps: int = 16) -> list:
    """Points of an elliptic arc from angle `start` to `end` (0: the top, clockwise)."""
    angles = (start + (end - start) * i / steps for i in range(steps + 1))
    return [(cx + rx * math.sin(t), cy - ry * math.cos(t)) for t in angles]


# Each digit as a person might write it: strokes of (x, y) points in a box 0.6 wide, 1 high.
SHAPES: dict[int, list[list[tuple[float, float]]]] = {
    0: [_ring(0.30, 0.5, 0.30, 0.5, 0, 2 * math.pi, 24)],
    1: [[(0.30, 0.0), (0.30, 0.5), (0.30, 1.0)]],
    2: [_ring(0.30, 0.28, 0.28, 0.28, -1.4, 2.2, 10) + [(0.0, 1.0), (0.30, 1.0), (0.60, 1.0)]],
    3: [_ring(0.28, 0.25, 0.26, 0.25, -1.6, 3.0, 10) + _ring(0.28, 0.75, 0.3, 0.25, 0.0, 4.6, 12)[1:]],
    4: [[(0.40, 0.0), (0.20, 0.35), (0.0, 0.65), (0.30, 0.65), (0.60, 0.65)], [(0.45, 0.25), (0.45, 0.6), (0.45, 1.0)]],
    5: [[(0.55, 0.0), (0.1, 0.0)], [(0.1, 0.0), (0.05, 0.45)] + _ring(0.28, 0.7, 0.3, 0.3, -1.2, 4.2, 12)[1:]],
    6: [[(0.50, 0.0), (0.20, 0.3), (0.02, 0.65)] + _ring(0.30, 0.72, 0.28, 0.28, -1.5, 4.8, 14)],
    7: [[(0.0, 0.0), (0.30, 0.0), (0.60, 0.0), (0.45, 0.35), (0.30, 0.70), (0.22, 1.0)]],
    8: [_ring(0.30, 0.25, 0.22, 0.25, math.pi, 3 * math.pi, 14) + _ring(0.30, 0.75, 0.28, 0.25, 0, 2 * math.pi, 14)],
    9: [_ring(0.30, 0.28, 0.27, 0.28, math.pi / 2, math.pi / 2 - 2 * math.pi, 16) + [(0.56, 0.6), (0.48, 1.0)]],
}


def written(digit: int, left: float, top: float = TOP, height: float = HEIGHT) -> list[list[tuple[float, float]]]:
    """`digit`'s strokes in bitmap pixels, its box's left edge at `left`."""
    return [[(left + x * height, top + y * height) for x, y in points] for points in SHAPES[digit]]


def number(digits: list[int], left: float = 20.0, pitch: float = PITCH) -> list[list[list[tuple[float, float]]]]:
    """Each digit's strokes, the digits `pitch` apart from `left`."""
    return [written(d, left + i * pitch) for i, d in enumerate(digits)]


EIGHT_DIGITS = [3, 1, 4, 1, 5, 9, 2, 6]


def stroke_at_pace(page, pad: Pad, points: list[tuple[float, float]]) -> None:
    box = pad.box()
    mouse = page.mouse
    due = time.perf_counter()
    for i, (x, y) in enumerate(points):
        time.sleep(max(0.0, due - time.perf_counter()))
        due += MOVE_INTERVAL_S
        mouse.move(box["x"] + x, box["y"] + y)
        if i == 0:
            mouse.down()
    mouse.up()


def densified(points: list[tuple[float, float]], step: float = 6.0) -> list[tuple[float, float]]:
    """Points no more than `step` CSS pixels apart, as a moving hand gives them."""
    out = [points[0]]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        n = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / step))
        out += [(x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(1, n + 1)]
    return out


def measure(playwright, chromium: str, url: str, args: list[str], predictions: int) -> dict:
    """Per-prediction timings (the page's, see predictor.js) while the 8th digit of a number is written."""
    browser = playwright.chromium.launch(executable_path=chromium, args=args)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url + "?mode=number")
        page.wait_for_function(PAGE_READY, timeout=TIMEOUT_MS)
        pad = Pad(page)
        digits = [pad.on_screen(strokes) for strokes in number(EIGHT_DIGITS)]
        for strokes in digits[:-1]:
            for points in strokes:
                pad.stroke(points)
        pad.wait_prediction(sum(len(s) for s in digits[:-1]))
        page.evaluate("window.digitPad.live.timings.length = 0")
        last = [densified(points) for points in digits[-1]]
        every = sum(len(s) for s in digits)
        eight = "window.digitPad.live.timings.filter((t) => t.digits === 8).length"
        while page.evaluate(eight) < predictions:
            for points in last:
                stroke_at_pace(page, pad, points)
            found = pad.wait_prediction(every)["number"]
            for _ in last:
                page.keyboard.press("Control+z")
        timings = [t for t in page.evaluate("window.digitPad.timings()") if t["digits"] == 8][:predictions]
        return {"timings": timings, "number": found}
    finally:
        browser.close()
