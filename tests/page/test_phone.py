"""Phones and tablets: at each size the pad fills the width and the answer is in sight
while drawing; strokes drawn with real touch events (CDP Input.dispatchTouchEvent) give the
right answer without scrolling the page. Screenshots at each size are kept in
$DIGIT_PAD_ARTEFACTS (else pytest's temporary folder; the path is printed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evaluate.pagekit import Pad, contract_data, error_text, open_page, wait_ready

pytestmark = pytest.mark.e2e

PHONES = {"390x844": (390, 844), "360x640": (360, 640), "844x390": (844, 390)}
WIDE = {"768x1024": (768, 1024), "1280x800": (1280, 800)}
SEVEN = [[(0.30, 0.25), (0.50, 0.25), (0.70, 0.25)], [(0.70, 0.25), (0.60, 0.45), (0.50, 0.65), (0.45, 0.80)]]


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> Path:
    given = os.environ.get("DIGIT_PAD_ARTEFACTS")
    folder = Path(given) if given else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots in {folder}")
    return folder


def boxes(page) -> dict:
    """Viewport boxes of the pad and of the digit with its confidence, the viewport, the scroll."""
    return {
        "pad": page.locator("#pad").bounding_box(),
        "digit": page.locator("#digit").bounding_box(),
        "confidence": page.locator("#confidence").bounding_box(),
        "view": page.viewport_size,
        "scroll": page.evaluate("[scrollX, scrollY]"),
    }


def inside(box: dict, view: dict) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= view["width"] + 0.5
        and (box["y"] + box["height"] <= view["height"] + 0.5)
    )


def touch_stroke(cdp, box: dict, points: list[tuple[float, float]]) -> None:
    """One stroke with one finger: touchStart, a touchMove per point, touchEnd (points in pad fractions)."""
    at = [{"x": box["x"] + x * box["width"], "y": box["y"] + y * box["height"]} for x, y in points]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [at[0]]})
    for point in at[1:]:
        for _ in range(2):  # a finger moves in small steps
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def on_a_phone(browser, url: str, size: tuple[int, int]):
    """A page opened as on a phone of `size` (touch, mobile viewport, 3x pixels), ready, its pad
    scrolled to where a thumb draws: the whole pad in view, at the bottom of the screen."""
    width, height = size
    session = open_page(browser, url, viewport={"width": width, "height": height}, has_touch=True,
                        is_mobile=True, device_scale_factor=3)  # fmt: skip
    try:
        assert wait_ready(session.page) == "ready", error_text(session.page)
        session.page.locator("#pad").evaluate("e => e.scrollIntoView({block: 'end'})")
    except BaseException:
        session.context.close()
        raise
    return session


@pytest.mark.parametrize("size", list(PHONES), ids=list(PHONES))
def test_on_a_phone_the_answer_stays_in_sight_and_touch_draws_without_scrolling(browser, base_url, artefacts, size):
    width, height = PHONES[size]
    session = on_a_phone(browser, base_url, PHONES[size])
    page = session.page
    try:
        before = boxes(page)
        assert inside(before["pad"], before["view"]), before
        if width < height:  # portrait: the pad takes the width
            assert before["pad"]["width"] >= width - 40, before
        else:  # landscape: as tall as the screen allows, the answer beside
            assert before["pad"]["height"] >= height - 60, before
        touch_stroke(page.context.new_cdp_session(page), before["pad"], SEVEN[0])
        cdp = page.context.new_cdp_session(page)
        touch_stroke(cdp, before["pad"], SEVEN[1])
        page.locator('#prediction[data-state="predicted"][data-strokes="2"]').wait_for(state="attached", timeout=15_000)
        data = contract_data(page.locator("#prediction"))
        assert data["digit"] == "7", data
        after = boxes(page)
        assert after["scroll"] == before["scroll"], "drawing scrolled the page"
        for part in ("digit", "confidence"):  # the answer is in sight with the pad
            assert inside(after[part], after["view"]), (part, after)
        assert page.locator("#confidence").inner_text().endswith("%")
        page.screenshot(path=str(artefacts / f"phone-{size}.png"))
        assert not session.console_errors, session.console_errors
    finally:
        session.context.close()


@pytest.mark.parametrize("size", list(WIDE), ids=list(WIDE))
def test_tablets_and_desktops_use_the_width(browser, base_url, artefacts, size):
    width, height = WIDE[size]
    session = open_page(browser, base_url, viewport={"width": width, "height": height})
    page = session.page
    try:
        assert wait_ready(page) == "ready", error_text(page)
        got = boxes(page)
        answer = page.locator(".answer-column").bounding_box()
        assert got["pad"]["width"] >= 320, got  # not squeezed
        assert abs(answer["y"] - got["pad"]["y"]) < 40, "the answer sits beside the pad"
        assert inside(got["digit"], got["view"]) and inside(got["pad"], got["view"]), got
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        page.screenshot(path=str(artefacts / f"wide-{size}.png"))
    finally:
        session.context.close()


def test_touch_action_is_off_on_the_pad_only(app):
    page = app.page
    assert page.locator("#pad").evaluate("e => getComputedStyle(e).touchAction") == "none"
    assert page.evaluate("getComputedStyle(document.body).touchAction") == "auto"
    assert page.locator(".answer-column").evaluate("e => getComputedStyle(e).touchAction") == "auto"


def test_number_mode_on_a_phone_the_pad_stays_put_while_writing(browser, base_url, artefacts):
    """Eight digits written with a finger on a 390x844 phone: the answer above the pad grows a
    chip per digit, yet the pad never moves under the finger, and every digit is read."""
    from bench.number import EIGHT_DIGITS, number

    session = on_a_phone(browser, base_url + "?mode=number", (390, 844))
    page = session.page
    try:
        pad = page.locator("#pad")
        start = pad.bounding_box()
        width, height = (float(pad.get_attribute(f"data-bitmap-{side}")) for side in ("width", "height"))
        cdp = page.context.new_cdp_session(page)
        strokes = [s for digit in number(EIGHT_DIGITS) for s in digit]
        for count, points in enumerate(strokes, start=1):
            touch_stroke(cdp, start, [(x / width, y / height) for x, y in points])
            page.locator(f'#prediction[data-strokes="{count}"]').wait_for(state="attached", timeout=15_000)
            assert pad.bounding_box() == start, f"the pad moved after stroke {count}"
        data = contract_data(page.locator("#prediction"))
        assert data["number"] == "".join(map(str, EIGHT_DIGITS)), data
        page.screenshot(path=str(artefacts / "phone-number-390x844.png"))
        assert not session.console_errors, session.console_errors
    finally:
        session.context.close()


# --- The pad stays put under the finger (issue 34) -------------------------------------------

TOUCH_DIGITS = 30  # held-out digits drawn by touch at each phone size
MAX_POINT_ERROR = 0.5  # bitmap px between a point sent and the point the pad recorded

# Installed on the pad before drawing: the pad's box at every pointer event while a pointer is down,
# and every layout shift of the page with its time (PerformanceObserver "layout-shift").
PAD_LOG = """pad => {
  const log = { boxes: [], downs: [], shifts: [], down: null };
  const box = () => { const r = pad.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; };
  pad.addEventListener("pointerdown", () => { log.down = performance.now(); log.boxes.push(box()); });
  pad.addEventListener("pointermove", () => { if (log.down !== null) log.boxes.push(box()); });
  pad.addEventListener("pointerup", () => { log.downs.push([log.down, performance.now()]); log.down = null; });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const moved = entry.sources.map((s) => `${s.previousRect.y}+${s.previousRect.height}->${s.currentRect.y}`);
      log.shifts.push([entry.startTime, entry.value, moved.join(" ")]);
    }
  }).observe({ type: "layout-shift", buffered: true });
  window.padLog = log;
}"""


def touch_points(cdp, strokes: list[list[tuple[float, float]]]) -> None:
    """Strokes in viewport CSS px, one finger: touchStart, a touchMove per point, touchEnd."""
    for points in strokes:
        (x0, y0), *rest = points
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
        for x, y in rest:
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def shifts_while_down(log: dict) -> float:
    """The layout-shift score of the shifts that happened while a pointer was down on the pad."""
    return sum(value for at, value, _ in log["shifts"] if any(down <= at <= up for down, up in log["downs"]))


@pytest.fixture(scope="module")
def held_out_pendigits():
    from train import pendigits

    if pendigits.resolve_path() is None:
        pytest.skip(f"pendigits data not found: set ${pendigits.ENV_VAR} to the folder holding {pendigits.FILE_NAME}")
    digits = pendigits.by_writers(pendigits.load(), pendigits.HELD_OUT_WRITERS)
    return pendigits.spread_sample(digits, TOUCH_DIGITS, seed=34)


@pytest.mark.parametrize("size", list(PHONES), ids=list(PHONES))
def test_touch_drawn_held_out_digits_read_as_in_cpython_and_the_pad_stays_put(
    browser, base_url, dist, held_out_pendigits, size
):
    """Held-out writers' digits drawn by a finger: the pad never moves while a finger is down (no
    layout shift), the pad records exactly the points the finger sent, and the page reads each digit
    as CPython reads the same strokes (train/drawings.py: the page's renderer and preprocessing)."""
    from train.drawings import drawn_images
    from train.onnx_run import run, session
    from train.preprocess import normalize

    model = session(dist / "models" / "cnn.onnx")
    browsing = on_a_phone(browser, base_url, PHONES[size])
    page = browsing.page
    try:
        pad = page.locator("#pad")
        pad.evaluate(PAD_LOG)
        bitmap = float(pad.get_attribute("data-bitmap-width"))
        cdp = page.context.new_cdp_session(page)
        wrong, differ = [], []
        for number, digit in enumerate(held_out_pendigits):
            start = pad.bounding_box()
            scale = bitmap / start["width"]
            page.evaluate("window.padLog.boxes = []")
            # A finger that does not move sends no move: repeated points of the tablet are sent once.
            on_pad = [
                [p for i, p in enumerate(s) if i == 0 or p != s[i - 1]]
                for s in digit.on_pad(start["width"], start["height"])
            ]
            touch_points(cdp, [[(start["x"] + x, start["y"] + y) for x, y in points] for points in on_pad])
            page.locator(f'#prediction[data-state="predicted"][data-strokes="{len(on_pad)}"]').wait_for(
                state="attached", timeout=15_000
            )
            shown = contract_data(page.locator("#prediction"))
            boxes = page.evaluate("window.padLog.boxes")
            assert all(box == [start[k] for k in ("x", "y", "width", "height")] for box in boxes), (
                f"digit {number}: the pad moved under the finger: {boxes[:3]}..."
            )
            recorded = page.evaluate("window.digitPad.pad.strokes")
            assert [len(s) for s in recorded] == [len(s) for s in on_pad], f"digit {number}: points lost"
            error = max(
                abs(got - sent * scale)
                for got_stroke, sent_stroke in zip(recorded, on_pad, strict=True)
                for got_point, sent_point in zip(got_stroke, sent_stroke, strict=True)
                for got, sent in zip(got_point, sent_point, strict=True)
            )
            assert error <= MAX_POINT_ERROR, f"digit {number} ({digit.label}): a point recorded {error:.1f} px off"
            offline = int(run(model, normalize(drawn_images([[[tuple(p) for p in s] for s in recorded]]))).argmax())
            if shown["digit"] != str(offline):
                differ.append(f"{digit.label}: page {shown['digit']}, CPython {offline}")
            if offline != digit.label:
                wrong.append(f"{digit.label}->{offline}")
            page.keyboard.press("Escape")  # clears the pad
            page.locator('#prediction[data-state="ready"][data-strokes="0"]').wait_for(state="attached")
        log = page.evaluate("window.padLog")
        print(f"{size}: {TOUCH_DIGITS - len(wrong)} of {TOUCH_DIGITS} held-out digits read right by touch "
              f"(page = CPython on {TOUCH_DIGITS - len(differ)}); wrong: {', '.join(wrong) or 'none'}")  # fmt: skip
        assert shifts_while_down(log) == 0, "\n".join(map(str, log["shifts"][:12]))
        assert not differ, f"the page read {len(differ)} digits unlike CPython: {differ}"
        assert not browsing.console_errors, browsing.console_errors
    finally:
        browsing.context.close()


LAYOUTS = {**PHONES, "1280x800": (1280, 800)}
LONGEST = {  # what the answer above or beside the pad may say at its longest, by mode
    "digit": ("8", "100.0%", "verdictText({digit: 8, verdict: 'not-digit', candidates: [8, 0]})"),
    "number": ("12345678901234567890", "20, 20 “?”", "''"),
}


@pytest.mark.parametrize("mode", list(LONGEST))
@pytest.mark.parametrize("size", list(LAYOUTS), ids=list(LAYOUTS))
def test_the_answer_has_its_space_reserved(browser, base_url, size, mode):
    """Whatever the answer says, at its longest, and while strokes are drawn and read, the pad
    stays where it was and nothing on the page shifts while a finger (or the mouse) is down."""
    width, height = LAYOUTS[size]
    phone = width < 1000
    options = {"has_touch": True, "is_mobile": True, "device_scale_factor": 3} if phone else {}
    browsing = open_page(browser, f"{base_url}?mode={mode}", viewport={"width": width, "height": height}, **options)
    page = browsing.page
    try:
        assert wait_ready(page) == "ready", error_text(page)
        pad = page.locator("#pad")
        pad.evaluate("e => e.scrollIntoView({block: 'end'})")
        pad.evaluate(PAD_LOG)
        start = pad.bounding_box()
        digit, confidence, verdict = LONGEST[mode]
        page.locator("#prediction").evaluate(
            f"""async (prediction) => {{
              const {{ verdictText }} = await import("./js/element/verdict.js");
              const root = prediction.getRootNode();
              root.getElementById("digit").textContent = {digit!r};
              root.getElementById("confidence").textContent = {confidence!r};
              root.getElementById("verdict").textContent = {verdict};
            }}"""
        )
        assert pad.bounding_box() == start, "the longest answer moved the pad"
        cdp = page.context.new_cdp_session(page) if phone else None
        for count, stroke in enumerate(
            SEVEN if mode == "digit" else SEVEN + [[(x + 1.2, y) for x, y in s] for s in SEVEN]
        ):
            scaled = [(x / 3, y) for x, y in stroke] if mode == "number" else stroke
            if phone:
                touch_stroke(cdp, start, scaled)
            else:
                Pad(page).stroke([(x * start["width"], y * start["height"]) for x, y in scaled])
            page.locator(f'#prediction[data-state="predicted"][data-strokes="{count + 1}"]').wait_for(
                state="attached", timeout=15_000
            )
            assert pad.bounding_box() == start, f"the pad moved after stroke {count + 1}"
        log = page.evaluate("window.padLog")
        assert len({tuple(box) for box in log["boxes"]}) == 1, "the pad moved under the pointer"
        assert shifts_while_down(log) == 0, log["shifts"]
    finally:
        browsing.context.close()
